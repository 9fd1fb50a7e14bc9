import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFormatError, UnknownIdError, UsageError } from '../../../src/core/errors.ts';
import '../../../src/envs/imitation/index.ts';
import { loadCharacter } from '../../../src/envs/character/assets.ts';
import { loadImitationClip } from '../../../src/envs/imitation/clip-source.ts';
import { make } from '../../../src/envs/registry.ts';
import { dataPath } from '../../../src/motion/data-path.ts';

const humanoid = loadCharacter('humanoid3d').skeleton;
const dir = mkdtempSync(join(tmpdir(), 'gymnast-imitation-clips-'));

test('bundled names and DeepMimic files load', () => {
  assert.is(loadImitationClip('walk', humanoid).numFrames, 39);
  assert.is(loadImitationClip(dataPath('deepmimic', 'motions', 'humanoid3d_run.txt'), humanoid).numFrames, 25);
});

test('an unknown clip: UnknownIdError naming it and listing the bundled clips', () => {
  try {
    make('HumanoidImitate-v0', { options: { clip: 'moonwalk' } });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UnknownIdError);
    assert.match((e as Error).message, /unknown clip 'moonwalk'/);
    assert.match((e as Error).message, /walk/);
  }
});

test('a clip of another skeleton: FileFormatError naming the file and both skeletons', () => {
  try {
    make('BipedImitate-v0', { options: { clip: 'walk' } });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, FileFormatError);
    assert.match((e as Error).message, /humanoid3d_walk\.txt/);
    assert.match((e as Error).message, /44 values per frame but the character 'biped3d_mocap' needs 30/);
    assert.match((e as Error).message, /it fits humanoid3d/);
  }
});

test('a clip too short to loop: UsageError naming it, its frames and length', () => {
  const walk = JSON.parse(readFileSync(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'), 'utf8')) as { Loop: string; Frames: number[][] };
  const file = join(dir, 'blip.txt');
  writeFileSync(file, JSON.stringify({ Loop: 'wrap', Frames: walk.Frames.slice(0, 2) }));
  try {
    make('HumanoidImitate-v0', { options: { clip: file } });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, /clip '.*blip\.txt' is too short to loop: 2 frames, 0\.033 s/);
  }
});

test('a CMU BVH clip is retargeted onto the humanoid; not onto the biped', () => {
  const bvh = dataPath('bvh', 'cmu131', 'scaled_131_01.bvh');
  const clip = loadImitationClip(bvh, humanoid);
  assert.is(clip.skeleton.numJoints, humanoid.numJoints);
  assert.ok(Math.abs(clip.fps - 30) < 1e-6);
  assert.throws(() => loadImitationClip(bvh, loadCharacter('biped3d').skeleton), /retargeted onto humanoid3d only/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
