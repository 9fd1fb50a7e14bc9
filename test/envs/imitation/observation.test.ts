import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { buildImitationObservation, imitationObservationSize, referenceFrameSize } from '../../../src/envs/imitation/observation.ts';
import { transformState, yaw } from './helpers.ts';

const skeleton = loadCharacter('humanoid3d').skeleton;
const ref = new ReferenceMotion(loadCharacterClip('walk', skeleton));

test('size: DeepMimic\'s 197 for the humanoid, plus 1 + 7 per body per reference frame', () => {
  assert.is(imitationObservationSize(15, 0), 197);
  assert.is(referenceFrameSize(15), 106);
  assert.is(imitationObservationSize(15, 2), 197 + 212);
});

test('invariant to where the character stands and which way it faces (with its reference frames)', () => {
  // The "character" at 0.4 s, its reference 1 and 2 control steps ahead, and the same three moved
  // and turned together on the ground.
  const sim = ref.evaluate(0.4, ref.newState());
  const next = [ref.evaluate(0.4 + 1 / 30, ref.newState()), ref.evaluate(0.4 + 2 / 30, ref.newState())];
  const n = imitationObservationSize(skeleton.numJoints, 2);
  const a = buildImitationObservation(sim, 0.3, next, new Float32Array(n));
  for (const [angle, dx, dz] of [[0.7, 3, -2], [-2.5, -10, 4], [Math.PI, 0.5, 0.5]] as const) {
    const q = yaw(angle), t = [dx, 0, dz];
    const b = buildImitationObservation(transformState(sim, q, t), 0.3, next.map((s) => transformState(s, q, t)), new Float32Array(n));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 2e-5, `index ${i}: ${a[i]} vs ${b[i]} (yaw ${angle}, at ${dx}, ${dz})`);
  }
  // Moving the character but not its reference changes what it sees of the reference only.
  const moved = buildImitationObservation(transformState(sim, [0, 0, 0, 1], [0.5, 0, 0]), 0.3, next, new Float32Array(n));
  for (let i = 0; i < 197; i++) assert.ok(Math.abs(a[i]! - moved[i]!) < 2e-5);
  // The reference's root body is 0.5 m further away on the ground (in the heading frame, so along
  // whatever direction the heading makes of world x).
  const dist = Math.hypot(a[198]! - moved[198]!, a[200]! - moved[200]!);
  assert.ok(Math.abs(dist - 0.5) < 1e-5, `the reference root body moved by ${dist} m`);
  assert.ok(Math.abs(a[199]! - moved[199]!) < 1e-5);
});

test('the phase is the last number of the character part', () => {
  const sim = ref.evaluate(0.2, ref.newState());
  const o = buildImitationObservation(sim, 0.625, [], new Float32Array(197));
  assert.is(o[196], 0.625);
  assert.ok(Math.abs(o[0]! - sim.pose[1]!) < 1e-6, 'root height first');
});

test.run();
