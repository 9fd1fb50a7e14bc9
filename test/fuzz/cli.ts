/**
 * Fuzzing the real `gymnast` command end to end: seeded mutations of real command lines (an
 * argument dropped, copied or swapped, an unknown option, a value replaced by an edge number, a path
 * trick or nothing; never `--verbose`, which asks for the stack), each run as its own process from
 * the sources (GYMNAST_SOURCE=1) in a fresh folder. A case must exit 0, or exit 2 with one line on stderr (`gymnast: …`, or a
 * ValidationError's `  - ` lines) and no stack; within the timeout; leaving no `*.tmp` file.
 *
 * The `cli-run-folder` format runs `gymnast eval` on a damaged copy of the fixture run folder, the
 * way a user meets a downloaded run (the in-process `run-folder` format reads the same damage).
 *
 * Only commands that end by themselves in seconds are seeds: `view`, `start`, `train` and budget
 * values of billions would be long runs, not hangs. A mutated output path without the .bvh / .txt
 * extension is refused before anything is written, so nothing lands outside the case folder.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, streamSeed } from '../../src/core/rng.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import type { FuzzOptions, FuzzSummary } from './engine.ts';
import { repoRoot } from './formats.ts';
import { EDGE_NUMBERS, mutate, pick, textMutators } from './mutate.ts';
import { leftovers, type CaseOutcome, type CaseReport } from './worker.ts';

const bin = join(repoRoot, 'bin', 'gymnast.js');
const fixture = join(repoRoot, 'test', 'fuzz', 'fixtures', 'run-ppo-cartpole');

/** Command lines that end by themselves within seconds. `{dir}` is the case folder, `{run}` a copy of the fixture run. */
const SEEDS: readonly string[][] = [
  ['motion', 'info', 'walk', '--json'],
  ['motion', 'fk', 'walk', '--frame', '3'],
  ['motion', 'fk', 'walk', '--time', '0.5', '--json'],
  ['motion', 'convert', 'walk', '{dir}/out.bvh', '--fps', '60'],
  ['motion', 'convert', '{sinusoidal}', '{dir}/out.bvh', '--scale', '0.5'],
  ['motion', 'info', '{sinusoidal}', '--scale', '2'],
  ['envs'],
  ['agents', 'ppo'],
  ['check', 'CartPole-v1', '--option', 'forceMag=5'],
  ['rollout', 'CartPole-v1', '--episodes', '2', '--seed', '3', '--json'],
  ['eval', '{run}', '--episodes', '1', '--backend', 'cpu'],
  ['mdp', 'solve', 'FrozenLake-v1', '--method', 'vi'],
];

/** Flags whose value is a budget: a huge valid value is a long run, so they only get small or invalid values. */
const BUDGET = new Set(['--episodes', '--steps', '--frame', '--time']);
const BUDGET_VALUES = ['0', '-1', '', 'abc', '1.5', 'NaN', 'Infinity', '-Infinity', '1e-320', '0x2', '2'];
const VALUES = [...EDGE_NUMBERS.filter((v) => v.length < 100), '../../../../dev/zero', '/dev/zero', '/dev/null', '..', '/', '~', 'x'.repeat(5000), 'é', '\u202e', 'a=b', '=', 'forceMag=1e308', 'forceMag=', 'hidden=[[[[1]]]]', '--json'];
const OPTIONS = ['--bogus', '-x', '--', '--help', '--json', '--seed', '--option', '--scale', '--fps', '--frame', '--character', '--retarget', '--best'];

function mutateArgv(rng: Rng, argv: string[]): { argv: string[]; what: string } {
  const out = [...argv];
  const done: string[] = [];
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const op = rng.int(6);
    const i = rng.int(Math.max(1, out.length));
    if (op === 0 && out.length > 0) done.push(`drop ${out.splice(i, 1)[0]}`);
    else if (op === 1 && out.length > 0) {
      out.splice(i, 0, out[i]!);
      done.push(`copy ${out[i]}`);
    } else if (op === 2 && out.length > 1) {
      const j = rng.int(out.length);
      [out[i], out[j]] = [out[j]!, out[i]!];
      done.push(`swap ${i} ${j}`);
    } else if (op === 3) {
      const o = pick(rng, OPTIONS);
      out.splice(rng.int(out.length + 1), 0, o);
      done.push(`insert ${o}`);
    } else {
      // A value: the one after a flag, or any argument.
      const at = out.findIndex((a, n) => n >= i && a.startsWith('--'));
      const target = at >= 0 && at + 1 < out.length ? at + 1 : i;
      if (target >= out.length) continue;
      const flag = out[target - 1] ?? '';
      const v = BUDGET.has(flag) ? pick(rng, BUDGET_VALUES) : pick(rng, VALUES);
      done.push(`${flag || `arg ${target}`} ${JSON.stringify(out[target]!.slice(0, 20))} → ${JSON.stringify(v.slice(0, 20))}`);
      out[target] = v;
    }
  }
  return { argv: out, what: done.join('; ') || 'unchanged' };
}

/** Whether a run folder's file was re-hashed into its index (so the damage reaches the reader behind the hash). */
function damageRun(rng: Rng, run: string): string {
  const checkpoint = 'checkpoints/step-000000256';
  const target = pick(rng, ['config.json', 'checkpoints/latest.json', `${checkpoint}/index.json`, `${checkpoint}/state.json`, `${checkpoint}/model.json`, `${checkpoint}/weights.bin`, `${checkpoint}/optimizer.json`, `${checkpoint}/arrays.json`]);
  const path = join(run, target);
  const m = mutate(rng, readFileSync(path), textMutators('['));
  writeFileSync(path, m.bytes);
  if (target.startsWith(checkpoint) && !target.endsWith('index.json') && rng.random() < 0.7) {
    const indexFile = join(run, checkpoint, 'index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    index.files[target.slice(checkpoint.length + 1)] = { bytes: m.bytes.length, sha256: createHash('sha256').update(m.bytes).digest('hex') };
    writeFileSync(indexFile, JSON.stringify(index));
    return `${target}: ${m.what} (re-hashed)`;
  }
  return `${target}: ${m.what}`;
}

interface Spawned {
  code: number | null;
  stderr: string;
  timedOut: boolean;
}

function runGymnast(argv: string[], cwd: string, timeoutMs: number): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...argv], { cwd, env: { ...process.env, GYMNAST_SOURCE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 100_000) stderr += d.toString('utf8');
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut });
    });
  });
}

/** Exit 2 with `gymnast: …` and at most a ValidationError's `  - ` lines: what a user should see. */
export function classifyExit(r: Spawned): { outcome: CaseOutcome; message?: string } {
  if (r.timedOut) return { outcome: 'hang', message: 'killed at the timeout' };
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(`\n${r.stderr}\n`)) return { outcome: 'stack', message: r.stderr.slice(0, 600) };
  if (r.code === 0) return { outcome: 'clean' };
  const oneLine = lines.length >= 1 && lines[0]!.startsWith('gymnast: ') && lines.slice(1).every((l) => l.startsWith('  - ')) && lines[0]!.length <= 4000;
  if (r.code === 2 && oneLine) return { outcome: 'clear', message: lines[0]!.slice(0, 300) };
  return { outcome: 'stack', message: `exit ${r.code}: ${r.stderr.slice(0, 600)}` };
}

export const CLI_FORMATS = ['cli', 'cli-run-folder'] as const;

/** Runs `cases` command lines (two at a time), as fuzzFormat does for the in-process formats. */
export async function fuzzCli(format: (typeof CLI_FORMATS)[number], options: FuzzOptions & { concurrency?: number }): Promise<FuzzSummary> {
  const t0 = performance.now();
  const seed = options.seed ?? 20261207;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const from = options.from ?? 0;
  const root = mkdtempSync(join(tmpdir(), `gymnast-fuzz-${format}-`));
  const counts: Record<CaseOutcome, number> = { clean: 0, clear: 0, stack: 0, hang: 0, memory: 0, partial: 0 };
  const failures: CaseReport[] = [];
  const examples: CaseReport[] = [];
  const one = async (index: number) => {
    const rng = new Rng(streamSeed(seed, format, index));
    const dir = join(root, `case-${index}`);
    mkdirSync(dir);
    const run = join(dir, 'run');
    cpSync(fixture, run, { recursive: true });
    let argv: string[];
    let what: string;
    if (format === 'cli') {
      const m = mutateArgv(rng, pick(rng, SEEDS));
      what = `${m.argv.map((a) => (a.length > 40 ? `${a.slice(0, 20)}…(${a.length})` : a)).join(' ')}  [${m.what}]`;
      argv = m.argv.map((a) => a.replaceAll('{dir}', dir).replaceAll('{run}', run).replaceAll('{sinusoidal}', dataPath('bvh', 'fairmotion', 'sinusoidal.bvh')));
    } else {
      what = damageRun(rng, run);
      argv = ['eval', run, '--episodes', '1', '--backend', 'cpu'];
    }
    const r = await runGymnast(argv, dir, timeoutMs);
    let report: CaseReport = { index, what, ...classifyExit(r) };
    const left = leftovers(dir);
    if (left.length > 0) report = { index, what, outcome: 'partial', message: `left ${left.join(', ')}` };
    rmSync(dir, { recursive: true, force: true });
    counts[report.outcome]++;
    if (['stack', 'hang', 'memory', 'partial'].includes(report.outcome)) failures.push(report);
    else if (report.outcome === 'clear' && examples.length < 5) examples.push(report);
    options.onCase?.(report);
  };
  try {
    let next = from;
    const lanes = Array.from({ length: options.concurrency ?? 2 }, async () => {
      while (next < from + options.cases) await one(next++);
    });
    await Promise.all(lanes);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { format, cases: options.cases, counts, failures, examples, seconds: (performance.now() - t0) / 1000 };
}
