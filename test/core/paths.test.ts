/**
 * The '/'-separated path helpers of the code shared with the browser agree with Node's
 * `path.posix` on the cases gymnast meets (data paths, run folders, file names).
 */
import { posix } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { baseName, dirName, extName, joinPath, normalizePath } from '../../src/core/paths.ts';

const cases = ['/a/b/c.txt', 'a/b/', 'data/deepmimic/motions/humanoid3d_walk.txt', 'x', '.hidden', 'a.b.c', '/', 'a//b/./c/../d.bvh', '../up/x.TXT'];

test('joinPath and normalizePath match path.posix.join and normalize', () => {
  assert.is(joinPath('/root/pkg', 'data', 'deeploco', 'x.txt'), posix.join('/root/pkg', 'data', 'deeploco', 'x.txt'));
  assert.is(joinPath('.', 'data'), posix.join('.', 'data'));
  assert.is(joinPath('a', '..', '..', 'b'), posix.join('a', '..', '..', 'b'));
  assert.is(joinPath('/a', '..', '..', 'b'), posix.join('/a', '..', '..', 'b'));
  for (const c of cases) assert.is(normalizePath(c).replace(/\/$/, '') || '/', posix.normalize(c).replace(/(.)\/$/, '$1'), c);
});

test('baseName, extName and dirName match path.posix', () => {
  for (const c of cases) {
    assert.is(baseName(c), posix.basename(c), `basename ${c}`);
    assert.is(extName(c), posix.extname(c), `extname ${c}`);
    assert.is(dirName(c), posix.dirname(c), `dirname ${c}`);
  }
  assert.is(baseName('motions/humanoid3d_walk.txt', '.txt'), 'humanoid3d_walk');
});

test.run();
