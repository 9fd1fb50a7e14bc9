import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { CharacterState, quatMulAt } from '../../../src/envs/character/character-state.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { DEEPMIMIC_REWARD_SCALES, DEEPMIMIC_REWARD_WEIGHTS, ImitationReward } from '../../../src/envs/character/reward.ts';
import { SimCharacter } from '../../../src/envs/character/sim-character.ts';
import { Skeleton, type Joint } from '../../../src/motion/skeleton.ts';
import { axisAngle, transformState, yaw } from '../imitation/helpers.ts';

const human = loadCharacter('humanoid3d');
const ref = new ReferenceMotion(loadCharacterClip('walk', human.skeleton));
const reward = new ImitationReward(human.skeleton);

test('joint weights are DiffWeight / 4.8 (docs/deepmimic.md: root 0.208, chest 0.104, wrists 0)', () => {
  const w = reward.jointWeights;
  assert.ok(Math.abs(w[0]! - 1 / 4.8) < 1e-12);
  assert.ok(Math.abs(w[human.skeleton.jointIndex('chest')]! - 0.5 / 4.8) < 1e-12);
  assert.is(w[human.skeleton.jointIndex('left_wrist')], 0);
  assert.equal(Array.from(reward.endEffectors, (j) => human.skeleton.joints[j]!.name), ['right_ankle', 'right_wrist', 'left_ankle', 'left_wrist']);
});

test('the simulated character set exactly to the reference earns ≈ 1', () => {
  const sim = new SimCharacter(human.skeleton, human.gains, { physicsHz: 600 });
  try {
    const a = ref.evaluate(0.7, ref.newState());
    sim.setState(a);
    const s = sim.readState(new CharacterState(human.skeleton));
    const r = reward.compute(s, a);
    assert.ok(r > 0.999 && r <= 1 + 1e-12, `reward ${r}`);
    assert.ok(Math.abs(reward.compute(a, a) - 1) < 1e-12);
  } finally {
    sim.close();
  }
});

test('the reward falls as the character moves away from the reference', () => {
  const a = ref.evaluate(0.3, ref.newState());
  const b = ref.newState();
  let last = 1.0000001;
  for (const dt of [0, 0.03, 0.1, 0.2, 0.4]) {
    const r = reward.compute(ref.evaluate(0.3 + dt, b), a);
    assert.ok(r < last, `dt ${dt}: ${r} not below ${last}`);
    last = r;
  }
  // Every term falls when the root is displaced (and only the root and end-effector terms move).
  let prev = 1.0000001;
  for (const dx of [0, 0.05, 0.2, 0.5]) {
    b.copyFrom(a);
    b.pose[0] += dx;
    for (let j = 0; j < b.numJoints; j++) b.jointPos[3 * j] += dx;
    const r = reward.compute(b, a);
    assert.ok(r < prev, `dx ${dx}`);
    prev = r;
  }
  assert.ok(reward.terms.pose === 1 && reward.terms.root < 1);
});

test('weights are configurable and keep the reward in [0, 1]', () => {
  const poseOnly = new ImitationReward(human.skeleton, { pose: 1, velocity: 0, endEffector: 0, root: 0, com: 0 });
  const a = ref.evaluate(0.3, ref.newState());
  const b = ref.evaluate(0.5, ref.newState());
  const r = poseOnly.compute(b, a);
  assert.ok(Math.abs(r - poseOnly.terms.pose) < 1e-15 && r > 0 && r < 1);
});


// Term by term. The reward reads only pose, jointVel, jointPos, com and comVel, so a state pair
// is built by copying one reference state and changing exactly one of those numbers; every
// expected value below is the formula of SceneImitate::CalcRewardImitate written out here.
const K = { pose: 2, velocity: 0.1, endEffector: 40, root: 5, com: 10 };
const W = { pose: 0.5, velocity: 0.05, endEffector: 0.15, root: 0.2, com: 0.1 };
const close = (got: number, want: number, what: string, tol = 1e-12) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, expected ${want}`);
const base = ref.evaluate(0.37, ref.newState());
function copy(): CharacterState {
  const s = new CharacterState(human.skeleton);
  s.copyFrom(base);
  return s;
}
/** Joint j's local rotation (root: world rotation) turned by θ about `axis`. */
function turn(s: CharacterState, j: number, axis: number[], th: number): void {
  const q = Float64Array.from(s.pose.subarray(3 + 4 * j, 7 + 4 * j));
  quatMulAt(s.pose, 3 + 4 * j, q, 0, axisAngle(axis, th), 0);
}
const jw = (name: string) => reward.jointWeights[human.skeleton.jointIndex(name)]!;
/** The terms other than `except` are exactly 1 and the total is the weighted sum. */
function othersOne(except: (keyof typeof W)[]): void {
  const t = reward.terms;
  for (const k of Object.keys(W) as (keyof typeof W)[]) if (!except.includes(k)) assert.is(t[k], 1, `${k} term`);
  close(t.total, W.pose * t.pose + W.velocity * t.velocity + W.endEffector * t.endEffector + W.root * t.root + W.com * t.com, 'total');
}

test("weights and scales are the released code's (xbpeng/DeepMimic, DeepMimicCore/scenes/SceneImitate.cpp)", () => {
  // CalcRewardImitate: pose_w 0.5, vel_w 0.05, end_eff_w 0.15, root_w 0.2, com_w 0.1 (normalized by
  // their sum, 1). Scales at the first release (commit 3ca04d3): pose 2, vel 0.1, end_eff 40 on the
  // mean over end effectors, root 5, com 10. At 1f915c5 (the commit data/deepmimic comes from) pose
  // and vel scales are 2/15·num_joints and 0.1/15·num_joints, 2 and 0.1 for the 15-joint humanoid,
  // and end_eff 10 on the sum over end effectors: 10·Σ = 40·mean for its 4 end effectors.
  assert.equal({ ...DEEPMIMIC_REWARD_WEIGHTS }, W);
  assert.equal({ ...DEEPMIMIC_REWARD_SCALES }, K);
  assert.is(human.skeleton.numJoints, 15);
  assert.is(reward.endEffectors.length, 4);
  close(Object.values(W).reduce((a, b) => a + b, 0), 1, 'weights sum', 1e-15);
});

test('one joint turned by θ: pose term exp(−2·ŵ_j·θ²), every other term 1', () => {
  for (const [name, axis, th] of [['right_knee', [0, 0, 1], 0.4], ['chest', [0.6, 0, 0.8], 0.25], ['left_hip', [0, 1, 0], 1.1]] as const) {
    const s = copy();
    turn(s, human.skeleton.jointIndex(name), [...axis], th);
    reward.compute(s, base);
    close(reward.terms.poseError, jw(name) * th * th, `${name} pose error`);
    close(reward.terms.pose, Math.exp(-K.pose * jw(name) * th * th), `${name} pose term`);
    othersOne(['pose']);
  }
  // Two joints: the errors add, each weighted.
  const s = copy();
  turn(s, human.skeleton.jointIndex('right_knee'), [0, 0, 1], 0.3);
  turn(s, human.skeleton.jointIndex('neck'), [1, 0, 0], 0.5);
  reward.compute(s, base);
  close(reward.terms.pose, Math.exp(-K.pose * (jw('right_knee') * 0.09 + jw('neck') * 0.25)), 'two joints');
  // A wrist (fixed, DiffWeight 0) does not count.
  const w = copy();
  turn(w, human.skeleton.jointIndex('left_wrist'), [1, 0, 0], 0.5);
  reward.compute(w, base);
  assert.is(reward.terms.pose, 1);
});

test('the root turned by θ: pose error ŵ_root·θ², root error 0.1·θ²', () => {
  const s = copy();
  // About the root's own x axis: its heading (the x axis on the ground) does not change.
  turn(s, 0, [1, 0, 0], 0.3);
  reward.compute(s, base);
  close(reward.terms.pose, Math.exp(-K.pose * (1 / 4.8) * 0.09), 'pose term');
  close(reward.terms.root, Math.exp(-K.root * 0.1 * 0.09), 'root term');
  othersOne(['pose', 'root']);
});

test('joint velocities differ: velocity term exp(−0.1·ŵ_j·‖Δω‖²)', () => {
  const s = copy();
  const j = human.skeleton.jointIndex('right_hip');
  s.jointVel[3 + 3 * j] += 1.5; s.jointVel[3 + 3 * j + 1] -= 2; s.jointVel[3 + 3 * j + 2] += 0.5;
  const k = human.skeleton.jointIndex('left_elbow');
  s.jointVel[3 + 3 * k + 2] += 3;
  reward.compute(s, base);
  const err = jw('right_hip') * (2.25 + 4 + 0.25) + jw('left_elbow') * 9;
  close(reward.terms.velocityError, err, 'velocity error');
  close(reward.terms.velocity, Math.exp(-K.velocity * err), 'velocity term');
  othersOne(['velocity']);
  // The root's angular velocity counts in both the velocity term and the root term (0.001·‖Δω‖²).
  const r = copy();
  r.jointVel[3] += 2; r.jointVel[4] += 0.5; r.jointVel[5] -= 1;
  reward.compute(r, base);
  close(reward.terms.velocity, Math.exp(-K.velocity * (1 / 4.8) * 5.25), 'root angular velocity, velocity term');
  close(reward.terms.root, Math.exp(-K.root * 0.001 * 5.25), 'root angular velocity, root term');
  othersOne(['velocity', 'root']);
});

test('end effectors moved: term exp(−40 · mean over the 4 end effectors of ‖Δp‖²)', () => {
  const s = copy();
  const e = human.skeleton.jointIndex('left_ankle');
  s.jointPos[3 * e] += 0.1; s.jointPos[3 * e + 1] += 0.05; s.jointPos[3 * e + 2] -= 0.02;
  reward.compute(s, base);
  const d1 = 0.01 + 0.0025 + 0.0004;
  close(reward.terms.endEffectorError, d1 / 4, 'one end effector, error');
  close(reward.terms.endEffector, Math.exp(-K.endEffector * d1 / 4), 'one end effector, term');
  othersOne(['endEffector']);
  // A second one moved too: the mean of the two squared distances over all four.
  const w = human.skeleton.jointIndex('right_wrist');
  s.jointPos[3 * w + 1] -= 0.2;
  reward.compute(s, base);
  close(reward.terms.endEffector, Math.exp(-K.endEffector * (d1 + 0.04) / 4), 'two end effectors');
  // A joint that is not an end effector moved: nothing changes.
  const k = copy();
  k.jointPos[3 * human.skeleton.jointIndex('right_knee')] += 0.3;
  reward.compute(k, base);
  othersOne([]);
});

test('end effectors are compared in each character\u2019s own heading frame', () => {
  // The whole simulated character turned about the vertical through the world origin and moved
  // on the ground: every root-relative end-effector position is the same, so the term stays 1;
  // the root term sees where the root went (‖Δp‖²) and the turn (0.1·0.7² rad²).
  const s = transformState(base, yaw(0.7), [0.3, 0, -0.4]);
  const dp2 = (s.pose[0]! - base.pose[0]!) ** 2 + (s.pose[1]! - base.pose[1]!) ** 2 + (s.pose[2]! - base.pose[2]!) ** 2;
  assert.ok(dp2 > 0.1, 'the root moved');
  // transformState also turns the world velocities; keep them to isolate position and rotation.
  s.jointVel.set(base.jointVel.subarray(0, 6));
  s.comVel.set(base.comVel);
  reward.compute(s, base);
  close(reward.terms.endEffector, 1, 'end effectors', 1e-12);
  close(reward.terms.pose, Math.exp(-K.pose * (1 / 4.8) * 0.49), 'pose term (root turned)', 1e-12);
  close(reward.terms.root, Math.exp(-K.root * (dp2 + 0.1 * 0.49)), 'root term', 1e-12);
  assert.is(reward.terms.velocity, 1);
  assert.is(reward.terms.com, 1);
});

test('root moved and root velocity off: root error ‖Δp‖² + 0.01·‖Δv‖²', () => {
  const s = copy();
  // The root and every joint moved together: end effectors keep their root-relative place.
  for (let j = 0; j < s.numJoints; j++) { s.jointPos[3 * j] += 0.2; s.jointPos[3 * j + 2] += 0.1; }
  s.pose[0] += 0.2; s.pose[2] += 0.1;
  s.jointVel[0] += 1; s.jointVel[2] -= 2;
  reward.compute(s, base);
  close(reward.terms.rootError, 0.04 + 0.01 + 0.01 * 5, 'root error');
  close(reward.terms.root, Math.exp(-K.root * (0.05 + 0.05)), 'root term');
  othersOne(['root']);
  // The root 0.1 m higher: root error 0.01 m². The end effectors' y is their height above the
  // ground, not relative to the root, so their term stays 1.
  const h = copy();
  h.pose[1] += 0.1;
  reward.compute(h, base);
  close(reward.terms.root, Math.exp(-K.root * 0.01), 'root height');
  othersOne(['root']);
});

test('centre of mass: velocity counts (0.1·‖Δv‖², scale 10), position does not', () => {
  const s = copy();
  s.comVel[0] += 0.5; s.comVel[1] -= 1;
  s.com[0] += 0.3;
  reward.compute(s, base);
  close(reward.terms.comError, 0.1 * 1.25, 'com error');
  close(reward.terms.com, Math.exp(-K.com * 0.1 * 1.25), 'com term');
  othersOne(['com']);
});

test('every term off at once: the total is the weighted sum of the five exp(−k·error)', () => {
  const s = copy();
  turn(s, human.skeleton.jointIndex('right_knee'), [0, 0, 1], 0.5);
  s.jointVel[3 + 3 * human.skeleton.jointIndex('chest')] += 2;
  s.jointPos[3 * human.skeleton.jointIndex('right_ankle') + 1] += 0.1;
  s.jointVel[1] += 1;
  s.comVel[2] += 1;
  const r = reward.compute(s, base);
  const want = W.pose * Math.exp(-K.pose * jw('right_knee') * 0.25)
    + W.velocity * Math.exp(-K.velocity * jw('chest') * 4)
    + W.endEffector * Math.exp(-K.endEffector * 0.01 / 4)
    + W.root * Math.exp(-K.root * 0.01)
    + W.com * Math.exp(-K.com * 0.1);
  close(r, want, 'total');
});

/** The humanoid with some joint fields changed (same layout, so the same states fit it). */
function variant(change: (j: Joint) => Partial<Joint>): Skeleton {
  return new Skeleton('humanoid3d-variant', human.skeleton.joints.map((j) => ({ ...j, ...change(j) })));
}

test('a fixed joint never counts, whatever its DiffWeight; the weights are DiffWeight / their sum', () => {
  // Fixed joints have no degrees of freedom, so DeepMimic's CalcPoseErr gives them no error.
  const skel = variant((j) => (j.type === 'fixed' ? { diffWeight: 1 } : {}));
  const r = new ImitationReward(skel);
  const total = human.skeleton.joints.reduce((a, j) => a + (j.type === 'fixed' ? 1 : j.diffWeight), 0);
  close(r.jointWeights[human.skeleton.jointIndex('right_wrist')]!, 1 / total, 'wrist weight');
  const s = copy();
  turn(s, human.skeleton.jointIndex('right_wrist'), [1, 0, 0], 0.5);
  s.jointVel[3 + 3 * human.skeleton.jointIndex('right_wrist')] += 2;
  turn(s, human.skeleton.jointIndex('right_knee'), [0, 0, 1], 0.4);
  r.compute(s, base);
  close(r.terms.poseError, (0.3 / total) * 0.16, 'only the knee counts, with weight 0.3 / Σ');
  assert.is(r.terms.velocity, 1);
});

test('all DiffWeights 0: pose and velocity terms 1 (no 0/0); no end effectors: end-effector term 1', () => {
  const r = new ImitationReward(variant(() => ({ diffWeight: 0, isEndEffector: false })));
  assert.equal(Array.from(r.jointWeights), new Array(15).fill(0));
  assert.is(r.endEffectors.length, 0);
  const s = copy();
  turn(s, human.skeleton.jointIndex('chest'), [1, 0, 0], 0.5);
  s.jointVel[3 + 3 * human.skeleton.jointIndex('chest')] += 2;
  s.jointPos[3 * human.skeleton.jointIndex('left_ankle')] += 0.3;
  r.compute(s, base);
  assert.is(r.terms.pose, 1);
  assert.is(r.terms.velocity, 1);
  assert.is(r.terms.endEffector, 1);
  assert.is(r.terms.endEffectorError, 0);
});

test.run();
