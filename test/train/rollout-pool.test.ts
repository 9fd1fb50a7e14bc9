import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/envs/imitation/index.ts';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { Mlp } from '../../src/nn/mlp.ts';
import { GaussianHead } from '../../src/nn/distributions.ts';
import { RolloutPool } from '../../src/train/rollout-pool.ts';
import { train, type TrainArgs } from '../../src/train/run.ts';
import { readMetrics } from '../../src/train/metrics.ts';
import { latestCheckpoint } from '../../src/nn/checkpoint.ts';
import type { RolloutRequest } from '../../src/agents/policy-rollouts.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-pool-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const biped = { id: 'BipedImitate-v0', numEnvs: 3, options: { actions: 'residual', episodeSeconds: 1 } };

/** A random actor for the biped and the request that hands it to the workers. */
function policy(seed: number) {
  const actor = new Mlp('actor', { sizes: [106, 16, 17], activation: 'relu' }, new Rng(seed));
  const head = new GaussianHead(17, 'actor', -1);
  const request: RolloutRequest = {
    policy: { sizes: [106, 16, 17], activation: 'relu', head: 'gaussian', weights: [...actor.params, ...head.params].map((p) => (p.variable.dataSync() as Float32Array).slice()), obsNorm: null },
    seed: 11,
    sampleCount: 0,
  };
  return { actor, head, request };
}

/** An episode's statistics carry its wall-clock duration (`episode.t`, as Gymnasium's): not part of what must repeat. */
function withoutWallClock(item: { t: number; env: number; info: Record<string, unknown> }) {
  const episode = item.info.episode as Record<string, unknown> | undefined;
  if (!episode) return item;
  const { t, ...rest } = episode;
  void t;
  return { ...item, info: { ...item.info, episode: rest } };
}

test('a rollout depends on its seed and policy only: 1 worker and 3 workers collect the same arrays; its log-probabilities are the acting policy\'s', async () => {
  await initBackend('wasm');
  const { actor, head, request } = policy(1);
  const collect = async (workers: number) => {
    const pool = await RolloutPool.create(biped, 20, { workers, backend: 'wasm' });
    try {
      const reset = pool.resetAll(4, 0);
      pool.start(request);
      const r = pool.finish();
      return { reset, obs: r.obs.slice(), actions: r.actions.slice(), logprobs: r.logprobs.slice(), rewards: r.rewards.slice(), dones: r.dones.slice(), valid: r.valid.slice(), infos: r.infos.map(withoutWallClock) };
    } finally {
      pool.close();
    }
  };
  const one = await collect(1);
  const three = await collect(3);
  assert.equal(three, one);
  // 1 s episodes of 30 Hz control: some end within 20 steps, and the step after is an autoreset step.
  assert.ok(one.dones.some((d) => d === 1), 'an episode ended');
  assert.ok(one.valid.some((v) => v === 0), 'an autoreset step is marked');
  assert.ok(one.infos.some((i) => i.info.episode !== undefined), 'its episode statistics came back');
  // The reset observations are the first network inputs (no normalization in this request).
  assert.equal(one.obs.subarray(0, 3 * 106), one.reset);
  // The ratio's denominator: the stored log-probabilities are the acting policy's on the stored inputs.
  const rows = 20 * 3;
  const expected = new Float32Array(rows);
  head.logProb(actor.forward(one.obs.subarray(0, rows * 106), rows), rows, one.actions, expected);
  for (let k = 0; k < rows; k++) assert.ok(Math.abs(expected[k]! - one.logprobs[k]!) < 1e-4, `row ${k}: ${expected[k]} vs ${one.logprobs[k]}`);
});

test('a pipelined PPO run killed after its first checkpoint and resumed ends exactly as the uninterrupted one', async () => {
  const args: TrainArgs = {
    env: 'BipedImitate-v0', agent: 'ppo', steps: 1024, seed: 5, checkpointEvery: 512, vectorEnv: 'pipeline',
    envOptions: { actions: 'residual', curriculumSamples: 1024, curriculumStartSeconds: 0.2, episodeSeconds: 1 },
    set: { numEnvs: 4, numSteps: 64, hidden: [16, 16], updateEpochs: 1, numMinibatches: 2, normalizeObs: true, normalizeReward: true },
  };
  const whole = join(tmp, 'whole');
  await train({ ...args, out: whole });
  const killed = join(tmp, 'killed');
  let checkpoints = 0;
  await train({ ...args, out: killed }, {
    onCheckpoint: () => {
      if (++checkpoints === 1) throw new Error('simulated kill');
    },
  }).then(() => assert.unreachable('should stop'), (e: Error) => assert.is(e.message, 'simulated kill'));
  await train({ resume: killed } as TrainArgs);
  const bytes = (dir: string, file: string) => readFileSync(join(latestCheckpoint(join(dir, 'checkpoints'))!, file));
  assert.ok(bytes(whole, 'weights.bin').equals(bytes(killed, 'weights.bin')), 'final weights identical');
  assert.ok(bytes(whole, 'optimizer.bin').equals(bytes(killed, 'optimizer.bin')), 'final optimizer state identical');
  const metrics = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).map(({ time, ['charts/SPS']: sps, ...rest }) => (void time, void sps, rest));
  assert.equal(metrics(killed), metrics(whole));
  // Episodes are reported at the sample count they ended at, in order, before the update of their rollout.
  const steps = metrics(whole).map((m) => m.step);
  assert.equal(steps, [...steps].sort((a, b) => a - b));
  assert.ok(metrics(whole).filter((m) => m['charts/episodic_return'] !== undefined).length > 4, 'episodes reported');
  assert.equal(JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8')).vectorEnv, 'pipeline');
  // The second segment's reset happens at sample count 512, where the curriculum sets episodes of
  // 0.2 + 0.8 · 512 / 1024 = 0.6 s (not the 0.2 s of count 0). The first episode to end in that
  // segment began at that reset.
  const firstOfSecond = metrics(whole).find((m) => m.step > 512 && m['charts/episode_seconds'] !== undefined)!;
  assert.ok(Math.abs(firstOfSecond['charts/episode_seconds']! - 0.6) < 1e-9, `episode_seconds ${firstOfSecond['charts/episode_seconds']}`);
});

test('an agent that steps envs one vector step at a time is refused the pipeline env, naming the choices', async () => {
  const err = await train({ env: 'CartPole-v1', agent: 'dqn', steps: 100, vectorEnv: 'pipeline', out: join(tmp, 'dqn') }).then(
    () => null,
    (e: Error) => e,
  );
  assert.instance(err, UsageError);
  assert.match(err!.message, /agent 'dqn' cannot train on the pipeline vector env.*sync or async/);
});

test.run();
