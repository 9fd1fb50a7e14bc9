import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotionClip } from '../../src/motion/clip.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { bodyTransforms, forwardKinematics, Kinematics } from '../../src/motion/kinematics.ts';
import { Rng } from '../../src/core/rng.ts';
import type { BodyDef } from '../../src/motion/skeleton.ts';
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

/** A unit quaternion (x, y, z, w) drawn from `rng`, never the identity. */
function randomQuat(rng: Rng): [number, number, number, number] {
  const q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(...q);
  return q.map((v) => v / n) as [number, number, number, number];
}

/** Its rotation matrix, row-major: the reference below composes matrices, not quaternions. */
function matrix([x, y, z, w]: ArrayLike<number> & Iterable<number>): number[] {
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}
const mul = (a: number[], b: number[]) => Array.from({ length: 9 }, (_, i) => a[3 * Math.floor(i / 3)]! * b[i % 3]! + a[3 * Math.floor(i / 3) + 1]! * b[3 + (i % 3)]! + a[3 * Math.floor(i / 3) + 2]! * b[6 + (i % 3)]!);
const apply = (m: number[], v: readonly number[]) => [0, 1, 2].map((r) => m[3 * r]! * v[0]! + m[3 * r + 1]! * v[1]! + m[3 * r + 2]! * v[2]!);

test('a branching chain with attach rotations, local rotations and bodies on some joints: joints and bodies equal a rotation-matrix reference', () => {
  // The definition (docs/deepmimic.md, DeepMimic's KinTree): a joint's world rotation is
  // R_parent · AttachTheta · local, its position p_parent + R_parent · offset; a body sits at
  // p_joint + R_joint · attach with rotation R_joint · body AttachTheta; a joint without a body
  // stands for itself. Every rotation here is a random non-identity one, so no index mix-up hides.
  const rng = new Rng(5);
  const body = (attach: [number, number, number]): BodyDef => ({
    shape: 'box', massKg: 1, attach, attachRotation: randomQuat(rng), params: [0.1, 0.2, 0.3], colGroup: 0, enableFallContact: false, color: [1, 1, 1, 1],
  });
  const s = new Skeleton('branch', [
    makeJoint('root', 'root', -1, [0, 0, 0], { body: body([0.1, 0.2, -0.1]) }),
    makeJoint('a', 'spherical', 0, [0.3, 0.5, -0.2], { attachRotation: randomQuat(rng), body: body([0, -0.2, 0.05]) }),
    makeJoint('b', 'spherical', 1, [0, -0.4, 0.1]),
    makeJoint('c', 'spherical', 2, [0.2, 0, 0.3], { attachRotation: randomQuat(rng), body: body([0.05, 0, 0]) }),
    makeJoint('d', 'spherical', 1, [-0.3, 0.1, 0], { body: body([0, 0.1, 0.2]) }),
  ]);
  const n = s.numJoints;
  const pose = new Float64Array(3 + 4 * n);
  pose.set([0.4, 0.9, -0.3]);
  for (let j = 0; j < n; j++) pose.set(randomQuat(rng), 3 + 4 * j);
  const positions = new Float64Array(3 * n), rotations = new Float64Array(4 * n), bodies = new Float64Array(7 * n);
  forwardKinematics(s, pose, positions, rotations);
  bodyTransforms(s, positions, rotations, bodies);

  const R: number[][] = [], P: number[][] = [];
  for (let j = 0; j < n; j++) {
    const joint = s.joints[j]!;
    const local = matrix(pose.subarray(3 + 4 * j, 7 + 4 * j));
    if (j === 0) {
      R.push(local);
      P.push([pose[0]!, pose[1]!, pose[2]!]);
    } else {
      const p = joint.parent;
      R.push(mul(mul(R[p]!, matrix(joint.attachRotation)), local));
      const o = apply(R[p]!, joint.offset);
      P.push([P[p]![0]! + o[0]!, P[p]![1]! + o[1]!, P[p]![2]! + o[2]!]);
    }
    near(positions.subarray(3 * j, 3 * j + 3), P[j]!, 1e-12);
    near(matrix(rotations.subarray(4 * j, 4 * j + 4)), R[j]!, 1e-12);
    const b = joint.body;
    const at = b ? apply(R[j]!, b.attach).map((v, i) => v + P[j]![i]!) : P[j]!;
    const rot = b ? mul(R[j]!, matrix(b.attachRotation)) : R[j]!;
    near(bodies.subarray(7 * j, 7 * j + 3), at, 1e-12);
    near(matrix(bodies.subarray(7 * j + 3, 7 * j + 7)), rot, 1e-12);
  }
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
