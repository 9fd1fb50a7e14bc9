import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../../src/core/rng.ts';
import { loadCharacter } from '../../../src/envs/character/assets.ts';
import { PdActionMap } from '../../../src/envs/imitation/action-map.ts';

const humanoid = loadCharacter('humanoid3d').skeleton;
const actuated = humanoid.joints.flatMap((j, i) => (j.type === 'spherical' || j.type === 'revolute' ? [i] : []));
const map = new PdActionMap(humanoid, actuated);
const byName = (name: string) => map.dofOffset[actuated.indexOf(humanoid.jointIndex(name))]!;

test('28 numbers for the humanoid: 3 per spherical joint, 1 per revolute joint', () => {
  assert.is(map.size, 28);
  assert.is(map.dofCount[actuated.indexOf(humanoid.jointIndex('right_knee'))], 1);
  assert.is(map.dofCount[actuated.indexOf(humanoid.jointIndex('chest'))], 3);
});

test('ranges: spherical ± min(π, 1.2 · max |limit|); revolute centred on the limits, 1.4 × as wide (IsaacGymEnvs)', () => {
  // chest limits ±1.2 (humanoid3d.txt): ±1.44.
  const c = byName('chest');
  assert.ok(Math.abs(map.scale[c]! - 1.44) < 1e-12);
  assert.is(map.offset[c], 0);
  // right hip: max |limit| 2.57 → 3.084 (under π); right shoulder: 3.14 · 1.2 > π → π.
  assert.ok(Math.abs(map.scale[byName('right_hip')]! - 1.2 * 2.57) < 1e-12);
  assert.is(map.scale[byName('right_shoulder')], Math.PI);
  // knee [-3.14, 0]: centre -1.57, half range 0.7 · 3.14.
  const k = byName('right_knee');
  assert.ok(Math.abs(map.offset[k]! + 1.57) < 1e-12);
  assert.ok(Math.abs(map.scale[k]! - 0.7 * 3.14) < 1e-12);
});

test('actionOf inverts targetPose (rotations under π: beyond, an exponential map names the same rotation as a shorter one)', () => {
  const rng = new Rng(4);
  const a = new Float32Array(map.size);
  // ±0.5 per axis keeps every exponential map under π (√3 · 0.5 · π ≈ 2.7).
  rng.fillUniform(a, -0.5, 0.5);
  const pose = new Float64Array(3 + 4 * humanoid.numJoints);
  map.targetPose(a, pose);
  // Every written rotation is a unit quaternion; the knees turn about z only.
  for (const j of actuated) assert.ok(Math.abs(Math.hypot(pose[3 + 4 * j]!, pose[4 + 4 * j]!, pose[5 + 4 * j]!, pose[6 + 4 * j]!) - 1) < 1e-12);
  const knee = humanoid.jointIndex('left_knee');
  assert.is(pose[3 + 4 * knee], 0);
  assert.is(pose[4 + 4 * knee], 0);
  const back = map.actionOf(pose, new Float32Array(map.size));
  for (let i = 0; i < map.size; i++) assert.ok(Math.abs(back[i]! - a[i]!) < 1e-5, `entry ${i}: ${back[i]} vs ${a[i]}`);
});

test('residual: zero leaves the pose, a unit turns a revolute joint by residualScaleRad', () => {
  const pose = new Float64Array(3 + 4 * humanoid.numJoints);
  for (let j = 0; j < humanoid.numJoints; j++) pose[6 + 4 * j] = 1;
  const zero = new Float32Array(map.size);
  const before = pose.slice();
  map.residualPose(zero, 0.5, pose);
  assert.equal(Array.from(pose), Array.from(before));
  const a = new Float32Array(map.size);
  a[byName('right_elbow')] = 1;
  map.residualPose(a, 0.5, pose);
  const e = humanoid.jointIndex('right_elbow');
  assert.ok(Math.abs(2 * Math.atan2(pose[5 + 4 * e]!, pose[6 + 4 * e]!) - 0.5) < 1e-12);
});

test('a joint that is not actuated is refused', () => {
  assert.throws(() => new PdActionMap(humanoid, [humanoid.jointIndex('right_wrist')]), /right_wrist.*not actuated/);
});

test.run();
