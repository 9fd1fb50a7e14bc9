/**
 * Writing files that matter (checkpoints, config.json, motion files): the bytes go to `path.tmp`,
 * are flushed to disk, and the temporary file is renamed over `path`. A process killed at any
 * moment leaves either the old file or the new one, never half of one. The one implementation.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

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
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSynced(tmp, typeof content === 'string' ? Buffer.from(content) : content);
  renameSync(tmp, path);
}
