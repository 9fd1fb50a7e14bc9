import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quatRotate } from '../../src/core/math.ts';
import { UsageError } from '../../src/core/errors.ts';
import { readBvh } from '../../src/motion/bvh.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { lowestFootHeights, retargetCmu } from '../../src/motion/retarget.ts';

const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));

// Figures measured when this was written (see the closing note): min ankle 0.070 / 0.052 m,
// lowest foot point min -0.005 / -0.031 m, median 0.023 / 0.008 m, ankle tracking 1.4 / 1.8 cm.
const cases = [
  { file: dataPath('bvh', 'cmu131', 'scaled_131_01.bvh'), ankles: ['RightAnkle', 'LeftAnkle'], scale: [1.0, 1.08] },
  // CMU units: the CMU FAQ gives 1 unit = (1/0.45) × 2.54 cm = 0.05644 m; the leg-length scale should land within 2 %.
  { file: dataPath('bvh', 'fairmotion', 'cmu_01_01.bvh'), ankles: ['RightFoot', 'LeftFoot'], scale: [0.0553, 0.0576] },
];

for (const c of cases) {
  const name = c.file.split('/').pop();
  const source = readBvh(c.file);
  const clip = retargetCmu(source, humanoid);

  test(`${name}: humanoid3d clip, scale from leg length, facing +x from the origin`, () => {
    assert.is(clip.skeleton, humanoid);
    assert.is(clip.numFrames, source.numFrames);
    assert.ok(clip.retarget.scale > c.scale[0]! && clip.retarget.scale < c.scale[1]!, `scale ${clip.retarget.scale}`);
    const f0 = clip.frame(0);
    assert.is(f0[0], 0);
    assert.is(f0[2], 0);
    const fwd = quatRotate([0, 0, 0], f0.subarray(3, 7), [1, 0, 0]);
    assert.ok(Math.abs(Math.atan2(-fwd[2]!, fwd[0]!)) < 1e-9, 'pelvis heading +x at frame 0');
    for (let f = 0; f < clip.numFrames; f += 7) {
      for (const knee of ['right_knee', 'left_knee']) {
        const a = clip.jointAngle(f, humanoid.jointIndex(knee));
        assert.ok(a >= -3.14 && a <= 1e-12, `${knee} ${a}`);
      }
    }
  });

  test(`${name}: feet on the ground: ankles no lower than the humanoid's ankle height, little penetration or floating`, () => {
    const k = new Kinematics(clip);
    let minAnkle = Infinity;
    for (let f = 0; f < clip.numFrames; f++) {
      k.atFrame(f);
      for (const a of ['right_ankle', 'left_ankle']) minAnkle = Math.min(minAnkle, k.positions[3 * humanoid.jointIndex(a) + 1]!);
    }
    // humanoid3d's ankle is 0.05 m above the sole of its foot box (attach y -0.0225, height 0.055).
    assert.ok(minAnkle > 0.04 && minAnkle < 0.08, `min ankle height ${minAnkle}`);
    const lows = Array.from(lowestFootHeights(clip)).sort((a, b) => a - b);
    assert.ok(lows[0]! > -0.04, `deepest foot penetration ${lows[0]}`);
    const median = lows[Math.floor(lows.length / 2)]!;
    assert.ok(median > -0.01 && median < 0.03, `median lowest foot point ${median}`);
    console.log(`  [figure] ${name} → humanoid3d: scale ${clip.retarget.scale.toFixed(4)}, ground offset ${clip.retarget.groundOffset.toFixed(3)} m, min ankle height ${minAnkle.toFixed(3)} m, lowest foot point per frame: min ${lows[0]!.toFixed(3)} m, median ${median.toFixed(3)} m, 95th percentile ${lows[Math.floor(0.95 * (lows.length - 1))]!.toFixed(3)} m`);
  });

  test(`${name}: ankles follow the source's ankles (mapped into the result) within 3 cm on average`, () => {
    const ks = new Kinematics(source), kt = new Kinematics(clip);
    let sum = 0, count = 0;
    for (let f = 0; f < source.numFrames; f += 5) {
      ks.atFrame(f);
      kt.atFrame(f);
      ['right_ankle', 'left_ankle'].forEach((a, i) => {
        const p = clip.retarget.toTarget(ks.jointPosition(source.skeleton.jointIndex(c.ankles[i]!)));
        const q = kt.jointPosition(humanoid.jointIndex(a));
        sum += Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
        count++;
      });
    }
    assert.ok(sum / count < 0.03, `mean ankle distance ${sum / count}`);
    console.log(`  [figure] ${name}: mean distance between retargeted and (mapped) source ankles ${(100 * sum / count).toFixed(2)} cm`);
  });
}

test('resampling on the way out, and a non-CMU skeleton is refused with the missing joints named', () => {
  const clip = retargetCmu(readBvh(dataPath('bvh', 'cmu131', 'scaled_131_01.bvh')), humanoid, { fps: 30 });
  assert.ok(Math.abs(clip.fps - 30) < 1e-9, `fps ${clip.fps}`);
  assert.throws(
    () => retargetCmu(readBvh(dataPath('bvh', 'fairmotion', 'sinusoidal.bvh')), humanoid),
    (e: Error) => e instanceof UsageError && /not a CMU skeleton: no joints Hips, Spine1/.test(e.message),
  );
});

test.run();
