import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadClip } from '../../src/motion/load.ts';
import { withSteadyRootPace } from '../../src/motion/steady-root.ts';

test("biped3d_walk: the root's 24 cm jump at each foot strike becomes an even pace; cycle, sway, height and joints kept", () => {
  const clip = loadClip('biped3d_walk', { character: 'biped3d_mocap' });
  const steady = withSteadyRootPace(clip);
  const x = (c: typeof clip, f: number) => c.frames[c.rootPositionIndex(f)]!;
  // The file's root advances (data/deeploco/motions/biped3d_walk.txt, x column): 0.103,
  // 0.154, 0.127, 0.140, then 0.244 across the foot strike (frames 4→5, and 9→10 again).
  assert.ok(Math.abs(x(clip, 5) - x(clip, 4) - 0.244) < 0.001);
  assert.ok(Math.abs(x(clip, 1) - x(clip, 0) - 0.103) < 0.001);
  const pace = (x(clip, clip.numFrames - 1) - x(clip, 0)) / (clip.numFrames - 1); // 1.535 m over 10 key frames
  for (let f = 1; f < clip.numFrames; f++) assert.ok(Math.abs(x(steady, f) - x(steady, f - 1) - pace) < 1e-9, `frame ${f}: ${x(steady, f) - x(steady, f - 1)}`);
  assert.equal(Array.from(steady.cycleRootDelta()), Array.from(clip.cycleRootDelta()));
  for (let f = 0; f < clip.numFrames; f++) {
    const i = clip.rootPositionIndex(f);
    assert.is(steady.frames[i + 1], clip.frames[i + 1], 'height');
    assert.is(steady.frames[i + 2], clip.frames[i + 2], 'sideways (the walk goes along x)');
    assert.equal(Array.from(steady.frame(f).subarray(3)), Array.from(clip.frame(f).subarray(3)), 'rotations');
  }
  assert.ok(x(clip, 5) - x(clip, 4) > 0.2, 'the input clip is not changed');
});

test('a diagonal walk keeps its sideways sway about the cycle direction; a clip that does not loop is refused', () => {
  const clip = loadClip('biped3d_walk', { character: 'biped3d_mocap' });
  // Turn the walk's root path by 30° on the ground (x, z) and add a sway across it.
  const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
  const turned = clip.clone();
  for (let f = 0; f < clip.numFrames; f++) {
    const i = clip.rootPositionIndex(f);
    const along = clip.frames[i]!, across = 0.05 * Math.sin((2 * Math.PI * f) / (clip.numFrames - 1));
    turned.frames[i] = c * along - s * across;
    turned.frames[i + 2] = s * along + c * across;
  }
  const steady = withSteadyRootPace(turned);
  const pace = (clip.frames[clip.rootPositionIndex(clip.numFrames - 1)]! - clip.frames[clip.rootPositionIndex(0)]!) / (clip.numFrames - 1);
  for (let f = 0; f < clip.numFrames; f++) {
    const i = clip.rootPositionIndex(f);
    const along = c * steady.frames[i]! + s * steady.frames[i + 2]!;
    const across = -s * steady.frames[i]! + c * steady.frames[i + 2]!;
    assert.ok(Math.abs(along - pace * f) < 1e-9, `along, frame ${f}`);
    assert.ok(Math.abs(across - 0.05 * Math.sin((2 * Math.PI * f) / (clip.numFrames - 1))) < 1e-9, `across, frame ${f}`);
  }
  const once = clip.clone();
  once.loop = 'none';
  assert.throws(() => withSteadyRootPace(once), /biped3d_walk.*looping clip/);
});

test.run();
