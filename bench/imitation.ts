/**
 * `npm run bench -- imitation [--env BipedImitate-v0|HumanoidImitate-v0|both] [--envs 16]
 *   [--steps 64] [--repeats 3] [--physics-hz 120] [--ppo] [--quick]`
 *
 * Rollout throughput of the imitation envs, in samples a second (a sample is one 30 Hz control
 * step with its physics substeps, reading the state, the reference, the observation, the reward
 * and the fall check):
 *
 * 1. `SyncVectorEnv` (all sub-envs in this thread: the baseline) against `AsyncVectorEnv` (the
 *    sub-envs spread over one worker thread per core), same envs, same actions, in the same run;
 *    repeats alternate the two so background load hits both alike. Medians and the async / sync
 *    ratio. Wall-clock time: the async env's point is to use more than one core.
 *    The actions: residual PD targets with Gaussian noise (σ = 0.1), so episodes end in falls
 *    about as often as early in training (resets included in the time).
 * 2. With `--ppo`: one PPO iteration of the imitation settings (`scenarios/imitation/ppo.yaml`,
 *    4096 samples) through `train()`, async envs, and the share of it the rollout takes, i.e.
 *    what the policy and value networks and the update cost on top of the physics.
 *
 * The machine is shared: the figures are what the envs got, not what they would get alone. CPU
 * load is printed next to them.
 */
import { loadavg, availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import '../src/envs/imitation/index.ts';
import { Rng } from '../src/core/rng.ts';
import { AsyncVectorEnv } from '../src/envs/vector/async-vector-env.ts';
import { SyncVectorEnv } from '../src/envs/vector/sync-vector-env.ts';
import type { VectorEnv } from '../src/envs/vector/vector-env.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1]!;
}
function intFlag(name: string, fallback: number): number {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} must be a positive integer, got '${flag(name, '')}'`);
    process.exit(2);
  }
  return v;
}

const quick = process.argv.includes('--quick');
const envArg = flag('env', 'both');
const ids = envArg === 'both' ? ['BipedImitate-v0', 'HumanoidImitate-v0'] : [envArg];
const numEnvs = intFlag('envs', 16);
const vectorSteps = intFlag('steps', quick ? 16 : 64);
const repeats = intFlag('repeats', quick ? 1 : 3);
const physicsHz = intFlag('physics-hz', 120);
const options = { actions: 'residual', physicsHz };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * CPU milliseconds this process has used (user + system, every thread): on a shared machine
 * other processes stretch the wall clock but not this.
 */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Samples a second of `vec` over `vectorSteps` steps, after a warm-up: wall clock, and per CPU second. */
function rollout(vec: VectorEnv, rng: Rng): { wall: number; perCpu: number } {
  const actions = new Float32Array(vec.numEnvs * vec.actionDim);
  const step = () => {
    rng.fillNormal(actions, 0, 0.1);
    vec.step(actions);
  };
  for (let t = 0; t < 8; t++) step();
  const t0 = performance.now(), c0 = cpuMs();
  for (let t = 0; t < vectorSteps; t++) step();
  const samples = vectorSteps * vec.numEnvs;
  return { wall: samples / ((performance.now() - t0) / 1000), perCpu: samples / ((cpuMs() - c0) / 1000) };
}

console.log(`imitation rollout throughput: ${numEnvs} sub-envs, ${vectorSteps} vector steps per repeat, ${repeats} repeats, ${physicsHz} Hz physics, residual actions + N(0, 0.1)`);
console.log(`cores: ${availableParallelism()}; load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const id of ids) {
  const sync = new SyncVectorEnv({ id, numEnvs, options });
  const async = await AsyncVectorEnv.create({ id, numEnvs, options });
  sync.reset({ seed: 0 });
  async.reset({ seed: 0 });
  const rs: number[] = [], ra: number[] = [], cs: number[] = [], ca: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const x = rollout(sync, new Rng(r));
    const y = rollout(async, new Rng(r));
    rs.push(x.wall); cs.push(x.perCpu);
    ra.push(y.wall); ca.push(y.perCpu);
  }
  sync.close();
  async.close();
  const s = median(rs), a = median(ra);
  console.log(`${id.padEnd(20)} wall clock: sync ${s.toFixed(0).padStart(5)} samples/s, async ${a.toFixed(0).padStart(5)} samples/s, async/sync ${(a / s).toFixed(2)}   (repeats: sync ${rs.map((x) => x.toFixed(0)).join(', ')}; async ${ra.map((x) => x.toFixed(0)).join(', ')})`);
  // Per CPU second: the cost of a sample whatever the load; × cores = the rate with the machine to ourselves.
  const pc = median(cs), pa = median(ca);
  console.log(`${''.padEnd(20)} per CPU second: sync ${pc.toFixed(0).padStart(5)}, async ${pa.toFixed(0).padStart(5)} (async overhead ${(100 * (1 - pa / pc)).toFixed(0)}%); on ${availableParallelism()} free cores async would give about ${(pa * availableParallelism()).toFixed(0)} samples/s`);
}
console.log(`load average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

if (process.argv.includes('--ppo')) {
  const { train } = await import('../src/train/run.ts');
  const { readYamlMapping } = await import('../src/core/settings.ts');
  const config = readYamlMapping(new URL('../scenarios/imitation/ppo.yaml', import.meta.url).pathname);
  for (const id of ids) {
    const dir = mkdtempSync(join(tmpdir(), 'gymnast-bench-imitation-'));
    try {
      const batch = (config.numEnvs as number) * (config.numSteps as number);
      let sps = 0;
      await train(
        { env: id, agent: 'ppo', steps: 2 * batch, seed: 0, envOptions: { physicsHz }, set: config, out: join(dir, 'run'), vectorEnv: 'async', checkpointEvery: 2 * batch },
        { onMetrics: (_step, v) => { if (v['charts/SPS'] !== undefined) sps = v['charts/SPS']; } },
      );
      // Rollout alone at the same size, async, for the split.
      const vec = await AsyncVectorEnv.create({ id, numEnvs: config.numEnvs as number, options: { physicsHz } });
      vec.reset({ seed: 0 });
      const rollSps = rollout(vec, new Rng(0)).wall;
      vec.close();
      const iterSeconds = batch / sps, rollSeconds = batch / rollSps;
      console.log(`${id.padEnd(20)} PPO iteration (second of two): ${sps} samples/s overall, ${iterSeconds.toFixed(1)} s per ${batch} samples; rollout alone ${rollSeconds.toFixed(1)} s (${(100 * rollSeconds / iterSeconds).toFixed(0)}%), networks + update ≈ ${(iterSeconds - rollSeconds).toFixed(1)} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
