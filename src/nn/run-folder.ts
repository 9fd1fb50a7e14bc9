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
import type { z } from 'zod';
import { ensureFolder, writeFileAtomic } from '../core/atomic-write.ts';
import { FileFormatError, UsageError, ValidationError } from '../core/errors.ts';
import { files } from '../core/files.ts';
import { nodeBuiltin } from '../core/node-builtins.ts';
import { joinPath as join, resolvePath as resolve } from '../core/paths.ts';
import { latestCheckpoint } from './checkpoint.ts';

/**
 * The folder of a new run: refused (one message saying what to do) if it already holds a run
 * with a checkpoint. A run stopped before its first checkpoint trained nothing that was kept: its
 * folder may be started again (the trainer, holding the folder's lock, replaces its config.json
 * and empties its metrics.jsonl).
 */
export function claimRunFolder(dir: string): string {
  const runDir = resolve(dir);
  if (files().isFile(join(runDir, 'config.json')) && latestCheckpoint(join(runDir, 'checkpoints')) !== null) {
    throw new UsageError(`${runDir} already holds a run: use --resume ${runDir} to continue it, or another --out`);
  }
  return runDir;
}

/** `<run>/run.lock`: which process trains the run now. */
const LOCK = 'run.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** True while process `pid` of this machine runs (a signal-0 probe; EPERM: it runs, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the run folder for this process until `release()`: a second trainer on the same folder
 * (a new run or a resume) is refused with one message naming the process that holds it. A lock
 * left by a process that no longer runs on this machine is taken over.
 */
export function lockRunFolder(runDir: string): { release(): void } {
  // Training runs in Node only; this module's readers also run in a page (core/node-builtins.ts).
  const { readFileSync, rmSync, writeFileSync } = nodeBuiltin('fs', 'locking a run folder');
  const { hostname } = nodeBuiltin('os', 'locking a run folder');
  ensureFolder(runDir);
  const file = join(runDir, LOCK);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    let owner: Partial<LockOwner> = {};
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    } catch {
      // half-written or damaged: its writer is gone or about to be; treated as stale below
    }
    const sameHost = owner.host === me.host;
    if (typeof owner.pid === 'number' && (!sameHost || processAlive(owner.pid))) {
      const where = sameHost ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.host}`;
      throw new UsageError(`${runDir} is being trained by ${where} since ${owner.since ?? '?'} (${LOCK}): wait for it, or stop it${sameHost ? '' : `, or remove ${file} if that run is gone`}`);
    }
    rmSync(file, { force: true }); // stale: left by a process that was killed
  }
  return {
    release() {
      try {
        const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
        if (owner.pid === me.pid && owner.host === me.host) rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
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
  if (!files().exists(runDir)) throw new UsageError(`${dir}: no such folder`);
  if (!files().isFile(file)) throw new UsageError(`${dir}: no config.json there; is it a run folder? (${reading.hint})`);
  let raw: unknown;
  try {
    raw = JSON.parse(files().readText(file));
  } catch (e) {
    // V8's message quotes the text around the error, newlines and all: one line for the report.
    throw new FileFormatError(file, 'JSON', `cannot be parsed: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 300)}`);
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
  if (!checkpoint) throw new UsageError(`--resume ${dir}: the run has no checkpoint yet, so there is nothing to resume: start it again with the same --out`);
  return checkpoint;
}

/**
 * The hyperparameters a run's config.json records (its `config` mapping), read by the agent's or
 * the model's own schema: one ValidationError naming the file and every bad field.
 */
export function runHyperparameters<S extends z.ZodType>(schema: S, runDir: string, values: unknown): z.output<S> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`${join(resolve(runDir), 'config.json')} config`, parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}
