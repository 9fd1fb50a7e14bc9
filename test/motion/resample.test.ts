import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotionClip } from '../../src/motion/clip.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { resample } from '../../src/motion/resample.ts';
import { samplePose } from '../../src/motion/sample.ts';

const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
const walk = readDeepMimicMotion(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'), humanoid);

test('walk 30 → 60 fps: same duration and cycle, 77 frames, poses match the source at the new frame times', () => {
  const r = resample(walk, 60);
  assert.is(r.numFrames, 77);
  assert.ok(Math.abs(r.duration - walk.duration) < 1e-12);
  assert.ok(Math.abs(r.fps - 60) < 0.01, `fps ${r.fps}`);
  assert.is(r.loop, 'wrap');
  assert.equal(Array.from(r.cycleRootDelta()).map((v) => +v.toFixed(9)), Array.from(walk.cycleRootDelta()).map((v) => +v.toFixed(9)));
  const p = new Float64Array(walk.frameStride);
  for (const f of [0, 13, 40, 75]) {
    samplePose(walk, r.frameTimes[f]!, p);
    const q = r.frame(f);
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(Math.abs(p[i]!) - Math.abs(q[i]!)) < 1e-9, `frame ${f} value ${i}`);
  }
  // The last frame is the source's last frame (not the next cycle's first).
  r.frame(76).forEach((v, i) => assert.ok(Math.abs(v - walk.frame(38)[i]!) < 1e-12));
});

test('down to 10 fps and back up keeps ankles within 3 cm of the original (walk)', () => {
  const down = resample(walk, 10);
  assert.is(down.numFrames, 14);
  const k0 = new Kinematics(walk), k1 = new Kinematics(down);
  const ankle = humanoid.jointIndex('right_ankle');
  let worst = 0;
  for (let t = 0; t < walk.duration; t += 0.05) {
    const a = k0.atTime(t).jointPosition(ankle), b = k1.atTime(t).jointPosition(ankle);
    worst = Math.max(worst, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]));
  }
  assert.ok(worst < 0.03 && worst > 0, `worst ankle difference ${worst} m`);
});

test('a clip that does not loop gets exactly the asked rate (120 → 30 fps on a long clip)', () => {
  const long = readDeepMimicMotion(dataPath('deepmimic', 'motions', 'long', 'humanoid3d_long_walk3.txt'), humanoid);
  long.loop = 'none';
  const r = resample(long, 30);
  assert.ok(Math.abs(r.fps - 30) < 1e-9, `fps ${r.fps}`);
  assert.ok(r.duration <= long.duration + 1e-9 && r.duration > long.duration - 1 / 30);
  assert.is(r.numFrames, Math.floor(long.duration * 30 + 1e-9) + 1);
});

test('rejects a bad rate', () => {
  assert.throws(() => resample(walk, 0), /fps must be a positive number/);
  assert.throws(() => resample(walk, 1001), /fps must be at most 1000, got 1001/);
});

/** The first `n` frames of walk with the given start times. */
function firstFrames(times: number[]): MotionClip {
  return new MotionClip({ skeleton: humanoid, frames: walk.frames.slice(0, times.length * walk.frameStride), frameTimes: Float64Array.from(times), loop: 'none', name: 'short' });
}

test('refuses rather than lose a clip: no duration, shorter than one frame, or more frames than fit', () => {
  // 3 frames lasting 0 s at 30 fps became 1 frame (the repro of issue 16).
  assert.throws(() => resample(firstFrames([0, 0, 0]), 30), /clip 'short' has 3 frames lasting 0 s in all, so it has no rate to resample from/);
  // 0.01 s is shorter than 1/30 s: one frame would remain; 1 / 0.01 = 100 fps keeps two.
  assert.throws(() => resample(firstFrames([0, 0.005, 0.01]), 30), /lasts 0\.01 s, shorter than one frame at 30 fps, so its 3 frames would become 1; use a higher rate \(at least 100 fps\)/);
  assert.is(resample(firstFrames([0, 0.005, 0.01]), 100).numFrames, 2);
  // 1e300 s at 30 fps: the count is checked before allocating.
  assert.throws(() => resample(firstFrames([0, 1e300]), 30), /would be 3e\+301 frames, more than the \d+ that fit in 2\^28 numbers/);
  // One frame stays one frame.
  assert.is(resample(firstFrames([0]), 30).numFrames, 1);
});

test.run();
