/**
 * `npm run bench -- mdp [--states N] [--repeats R] [--workers W]`
 *
 * Value-iteration sweeps on a large random sparse MDP (default 1,000,000 states, 4 actions,
 * 4 successors per pair: 16 M transitions), three ways in one run:
 *
 * 1. the library's sweep (`optimalitySweep`: plain loops over the CSR typed arrays), one thread,
 *    with v(s′) gathered in a pass of its own, and for reference the one-pass loop that reads
 *    v(s′) inside the sum;
 * 2. the same sweep on W worker threads (default: the cores available), each over a range of
 *    states, values in SharedArrayBuffers (`ParallelSweeper`);
 * 3. the baseline: the same synchronous sweeps vectorized with numpy in `python3` (skipped with a
 *    message where numpy is missing). numpy gets its best form: the parts that do not change
 *    between sweeps (Σ p·r per pair, p·γ·(1 − terminal) per transition) computed once, then per
 *    sweep one gather `v[next]`, one multiply, a fixed-width row sum and a max over actions.
 *    (OPENBLAS_NUM_THREADS and friends do not matter: nothing here calls BLAS.)
 *
 * What decides it is the gather of v(s′) at random next states. numpy asks Linux for transparent
 * huge pages on large arrays (`madvise`; the bench prints whether it is on), which spares it most
 * TLB misses once the value array outgrows what 4 KiB pages cover (1 M states: 8 MB); V8 cannot
 * ask for them. `NUMPY_MADVISE_HUGEPAGE=0 npm run bench -- mdp` compares on equal pages;
 * `--states 200000` compares with a value array that fits the TLB's reach.
 *
 * The three take turns, sweep by sweep (numpy in a python3 process that sweeps on request), so
 * all see the same machine load, which the bench prints. Each reports the median seconds per
 * sweep over R sweeps and transitions per second; then the ratios. All three start from v = 0 and
 * run the same sweeps; the bench checks they end on the same values.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.ts';
import { TabularMdp } from '../src/envs/tabular/model.ts';
import { optimalitySweep } from '../src/mdp/dp/value-iteration.ts';
import { ParallelSweeper } from '../src/mdp/dp/parallel-sweep.ts';

const GAMMA = 0.95;
const ACTIONS = 4;
const SUCCESSORS = 4;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} must be a positive integer, got '${process.argv[i + 1]}'`);
    process.exit(2);
  }
  return v;
}

const numStates = flag('states', 1_000_000);
const repeats = flag('repeats', 5);
const numWorkers = flag('workers', availableParallelism());

function sharedArray<T>(Kind: new (b: SharedArrayBuffer) => T, bytesPerElement: number, n: number): T {
  return new Kind(new SharedArrayBuffer(bytesPerElement * n));
}

/** A random MDP: uniform successors, probabilities from normalized uniforms, rewards in [−1, 1]. Arrays in shared memory. */
function randomMdp(S: number, seed: number): TabularMdp {
  const rng = new Rng(seed);
  const rows = S * ACTIONS;
  const n = rows * SUCCESSORS;
  const offsets = sharedArray(Int32Array, 4, rows + 1);
  const next = sharedArray(Int32Array, 4, n);
  const prob = sharedArray(Float64Array, 8, n);
  const reward = sharedArray(Float64Array, 8, n);
  const terminal = sharedArray(Uint8Array, 1, n);
  for (let i = 0; i < rows; i++) {
    const base = i * SUCCESSORS;
    let total = 0;
    for (let k = 0; k < SUCCESSORS; k++) {
      next[base + k] = rng.int(S);
      prob[base + k] = 0.05 + rng.random();
      total += prob[base + k]!;
      reward[base + k] = rng.uniform(-1, 1);
    }
    for (let k = 0; k < SUCCESSORS; k++) prob[base + k]! /= total;
    offsets[i + 1] = base + SUCCESSORS;
  }
  return new TabularMdp({ numStates: S, numActions: ACTIONS, offsets, next, prob, reward, terminal }, 'random MDP');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (seconds: number, transitions: number) => `${(transitions / seconds / 1e6).toFixed(1)} M transitions/s`;

const t0 = performance.now();
const mdp = randomMdp(numStates, 0);
const transitions = mdp.numTransitions;
console.log(`random MDP: ${numStates} states, ${ACTIONS} actions, ${SUCCESSORS} successors each (${transitions} transitions), γ = ${GAMMA}; built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${repeats} synchronous sweeps from v = 0 each; medians per sweep\n`);

// The numpy side: a python3 process that loads the same arrays and sweeps on request, so the three
// sweeps can take turns (on a shared machine the load changes minute to minute; taking turns
// exposes all three to the same conditions).
const PYTHON = String.raw`
import sys, time, json
import numpy as np
d, S, A, gamma = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
offsets = np.fromfile(d + '/offsets.bin', dtype=np.int32)
nxt = np.fromfile(d + '/next.bin', dtype=np.int32)
prob = np.fromfile(d + '/prob.bin', dtype=np.float64)
rew = np.fromfile(d + '/reward.bin', dtype=np.float64)
term = np.fromfile(d + '/terminal.bin', dtype=np.uint8)
widths = np.diff(offsets)
fixed = bool((widths == widths[0]).all())
# Constant over sweeps: expected reward of each pair, and each transition's weight on v[next].
r_sa = np.add.reduceat(prob * rew, offsets[:-1])
weight = prob * gamma * (1.0 - term)
v = np.zeros(S)
try:
    from numpy._core.multiarray import _get_madvise_hugepage
except ImportError:
    from numpy.core.multiarray import _get_madvise_hugepage
print(json.dumps({'ready': True, 'numpy': np.__version__, 'fixed_width': fixed, 'hugepages': bool(_get_madvise_hugepage())}), flush=True)
for line in sys.stdin:
    if line.strip() != 'sweep':
        break
    t = time.perf_counter()
    x = weight * v[nxt]
    q = r_sa + (x.reshape(-1, int(widths[0])).sum(axis=1) if fixed else np.add.reduceat(x, offsets[:-1]))
    v = q.reshape(S, A).max(axis=1)
    print(json.dumps({'seconds': time.perf_counter() - t}), flush=True)
v.tofile(d + '/v.bin')
`;

class NumpySweeper {
  private buffered = '';
  private waiting: ((line: string) => void)[] = [];
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let i = this.buffered.indexOf('\n'); i >= 0; i = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, i);
        this.buffered = this.buffered.slice(i + 1);
        this.waiting.shift()?.(line);
      }
    });
  }
  private nextLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.child.once('exit', (code) => reject(new Error(`python3 exited (${code})`)));
    });
  }
  static async start(dir: string): Promise<{ sweeper: NumpySweeper; version: string; hugepages: boolean }> {
    const child = spawn('python3', ['-u', '-c', PYTHON, dir, String(numStates), String(ACTIONS), String(GAMMA)]);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const sweeper = new NumpySweeper(child);
    const ready = JSON.parse(await sweeper.nextLine().catch(() => { throw new Error(`python3 failed: ${err}`); }));
    return { sweeper, version: ready.numpy, hugepages: ready.hugepages };
  }
  async sweep(): Promise<number> {
    this.child.stdin.write('sweep\n');
    return JSON.parse(await this.nextLine()).seconds;
  }
  finish(): Promise<void> {
    return new Promise((resolve) => {
      this.child.on('exit', () => resolve());
      this.child.stdin.end('done\n');
    });
  }
}

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'gymnast-bench-mdp-'));
try {
  let numpy: { sweeper: NumpySweeper; version: string; hugepages: boolean } | undefined;
  if (hasNumpy) {
    for (const [name, a] of Object.entries({ offsets: mdp.offsets, next: mdp.next, prob: mdp.prob, reward: mdp.reward, terminal: mdp.terminal })) {
      writeFileSync(join(dir, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    numpy = await NumpySweeper.start(dir);
  } else console.log('numpy baseline skipped: `python3 -c "import numpy"` failed (install python3 and numpy to compare)\n');

  const sweeper = await ParallelSweeper.create(mdp, numWorkers);
  let src = new Float64Array(numStates);
  let dst = new Float64Array(numStates);
  const scratch = new Float64Array(transitions);
  let fusedSrc = new Float64Array(numStates);
  let fusedDst = new Float64Array(numStates);
  const single: number[] = [];
  const fused: number[] = [];
  const parallel: number[] = [];
  const numpyTimes: number[] = [];
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    optimalitySweep(mdp, GAMMA, src, dst, 0, numStates, scratch);
    single.push((performance.now() - t) / 1000);
    [src, dst] = [dst, src];
    t = performance.now();
    optimalitySweep(mdp, GAMMA, fusedSrc, fusedDst);
    fused.push((performance.now() - t) / 1000);
    [fusedSrc, fusedDst] = [fusedDst, fusedSrc];
    t = performance.now();
    await sweeper.sweep(GAMMA);
    parallel.push((performance.now() - t) / 1000);
    if (numpy) numpyTimes.push(await numpy.sweeper.sweep());
  }
  console.log(`load average after:  ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const sameAsSingle = sweeper.values.every((v, st) => v === src[st]);
  await sweeper.close();

  console.log(`typed arrays, 1 thread:   ${median(single).toFixed(4)} s/sweep  ${rate(median(single), transitions)}`);
  console.log(`  same, v(s′) read inside the sum (one pass): ${median(fused).toFixed(4)} s/sweep  ${rate(median(fused), transitions)}  (gather pass: ${(median(fused) / median(single)).toFixed(2)}× faster)`);
  console.log(`typed arrays, ${sweeper.numWorkers} workers:  ${median(parallel).toFixed(4)} s/sweep  ${rate(median(parallel), transitions)}  (values bit-identical to 1 thread: ${sameAsSingle})`);
  if (numpy) {
    await numpy.sweeper.finish();
    const v = new Float64Array(readFileSync(join(dir, 'v.bin')).buffer.slice(0));
    let worst = 0;
    for (let st = 0; st < numStates; st++) worst = Math.max(worst, Math.abs(v[st]! - src[st]!));
    console.log(`numpy ${numpy.version}, vectorized: ${median(numpyTimes).toFixed(4)} s/sweep  ${rate(median(numpyTimes), transitions)}  (largest value difference to JS: ${worst.toExponential(1)}; huge pages: ${numpy.hugepages ? 'on' : 'off'})`);
    console.log(`\ntyped arrays, 1 thread vs numpy:   ${(median(numpyTimes) / median(single)).toFixed(2)}×`);
    console.log(`typed arrays, ${sweeper.numWorkers} workers vs numpy:  ${(median(numpyTimes) / median(parallel)).toFixed(2)}×`);
  }
  console.log(`${sweeper.numWorkers} workers vs 1 thread:          ${(median(single) / median(parallel)).toFixed(2)}× (${availableParallelism()} cores available)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
