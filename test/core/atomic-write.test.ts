import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFolder, writeFileAtomic } from '../../src/core/atomic-write.ts';

test('writes text and bytes, replaces a file whole, creates the folder, leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-atomic-'));
  try {
    const file = join(dir, 'deep', 'er', 'config.json');
    writeFileAtomic(file, '{"a":1}');
    assert.is(readFileSync(file, 'utf8'), '{"a":1}');
    writeFileAtomic(file, new Uint8Array([104, 105]));
    assert.is(readFileSync(file, 'utf8'), 'hi');
    assert.equal(readdirSync(join(dir, 'deep', 'er')), ['config.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureFolder makes the missing levels and is a no-op where the folder exists; where a level cannot be made it throws that level\'s error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-atomic-'));
  try {
    ensureFolder(join(dir, 'a', 'b', 'c'));
    assert.ok(existsSync(join(dir, 'a', 'b', 'c')));
    ensureFolder(join(dir, 'a', 'b'));
    // /proc exists but refuses new entries: Node's recursive mkdirSync never returns there.
    assert.throws(() => ensureFolder('/proc/gymnast-test/x'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.path === '/proc/gymnast-test');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write that cannot complete leaves the old file as it was', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-atomic-'));
  try {
    const file = join(dir, 'motion.txt');
    writeFileAtomic(file, 'old');
    // The temporary name is taken by a folder: the write fails before anything replaces the file.
    mkdirSync(`${file}.tmp`);
    assert.throws(() => writeFileAtomic(file, 'new'));
    assert.is(readFileSync(file, 'utf8'), 'old');
    assert.ok(existsSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
