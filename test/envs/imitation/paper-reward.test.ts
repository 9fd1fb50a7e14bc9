import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { CharacterState, quatMulAt } from '../../../src/envs/character/character-state.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { PAPER_REWARD_SCALES, PAPER_REWARD_WEIGHTS, PaperImitationReward } from '../../../src/envs/imitation/paper-reward.ts';
import { axisAngle, transformState, yaw } from './helpers.ts';

const skeleton = loadCharacter('humanoid3d').skeleton;
const ref = new ReferenceMotion(loadCharacterClip('walk', skeleton));
const reward = new PaperImitationReward(skeleton);

test("weights are the paper's and sum to 1", () => {
  // Peng et al. 2018, eq. 4: 0.65, 0.1, 0.15, 0.1.
  assert.equal({ ...PAPER_REWARD_WEIGHTS }, { pose: 0.65, velocity: 0.1, endEffector: 0.15, com: 0.1 });
});

test('1 on the reference; each term falls with its own error', () => {
  const a = ref.evaluate(0.5, ref.newState());
  assert.ok(Math.abs(reward.compute(a, a) - 1) < 1e-12);
  // The whole character 10 cm to the side: pose, velocities and end effectors (root-relative)
  // unchanged; the centre of mass off by 0.1 m: r_com = exp(−10 · 0.01).
  const shifted = transformState(a, [0, 0, 0, 1], [0, 0, 0.1]);
  reward.compute(shifted, a);
  assert.ok(Math.abs(reward.terms.com - Math.exp(-0.1)) < 1e-9, `com term ${reward.terms.com}`);
  assert.ok(reward.terms.pose > 1 - 1e-9 && reward.terms.endEffector > 1 - 1e-9);
  // Another time of the clip: every term below 1, and further away is worse.
  const b = ref.evaluate(0.6, ref.newState());
  const c = ref.evaluate(0.8, ref.newState());
  const rb = reward.compute(b, a);
  assert.ok(reward.terms.pose < 1 && reward.terms.velocity < 1 && reward.terms.endEffector < 1);
  assert.ok(reward.compute(c, a) < rb);
});


// Term by term on hand-built state pairs: one reference state copied, one number changed. The
// expected values are the paper's formulas (Peng et al. 2018, "DeepMimic", Section 5, the
// imitation reward r^I and its terms r^p, r^v, r^e, r^c) written out here.
const K = { pose: 2, velocity: 0.1, endEffector: 40, com: 10 };
const W = { pose: 0.65, velocity: 0.1, endEffector: 0.15, com: 0.1 };
const close = (got: number, want: number, what: string, tol = 1e-12) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, expected ${want}`);
const base = ref.evaluate(0.37, ref.newState());
const idx = (name: string) => skeleton.jointIndex(name);
function copy(): CharacterState {
  const s = new CharacterState(skeleton);
  s.copyFrom(base);
  return s;
}
function turn(s: CharacterState, j: number, axis: number[], th: number): void {
  const q = Float64Array.from(s.pose.subarray(3 + 4 * j, 7 + 4 * j));
  quatMulAt(s.pose, 3 + 4 * j, q, 0, axisAngle(axis, th), 0);
}
function othersOne(except: (keyof typeof W)[]): void {
  const t = reward.terms;
  for (const k of Object.keys(W) as (keyof typeof W)[]) if (!except.includes(k)) assert.is(t[k], 1, `${k} term`);
  assert.is(t.root, 0, 'no root term in the paper');
  close(t.total, W.pose * t.pose + W.velocity * t.velocity + W.endEffector * t.endEffector + W.com * t.com, 'total');
}

test("scales are the paper's: 2, 0.1, 40, 10", () => {
  assert.equal({ ...PAPER_REWARD_SCALES }, K);
});

test('joints turned by θ_j: r_pose = exp(−2 Σ θ_j²), unweighted, the root included', () => {
  const s = copy();
  turn(s, idx('right_knee'), [0, 0, 1], 0.4);
  reward.compute(s, base);
  close(reward.terms.poseError, 0.16, 'one joint, error');
  close(reward.terms.pose, Math.exp(-K.pose * 0.16), 'one joint, term');
  othersOne(['pose']);
  turn(s, idx('chest'), [0.6, 0, 0.8], 0.3);
  turn(s, 0, [1, 0, 0], 0.2);
  reward.compute(s, base);
  close(reward.terms.pose, Math.exp(-K.pose * (0.16 + 0.09 + 0.04)), 'three joints, the root among them');
  othersOne(['pose']);
  // A fixed joint (a wrist) has no rotation of its own to match: turning it changes nothing.
  const w = copy();
  turn(w, idx('left_wrist'), [1, 0, 0], 0.5);
  w.jointVel[3 + 3 * idx('left_wrist')] += 1;
  reward.compute(w, base);
  othersOne([]);
});

test('joint velocities differ: r_vel = exp(−0.1 Σ ‖Δω_j‖²); the root\u2019s linear velocity is not in it', () => {
  const s = copy();
  s.jointVel[3 + 3 * idx('left_hip')] += 1; s.jointVel[3 + 3 * idx('left_hip') + 2] -= 2;
  s.jointVel[3] += 0.5; // root angular velocity
  s.jointVel[0] += 3; // root linear velocity: no paper term reads it
  reward.compute(s, base);
  close(reward.terms.velocityError, 5 + 0.25, 'error');
  close(reward.terms.velocity, Math.exp(-K.velocity * 5.25), 'term');
  othersOne(['velocity']);
});

test('end effectors moved: r_end = exp(−40 Σ_e ‖Δp_e‖²), a sum, not a mean', () => {
  const s = copy();
  s.jointPos[3 * idx('left_ankle')] += 0.1; s.jointPos[3 * idx('left_ankle') + 1] += 0.05;
  reward.compute(s, base);
  close(reward.terms.endEffector, Math.exp(-K.endEffector * 0.0125), 'one end effector');
  othersOne(['endEffector']);
  s.jointPos[3 * idx('right_wrist') + 2] -= 0.2;
  reward.compute(s, base);
  close(reward.terms.endEffectorError, 0.0125 + 0.04, 'two end effectors, error');
  close(reward.terms.endEffector, Math.exp(-K.endEffector * 0.0525), 'two end effectors, term');
  // Turned about the vertical and moved on the ground (velocities and centre of mass kept): the
  // root-relative end effectors in the heading frame do not change.
  const t = transformState(base, yaw(-1.2), [0.5, 0, 0.25]);
  t.com.set(base.com);
  t.jointVel.set(base.jointVel.subarray(0, 6));
  reward.compute(t, base);
  close(reward.terms.endEffector, 1, 'heading frame');
});

test('the whole character lifted by h: each of the 4 end effectors is h higher above the ground', () => {
  const s = copy();
  s.pose[1] += 0.1;
  for (let j = 0; j < s.numJoints; j++) s.jointPos[3 * j + 1] += 0.1;
  s.com[1] += 0.1;
  reward.compute(s, base);
  close(reward.terms.endEffectorError, 4 * 0.01, 'end-effector error');
  close(reward.terms.endEffector, Math.exp(-K.endEffector * 0.04), 'end-effector term');
  close(reward.terms.com, Math.exp(-K.com * 0.01), 'com term');
  assert.is(reward.terms.pose, 1);
  assert.is(reward.terms.velocity, 1);
});

test('centre of mass: r_com = exp(−10 ‖Δp_com‖²) on position; its velocity is not in it', () => {
  const s = copy();
  s.com[0] += 0.2; s.com[1] -= 0.1;
  s.comVel[2] += 4;
  reward.compute(s, base);
  close(reward.terms.comError, 0.05, 'error');
  close(reward.terms.com, Math.exp(-K.com * 0.05), 'term');
  othersOne(['com']);
});

test('every term off: r = 0.65·r_pose + 0.1·r_vel + 0.15·r_end + 0.1·r_com', () => {
  const s = copy();
  turn(s, idx('neck'), [1, 0, 0], 0.5);
  s.jointVel[3 + 3 * idx('right_elbow') + 2] += 2;
  s.jointPos[3 * idx('right_ankle') + 1] += 0.1;
  s.com[2] += 0.1;
  const want = W.pose * Math.exp(-K.pose * 0.25) + W.velocity * Math.exp(-K.velocity * 4)
    + W.endEffector * Math.exp(-K.endEffector * 0.01) + W.com * Math.exp(-K.com * 0.01);
  close(reward.compute(s, base), want, 'total');
});

test.run();
