import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/rng.ts';
import { MotionClip } from '../../src/motion/clip.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { resolveCharacterPath, resolveClipPath } from '../../src/motion/data-path.ts';
import { resample } from '../../src/motion/resample.ts';
import { clipFeatures, clipPhysics, jointLimitShare, longestStill } from '../../src/generative/motion-features.ts';
import { decodeFeatures, encodeClip, featureLayout } from '../../src/generative/representation.ts';

const skeleton = readCharacter(resolveCharacterPath('humanoid3d'));
const layout = featureLayout(skeleton);
const walk = (() => {
  const c = readDeepMimicMotion(resolveClipPath('walk'), skeleton);
  c.loop = 'none';
  return resample(c, 30);
})();

/** The walk with Gaussian noise of `std` added to its features (standard deviations scaled per number). */
function noisyWalk(std: number): MotionClip {
  const enc = encodeClip(walk, layout);
  const rng = new Rng(1);
  const f = enc.features.map((v) => v + std * rng.normal());
  return decodeFeatures(f, enc.numFrames, layout, skeleton);
}

test('real walking: little sliding of planted feet, no penetration to speak of, nothing frozen or out of limits', () => {
  const p = clipPhysics(walk, layout.feet);
  assert.ok(p.footSlidingMps < 0.06, `sliding ${p.footSlidingMps} m/s`);
  assert.ok(p.penetrationM < 0.005, `penetration ${p.penetrationM} m`);
  assert.is(p.floating, 0);
  assert.is(p.jointLimitViolations, 0);
  assert.ok(p.longestStillFrames < 5);
  // Walking at ~1 m/s: the root's horizontal kinetic energy per unit mass is about ½ m²/s².
  const f = clipFeatures(walk);
  assert.ok(f.kinetic[0]! > 0.3 && f.kinetic[0]! < 0.8, `root horizontal KE ${f.kinetic[0]}`);
});

test('noise makes jitter and foot sliding grow', () => {
  const base = clipPhysics(walk, layout.feet);
  let lastJerk = base.jerk;
  for (const std of [0.02, 0.1]) {
    const p = clipPhysics(noisyWalk(std), layout.feet);
    assert.ok(p.jerk > 1.5 * lastJerk, `σ ${std}: jerk ${p.jerk} vs ${lastJerk}`);
    lastJerk = p.jerk;
  }
  assert.ok(clipPhysics(noisyWalk(0.1), layout.feet).footSlidingMps > 2 * base.footSlidingMps);
});

test('penetration follows the body into the floor; a motionless clip freezes; a bent-back knee breaks its limit', () => {
  const sunk = walk.clone();
  for (let f = 0; f < sunk.numFrames; f++) sunk.frames[sunk.rootPositionIndex(f) + 1] -= 0.1;
  const d = clipPhysics(sunk, layout.feet).penetrationM - clipPhysics(walk, layout.feet).penetrationM;
  assert.ok(Math.abs(d - 0.1) < 0.01, `10 cm lower → ${d} m more penetration`);
  const still = MotionClip.empty(skeleton, 90, 30);
  for (let f = 0; f < 90; f++) still.frames[still.rootPositionIndex(f) + 1] = 0.9;
  assert.is(longestStill(still), 89);
  const bent = walk.clone();
  bent.setJointAngle(3, skeleton.jointIndex('right_knee'), 0.5); // knees bend to negative angles only
  assert.ok(Math.abs(jointLimitShare(bent) - 1 / bent.numFrames) < 1e-12);
});

test.run();
