/**
 * Writing files that matter (checkpoints, config.json, motion files): the bytes go to `path.tmp`,
 * are flushed to disk, and the temporary file is renamed over `path`. A process killed at any
 * moment leaves either the old file or the new one, never half of one. The one implementation.
 */
import { nodeBuiltin } from './node-builtins.ts';

// Node's fs and path, reached at call time: the motion writers sit in modules a browser page also
// loads (node-builtins.ts says why); writing is Node-only.
const fs = () => nodeBuiltin('fs', 'writing files');
const path = () => nodeBuiltin('path', 'writing files');

/**
 * `mkdir -p`, one level at a time from the nearest folder that exists. Node's recursive mkdirSync
 * loops forever where a parent exists but refuses children without saying so (under /proc, say);
 * here the first level that cannot be made throws its error (ENOENT, EACCES…) naming the path.
 */
export function ensureFolder(folder: string): void {
  const { existsSync, mkdirSync, statSync } = fs();
  const { dirname, resolve } = path();
  const missing: string[] = [];
  let p = resolve(folder);
  for (; !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.push(p);
  missing.reverse();
  // A file where a folder should be: mkdir's own error (EEXIST for the path, ENOTDIR below it).
  if (!statSync(p).isDirectory()) mkdirSync(missing[0] ?? p);
  for (const m of missing) mkdirSync(m);
}

/** Writes `bytes` to `path` and flushes them to disk before returning (no rename). */
export function writeFileSynced(file: string, bytes: Uint8Array): void {
  const { closeSync, fsyncSync, openSync, writeSync } = fs();
  const fd = openSync(file, 'w');
  try {
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `content` to `path` atomically (through `path.tmp`, flushed), creating its folder. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  ensureFolder(path().dirname(file));
  const tmp = `${file}.tmp`;
  writeFileSynced(tmp, typeof content === 'string' ? new TextEncoder().encode(content) : content);
  fs().renameSync(tmp, file);
}
