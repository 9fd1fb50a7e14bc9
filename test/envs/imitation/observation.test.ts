import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { CharacterState, quatMulAt } from '../../../src/envs/character/character-state.ts';
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

test('each reference-frame number by hand: relative to the simulated root, in its heading frame', () => {
  // The table at the top of src/envs/imitation/observation.ts, written out: per frame the
  // reference root height, then per body its centre minus the simulated root, turned by −h
  // (h the simulated heading), and its rotation turned by −h (w ≥ 0).
  const h = -2.1;
  const sim = ref.evaluate(0.4, ref.newState());
  const yawQ = yaw(h);
  sim.pose.set([3, 0.85, -1], 0);
  sim.pose.set(yawQ, 3);
  const n = skeleton.numJoints;
  const refs = [0, 1].map((k) => {
    const r = new CharacterState(skeleton);
    r.pose[1] = 0.8 + 0.1 * k;
    for (let b = 0; b < n; b++) {
      r.bodyPos.set([2 + 0.1 * b + k, 0.5 - 0.02 * b, -1.5 + 0.05 * b * (k + 1)], 3 * b);
      const ang = 0.4 + 0.1 * b + k, sgn = (b + k) % 2 ? -1 : 1;
      r.bodyRot.set([sgn * Math.sin(ang / 2) * 0.6, sgn * Math.sin(ang / 2) * 0.8, 0, sgn * Math.cos(ang / 2)], 4 * b);
    }
    return r;
  });
  const o = buildImitationObservation(sim, 0.1, refs, new Float32Array(imitationObservationSize(n, 2)));
  const unturn = (v: number[]) => [v[0]! * Math.cos(h) - v[2]! * Math.sin(h), v[1]!, v[0]! * Math.sin(h) + v[2]! * Math.cos(h)];
  const inv = yaw(-h), q = new Float64Array(4);
  let i = 197;
  for (const r of refs) {
    const want: number[] = [r.pose[1]!];
    for (let b = 0; b < n; b++) {
      want.push(...unturn([r.bodyPos[3 * b]! - 3, r.bodyPos[3 * b + 1]! - 0.85, r.bodyPos[3 * b + 2]! + 1]));
      quatMulAt(q, 0, inv, 0, r.bodyRot, 4 * b);
      want.push(...(q[3]! < 0 ? Array.from(q, (c) => -c) : Array.from(q)));
    }
    for (const w of want) {
      assert.ok(Math.abs(o[i]! - w) < 1e-6, `index ${i}: ${o[i]} vs ${w}`);
      i++;
    }
  }
  assert.is(i, o.length);
});

test.run();
