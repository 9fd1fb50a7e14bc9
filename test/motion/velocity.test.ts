import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotionClip } from '../../src/motion/clip.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { allFrameVelocities, frameVelocity, sampleVelocity, velocityStride } from '../../src/motion/velocity.ts';
import { makeJoint, Skeleton } from '../../src/motion/skeleton.ts';

const skel = new Skeleton('s', [
  makeJoint('root', 'root', -1, [0, 0, 0]),
  makeJoint('hip', 'spherical', 0, [0, -0.1, 0]),
  makeJoint('knee', 'revolute', 1, [0, -0.4, 0]),
]);

test('constant rates are recovered exactly: root 1.5 m/s in x, turning 0.8 rad/s about y, knee -2 rad/s', () => {
  const c = MotionClip.empty(skel, 20, 30);
  for (let f = 0; f < 20; f++) {
    const t = f / 30;
    c.frames[c.rootPositionIndex(f)] = 1.5 * t;
    // Root yawing; hip swinging about x in its own frame; knee bending.
    c.frames.set([0, Math.sin(0.4 * t), 0, Math.cos(0.4 * t)], c.rotationIndex(f, 0));
    c.frames.set([Math.sin(0.5 * t), 0, 0, Math.cos(0.5 * t)], c.rotationIndex(f, 1));
    c.setJointAngle(f, 2, -2 * t);
  }
  assert.is(velocityStride(c), 12);
  for (const t of [0, 0.1, 0.33, 0.6]) {
    const v = sampleVelocity(c, t);
    const expected = [1.5, 0, 0, 0, 0.8, 0, 1, 0, 0, 0, 0, -2];
    for (let i = 0; i < 12; i++) assert.ok(Math.abs(v[i]! - expected[i]!) < 1e-9, `t=${t} component ${i}: ${v[i]} vs ${expected[i]}`);
  }
});

test('root angular velocity is in the world frame (a turned root rolling about world x)', () => {
  const c = MotionClip.empty(skel, 3, 10);
  // Yaw 90° fixed, then roll about world x at 1 rad/s: q = q_x(t) · q_y(90°).
  const s = Math.SQRT1_2;
  for (let f = 0; f < 3; f++) {
    const h = (f / 10) / 2;
    const qx = [Math.sin(h), 0, 0, Math.cos(h)];
    // q_x · q_y(90°), written out.
    const [ax, , , aw] = qx as [number, number, number, number];
    c.frames.set([aw * 0 + ax * s, aw * s, ax * s, aw * s - ax * 0], c.rotationIndex(f, 0));
  }
  const v = frameVelocity(c, 0);
  assert.ok(Math.abs(v[3]! - 1) < 1e-9 && Math.abs(v[4]!) < 1e-9 && Math.abs(v[5]!) < 1e-9, Array.from(v.subarray(3, 6)).join(','));
});

test('walk: the root moves forward at about 0.98 m/s on average (docs/deepmimic.md)', () => {
  const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
  const walk = readDeepMimicMotion(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'), humanoid);
  const all = allFrameVelocities(walk);
  const m = velocityStride(walk);
  let sum = 0;
  for (let f = 0; f < walk.numFrames - 1; f++) sum += all[f * m]! * (walk.frameTimes[f + 1]! - walk.frameTimes[f]!);
  const mean = sum / walk.duration;
  assert.ok(Math.abs(mean - 0.978) < 0.01, `mean forward speed ${mean}`);
  // The last frame repeats the one before it.
  assert.equal(Array.from(all.subarray((walk.numFrames - 1) * m, walk.numFrames * m)), Array.from(all.subarray((walk.numFrames - 2) * m, (walk.numFrames - 1) * m)));
});

test.run();
