/**
 * `npm run bench -- mdp [--states N] [--repeats R] [--workers W]`
 *
 * Value-iteration sweeps on a large random sparse MDP (default 1,000,000 states, 4 actions,
 * 4 successors per pair: 16 M transitions), three ways in one run:
 *
 * 1. the library's sweep (`optimalitySweep`: plain loops over the CSR typed arrays), one thread;
 * 2. the same sweep on W worker threads (default: the cores available), each over a range of
 *    states, values in SharedArrayBuffers (`ParallelSweeper`);
 * 3. the baseline: the same synchronous sweeps vectorized with numpy in `python3` (skipped with a
 *    message where numpy is missing). numpy gets its best form: the parts that do not change
 *    between sweeps (Σ p·r per pair, p·γ·(1 − terminal) per transition) computed once, then per
 *    sweep one gather `v[next]`, one multiply, a fixed-width row sum and a max over actions.
 *    (OPENBLAS_NUM_THREADS and friends do not matter: nothing here calls BLAS.)
 *
 * Each prints the median seconds per sweep over R sweeps and transitions per second; then the
 * ratios. All three start from v = 0 and run the same sweeps; the bench checks they end on the
 * same values.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.ts';
import { TabularMdp } from '../src/mdp/model.ts';
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
const repeats = flag('repeats', 7);
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

// 1. One thread.
let src = new Float64Array(numStates);
let dst = new Float64Array(numStates);
const single: number[] = [];
for (let r = 0; r < repeats; r++) {
  const t = performance.now();
  optimalitySweep(mdp, GAMMA, src, dst);
  single.push((performance.now() - t) / 1000);
  [src, dst] = [dst, src];
}
const singleValues = src;
console.log(`typed arrays, 1 thread:      ${median(single).toFixed(4)} s/sweep  ${rate(median(single), transitions)}`);

// 2. Worker threads.
const sweeper = await ParallelSweeper.create(mdp, numWorkers);
const parallel: number[] = [];
for (let r = 0; r < repeats; r++) {
  const t = performance.now();
  await sweeper.sweep(GAMMA);
  parallel.push((performance.now() - t) / 1000);
}
const sameAsSingle = sweeper.values.every((v, s) => v === singleValues[s]);
await sweeper.close();
console.log(`typed arrays, ${sweeper.numWorkers} workers:     ${median(parallel).toFixed(4)} s/sweep  ${rate(median(parallel), transitions)}  (values bit-identical to 1 thread: ${sameAsSingle})`);

// 3. numpy.
const PYTHON = String.raw`
import sys, time, json
import numpy as np
d, S, A, R, gamma = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
offsets = np.fromfile(d + '/offsets.bin', dtype=np.int32)
nxt = np.fromfile(d + '/next.bin', dtype=np.int32)
prob = np.fromfile(d + '/prob.bin', dtype=np.float64)
rew = np.fromfile(d + '/reward.bin', dtype=np.float64)
term = np.fromfile(d + '/terminal.bin', dtype=np.uint8)
widths = np.diff(offsets)
fixed = bool((widths == widths[0]).all())
# Constant per sweep: expected reward of each pair, and each transition's weight on v[next].
r_sa = np.add.reduceat(prob * rew, offsets[:-1])
weight = prob * gamma * (1.0 - term)
v = np.zeros(S)
times = []
for _ in range(R):
    t = time.perf_counter()
    x = weight * v[nxt]
    q = r_sa + (x.reshape(-1, int(widths[0])).sum(axis=1) if fixed else np.add.reduceat(x, offsets[:-1]))
    v = q.reshape(S, A).max(axis=1)
    times.append(time.perf_counter() - t)
v.tofile(d + '/v.bin')
print(json.dumps({'times': times, 'numpy': np.__version__, 'fixed_width': fixed}))
`;

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!hasNumpy) {
  console.log('\nnumpy baseline skipped: `python3 -c "import numpy"` failed (install python3 and numpy to compare)');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-bench-mdp-'));
  try {
    for (const [name, a] of Object.entries({ offsets: mdp.offsets, next: mdp.next, prob: mdp.prob, reward: mdp.reward, terminal: mdp.terminal })) {
      writeFileSync(join(dir, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    const py = spawnSync('python3', ['-c', PYTHON, dir, String(numStates), String(ACTIONS), String(repeats), String(GAMMA)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (py.status !== 0) throw new Error(`python3 failed: ${py.stderr}`);
    const out = JSON.parse(py.stdout) as { times: number[]; numpy: string; fixed_width: boolean };
    const v = new Float64Array(readFileSync(join(dir, 'v.bin')).buffer.slice(0));
    let worst = 0;
    for (let s = 0; s < numStates; s++) worst = Math.max(worst, Math.abs(v[s]! - singleValues[s]!));
    const numpyMedian = median(out.times);
    console.log(`numpy ${out.numpy}, vectorized:    ${numpyMedian.toFixed(4)} s/sweep  ${rate(numpyMedian, transitions)}  (largest value difference to JS: ${worst.toExponential(1)})`);
    console.log(`\ntyped arrays (1 thread) vs numpy: ${(numpyMedian / median(single)).toFixed(2)}× faster`);
    console.log(`typed arrays (${numWorkers} workers) vs numpy: ${(numpyMedian / median(parallel)).toFixed(2)}× faster`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`${numWorkers} workers vs 1 thread: ${(median(single) / median(parallel)).toFixed(2)}× speed-up (${availableParallelism()} cores available)`);
