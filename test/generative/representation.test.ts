import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/rng.ts';
import { quatMultiply, quatNormalize, quatRotate } from '../../src/core/math.ts';
import { readBvh } from '../../src/motion/bvh.ts';
import type { MotionClip } from '../../src/motion/clip.ts';
import { dataPath, resolveCharacterPath, resolveClipPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { mirror } from '../../src/motion/mirror.ts';
import { decodeFeatures, encodeClip, featureLayout, quatFrom6d, quatTo6d, sampleAtRate, trackHeading } from '../../src/generative/representation.ts';

const skeleton = readCharacter(resolveCharacterPath('humanoid3d'));
const layout = featureLayout(skeleton);
const load = (name: string) => sampleAtRate(readDeepMimicMotion(resolveClipPath(name), skeleton, { onWarning: () => {} }), 30);

test('layout: humanoid3d has 62 numbers a frame (10 root, 8 spherical × 6, 4 revolute), 64 with contacts', () => {
  assert.is(layout.size, 62);
  assert.is(featureLayout(skeleton, { contacts: true }).size, 64);
  assert.is(layout.names.length, 62);
});

test('6-D rotation round trip, and any six numbers decode to a unit quaternion', () => {
  const rng = new Rng(3);
  const q = [0, 0, 0, 1], back = [0, 0, 0, 0];
  const six = new Float64Array(6);
  for (let i = 0; i < 200; i++) {
    for (let k = 0; k < 4; k++) q[k] = rng.normal();
    quatNormalize(q, q);
    quatTo6d(q, six, 0);
    quatFrom6d(six, 0, back);
    const dot = Math.abs(q[0]! * back[0]! + q[1]! * back[1]! + q[2]! * back[2]! + q[3]! * back[3]!);
    assert.ok(Math.abs(dot - 1) < 1e-12, `quaternion ${i}: |dot| = ${dot}`);
    for (let k = 0; k < 6; k++) six[k] = rng.normal();
    quatFrom6d(six, 0, back);
    assert.ok(Math.abs(Math.hypot(...back) - 1) < 1e-12);
  }
});

/** The original clip moved so frame 0 is over the origin and its heading is 0 (what decoding starts from). */
function canonical(clip: MotionClip): MotionClip {
  const out = clip.clone();
  const theta0 = trackHeading(clip)[0]!;
  const turn = [0, Math.sin(-theta0 / 2), 0, Math.cos(-theta0 / 2)];
  const x0 = clip.frames[0]!, z0 = clip.frames[2]!;
  const p = [0, 0, 0];
  for (let f = 0; f < clip.numFrames; f++) {
    const o = clip.rootPositionIndex(f);
    quatRotate(p, turn, [clip.frames[o]! - x0, 0, clip.frames[o + 2]! - z0]);
    out.frames[o] = p[0]!;
    out.frames[o + 2] = p[2]!;
    const r = clip.rotationIndex(f, 0);
    out.frames.set(quatMultiply([0, 0, 0, 1], turn, clip.frames.subarray(r, r + 4)), r);
  }
  return out;
}

function assertSameMotion(a: MotionClip, b: MotionClip, posTol: number, rotTol: number, what: string) {
  assert.is(a.numFrames, b.numFrames);
  for (let f = 0; f < a.numFrames; f++) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.frames[a.rootPositionIndex(f) + c]! - b.frames[b.rootPositionIndex(f) + c]!);
      assert.ok(d < posTol, `${what}: frame ${f} root position ${c} differs by ${d}`);
    }
    for (let j = 0; j < a.skeleton.numJoints; j++) {
      const i = a.rotationIndex(f, j);
      let dot = 0;
      for (let k = 0; k < 4; k++) dot += a.frames[i + k]! * b.frames[i + k]!;
      // 1 − |dot| ≈ angle²/8: rotTol is an angle in radians.
      const angle = 2 * Math.acos(Math.min(1, Math.abs(dot)));
      assert.ok(angle < rotTol, `${what}: frame ${f} joint ${a.skeleton.joints[j]!.name} differs by ${angle} rad`);
    }
  }
}

for (const name of ['walk', 'backflip', 'getup_facedown', 'cartwheel', 'spin']) {
  test(`${name}: decode(encode(clip)) is the clip moved to the origin facing +x, up to float32 error`, () => {
    const clip = load(name);
    const enc = encodeClip(clip, layout);
    const back = decodeFeatures(enc.features, enc.numFrames, layout, skeleton);
    // Features are float32: velocities integrate to ~1e-5 m over a few seconds.
    assertSameMotion(back, canonical(clip), 2e-4, 2e-3, name);
  });
}

test('mirrored clips encode and decode exactly too', () => {
  const clip = mirror(load('run'));
  const enc = encodeClip(clip, layout);
  assertSameMotion(decodeFeatures(enc.features, enc.numFrames, layout, skeleton), canonical(clip), 2e-4, 2e-3, 'run mirrored');
});

test('heading rates stay bounded through flips and get-ups (no π jumps)', () => {
  for (const name of ['backflip', 'sideflip', 'roll', 'getup_faceup', 'crawl']) {
    const enc = encodeClip(load(name), layout);
    for (let f = 0; f < enc.numFrames; f++) {
      const rate = Math.abs(enc.features[f * layout.size + 2]!);
      assert.ok(rate < 15, `${name} frame ${f}: heading rate ${rate} rad/s`);
    }
  }
});

test('a motion of another skeleton is refused with the skeleton named', () => {
  const bvh = readBvh(dataPath('bvh/cmu131/scaled_131_01.bvh'));
  assert.throws(() => encodeClip(bvh, layout), (e: Error) => e.name === 'UsageError' && /not the model's skeleton 'humanoid3d'/.test(e.message) && /retarget/i.test(e.message));
});

test('a clip at another frame rate is refused (velocities need the exact rate)', () => {
  const raw = readDeepMimicMotion(resolveClipPath('cartwheel'), skeleton, { onWarning: () => {} });
  assert.throws(() => encodeClip(raw, layout), /at 60\.0\d+ fps; the model works at 30 fps/);
});

test('non-finite features are refused when decoding', () => {
  const f = new Float32Array(2 * layout.size);
  f[layout.size + 3] = NaN;
  assert.throws(() => decodeFeatures(f, 2, layout, skeleton), /frame 1, root_height is NaN/);
});

test.run();
