/**
 * Writing files that matter (checkpoints, config.json, motion files): the bytes go to `path.tmp`,
 * are flushed to disk, and the temporary file is renamed over `path`. A process killed at any
 * moment leaves either the old file or the new one, never half of one. The one implementation.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time from the nearest folder that exists. Node's recursive mkdirSync
 * loops forever where a parent exists but refuses children without saying so (under /proc, say);
 * here the first level that cannot be made throws its error (ENOENT, EACCES…) naming the path.
 */
export function ensureFolder(path: string): void {
  const missing: string[] = [];
  let p = resolve(path);
  for (; !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.push(p);
  missing.reverse();
  // A file where a folder should be: mkdir's own error (EEXIST for the path, ENOTDIR below it).
  if (!statSync(p).isDirectory()) mkdirSync(missing[0] ?? p);
  for (const m of missing) mkdirSync(m);
}

/** Writes `bytes` to `path` and flushes them to disk before returning (no rename). */
export function writeFileSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `content` to `path` atomically (through `path.tmp`, flushed), creating its folder. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  ensureFolder(dirname(path));
  const tmp = `${path}.tmp`;
  writeFileSynced(tmp, typeof content === 'string' ? Buffer.from(content) : content);
  renameSync(tmp, path);
}
