import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotionClip } from '../../src/motion/clip.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { quatFromEuler } from '../../src/motion/rotation.ts';
import { makeJoint, Skeleton } from '../../src/motion/skeleton.ts';

const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
const walk = readDeepMimicMotion(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'), humanoid);
const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  assert.ok(m <= tol, `${Array.from(a).map((v) => v.toFixed(4))} vs ${Array.from(b)} (max diff ${m})`);
};

test('walk frame 0: ankles where docs/deepmimic.md puts them', () => {
  // docs/deepmimic.md "Check for forward kinematics": right ankle (0.241, 0.058, 0.036), left (-0.347, 0.114, -0.035), 3 decimals.
  const k = new Kinematics(walk).atFrame(0);
  const r = k.jointPosition(humanoid.jointIndex('right_ankle')), l = k.jointPosition(humanoid.jointIndex('left_ankle'));
  near(r, [0.241, 0.058, 0.036], 6e-4);
  near(l, [-0.347, 0.114, -0.035], 6e-4);
  const mm = (p: number[], q: number[]) => (1000 * Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!)).toFixed(2);
  console.log(`  [figure] walk frame 0 FK vs deepmimic.md: right ankle ${r.map((v) => v.toFixed(4))} (${mm(r, [0.241, 0.058, 0.036])} mm off), left ankle ${l.map((v) => v.toFixed(4))} (${mm(l, [-0.347, 0.114, -0.035])} mm off)`);
});

test('rest pose: joint positions are the summed offsets; bodies sit at their attach points', () => {
  const rest = MotionClip.empty(humanoid, 1, 30);
  rest.frames[1] = 1; // root 1 m up
  const k = new Kinematics(rest).atFrame(0);
  near(k.jointPosition(humanoid.jointIndex('right_ankle')), [0, 1 - 0.421546 - 0.40987, 0.084887], 1e-12);
  near(k.jointPosition(humanoid.jointIndex('left_shoulder')), [-0.02405, 1 + 0.236151 + 0.2435, -0.18311], 1e-12);
  const b = k.bodies();
  const foot = humanoid.jointIndex('right_ankle');
  near(b.subarray(7 * foot, 7 * foot + 7), [0.045, 1 - 0.421546 - 0.40987 - 0.0225, 0.084887, 0, 0, 0, 1], 1e-12);
  near(b.subarray(0, 7), [0, 1.07, 0, 0, 0, 0, 1], 1e-12);
});

test('rotations compose down the chain; a bent knee moves the ankle backwards', () => {
  const c = MotionClip.empty(humanoid, 1, 30);
  const knee = humanoid.jointIndex('right_knee');
  c.setJointAngle(0, knee, -Math.PI / 2);
  const k = new Kinematics(c).atFrame(0);
  // Shin turned -90° about z: (0, -0.40987, 0) → (-0.40987, 0, 0): the foot goes back (-x), as a knee bends.
  near(k.jointPosition(humanoid.jointIndex('right_ankle')), [-0.40987, -0.421546, 0.084887], 1e-12);
  const q = k.rotations.subarray(4 * (knee + 1), 4 * (knee + 2));
  near(q, [0, 0, -Math.SQRT1_2, Math.SQRT1_2], 1e-12);
});

test('attach rotations (DeepMimic AttachTheta) sit between parent and local rotation', () => {
  const s = new Skeleton('t', [
    makeJoint('root', 'root', -1, [0, 0, 0]),
    makeJoint('a', 'spherical', 0, [1, 0, 0], { attachRotation: quatFromEuler([0, 0, 0, 1], [Math.PI / 2], ['z']) as [number, number, number, number] }),
    makeJoint('b', 'fixed', 1, [1, 0, 0]),
  ]);
  const k = new Kinematics(MotionClip.empty(s, 1, 30)).atFrame(0);
  // a's frame is turned 90° about z, so b's offset +x points along world +y.
  near(k.jointPosition(2), [1, 1, 0], 1e-12);
});

test('atTime interpolates and follows the wrap cycle', () => {
  const k = new Kinematics(walk);
  const root = 0;
  const delta = walk.cycleRootDelta();
  const a = k.atTime(0.3).jointPosition(root);
  const b = k.atTime(0.3 + 2 * walk.duration).jointPosition(root);
  near([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [2 * delta[0]!, 0, 2 * delta[2]!], 1e-9);
});

test.run();
