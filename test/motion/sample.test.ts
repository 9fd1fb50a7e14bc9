import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotionClip } from '../../src/motion/clip.ts';
import { locateTime, samplePose } from '../../src/motion/sample.ts';
import { makeJoint, Skeleton } from '../../src/motion/skeleton.ts';

const skel = new Skeleton('s', [makeJoint('root', 'root', -1, [0, 0, 0]), makeJoint('knee', 'revolute', 0, [0, -1, 0])]);

function clip(loop: 'wrap' | 'none') {
  const c = MotionClip.empty(skel, 3, 10, loop); // frames at 0, 0.1, 0.2 s
  c.frames.set([0, 1, 0], c.rootPositionIndex(0));
  c.frames.set([1, 1, 0.5], c.rootPositionIndex(1));
  c.frames.set([2, 1.2, 1], c.rootPositionIndex(2));
  c.setJointAngle(0, 1, 0);
  c.setJointAngle(1, 1, -1);
  c.setJointAngle(2, 1, -0.5);
  // Root turns about y by 0, 90°, 180°.
  for (let f = 0; f < 3; f++) c.frames.set([0, Math.sin((f * Math.PI) / 4), 0, Math.cos((f * Math.PI) / 4)], c.rotationIndex(f, 0));
  return c;
}

test('frame times give the frames themselves', () => {
  const c = clip('none');
  for (let f = 0; f < 3; f++) assert.equal(Array.from(samplePose(c, f * 0.1)).map((v) => +v.toFixed(12)), Array.from(c.frame(f)).map((v) => +v.toFixed(12)));
});

test('between frames: root linear, rotations slerped (revolute angle linear)', () => {
  const c = clip('none');
  const p = samplePose(c, 0.125);
  assert.ok(Math.abs(p[0]! - 1.25) < 1e-12 && Math.abs(p[1]! - 1.05) < 1e-12 && Math.abs(p[2]! - 0.625) < 1e-12);
  // Root: 90° → 180° about y at 1/4 → 112.5°.
  assert.ok(Math.abs(2 * Math.atan2(p[4]!, p[6]!) - (112.5 * Math.PI) / 180) < 1e-9);
  // Knee: -1 → -0.5 at 1/4 → -0.875.
  assert.ok(Math.abs(2 * Math.atan2(p[9]!, p[10]!) + 0.875) < 1e-9);
});

test('none clamps outside [0, duration]; wrap repeats with the root advanced by the cycle delta', () => {
  const none = clip('none');
  assert.equal(Array.from(samplePose(none, -1)), Array.from(samplePose(none, 0)));
  assert.equal(Array.from(samplePose(none, 5)), Array.from(samplePose(none, 0.2)));
  const wrap = clip('wrap');
  const a = samplePose(wrap, 0.05);
  const b = samplePose(wrap, 0.05 + 3 * 0.2);
  assert.ok(Math.abs(b[0]! - a[0]! - 3 * 2) < 1e-9, 'x advanced 3 cycles × 2 m');
  assert.ok(Math.abs(b[2]! - a[2]! - 3 * 1) < 1e-9, 'z advanced 3 cycles × 1 m');
  assert.ok(Math.abs(b[1]! - a[1]!) < 1e-12, 'height not advanced');
  const back = samplePose(wrap, 0.05 - 0.2);
  assert.ok(Math.abs(back[0]! - (a[0]! - 2)) < 1e-9, 'negative time goes back a cycle');
  const loc = locateTime(wrap, 0.45);
  assert.is(loc.cycle, 2);
  assert.is(loc.index, 0);
  assert.ok(Math.abs(loc.blend - 0.5) < 1e-9);
});

test('non-uniform frame times (DeepMimic per-frame durations) are respected', () => {
  const c = new MotionClip({ skeleton: skel, frames: clip('none').frames, frameTimes: new Float64Array([0, 0.3, 0.4]), loop: 'none' });
  const p = samplePose(c, 0.15);
  assert.ok(Math.abs(p[0]! - 0.5) < 1e-12);
  const q = samplePose(c, 0.35);
  assert.ok(Math.abs(q[0]! - 1.5) < 1e-12);
});

test.run();
