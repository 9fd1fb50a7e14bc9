import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnknownIdError, UsageError } from '../../src/core/errors.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { convertClip, formatOf, loadClip } from '../../src/motion/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'gymnast-load-'));

test('short names and paths; the character is recognised from the name or the frame length', () => {
  const walk = loadClip('walk');
  assert.is(walk.skeleton.name, 'humanoid3d');
  assert.is(walk.numFrames, 39);
  assert.is(loadClip('long_walk1').numFrames, 3936);
  assert.is(loadClip('biped3d_walk').skeleton.name, 'biped3d_mocap');
  // A humanoid clip under a name that says nothing: found by its 44-number frames.
  const copy = join(dir, 'mystery.txt');
  convertClip('walk', copy);
  assert.is(loadClip(copy).skeleton.name, 'humanoid3d');
  assert.throws(() => loadClip('moonwalk'), (e: Error) => e instanceof UnknownIdError && /Known clips: .*walk/.test(e.message));
  assert.throws(() => formatOf('x.fbx'), /unknown motion format '\.fbx'/);
});

test('DeepMimic → BVH → DeepMimic gives the walk back (joints reordered to the character by name)', () => {
  const bvh = join(dir, 'walk.bvh');
  const txt = join(dir, 'walk_back.txt');
  convertClip('walk', bvh);
  convertClip(bvh, txt);
  const a = loadClip('walk');
  const b = loadClip(txt);
  assert.is(b.numFrames, a.numFrames);
  const ka = new Kinematics(a), kb = new Kinematics(b);
  let worst = 0;
  for (let f = 0; f < a.numFrames; f++) {
    ka.atFrame(f);
    kb.atFrame(f);
    for (let i = 0; i < ka.positions.length; i++) worst = Math.max(worst, Math.abs(ka.positions[i]! - kb.positions[i]!));
  }
  assert.ok(worst < 1e-5, `worst joint position difference ${worst} m`);
});

test('a CMU BVH goes to DeepMimic only through --retarget', () => {
  const src = dataPath('bvh', 'cmu131', 'scaled_131_02.bvh');
  assert.throws(() => convertClip(src, join(dir, 'x.txt')), (e: Error) => e instanceof UsageError && /not a DeepMimic character.*--retarget humanoid3d/.test(e.message));
  const out = join(dir, 'cmu_walk.txt');
  const clip = convertClip(src, out, { retarget: 'humanoid3d', fps: 30 });
  const back = loadClip(out);
  assert.is(back.skeleton.name, 'humanoid3d');
  assert.is(back.numFrames, clip.numFrames);
  assert.ok(Math.abs(back.fps - 30) < 1e-6);
});

test.run();
