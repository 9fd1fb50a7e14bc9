import { test } from 'uvu';
import * as assert from 'uvu/assert';
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
});

test.run();
