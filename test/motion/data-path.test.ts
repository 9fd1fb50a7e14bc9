import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnknownIdError, UsageError } from '../../src/core/errors.ts';
import { bundledClips, dataDir, dataFile, packageRoot, resolveCharacterPath, resolveClipPath } from '../../src/motion/data-path.ts';
import { loadCharacter } from '../../src/envs/character/assets.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Runs `body` with GYMNAST_DATA set to `value` (or unset), restoring it after. */
function withDataEnv(value: string | undefined, body: () => void) {
  const saved = process.env.GYMNAST_DATA;
  try {
    if (value === undefined) delete process.env.GYMNAST_DATA;
    else process.env.GYMNAST_DATA = value;
    body();
  } finally {
    if (saved === undefined) delete process.env.GYMNAST_DATA;
    else process.env.GYMNAST_DATA = saved;
  }
}

test('the data folder is the package\'s own data/ (inside the repository), or GYMNAST_DATA', () => {
  withDataEnv(undefined, () => {
    assert.is(packageRoot, repoRoot);
    assert.is(dataDir(), join(repoRoot, 'data'));
    assert.ok(existsSync(join(dataDir(), 'README.md')));
  });
  withDataEnv('/somewhere/else', () => assert.is(dataDir(), '/somewhere/else'));
});

test('short clip names: 20 clips, 6 long ones, the DeepLoco walk; unknown names list the known ones', () => {
  const clips = bundledClips();
  assert.is(clips.size, 27);
  assert.match(resolveClipPath('walk'), /deepmimic\/motions\/humanoid3d_walk\.txt$/);
  assert.match(resolveClipPath('humanoid3d_run'), /humanoid3d_run\.txt$/);
  assert.match(resolveClipPath('long_zombie'), /long\/humanoid3d_long_zombie\.txt$/);
  assert.match(resolveClipPath('biped3d_walk'), /deeploco\/motions\/biped3d_walk\.txt$/);
  assert.throws(() => resolveClipPath('moonwalk'), (e: Error) => e instanceof UnknownIdError && /clip gymnast ships/.test(e.message) && /backflip/.test(e.message) && /biped3d_walk/.test(e.message));
  assert.match(resolveCharacterPath('humanoid3d'), /characters\/humanoid3d\.txt$/);
  assert.match(resolveCharacterPath('biped3d_mocap'), /biped3d_mocap\.txt$/);
  assert.throws(() => resolveCharacterPath('dog3d'), (e: Error) => e instanceof UnknownIdError);
});

test('GYMNAST_DATA lacking a file: one error naming the file and the variable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-data-'));
  try {
    mkdirSync(join(dir, 'deepmimic', 'motions'), { recursive: true });
    withDataEnv(dir, () => {
      const named = (e: Error) => e instanceof UsageError && e.message.includes('deepmimic/characters/humanoid3d.txt') && e.message.includes('GYMNAST_DATA') && e.message.includes(dir);
      assert.throws(() => resolveCharacterPath('humanoid3d'), named);
      assert.throws(() => loadCharacter('humanoid3d'), named);
      assert.throws(() => dataFile('mujoco', 'humanoid.xml'), (e: Error) => e instanceof UsageError && /mujoco\/humanoid\.xml/.test(e.message) && /GYMNAST_DATA/.test(e.message));
      // No clips there: the message says where it looked.
      assert.throws(() => resolveClipPath('walk'), (e: Error) => e instanceof UnknownIdError && e.message.includes(`GYMNAST_DATA=${dir}`));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
