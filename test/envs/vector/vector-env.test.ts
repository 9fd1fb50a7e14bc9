import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../fixtures/random-walk-env.ts';
import { SyncVectorEnv, AsyncVectorEnv, make } from '../../../src/envs/index.ts';
import { Rng } from '../../../src/core/rng.ts';
import { InvalidActionError } from '../../../src/core/errors.ts';

/** Runs a vector env for `steps` steps with seeded random actions; returns every number it gave. */
function trace(venv: { reset: Function; step: Function; numEnvs: number; actionDim: number }, steps: number, discrete: boolean) {
  const rng = new Rng(9);
  const out: number[] = [];
  const r0 = venv.reset({ seed: 100 });
  out.push(...r0.obs);
  const actions = new Float32Array(venv.numEnvs * venv.actionDim);
  const episodes: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < actions.length; i++) actions[i] = discrete ? rng.int(2) : rng.uniform(-1, 1);
    const r = venv.step(actions);
    out.push(...r.obs, ...r.rewards, ...r.terminated, ...r.truncated);
    for (const info of r.infos) if (info.episode) episodes.push(info.episode.r, info.episode.l);
  }
  return { out, episodes };
}

test('sub-env i is seeded with seed + i', () => {
  const venv = new SyncVectorEnv({ id: 'TestWalk-v0', numEnvs: 3 });
  const { obs } = venv.reset({ seed: 10 });
  for (let i = 0; i < 3; i++) {
    const single = make('TestWalk-v0');
    assert.equal(Array.from(obs.subarray(i * 2, i * 2 + 2)), Array.from(single.reset({ seed: 10 + i }).obs));
  }
  venv.close();
});

test('next-step autoreset: final obs on the ending step, reset obs with reward 0 on the next', () => {
  const venv = new SyncVectorEnv({ id: 'TestWalk-v0', numEnvs: 2, options: { bound: 1e9 }, maxEpisodeSteps: 3 });
  venv.reset({ seed: 0 });
  const a = new Float32Array([0, 0]);
  venv.step(a);
  venv.step(a);
  const end = venv.step(a);
  assert.equal(Array.from(end.truncated), [1, 1]);
  assert.ok(Math.abs(end.obs[1]! - 0.03) < 1e-6, 'final observation (t = 3) is returned');
  const after = venv.step(a);
  assert.equal(Array.from(after.truncated), [0, 0]);
  assert.equal(Array.from(after.rewards), [0, 0]);
  assert.is(after.obs[1], 0, 'reset observation (t = 0)');
  venv.close();
});

test('sync and async give the same numbers for the same seed (Box actions)', async () => {
  const config = { id: 'TestWalk-v0', numEnvs: 5 };
  const sync = new SyncVectorEnv(config);
  const asyncEnv = await AsyncVectorEnv.create(config, { workers: 2 });
  const a = trace(sync, 60, false);
  const b = trace(asyncEnv, 60, false);
  assert.equal(b.out, a.out);
  assert.equal(b.episodes, a.episodes);
  assert.ok(a.episodes.length > 0, 'episodes ended and were reported in infos');
  sync.close();
  asyncEnv.close();
  asyncEnv.close();
});

test('sync and async agree with Discrete actions, and worker errors come back as the same error', async () => {
  const config = { id: 'TestChain-v0', numEnvs: 4 };
  const sync = new SyncVectorEnv(config);
  const asyncEnv = await AsyncVectorEnv.create(config, { workers: 2 });
  assert.equal(trace(asyncEnv, 40, true).out, trace(sync, 40, true).out);
  assert.throws(() => asyncEnv.step(new Float32Array([0, 1, 5, 0])), (e: unknown) => e instanceof InvalidActionError && /action 5 is not in Discrete\(2\)/.test((e as Error).message));
  assert.throws(() => asyncEnv.step(new Float32Array(3)), /expected 4 action values/);
  sync.close();
  asyncEnv.close();
});

test('a bad env id fails before any worker starts', async () => {
  try {
    await AsyncVectorEnv.create({ id: 'Missing-v0', numEnvs: 2 });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /unknown env 'Missing-v0'/);
  }
});

test.run();
