import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { UnknownIdError } from '../../src/core/errors.ts';
import { bundledClips, dataDir, resolveCharacterPath, resolveClipPath } from '../../src/motion/data-path.ts';

test('the data folder is ../shared/data from the repo, or GYMNAST_DATA', () => {
  const saved = process.env.GYMNAST_DATA;
  try {
    delete process.env.GYMNAST_DATA;
    assert.ok(existsSync(dataDir()), dataDir());
    assert.match(dataDir(), /shared\/data$/);
    process.env.GYMNAST_DATA = '/somewhere/else';
    assert.is(dataDir(), '/somewhere/else');
  } finally {
    if (saved === undefined) delete process.env.GYMNAST_DATA;
    else process.env.GYMNAST_DATA = saved;
  }
});

test('short clip names: 20 clips, 6 long ones, the DeepLoco walk; unknown names list the known ones', () => {
  const clips = bundledClips();
  assert.is(clips.size, 27);
  assert.match(resolveClipPath('walk'), /deepmimic\/motions\/humanoid3d_walk\.txt$/);
  assert.match(resolveClipPath('humanoid3d_run'), /humanoid3d_run\.txt$/);
  assert.match(resolveClipPath('long_zombie'), /long\/humanoid3d_long_zombie\.txt$/);
  assert.match(resolveClipPath('biped3d_walk'), /deeploco\/motions\/biped3d_walk\.txt$/);
  assert.throws(() => resolveClipPath('moonwalk'), (e: Error) => e instanceof UnknownIdError && /backflip/.test(e.message));
  assert.match(resolveCharacterPath('humanoid3d'), /characters\/humanoid3d\.txt$/);
  assert.match(resolveCharacterPath('biped3d_mocap'), /biped3d_mocap\.txt$/);
  assert.throws(() => resolveCharacterPath('dog3d'), (e: Error) => e instanceof UnknownIdError);
});

test.run();
