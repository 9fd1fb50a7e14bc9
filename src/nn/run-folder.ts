/**
 * The run folder, as both trainers write it (agents: `src/train/run.ts`; motion priors:
 * `src/train/prior-run.ts`):
 *
 *   <run>/config.json     what the run is, written atomically once (and on a new --steps)
 *   <run>/metrics.jsonl   one JSON object per line (src/train/metrics.ts)
 *   <run>/checkpoints/…   atomic checkpoints (checkpoint.ts)
 *
 * Here: claiming a folder for a new run, writing config.json, reading it back through the
 * schema of its kind (each reader: resume, eval, generation, the viewer), and the checkpoint a
 * resume starts from. In `nn` beside the checkpoint files, so the generative room can read a
 * prior's folder without importing the trainer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { FileFormatError, UsageError } from '../core/errors.ts';
import { latestCheckpoint } from './checkpoint.ts';

/** The folder of a new run: refused (one message saying what to do) if it already holds one. */
export function claimRunFolder(dir: string): string {
  const runDir = resolve(dir);
  if (existsSync(join(runDir, 'config.json'))) {
    throw new UsageError(`${runDir} already holds a run: use --resume ${runDir} to continue it, or another --out`);
  }
  return runDir;
}

/** Writes `<runDir>/config.json` atomically, creating the folder. */
export function writeRunConfig(runDir: string, config: unknown): void {
  writeFileAtomic(join(runDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}

export interface RunConfigReading {
  /** How to make such a run, for the message when the folder has no config.json. */
  hint: string;
  /** Checks the raw document before the schema (its kind): throws a UsageError saying what it is instead. */
  kind?(raw: Record<string, unknown>): void;
}

/**
 * `<dir>/config.json` parsed by `schema`. No folder, or no config.json: a UsageError. Not JSON, or
 * a field the schema rejects: one FileFormatError naming the file and the field.
 */
export function readRunConfigFile<S extends z.ZodType>(dir: string, schema: S, reading: RunConfigReading): z.output<S> {
  const runDir = resolve(dir);
  const file = join(runDir, 'config.json');
  if (!existsSync(runDir)) throw new UsageError(`${dir}: no such folder`);
  if (!existsSync(file)) throw new UsageError(`${dir}: no config.json there; is it a run folder? (${reading.hint})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FileFormatError(file, 'JSON', `cannot be parsed: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FileFormatError(file, '(root)', 'expected a JSON object');
  reading.kind?.(raw as Record<string, unknown>);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FileFormatError(file, issue.path.join('.') || '(root)', issue.message);
  }
  return parsed.data;
}

/** The newest checkpoint of a run being resumed; a UsageError if it has none yet. */
export function resumeCheckpoint(dir: string): string {
  const checkpoint = latestCheckpoint(join(resolve(dir), 'checkpoints'));
  if (!checkpoint) throw new UsageError(`--resume ${dir}: the run has no checkpoint yet`);
  return checkpoint;
}
