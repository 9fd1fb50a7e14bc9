/**
 * Learning benchmarks: env steps and wall-clock seconds until the greedy policy's evaluation mean
 * return (10 episodes, every `--eval-every` steps) reaches a target, per seed, with the median over
 * seeds; the random policy's mean return on the same env is the baseline printed beside it.
 *
 *   npm run bench -- agents --agent dqn --env CartPole-v1 --steps 50000 --target 475 --seeds 0,1,2
 *   npm run bench -- agents --agent ppo --env CartPole-v1 --steps 100000 --target 475
 *   npm run bench -- agents --agent a2c --env CartPole-v1 --steps 200000 --target 475 --eval-every 10000
 *   npm run bench -- agents --agent reinforce --env CartPole-v1 --steps 300000 --target 475 --eval-every 10000
 *   npm run bench -- agents --agent ppo --env Pendulum-v1 --steps 200000 --target -250 --eval-every 10000
 *   npm run bench -- agents --agent ppo --env Ant-v1 --steps 100000 --eval-every 10000   (a curve: no target)
 *
 * A run stops at the first evaluation that reaches the target (no target: runs all steps and
 * prints the curve). Runs are sequential, one process: the machine is shared.
 * `--set key=value` passes hyperparameters; `--json FILE` writes every evaluation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train } from '../src/train/run.ts';
import { parseKeyValues } from '../src/core/settings.ts';
import { make } from '../src/envs/registry.ts';
import { randomRollout, mean } from '../src/envs/rollout.ts';
import { describeBackend } from '../src/nn/backend.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const sets: string[] = [];
process.argv.forEach((a, i) => a === '--set' && sets.push(process.argv[i + 1]!));

const agent = arg('agent') ?? 'ppo';
const env = arg('env') ?? 'CartPole-v1';
const steps = Number(arg('steps') ?? 100_000);
const target = arg('target') === undefined ? null : Number(arg('target'));
const seeds = (arg('seeds') ?? '0,1,2').split(',').map(Number);
const evalEvery = Number(arg('eval-every') ?? 5000);
const jsonFile = arg('json');

class Reached extends Error {}

const baselineEnv = make(env);
const baseline = mean(randomRollout(baselineEnv, 20, 0).returns);
baselineEnv.close();

interface SeedResult {
  seed: number;
  reached: boolean;
  stepsToTarget: number | null;
  secondsToTarget: number | null;
  best: number;
  curve: { step: number; seconds: number; mean_return: number }[];
}
const results: SeedResult[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'gymnast-bench-'));
for (const seed of seeds) {
  const t0 = performance.now();
  const r: SeedResult = { seed, reached: false, stepsToTarget: null, secondsToTarget: null, best: -Infinity, curve: [] };
  try {
    await train(
      { env, agent, steps, seed, set: parseKeyValues(sets, '--set'), out: join(tmp, `${agent}-${seed}`), checkpointEvery: evalEvery, evalEpisodes: 10 },
      {
        onStart: ({ backend, config }) => {
          if (seed === seeds[0]) console.log(`backend: ${describeBackend(backend)}\n${agent} on ${env}: ${JSON.stringify(config.config)}`);
        },
        onCheckpoint: (c) => {
          const seconds = (performance.now() - t0) / 1000;
          const m = c.eval!.mean_return;
          r.curve.push({ step: c.step, seconds: Math.round(seconds * 10) / 10, mean_return: Math.round(m * 10) / 10 });
          r.best = Math.max(r.best, m);
          console.log(`  seed ${seed}  step ${c.step}  ${seconds.toFixed(0)} s  eval mean return ${m.toFixed(1)}`);
          if (target !== null && m >= target) {
            r.reached = true;
            r.stepsToTarget = c.step;
            r.secondsToTarget = seconds;
            throw new Reached();
          }
        },
      },
    );
  } catch (err) {
    if (!(err instanceof Reached)) throw err;
  }
  results.push(r);
}
rmSync(tmp, { recursive: true, force: true });

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
console.log(`\n${agent} on ${env}, ${steps} steps max, evaluation every ${evalEvery} steps (10 greedy episodes)`);
console.log(`baseline: random policy mean return ${baseline.toFixed(1)} (20 episodes)`);
for (const r of results) {
  console.log(`  seed ${r.seed}: ${r.reached ? `target ${target} reached at ${r.stepsToTarget} steps, ${r.secondsToTarget!.toFixed(0)} s` : `best eval ${r.best.toFixed(1)}${target !== null ? ` (target ${target} not reached)` : ''}`}`);
}
if (target !== null) {
  const reached = results.filter((r) => r.reached);
  console.log(`reached ${reached.length}/${results.length} seeds; median steps to target ${median(reached.map((r) => r.stepsToTarget!))}, median seconds ${median(reached.map((r) => r.secondsToTarget!)).toFixed(0)}`);
}
console.log(`median best eval ${median(results.map((r) => r.best)).toFixed(1)} vs random ${baseline.toFixed(1)}`);
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ agent, env, steps, target, evalEvery, baseline, results }, null, 1));
