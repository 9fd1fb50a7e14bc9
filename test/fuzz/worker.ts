/**
 * Runs fuzz cases of one format in a child process, so the parent can stop a case that hangs
 * (kill it) and bound its heap (--max-old-space-size). A process, not a worker thread: V8 ends the
 * whole process when one allocation passes a worker's heap limit, which would end the fuzzer too.
 * Sends `start` before each case and `done` with the outcome after it.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { streamSeed, Rng } from '../../src/core/rng.ts';
import { GymnastError, ValidationError } from '../../src/core/errors.ts';
import { caseDir, formatNamed } from './formats.ts';

export interface WorkerJob {
  format: string;
  seed: number;
  from: number;
  to: number;
  root: string;
}

export type CaseOutcome = 'clean' | 'clear' | 'stack' | 'hang' | 'memory' | 'partial';

export interface CaseReport {
  index: number;
  outcome: CaseOutcome;
  what: string;
  message?: string;
}

/** A message a person can act on: a GymnastError of one line (ValidationError: one line per problem) and of a sane length. */
export function classify(e: unknown): { outcome: 'clear' | 'stack'; message: string } {
  if (!(e instanceof Error)) return { outcome: 'stack', message: `thrown non-Error: ${String(e).slice(0, 300)}` };
  const head = `${e.name}: ${e.message.slice(0, 300)}`;
  if (!(e instanceof GymnastError)) return { outcome: 'stack', message: `${head}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` };
  const lines = e.message.split('\n');
  const oneLine = e instanceof ValidationError ? lines.slice(1).every((l) => l.startsWith('  - ')) : lines.length === 1;
  if (!oneLine) return { outcome: 'stack', message: `message of ${lines.length} lines: ${head}` };
  if (e.message.length > 4000) return { outcome: 'stack', message: `message of ${e.message.length} characters: ${head}` };
  return { outcome: 'clear', message: e.message.slice(0, 300) };
}

/** Files a writer left half done (`*.tmp`, the atomic writer's temporary name) under `dir`. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

async function main(job: WorkerJob): Promise<void> {
  const make = await formatNamed(job.format).setup();
  for (let i = job.from; i < job.to; i++) {
    const dir = caseDir(job.root, i);
    const rng = new Rng(streamSeed(job.seed, job.format, i));
    const c = make(rng, dir, i);
    const what = c.what;
    send({ type: 'start', index: i, what });
    let report: CaseReport;
    try {
      await c.run();
      report = { index: i, outcome: 'clean', what };
    } catch (e) {
      report = { index: i, what, ...classify(e) };
    }
    const left = leftovers(dir);
    if (left.length > 0) report = { index: i, what, outcome: 'partial', message: `left ${left.join(', ')}${report.message ? ` after: ${report.message}` : ''}` };
    rmSync(dir, { recursive: true, force: true });
    send({ type: 'done', report });
  }
  send({ type: 'end' });
}

function send(message: unknown): void {
  process.send!(message);
}

// Started by engine.ts with the job as its one argument.
if (process.send && process.argv[2]) {
  void main(JSON.parse(process.argv[2]) as WorkerJob).then(
    () => process.disconnect(),
    (e) => {
      send({ type: 'setup-failed', message: (e as Error).stack ?? String(e) });
      process.disconnect();
    },
  );
}
