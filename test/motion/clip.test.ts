import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotionClip, revoluteAngle, uniformTimes } from '../../src/motion/clip.ts';
import { makeJoint, Skeleton } from '../../src/motion/skeleton.ts';

const skel = new Skeleton('arm', [
  makeJoint('root', 'root', -1, [0, 0, 0]),
  makeJoint('shoulder', 'spherical', 0, [0, 1, 0]),
  makeJoint('elbow', 'revolute', 1, [0, -0.3, 0]),
]);

test('layout: stride 3 + 4 per joint, identity frames, duration and fps', () => {
  const c = MotionClip.empty(skel, 31, 30, 'wrap');
  assert.is(c.frameStride, 15);
  assert.is(c.frames.length, 31 * 15);
  assert.is(c.rotationIndex(2, 1), 2 * 15 + 7);
  assert.equal(Array.from(c.frame(5).subarray(3, 7)), [0, 0, 0, 1]);
  assert.ok(Math.abs(c.duration - 1) < 1e-12);
  assert.ok(Math.abs(c.fps - 30) < 1e-9);
  assert.ok(c.isUniform);
});

test('revolute angle round trips through the stored quaternion, wrapped to (-π, π]', () => {
  const c = MotionClip.empty(skel, 2, 30);
  for (const a of [-3.1, -1, 0, 0.5, 3.1]) {
    c.setJointAngle(1, 2, a);
    assert.ok(Math.abs(c.jointAngle(1, 2) - a) < 1e-12, `angle ${a}`);
  }
  assert.ok(Math.abs(revoluteAngle(Math.sin(2), Math.cos(2)) - (4 - 2 * Math.PI)) < 1e-12);
});

test('cycle root delta is last minus first in x and z only', () => {
  const c = MotionClip.empty(skel, 3, 30, 'wrap');
  c.frames.set([1, 2, 3], c.rootPositionIndex(0));
  c.frames.set([2.5, 9, 1], c.rootPositionIndex(2));
  assert.equal(Array.from(c.cycleRootDelta()), [1.5, 0, -2]);
});

test('constructor rejects inconsistent sizes and decreasing times', () => {
  assert.throws(() => new MotionClip({ skeleton: skel, frames: new Float64Array(10), frameTimes: uniformTimes(2, 0.1), loop: 'none' }), /10 numbers for 2 frames of 15/);
  assert.throws(() => new MotionClip({ skeleton: skel, frames: new Float64Array(30), frameTimes: new Float64Array([0, -1]), loop: 'none' }), /must not decrease/);
});

test.run();
