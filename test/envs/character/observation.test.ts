import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { CharacterState, quatMulAt, rotateAt } from '../../../src/envs/character/character-state.ts';
import { buildObservation, headingAngle, observationSize } from '../../../src/envs/character/observation.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { SimCharacter } from '../../../src/envs/character/sim-character.ts';

const human = loadCharacter('humanoid3d');
const ref = new ReferenceMotion(loadCharacterClip('walk', human.skeleton));

/** The state turned by `angle` about the vertical and moved by (dx, dz) on the ground. */
function moved(a: CharacterState, angle: number, dx: number, dz: number): CharacterState {
  const b = new CharacterState(a.skeleton);
  b.copyFrom(a);
  const q = Float64Array.of(0, Math.sin(angle / 2), 0, Math.cos(angle / 2));
  const point = (arr: Float64Array, i: number, shift: boolean) => {
    rotateAt(arr, i, q, 0, arr[i]!, arr[i + 1]!, arr[i + 2]!);
    if (shift) { arr[i] += dx; arr[i + 2] += dz; }
  };
  const n = a.numJoints;
  point(b.pose, 0, true);
  quatMulAt(b.pose, 3, q, 0, b.pose, 3);
  point(b.jointVel, 0, false);
  point(b.jointVel, 3, false);
  for (let j = 0; j < n; j++) {
    point(b.jointPos, 3 * j, true);
    point(b.bodyPos, 3 * j, true);
    point(b.bodyLinVel, 3 * j, false);
    point(b.bodyAngVel, 3 * j, false);
    quatMulAt(b.jointRot, 4 * j, q, 0, b.jointRot, 4 * j);
    quatMulAt(b.bodyRot, 4 * j, q, 0, b.bodyRot, 4 * j);
  }
  return b;
}

/** The observation of the simulated character put in a state (so both go through Rapier's float32). */
function observe(st: CharacterState, phase: number): Float32Array {
  const sim = new SimCharacter(human.skeleton, human.gains, { physicsHz: 600 });
  try {
    sim.setState(st);
    return buildObservation(sim.readState(new CharacterState(human.skeleton)), phase, new Float32Array(observationSize(human.skeleton.numJoints)));
  } finally {
    sim.close();
  }
}

test('197 numbers for humanoid3d (the paper\'s count): height, 13 per body, phase', () => {
  assert.is(observationSize(human.skeleton.numJoints), 197);
  const o = observe(ref.evaluate(0.5, ref.newState()), ref.phase(0.5));
  assert.ok(Math.abs(o[0]! - ref.evaluate(0.5, ref.newState()).pose[1]!) < 1e-5, 'root height first');
  assert.ok(Math.abs(o[196]! - ref.phase(0.5)) < 1e-7, 'phase last');
});

test('invariant to where the character stands and which way it faces', () => {
  const a = ref.evaluate(0.9, ref.newState());
  const base = observe(a, 0.3);
  for (const [angle, dx, dz] of [[0, 3, -2], [Math.PI / 2, 0, 0], [2.5, -7, 11], [-1.2, 100, 50]] as const) {
    const b = moved(a, angle, dx, dz);
    const turn = headingAngle(b.pose, 3) - headingAngle(a.pose, 3) - angle;
    assert.ok(Math.abs(Math.atan2(Math.sin(turn), Math.cos(turn))) < 1e-9, 'the heading turns with the character');
    const o = observe(b, 0.3);
    let worst = 0, at = -1;
    for (let i = 0; i < o.length; i++) if (Math.abs(o[i]! - base[i]!) > worst) { worst = Math.abs(o[i]! - base[i]!); at = i; }
    // float32 bodies 100 m away carry about 1e-5 m of rounding.
    assert.ok(worst < 2e-4, `turned ${angle}, moved (${dx}, ${dz}): index ${at} differs by ${worst}`);
  }
});

test('but not invariant to tilting: the root rotation in the heading frame keeps pitch and roll', () => {
  const a = ref.evaluate(0.9, ref.newState());
  const base = observe(a, 0.3);
  const b = ref.evaluate(0.9, ref.newState());
  // Tilt the whole character 0.3 rad about x (roll): the observation must change.
  const q = Float64Array.of(Math.sin(0.15), 0, 0, Math.cos(0.15));
  for (let j = 0; j < b.numJoints; j++) quatMulAt(b.bodyRot, 4 * j, q, 0, b.bodyRot, 4 * j);
  quatMulAt(b.pose, 3, q, 0, b.pose, 3);
  const o = observe(b, 0.3);
  let diff = 0;
  for (let i = 4; i < 8; i++) diff = Math.max(diff, Math.abs(o[i]! - base[i]!));
  assert.ok(diff > 0.05);
});

test('each number by hand: a yawed, tilted root and bodies with known positions, rotations and velocities', () => {
  // DeepMimic's observation (docs/deepmimic.md "Observation"): the heading h is the angle of the
  // root's x axis on the ground; every body's position relative to the root, its rotation
  // (w ≥ 0), linear and angular velocity are turned by −h about y; the root height first, the
  // phase last. The expected numbers are those definitions written out here.
  const h = 0.8, tilt = 0.2;
  const s = new CharacterState(human.skeleton);
  const yawQ = [0, Math.sin(h / 2), 0, Math.cos(h / 2)];
  const rootQ = new Float64Array(4);
  quatMulAt(rootQ, 0, yawQ, 0, [Math.sin(tilt / 2), 0, 0, Math.cos(tilt / 2)], 0);
  s.pose.set([1.5, 0.9, -2], 0);
  s.pose.set(rootQ, 3);
  assert.ok(Math.abs(headingAngle(s.pose, 3) - h) < 1e-12, 'a tilt about the root x axis leaves the heading');
  const n = s.numJoints;
  // Body b: a local rotation r_b about a tilted axis (some with w < 0, the same rotation), turned by the heading.
  const local: number[][] = [];
  for (let b = 0; b < n; b++) {
    const ang = 0.3 + 0.2 * b, ax = [Math.cos(b), 0.5, Math.sin(b)], norm = Math.hypot(...ax);
    const sign = b % 3 === 0 ? -1 : 1;
    local.push([...ax.map((c) => (sign * c * Math.sin(ang / 2)) / norm), sign * Math.cos(ang / 2)]);
    quatMulAt(s.bodyRot, 4 * b, yawQ, 0, local[b]!, 0);
    s.bodyPos.set([1.5 + 0.1 * b, 0.2 + 0.05 * b, -2 - 0.07 * b], 3 * b);
    s.bodyLinVel.set([0.5 - b, 0.1 * b, 1 + 0.3 * b], 3 * b);
    s.bodyAngVel.set([b, -2 + 0.5 * b, 0.25], 3 * b);
  }
  const o = buildObservation(s, 0.625, new Float32Array(observationSize(n)));
  // Turning a vector by −h about y.
  const unturn = (v: number[]) => [v[0]! * Math.cos(h) - v[2]! * Math.sin(h), v[1]!, v[0]! * Math.sin(h) + v[2]! * Math.cos(h)];
  const want: number[] = [0.9];
  for (let b = 0; b < n; b++) {
    const p = s.bodyPos.subarray(3 * b, 3 * b + 3);
    want.push(...unturn([p[0]! - 1.5, p[1]! - 0.9, p[2]! + 2]));
    const q = local[b]!;
    want.push(...(q[3]! < 0 ? q.map((c) => -c) : q));
    want.push(...unturn(Array.from(s.bodyLinVel.subarray(3 * b, 3 * b + 3))));
    want.push(...unturn(Array.from(s.bodyAngVel.subarray(3 * b, 3 * b + 3))));
  }
  want.push(0.625);
  assert.is(o.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(o[i]! - want[i]!) < 1e-6, `index ${i}: ${o[i]} vs ${want[i]}`);
});

test.run();
