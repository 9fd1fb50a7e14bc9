import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { lowestBodyPoint, ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { sampleVelocity } from '../../../src/motion/velocity.ts';

const human = loadCharacter('humanoid3d');
const walk = loadCharacterClip('walk', human.skeleton);
const ref = new ReferenceMotion(walk);

test('walk frame 0: ankles where docs/deepmimic.md puts them', () => {
  const st = ref.evaluate(0, ref.newState());
  const ankle = (name: string) => Array.from(st.jointPos.subarray(3 * human.skeleton.jointIndex(name), 3 * human.skeleton.jointIndex(name) + 3));
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1.5e-3);
  assert.ok(close(ankle('right_ankle'), [0.241, 0.058, 0.036]), String(ankle('right_ankle')));
  assert.ok(close(ankle('left_ankle'), [-0.347, 0.114, -0.035]), String(ankle('left_ankle')));
});

test('joint velocities are the motion room\'s (DeepMimic blended finite differences)', () => {
  const st = ref.evaluate(0.41, ref.newState());
  const v = sampleVelocity(walk, 0.41);
  for (let i = 0; i < v.length; i++) assert.ok(Math.abs(v[i]! - st.jointVel[i]!) < 1e-12);
});

test('body velocities are the rigid-body velocities of the joint motion (finite difference just after a frame)', () => {
  // Just after frame 15 the blend weight is ~0, so the joint velocities are frame 15's forward
  // difference, which is exactly the slope of the slerped pose inside that frame step: the body
  // velocities propagated from them must match how the bodies move.
  const t = walk.frameTimes[15]! + 1e-3, h = 1e-4;
  const a = ref.evaluate(t - h, ref.newState()), b = ref.evaluate(t + h, ref.newState()), c = ref.evaluate(t, ref.newState());
  let worst = 0;
  for (let i = 0; i < c.bodyLinVel.length; i++) worst = Math.max(worst, Math.abs((b.bodyPos[i]! - a.bodyPos[i]!) / (2 * h) - c.bodyLinVel[i]!));
  assert.ok(worst < 0.05, `worst body velocity mismatch ${worst} m/s`);
  let worstCom = 0;
  for (let k = 0; k < 3; k++) worstCom = Math.max(worstCom, Math.abs((b.com[k]! - a.com[k]!) / (2 * h) - c.comVel[k]!));
  assert.ok(worstCom < 0.02, `centre of mass velocity mismatch ${worstCom} m/s`);
});

test('a wrap clip repeats with the root carried forward; the phase wraps', () => {
  const d = ref.durationSeconds;
  const a = ref.evaluate(0.2, ref.newState()), b = ref.evaluate(0.2 + d, ref.newState());
  const delta = walk.cycleRootDelta();
  assert.ok(Math.abs(b.pose[0]! - a.pose[0]! - delta[0]!) < 1e-9);
  assert.ok(Math.abs(b.com[1]! - a.com[1]!) < 1e-9);
  assert.ok(Math.abs(ref.phase(0.2 + 3 * d) - ref.phase(0.2)) < 1e-9);
  assert.ok(Math.abs(ref.phase(-0.25 * d) - 0.75) < 1e-9);
  // The cycle index counts the root carry-overs: one per clip length.
  assert.equal([0, 0.99 * d, d, 2.5 * d].map((t) => ref.cycle(t)), [0, 0, 1, 2]);
});

test('a clip that sinks into the ground throughout is lifted (DeepLoco biped walk), the humanoid walk is not', () => {
  assert.is(ref.groundOffsetM, 0);
  const biped = new ReferenceMotion(loadCharacterClip('biped3d_walk', loadCharacter('biped3d').skeleton));
  assert.ok(biped.groundOffsetM > 0.07 && biped.groundOffsetM < 0.09, `offset ${biped.groundOffsetM}`);
  const st = biped.newState();
  const lows = Array.from(biped.clip.frameTimes, (t) => lowestBodyPoint(biped.evaluate(t, st)));
  assert.ok(Math.min(...lows) > -0.01 && Math.min(...lows) < 0.005, 'after lifting, the lowest frame touches the ground');
});

test.run();
