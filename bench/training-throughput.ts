/**
 * `npm run bench -- training-throughput [--env BipedImitate-v0|HumanoidImitate-v0] [--iterations 6]
 *   [--repeats 3] [--quick]`
 *
 * Training samples a second of PPO on an imitation task with the README's settings
 * (`scenarios/imitation/ppo.yaml`, 16 envs × 256 steps = 4096 samples an iteration, and the biped
 * walk's env options), through `train()` as the CLI runs it, in two schemes side by side:
 *
 * - `async` (the baseline): the sub-envs step in worker threads; the trainer's thread runs the
 *   policy between vector steps, then the update while the workers wait.
 * - `pipeline`: the workers run the policy themselves and collect rollout k + 1 while the trainer
 *   runs update k (src/train/rollout-pool.ts).
 *
 * Each repeat runs both, alternating which goes first, so background load hits both alike. A run's
 * rate is measured from the end of its first iteration (start-up, worker and WASM warm-up left
 * out) to the end of its next-to-last: the steady state. (The pipeline drains before each
 * checkpoint: the last update of a segment has no rollout beside it. With the README's
 * checkpoints, every 500 k samples, that is one iteration in 122.) CPU use over the same window, in %
 * of one core. Medians over the repeats and the pipeline / async ratio.
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
function intFlag(name: string, fallback: number): number {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isInteger(v) || v < 3) {
    console.error(`--${name} must be an integer ≥ 3, got '${flag(name, '')}'`);
    process.exit(2);
  }
  return v;
}

const quick = process.argv.includes('--quick');
const envId = flag('env', 'BipedImitate-v0');
const iterations = intFlag('iterations', quick ? 4 : 8);
const repeats = intFlag('repeats', quick ? 2 : 3);
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
async function run(kind: VectorEnvKind, seed: number): Promise<{ sps: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-bench-throughput-'));
  try {
    const marks: { step: number; wall: number; cpu: number }[] = [];
    await train(
      { env: envId, agent: 'ppo', steps: iterations * batch, seed, envOptions, set, out: join(dir, 'run'), vectorEnv: kind, checkpointEvery: iterations * batch },
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
const results: Record<'async' | 'pipeline', { sps: number[]; cpu: number[] }> = { async: { sps: [], cpu: [] }, pipeline: { sps: [], cpu: [] } };
for (let r = 0; r < repeats; r++) {
  const order: ('async' | 'pipeline')[] = r % 2 === 0 ? ['async', 'pipeline'] : ['pipeline', 'async'];
  for (const kind of order) {
    const x = await run(kind, r);
    results[kind].sps.push(x.sps);
    results[kind].cpu.push(x.cpu);
    console.log(`  repeat ${r + 1} ${kind.padEnd(8)} ${x.sps.toFixed(0).padStart(5)} samples/s, CPU ${x.cpu.toFixed(0)}%`);
  }
}
const a = median(results.async.sps), p = median(results.pipeline.sps);
console.log(`async (baseline)  ${a.toFixed(0).padStart(5)} samples/s, CPU ${median(results.async.cpu).toFixed(0)}% of ${100 * availableParallelism()}%`);
console.log(`pipeline          ${p.toFixed(0).padStart(5)} samples/s, CPU ${median(results.pipeline.cpu).toFixed(0)}% of ${100 * availableParallelism()}%`);
console.log(`pipeline / async  ${(p / a).toFixed(2)}×  (medians)`);
console.log(`load average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(0);
