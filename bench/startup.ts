/**
 * `npm run bench -- startup`: how long the installed gymnast takes to start, against Python's
 * Gymnasium and against running the sources the way gymnast did before it was compiled.
 *
 * The checkout is built, packed and installed into an empty project offline (as the packaging
 * test does: `scripts/install-package.ts`); then each command below runs RUNS times, the commands
 * interleaved round by round so that the machine's load falls on all of them alike. Each figure
 * is the median wall time of the whole process, from spawn to exit, with the largest resident
 * memory (from /usr/bin/time, where it exists).
 *
 * - `gymnast envs`: the installed command, `node_modules/.bin/gymnast envs` (plain node).
 * - `npx gymnast envs`: the same through npx, which starts npm first.
 * - `npx (nothing)`: `npx --no-install node -e 0`, what npx itself costs.
 * - `import gymnast/envs; make CartPole`: plain node importing the envs entry point and making
 *   CartPole-v1, the closest analogue of the Python line below.
 * - `import gymnast; make CartPole`: the same through the main entry point, which also loads
 *   TensorFlow.js, the agents, the motion priors and the viewer.
 * - `sources through tsx`: `GYMNAST_SOURCE=1 node bin/gymnast.js envs` in the checkout, which
 *   compiles the TypeScript at every start, as every gymnast command did before `dist/`.
 * - `python: import gymnasium; make CartPole`: the baseline, where Python has Gymnasium
 *   (`PYTHON=/path/to/python` chooses the interpreter; skipped, saying so, where it cannot import
 *   gymnasium).
 * - `node -e 0`: Node's own start, the floor of every node command here.
 *
 * Ratios are against the Python baseline (or, without it, against `node -e 0`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installOffline, packCheckout, repoRoot, userEnv } from '../scripts/install-package.ts';

const RUNS = Number(process.env.RUNS ?? 15);
const PYTHON = process.env.PYTHON ?? 'python3';
const TIME = '/usr/bin/time';

interface Subject {
  name: string;
  cmd: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  ms: number[];
  rssKb: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One timed run: wall milliseconds and, with /usr/bin/time, the peak RSS in KiB. */
function timeOnce(s: Subject): void {
  const withTime = existsSync(TIME);
  const [cmd, args] = withTime ? [TIME, ['-f', '%M', s.cmd, ...s.args]] : [s.cmd, s.args];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: s.cwd, env: userEnv(s.env), encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${s.name}: ${s.cmd} ${s.args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  s.ms.push(ms);
  if (withTime) s.rssKb.push(Number(r.stderr.trim().split('\n').pop()));
}

const work = mkdtempSync(join(tmpdir(), 'gymnast-startup-'));
try {
  console.log('building, packing and installing gymnast into an empty project (offline)…');
  const pack = await packCheckout(work);
  const project = await installOffline(work, pack);
  const subject = (name: string, cmd: string, args: string[], cwd = project, env?: NodeJS.ProcessEnv): Subject => ({ name, cmd, args, cwd, env, ms: [], rssKb: [] });

  const subjects: Subject[] = [
    subject('gymnast envs', join(project, 'node_modules/.bin/gymnast'), ['envs']),
    subject('npx gymnast envs', 'npx', ['gymnast', 'envs']),
    subject('npx (nothing)', 'npx', ['--no-install', 'node', '-e', '0']),
    subject('import gymnast/envs; make CartPole', process.execPath, ['--input-type=module', '-e', "import { make } from 'gymnast/envs'; make('CartPole-v1').close();"]),
    subject('import gymnast; make CartPole', process.execPath, ['--input-type=module', '-e', "import { make } from 'gymnast'; make('CartPole-v1').close();"]),
    subject('sources through tsx', process.execPath, [join(repoRoot, 'bin/gymnast.js'), 'envs'], repoRoot, { GYMNAST_SOURCE: '1' }),
    subject('node -e 0', process.execPath, ['-e', '0']),
  ];
  const probe = spawnSync(PYTHON, ['-c', 'import gymnasium'], { encoding: 'utf8' });
  const python = probe.status === 0 ? subject('python: import gymnasium; make CartPole', PYTHON, ['-c', "import gymnasium; gymnasium.make('CartPole-v1')"]) : null;
  if (python) subjects.push(python);
  else console.log(`python baseline skipped: ${PYTHON} cannot import gymnasium (pip install gymnasium, or PYTHON=/path/to/python)`);

  for (const s of subjects) timeOnce(s); // warm the file cache; not counted
  for (const s of subjects) s.ms.length = s.rssKb.length = 0;
  for (let round = 0; round < RUNS; round++) for (const s of subjects) timeOnce(s);

  const base = python ?? subjects.find((s) => s.name === 'node -e 0')!;
  const baseMs = median(base.ms);
  console.log(`\n${RUNS} runs each, interleaved; medians (min–max); ratio against '${base.name}'\n`);
  const width = Math.max(...subjects.map((s) => s.name.length));
  for (const s of subjects) {
    const m = median(s.ms);
    const range = `${Math.min(...s.ms).toFixed(0)}–${Math.max(...s.ms).toFixed(0)}`;
    const rss = s.rssKb.length ? `${(median(s.rssKb) / 1024).toFixed(0).padStart(4)} MiB` : '';
    console.log(`${s.name.padEnd(width)}  ${m.toFixed(0).padStart(5)} ms (${range.padStart(9)})  ${rss}  ${(m / baseMs).toFixed(2)}×`);
  }
  const envs = median(subjects[0]!.ms);
  const npx = median(subjects[2]!.ms);
  console.log(`\ngymnast envs itself: ${envs.toFixed(0)} ms; through npx: ${median(subjects[1]!.ms).toFixed(0)} ms, of which npx alone ${npx.toFixed(0)} ms`);
  console.log(`sources through tsx / installed: ${(median(subjects.find((s) => s.name === 'sources through tsx')!.ms) / envs).toFixed(1)}×`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
