/**
 * The fuzz engine: runs `cases` seeded cases of a format in a child process (see worker.ts) with
 * a per-case timeout and a heap limit, and tallies each case's outcome:
 *
 * - clean: the input was accepted (a mutation can leave a file valid);
 * - clear: a GymnastError of one line, what the CLI prints and exits 2 with;
 * - stack: anything else thrown (TypeError, RangeError, SyntaxError, a message of several lines);
 * - hang: the case ran past the timeout (the process is killed and a new one goes on);
 * - memory: the process ran out of its heap limit;
 * - partial: a writer left a temporary file behind.
 *
 * Case i of a format draws from `streamSeed(seed, format, i)`, so any case replays alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import type { CaseOutcome, CaseReport, WorkerJob } from './worker.ts';

export interface FuzzOptions {
  cases: number;
  seed?: number;
  /** Per case, ms (default 10 000). */
  timeoutMs?: number;
  /** The case process's old-generation heap limit, MB (default 1024). */
  heapMb?: number;
  /** First case index (default 0), to replay one case: `from: 17, cases: 1`. */
  from?: number;
  onCase?: (report: CaseReport) => void;
}

export interface FuzzSummary {
  format: string;
  cases: number;
  counts: Record<CaseOutcome, number>;
  /** Every case that was not clean or clear. */
  failures: CaseReport[];
  /** A few clear errors, to see what users are told. */
  examples: CaseReport[];
  seconds: number;
}

export const BAD_OUTCOMES: readonly CaseOutcome[] = ['stack', 'hang', 'memory', 'partial'];

export async function fuzzFormat(format: string, options: FuzzOptions): Promise<FuzzSummary> {
  const t0 = performance.now();
  const seed = options.seed ?? 20261207;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const from = options.from ?? 0;
  const to = from + options.cases;
  const root = mkdtempSync(join(tmpdir(), `gymnast-fuzz-${format}-`));
  const counts: Record<CaseOutcome, number> = { clean: 0, clear: 0, stack: 0, hang: 0, memory: 0, partial: 0 };
  const failures: CaseReport[] = [];
  const examples: CaseReport[] = [];
  const record = (r: CaseReport) => {
    counts[r.outcome]++;
    if (BAD_OUTCOMES.includes(r.outcome)) failures.push(r);
    else if (r.outcome === 'clear' && examples.length < 5) examples.push(r);
    options.onCase?.(r);
  };
  try {
    let next = from;
    while (next < to) {
      next = await runWorker({ format, seed, from: next, to, root }, timeoutMs, options.heapMb ?? 1024, record);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { format, cases: options.cases, counts, failures, examples, seconds: (performance.now() - t0) / 1000 };
}

/** Runs cases from job.from until the end or a case that hangs or exhausts memory; returns the next case to run. */
function runWorker(job: WorkerJob, timeoutMs: number, heapMb: number, record: (r: CaseReport) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./worker.ts', import.meta.url).pathname, [JSON.stringify(job)], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${heapMb}`],
      // Warnings a reader prints (quaternions far from unit length, …) and V8's report of a heap
      // out of memory are not what is tested.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2000);
    });
    let current = -1;
    let currentWhat = '';
    let startedAt = 0;
    let settled = false;
    const finish = (next: number | Error) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      child.kill('SIGKILL');
      if (next instanceof Error) reject(next);
      else resolve(next);
    };
    // Setup (loading a backend, reading seeds) gets its own, longer allowance.
    const setupStarted = performance.now();
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (current >= 0 && now - startedAt > timeoutMs) {
        record({ index: current, outcome: 'hang', what: currentWhat, message: `still running after ${timeoutMs} ms` });
        finish(current + 1);
      } else if (current < 0 && startedAt === 0 && now - setupStarted > 120_000) {
        finish(new Error(`fuzz ${job.format}: no case started within 120 s`));
      }
    }, 50);
    child.on('message', (m: { type: string; index?: number; what?: string; report?: CaseReport; message?: string }) => {
      if (m.type === 'start') {
        current = m.index!;
        currentWhat = m.what!;
        startedAt = performance.now();
      } else if (m.type === 'done') {
        current = -1;
        record(m.report!);
      } else if (m.type === 'end') {
        finish(job.to);
      } else if (m.type === 'setup-failed') {
        finish(new Error(`fuzz ${job.format}: setup failed: ${m.message}`));
      }
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      if (current < 0) return finish(new Error(`fuzz ${job.format}: the case process exited (${signal ?? code}) between cases: ${stderr}`));
      const outOfMemory = /heap out of memory|Reached heap limit/.test(stderr);
      record({ index: current, outcome: outOfMemory ? 'memory' : 'stack', what: currentWhat, message: outOfMemory ? `past the ${heapMb} MB heap` : `the process died (${signal ?? code}): ${stderr.slice(-600)}` });
      finish(current + 1);
    });
  });
}

/** The summary table: one row per format. */
export function formatTable(rows: readonly FuzzSummary[]): string {
  const header = ['format', 'cases', 'clean', 'clear errors', 'stack traces', 'hangs', 'out of memory', 'partial writes', 'seconds'];
  const body = rows.map((r) => [r.format, String(r.cases), String(r.counts.clean), String(r.counts.clear), String(r.counts.stack), String(r.counts.hang), String(r.counts.memory), String(r.counts.partial), r.seconds.toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
