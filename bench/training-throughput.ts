/**
 * `npm run bench -- training-throughput [--env BipedImitate-v0|HumanoidImitate-v0] [--iterations 8]
 *   [--repeats 3] [--quick]`
 *
 * Training samples a second of PPO on an imitation task with the README's settings
 * (`scenarios/imitation/ppo.yaml`, 16 envs × 256 steps = 4096 samples an iteration, and the biped
 * walk's env options), through `train()` as the CLI runs it, in four schemes side by side:
 *
 * - `async` (the baseline, the scheme before issue 17): the sub-envs step in worker threads; the
 *   trainer's thread runs the policy between vector steps, then the whole update while the
 *   workers wait.
 * - `async, 2 update threads` (`--update-threads 2`): the same, with the value half of every
 *   minibatch in a second thread (src/train/critic-thread.ts). The same numbers as `async`.
 * - `pipeline`: the workers run the policy themselves and collect rollout k + 1 while the trainer
 *   runs update k (src/train/rollout-pool.ts; one iteration of policy lag).
 * - `pipeline, 2 update threads`: both. The same numbers as `pipeline`.
 *
 * Each repeat runs all four, rotating which goes first, so background load hits them alike. A
 * run's rate is measured from the end of its first iteration (start-up, worker and WASM warm-up
 * left out) to the end of its next-to-last: the steady state. (The pipeline drains before each
 * checkpoint: the last update of a segment has no rollout beside it. With the README's
 * checkpoints, every 500 k samples, that is one iteration in 122.) CPU use over the same window, in %
 * of one core. Medians over the repeats, each scheme's ratio to the baseline, and the median of
 * the ratios within each repeat (the host's speed drifts from one repeat to the next).
 */
import { loadavg, availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { train, type VectorEnvKind } from '../src/train/run.ts';
import { readYamlMapping } from '../src/core/settings.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1]!;
}
function intFlag(name: string, fallback: number, min: number): number {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got '${flag(name, String(fallback))}'`);
    process.exit(2);
  }
  return v;
}

const quick = process.argv.includes('--quick');
const envId = flag('env', 'BipedImitate-v0');
// The first and the last iteration are left out of the rate: 3 at least.
const iterations = intFlag('iterations', quick ? 4 : 8, 3);
const repeats = intFlag('repeats', quick ? 2 : 3, 1);
const config = readYamlMapping(new URL('../scenarios/imitation/ppo.yaml', import.meta.url).pathname);
// The biped walk's settings (README "Motion imitation"); the humanoid runs used the file as it is.
const envOptions = envId === 'BipedImitate-v0' ? { actions: 'residual', refFrames: 1, residualScaleRad: 1 } : {};
const set = envId === 'BipedImitate-v0' ? { ...config, initLogStd: -1.9, annealLr: true } : config;
const batch = (config.numEnvs as number) * (config.numSteps as number);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** One training run of `iterations` PPO iterations (one segment): samples/s and CPU % between the end of the first iteration and the end of the next-to-last. */
async function run(kind: VectorEnvKind, updateThreads: number, seed: number): Promise<{ sps: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-bench-throughput-'));
  try {
    const marks: { step: number; wall: number; cpu: number }[] = [];
    await train(
      { env: envId, agent: 'ppo', steps: iterations * batch, seed, envOptions, set, out: join(dir, 'run'), vectorEnv: kind, updateThreads, checkpointEvery: iterations * batch },
      {
        onMetrics: (step, values) => {
          if (values['charts/SPS'] !== undefined) marks.push({ step, wall: performance.now() / 1000, cpu: cpuSeconds() });
        },
      },
    );
    const first = marks[0]!, last = marks[marks.length - 2]!;
    const wall = last.wall - first.wall;
    return { sps: (last.step - first.step) / wall, cpu: (100 * (last.cpu - first.cpu)) / wall };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`PPO training throughput on ${envId}: ${batch} samples an iteration, ${iterations} iterations a run (the first and the last left out), ${repeats} repeats`);
console.log(`cores: ${availableParallelism()}; load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const schemes = [
  { name: 'async (baseline)', kind: 'async', threads: 1 },
  { name: 'async, 2 update threads', kind: 'async', threads: 2 },
  { name: 'pipeline', kind: 'pipeline', threads: 1 },
  { name: 'pipeline, 2 update threads', kind: 'pipeline', threads: 2 },
] as const;
const results = schemes.map(() => ({ sps: [] as number[], cpu: [] as number[] }));
for (let r = 0; r < repeats; r++) {
  for (let k = 0; k < schemes.length; k++) {
    const i = (k + r) % schemes.length;
    const scheme = schemes[i]!;
    const x = await run(scheme.kind, scheme.threads, r);
    results[i]!.sps.push(x.sps);
    results[i]!.cpu.push(x.cpu);
    console.log(`  repeat ${r + 1} ${scheme.name.padEnd(27)} ${x.sps.toFixed(0).padStart(5)} samples/s, CPU ${x.cpu.toFixed(0)}%`);
  }
}
// The machine's speed drifts between repeats (a shared host): each repeat's ratio compares runs
// made minutes apart, and the median of those ratios is the figure to quote.
const baseline = median(results[0]!.sps);
console.log(`\n${'scheme'.padEnd(27)} samples/s   CPU (of ${100 * availableParallelism()}%)   / baseline: medians   median of each repeat's ratio`);
schemes.forEach((scheme, i) => {
  const sps = median(results[i]!.sps);
  const ratios = results[i]!.sps.map((x, r) => x / results[0]!.sps[r]!);
  console.log(`${scheme.name.padEnd(27)} ${sps.toFixed(0).padStart(9)}   ${median(results[i]!.cpu).toFixed(0).padStart(4)}%${' '.repeat(14)}${(sps / baseline).toFixed(2).padStart(5)}×${' '.repeat(12)}${median(ratios).toFixed(2).padStart(5)}× (${ratios.map((x) => x.toFixed(2)).join(', ')})`);
});
console.log(`load average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(0);
