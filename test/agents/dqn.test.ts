import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { dqn, dqnSchema } from '../../src/agents/dqn.ts';
import { Box, Discrete } from '../../src/core/spaces.ts';
import { counterValue } from './toy-envs.ts';
import { UsageError } from '../../src/core/errors.ts';
import type { Env, StepResult } from '../../src/envs/env.ts';
import { register } from '../../src/envs/registry.ts';
import { assertDisposeFrees, assertGreedyPolicyActs, makeAgent, meanLast } from './harness.ts';
import { assertGradsClose, autodiff, mlp, recordSteps } from './grad-check.ts';
import type { Param } from '../../src/nn/mlp.ts';
import { Rng } from '../../src/core/rng.ts';
import { SyncVectorEnv } from '../../src/envs/vector/sync-vector-env.ts';
import { argmaxRows } from '../../src/nn/distributions.ts';

await initBackend('wasm');

test('schema: CleanRL defaults; discrete actions only', () => {
  const d = dqnSchema.parse({});
  assert.equal([d.learningRate, d.bufferSize, d.gamma, d.tau, d.targetNetworkFrequency, d.batchSize, d.startE, d.endE, d.explorationFraction, d.learningStarts, d.trainFrequency], [2.5e-4, 10000, 0.99, 1, 500, 128, 1, 0.05, 0.5, 10000, 10]);
  for (const [k, f] of Object.entries(dqnSchema.shape)) assert.ok((f as { description?: string }).description, `${k} has a description`);
  assert.match(dqn.supports(new Box(-1, 1, [3]), new Box(-1, 1, [1]))!, /DQN needs a Discrete action space, the env has Box/);
  assert.is(dqn.supports(new Box(-1, 1, [3]), new Discrete(3)), null);
  assert.is(dqnSchema.safeParse({ tau: 0 }).success, false);
});

const fast = { learningStarts: 100, trainFrequency: 1, batchSize: 32, learningRate: 2e-3, targetNetworkFrequency: 50, hidden: [32], bufferSize: 5000, explorationFraction: 0.3 };

for (const [envId, terminal] of [['TestCounter-v0', false], ['TestCounterTerminal-v0', true]] as const) {
  test(`${terminal ? 'termination does not bootstrap' : 'truncation bootstraps'} (Q values on ${envId})`, async () => {
    const h = makeAgent(dqn, envId, { ...fast, gamma: 0.9, numEnvs: 2 }, 4000);
    await h.agent.train(4000);
    const obs = terminal ? Float32Array.from([0, 0.2, 0.4, 0.6, 0.8]) : new Float32Array(5).fill(0.5);
    const q = (h.agent as any).qNetwork.forward(obs, 5) as Float32Array;
    for (let t = 0; t < 5; t++) {
      const want = counterValue(t, 0.9, terminal);
      for (let a = 0; a < 2; a++) assert.ok(Math.abs(q[t * 2 + a]! - want) < 0.15 * want + 0.2, `Q(t=${t}, a=${a}) = ${q[t * 2 + a]!.toFixed(2)}, expected ${want.toFixed(2)}`);
    }
    h.close();
  });
}

for (const variant of [{ doubleDqn: true, tau: 1, loss: 'huber' }, { doubleDqn: false, tau: 0.1, loss: 'mse' }]) {
  test(`learns a discrete task (${JSON.stringify(variant)}), no tensor leak`, async () => {
    const h = makeAgent(dqn, 'TestSign-v0', { ...fast, ...variant, numEnvs: 4 }, 3000);
    await h.agent.train(400);
    const tensors = tf.memory().numTensors;
    await h.agent.train(3000);
    assert.is(tf.memory().numTensors, tensors);
    const out = new Float32Array(2);
    h.agent.act(Float32Array.of(1, -1), 2, out, true);
    assert.equal(Array.from(out), [1, 0]);
    assert.ok(meanLast(h.episodes, 100) > 0.8, `mean return ${meanLast(h.episodes, 100)} (ε ends at 0.05)`);
    const last = h.metrics.at(-1)!.values;
    for (const t of ['losses/td_loss', 'losses/q_values', 'charts/epsilon', 'charts/SPS']) assert.ok(t in last, t);
    h.close();
  });
}

test('checkpoint and restore: the same greedy actions, replay buffer and counters', async () => {
  const a = makeAgent(dqn, 'TestSign-v0', { ...fast, numEnvs: 2 }, 1000);
  await a.agent.train(600);
  const data = a.agent.checkpoint();
  const b = makeAgent(dqn, 'TestSign-v0', { ...fast, numEnvs: 2 }, 1000, 99);
  b.agent.restore(data, 'test');
  assert.is(b.agent.globalStep, a.agent.globalStep);
  const obs = Float32Array.of(1, -1, 0.5, -0.2);
  const qa = (a.agent as any).qNetwork.forward(obs, 4), qb = (b.agent as any).qNetwork.forward(obs, 4);
  assert.equal(Array.from(qb), Array.from(qa));
  // Both continue identically from here.
  a.agent.resetEnvs(5);
  b.agent.resetEnvs(5);
  await a.agent.train(1000);
  await b.agent.train(1000);
  assert.equal(Array.from((b.agent as any).qNetwork.forward(obs, 4)), Array.from((a.agent as any).qNetwork.forward(obs, 4)));
  a.close();
  b.close();
});

/** 20 observations, 2 actions: wide enough for the schema's largest bufferSize to go past the bound. */
class Wide implements Env<Float32Array, number> {
  readonly id = 'TestWide-v0';
  readonly observationSpace = new Box(-1, 1, [20]);
  readonly actionSpace = new Discrete(2);
  reset() {
    return { obs: new Float32Array(20), info: {} };
  }
  step(): StepResult<Float32Array> {
    return { obs: new Float32Array(20), reward: 0, terminated: true, truncated: false, info: {} };
  }
  close() {}
}
register({ id: 'TestWide-v0', create: () => new Wide(), description: '20 zeros', module: import.meta.url, family: 'test' });

test('bufferSize is bounded before allocating: 2^28 numbers, the field and the largest size for the env named', () => {
  const tensors = tf.memory().numTensors;
  // 10^7 transitions × (2 × 20 + 3) = 4.3e8 numbers > 2^28 = 268435456; at most floor(2^28 / 43) = 6242685.
  assert.throws(
    () => makeAgent(dqn, 'TestWide-v0', { ...fast, bufferSize: 10_000_000 }, 1000),
    (e: unknown) => e instanceof UsageError && /dqn: bufferSize 10000000 × 43 numbers a transition .* over the 268435456 .* bufferSize at most 6242685 for this env/.test(e.message),
  );
  assert.is(tf.memory().numTensors, tensors, 'no network made before the refusal');
});

// The TD loss of Stable-Baselines3's DQN.train (stable_baselines3/dqn/dqn.py, with the double-DQN
// target of van Hasselt et al. 2016 when doubleDqn), written in tfjs:
//   a' = argmax_a Q_online(s', a) (double) or argmax_a Q_target(s', a); y = r + γ·(1 − terminated)·Q_target(s', a')
//   loss = mean(smooth_l1(Q(s, a) − y)) with β = 1 (huber), or mean((Q(s, a) − y)²) (mse)
// The target network never updates here (targetNetworkFrequency past the run), so it keeps the
// Q network's first weights: the parameters of the first recorded step.
// Small steps keep |Q(s, a) − y| on both sides of 1 for Huber; large ones make the online net and
// the target net disagree on a' for double DQN.
for (const [loss, doubleDqn, lr] of [['huber', true, 1e-3], ['mse', true, 0.05], ['huber', false, 1e-3], ['mse', false, 0.05]] as const) {
  test(`the last gradient step is tf.grads of SB3's TD loss (${loss}, ${doubleDqn ? 'double DQN' : 'max of the target net'})`, async () => {
    const gamma = 0.95;
    const cfg = { learningRate: lr, learningStarts: 16, trainFrequency: 1, batchSize: 24, targetNetworkFrequency: 1_000_000, gamma, maxGradNorm: 1e9, hidden: [8], loss, doubleDqn };
    const h = makeAgent(dqn, 'TestCounterTerminal-v0', cfg, 60, 1);
    const q = (h.agent as unknown as { qNetwork: { params: Param[] } }).qNetwork;
    const { steps, shapes } = recordSteps(h.agent, q.params);
    const reported = spy(h.agent).updates;
    await h.agent.train(60);
    assert.ok(steps.length >= 10, `${steps.length} gradient steps`);
    const b = (h.agent as unknown as { batch: { obs: Float32Array; nextObs: Float32Array; actions: Int32Array; rewards: Float32Array; terminated: Float32Array } }).batch;
    const B = 24, k = 2;
    assert.ok(b.terminated.some((t) => t === 1) && b.terminated.some((t) => t === 0), 'the batch holds both kinds of transition');
    const last = steps.at(-1)!;
    const target = steps[0]!.params.map((p, i) => tf.tensor(p, shapes[i]));
    const diffs: number[] = [];
    const qsas: number[] = [];
    // The next action: a constant of the loss, chosen by the online net of that step (double DQN)
    // or by the target net.
    const online = last.params.map((p, i) => tf.tensor(p, shapes[i]));
    const aNext = tf.argMax(mlp(tf.tensor2d(b.nextObs, [B, 1]), doubleDqn ? online : target, 'relu'), 1);
    if (lr > 0.01) {
      // Large steps: the two nets choose differently somewhere, so choosing with the wrong one shows.
      const [byOnline, byTarget] = [online, target].map((ps) => tf.argMax(mlp(tf.tensor2d(b.nextObs, [B, 1]), ps, 'relu'), 1));
      assert.ok(tf.notEqual(byOnline!, byTarget!).any().dataSync()[0], 'the online and target nets choose differently somewhere');
      tf.dispose([byOnline!, byTarget!]);
    }
    const want = autodiff(last, shapes, (ps) => {
      const qNext = mlp(tf.tensor2d(b.nextObs, [B, 1]), target, 'relu');
      const y = tf.add(tf.tensor1d(b.rewards), tf.mul(tf.mul(gamma, tf.sub(1, tf.tensor1d(b.terminated))), tf.sum(tf.mul(qNext, tf.oneHot(aNext, k)), 1)));
      const qsa = tf.sum(tf.mul(mlp(tf.tensor2d(b.obs, [B, 1]), ps, 'relu'), tf.oneHot(tf.tensor1d(b.actions, 'int32'), k)), 1);
      const d = tf.sub(qsa, y);
      diffs.push(...d.dataSync());
      qsas.push(...qsa.dataSync());
      const ad = tf.abs(d);
      // smooth_l1 with β = 1: ½d² where |d| < 1, |d| − ½ elsewhere; with c = min(|d|, 1) that is ½c² + |d| − c.
      const c = tf.minimum(ad, 1);
      const per = loss === 'huber' ? tf.add(tf.mul(0.5, tf.square(c)), tf.sub(ad, c)) : tf.square(d);
      return tf.mean(per) as tf.Scalar;
    });
    tf.dispose([...target, ...online, aNext]);
    if (loss === 'huber') assert.ok(diffs.some((d) => Math.abs(d) > 1) && diffs.some((d) => Math.abs(d) < 1), `both Huber branches: ${diffs.map((d) => d.toFixed(2))}`);
    // The update reports that loss and the mean of Q(s, a), before its step.
    const per = diffs.map((d) => (loss === 'huber' ? (Math.abs(d) <= 1 ? 0.5 * d * d : Math.abs(d) - 0.5) : d * d));
    const last_ = reported.at(-1)!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(last_.loss - mean(per)) < 1e-5 * (1 + mean(per)), `loss ${last_.loss} against ${mean(per)}`);
    assert.ok(Math.abs(last_.meanQ - mean(qsas)) < 1e-5 * (1 + Math.abs(mean(qsas))), `mean Q ${last_.meanQ} against ${mean(qsas)}`);
    assertGradsClose(last.grads, want, `${loss}, lr ${lr}`);
    h.close();
  });
}

test('greedyPolicy() is act(…, true) as numbers: argmax over the Q network', async () => {
  await initBackend('wasm');
  const h = makeAgent(dqn, 'CartPole-v1', { numEnvs: 1, hidden: [16], learningStarts: 50, bufferSize: 500, trainFrequency: 1, learningRate: 0.01 }, 300, 4);
  await h.agent.train(300);
  const p = assertGreedyPolicyActs(h.agent, h.env, 50, 9);
  assert.equal(p.action, { kind: 'argmax' });
  assert.is(p.outputs, 2);
  assert.equal(p.sizes, [4, 16, 2]);
  assert.is(p.obsNorm, null);
  h.close();
});


test("every default is CleanRL's dqn.py (Args) or says where it comes from; per-env defaults are rl-baselines3-zoo's", () => {
  // vwxyzjn/cleanrl cleanrl/dqn.py Args: num_envs 1, learning_rate 2.5e-4, buffer_size 10000, gamma
  // 0.99, tau 1.0, target_network_frequency 500, batch_size 128, start_e 1, end_e 0.05,
  // exploration_fraction 0.5, learning_starts 10000, train_frequency 10; its QNetwork: 120 → 84,
  // ReLU; one gradient step a training phase. Not CleanRL's: double DQN and the Huber loss
  // (Stable-Baselines3's DQN uses smooth L1; CleanRL squared error), SB3's max_grad_norm 10.
  assert.equal(dqnSchema.parse({}), {
    numEnvs: 1, learningRate: 2.5e-4, bufferSize: 10_000, gamma: 0.99, tau: 1, targetNetworkFrequency: 500, batchSize: 128, startE: 1, endE: 0.05,
    explorationFraction: 0.5, learningStarts: 10_000, trainFrequency: 10, gradientSteps: 1, doubleDqn: true, loss: 'huber', maxGradNorm: 10, hidden: [120, 84], activation: 'relu',
  });
  for (const ok of [{ hidden: [32, 32] }, { activation: 'tanh' }, { loss: 'mse' }, { tau: 0.5 }, { bufferSize: 10_000_000 }]) assert.ok(dqnSchema.safeParse(ok).success, JSON.stringify(ok));
  for (const bad of [{ activation: 'elu' }, { loss: 'l1' }, { tau: 1.5 }, { bufferSize: 10_000_001 }, { hidden: [] }]) assert.not.ok(dqnSchema.safeParse(bad).success, JSON.stringify(bad));
  assert.is(dqn.name, 'dqn');
  assert.match(dqn.description, /Deep Q-Network/);
  // rl-baselines3-zoo hyperparams/dqn.yml: CartPole-v1 lr 2.3e-3, batch 64, buffer 100000,
  // learning_starts 1000, gamma 0.99, target_update_interval 10, train_freq 256, gradient_steps
  // 128, exploration_fraction 0.16, exploration_final_eps 0.04, net_arch [256, 256]; Acrobot-v1 lr
  // 6.3e-4, batch 128, buffer 50000, learning_starts 0, gamma 0.99, target_update_interval 250,
  // train_freq 4, gradient_steps 4, exploration_fraction 0.12, exploration_final_eps 0.1, [256, 256].
  assert.equal(dqn.envDefaults, {
    'CartPole-v1': { learningRate: 2.3e-3, batchSize: 64, bufferSize: 100_000, learningStarts: 1000, gamma: 0.99, targetNetworkFrequency: 10, trainFrequency: 256, gradientSteps: 128, explorationFraction: 0.16, endE: 0.04, hidden: [256, 256] },
    'Acrobot-v1': { learningRate: 6.3e-4, batchSize: 128, bufferSize: 50_000, learningStarts: 0, gamma: 0.99, targetNetworkFrequency: 250, trainFrequency: 4, gradientSteps: 4, explorationFraction: 0.12, endE: 0.1, hidden: [256, 256] },
  });
});

/** Spies on a DQN agent's internals: the sample count at each gradient step and target update, and each update's loss. */
function spy(agent: unknown) {
  const inner = agent as { globalStep: number; update(): { loss: number; meanQ: number }; targetNetwork: { copyFrom(o: unknown): void; polyakFrom(o: unknown, tau: number): void } };
  const updates: { step: number; loss: number; meanQ: number }[] = [];
  const copies: number[] = [];
  const polyak: [number, number][] = [];
  const update = inner.update.bind(inner);
  inner.update = () => {
    const r = update();
    updates.push({ step: inner.globalStep, ...r });
    return r;
  };
  const net = inner.targetNetwork;
  const [copy, average] = [net.copyFrom.bind(net), net.polyakFrom.bind(net)];
  net.copyFrom = (o) => (copies.push(inner.globalStep), copy(o));
  net.polyakFrom = (o, tau) => (polyak.push([inner.globalStep, tau]), average(o, tau));
  return { updates, copies, polyak };
}

test('the schedule: gradientSteps updates every trainFrequency samples once past learningStarts, the target every targetNetworkFrequency, ε linear, metrics with the mean loss of their updates', async () => {
  // 2 envs: the count goes 2, 4, 6, …; learning starts once it is past 10 (12), and from there
  // trainFrequency 4 and targetNetworkFrequency 6 are counted in samples (SB3's train_freq and
  // target_update_interval with several envs; CleanRL's dqn.py has one env and the same spacing).
  const cfg = { numEnvs: 2, learningStarts: 10, trainFrequency: 4, gradientSteps: 2, targetNetworkFrequency: 6, batchSize: 4, hidden: [4], startE: 1, endE: 0.1, explorationFraction: 1 };
  for (const tau of [1, 0.5]) {
    const h = makeAgent(dqn, 'TestCounterTerminal-v0', { ...cfg, tau }, 40);
    const s = spy(h.agent);
    await h.agent.train(20);
    await h.agent.train(40);
    assert.equal(s.updates.map((u) => u.step), [14, 14, 18, 18, 22, 22, 26, 26, 30, 30, 34, 34, 38, 38]);
    if (tau === 1) assert.equal([s.copies, s.polyak], [[16, 22, 28, 34, 40], []]);
    else assert.equal([s.copies, s.polyak], [[], [[16, 0.5], [22, 0.5], [28, 0.5], [34, 0.5], [40, 0.5]]]);
    // One metrics line per train() call here (each ends before 1000 samples): ε of the last
    // step's choice, made at 18 and 38 samples, 1 + (0.1 − 1)·t/40 (CleanRL's linear_schedule
    // over exploration_fraction · total_timesteps); the losses are the means of that line's updates.
    assert.equal(h.metrics.map((m) => m.step), [20, 40]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [first, second] = [s.updates.slice(0, 4), s.updates.slice(4)];
    const want = [
      { 'losses/td_loss': mean(first.map((u) => u.loss)), 'losses/q_values': mean(first.map((u) => u.meanQ)), 'charts/epsilon': 1 - (0.9 * 18) / 40 },
      { 'losses/td_loss': mean(second.map((u) => u.loss)), 'losses/q_values': mean(second.map((u) => u.meanQ)), 'charts/epsilon': 1 - (0.9 * 38) / 40 },
    ];
    h.metrics.forEach((m, i) => {
      for (const [k, v] of Object.entries(want[i]!)) assert.ok(Math.abs(m.values[k]! - v) < 1e-12, `${m.step} ${k}: ${m.values[k]} against ${v}`);
      assert.ok(m.values['charts/SPS']! > 0);
    });
    h.close();
  }
  // A line every 1000 samples (4 envs reach it exactly), and at the end; before learning starts, no loss.
  const long = makeAgent(dqn, 'TestCounterTerminal-v0', { ...cfg, numEnvs: 4, learningStarts: 1500 }, 2400);
  await long.agent.train(2400);
  assert.equal(long.metrics.map((m) => m.step), [1000, 2000, 2400]);
  assert.ok(Number.isNaN(long.metrics[0]!.values['losses/td_loss']) && Number.isFinite(long.metrics[1]!.values['losses/td_loss']!));
  long.close();
});

test('ε-greedy: ε = 0 takes the Q network\'s argmax in every env; ε = 0.5 keeps its random actions; ε = 1 never asks it', async () => {
  for (const e of [0, 0.5, 1]) {
    const n = e === 0.5 ? 16 : 3;
    const h = makeAgent(dqn, 'CartPole-v1', { numEnvs: n, startE: e, endE: e, learningStarts: 1000, hidden: [8] }, 20 * n, 5);
    const q = (h.agent as unknown as { qNetwork: { forward(x: Float32Array, n: number): Float32Array } }).qNetwork;
    const forward = q.forward.bind(q);
    let asked = 0;
    q.forward = (x, m) => (asked++, forward(x, m));
    const env = h.env;
    let obs = (h.agent as unknown as { obs: Float32Array }).obs.slice();
    const step = env.step.bind(env);
    let differs = 0;
    env.step = (a) => {
      const greedy = new Float32Array(n);
      argmaxRows(forward(obs, n), n, 2, greedy);
      if (e === 0) assert.equal(Array.from(a as Float32Array), Array.from(greedy));
      else differs += (a as Float32Array).filter((x, i) => x !== greedy[i]).length;
      const r = step(a);
      obs = r.obs.slice();
      return r;
    };
    await h.agent.train(20 * n);
    if (e === 0) assert.is(asked, 20, 'one batched call a step');
    // ε = 0.5 with 2 actions: a quarter of the 320 actions are off the argmax (40 to 120 at 1e-6),
    // the explored ones that drew the other action; none if explored actions were overwritten.
    else if (e === 0.5) assert.ok(asked === 20 && differs >= 40 && differs <= 120, `asked ${asked}, ${differs} actions off the argmax`);
    else assert.ok(asked === 0 && differs > 5, `asked ${asked}, ${differs} actions off the argmax`);
    h.close();
  }
});

test('the replay buffer: the real transitions of every env in step order, ring-wrapped; a sample is whole stored transitions', async () => {
  // CartPole: 4 numbers an observation, so a row offset that forgets the width is caught.
  const n = 2, cap = 23;
  const h = makeAgent(dqn, 'CartPole-v1', { numEnvs: n, bufferSize: cap, learningStarts: 10_000, hidden: [4] }, 200, 8);
  const env = h.env;
  let obs = (h.agent as unknown as { obs: Float32Array }).obs.slice();
  const pending = new Uint8Array(n);
  const real: { obs: number[]; next: number[]; action: number; reward: number; terminated: number }[] = [];
  const step = env.step.bind(env);
  env.step = (a) => {
    const r = step(a);
    for (let i = 0; i < n; i++) {
      if (!pending[i]) real.push({ obs: Array.from(obs.subarray(4 * i, 4 * i + 4)), next: Array.from(r.obs.subarray(4 * i, 4 * i + 4)), action: (a as Float32Array)[i]!, reward: r.rewards[i]!, terminated: r.terminated[i]! });
      pending[i] = r.terminated[i]! || r.truncated[i]! ? 1 : 0;
    }
    obs = r.obs.slice();
    return r;
  };
  await h.agent.train(200);
  const rb = (h.agent as unknown as { rb: { pos: number; size: number; obs: Float32Array; nextObs: Float32Array; actions: Int32Array; rewards: Float32Array; terminated: Float32Array; sample(rng: Rng, b: number, out: unknown): void } }).rb;
  assert.ok(real.length > cap && real.length < 200 && real.some((t) => t.terminated === 1), `${real.length} transitions`);
  assert.equal([rb.size, rb.pos], [cap, real.length % cap]);
  const entry = (k: number, from = rb) => ({ obs: Array.from(from.obs.subarray(4 * k, 4 * k + 4)), next: Array.from(from.nextObs.subarray(4 * k, 4 * k + 4)), action: from.actions[k]!, reward: from.rewards[k]!, terminated: from.terminated[k]! });
  for (let m = real.length - cap; m < real.length; m++) assert.equal(entry(m % cap), real[m]!, `transition ${m} at ${m % cap}`);
  // sample(): k = rng.int(size) for each row, in order.
  const B = 9;
  const out = { obs: new Float32Array(B * 4), nextObs: new Float32Array(B * 4), actions: new Int32Array(B), rewards: new Float32Array(B), terminated: new Float32Array(B) };
  rb.sample(new Rng(77), B, out);
  const draws = new Rng(77);
  for (let j = 0; j < B; j++) assert.equal(entry(j, out as typeof rb), entry(draws.int(cap)), `row ${j}`);
  h.close();
});

test('dispose frees every tensor the agent made, both networks', async () => {
  await assertDisposeFrees(dqn, 'CartPole-v1', { numEnvs: 2, learningStarts: 4, trainFrequency: 2, batchSize: 4, hidden: [4], bufferSize: 50 }, 20);
});

test('act: deterministic is the argmax; otherwise ε = endE of random actions, none at endE 0, all at endE 1', async () => {
  const obs = new Float32Array(64 * 4);
  for (let k = 0; k < obs.length; k++) obs[k] = Math.sin(k) * 0.3;
  for (const endE of [0, 1]) {
    const h = makeAgent(dqn, 'CartPole-v1', { numEnvs: 1, hidden: [8], endE }, 100, 3);
    const greedy = new Float32Array(64), det = new Float32Array(64), noisy = new Float32Array(64);
    argmaxRows((h.agent as unknown as { qNetwork: { forward(x: Float32Array, n: number): Float32Array } }).qNetwork.forward(obs, 64), 64, 2, greedy);
    h.agent.act(obs, 64, det, true);
    h.agent.act(obs, 64, noisy, false);
    assert.equal(Array.from(det), Array.from(greedy), `deterministic, endE ${endE}`);
    const off = noisy.filter((a, i) => a !== greedy[i]).length;
    // endE 1: each action uniform over 2, so about half differ from the argmax (64 draws: 12 to 52 at 1e-6).
    if (endE === 0) assert.is(off, 0);
    else assert.ok(off >= 12 && off <= 52 && noisy.every((a) => a === 0 || a === 1), `${off} of 64 off the argmax`);
    h.close();
  }
});

test('resetEnvs(seed) resets the envs with that seed', async () => {
  const h = makeAgent(dqn, 'CartPole-v1', { numEnvs: 2, hidden: [4] }, 10, 1);
  const seeds: unknown[] = [];
  const reset = h.env.reset.bind(h.env);
  h.env.reset = (o) => (seeds.push(o?.seed), reset(o));
  h.agent.resetEnvs(1234);
  assert.equal(seeds, [1234]);
  assert.equal(Array.from((h.agent as unknown as { obs: Float32Array }).obs), Array.from(new SyncVectorEnv({ id: 'CartPole-v1', numEnvs: 2 }).reset({ seed: 1234 }).obs));
  h.close();
});

test('checkpoint of a 4-number observation: named networks, the replay rows, the counters; restore refuses a replay that does not fit', async () => {
  const cfg = { numEnvs: 2, bufferSize: 40, learningStarts: 20, trainFrequency: 4, batchSize: 8, hidden: [4] };
  const a = makeAgent(dqn, 'CartPole-v1', cfg, 60, 2);
  const s = spy(a.agent);
  await a.agent.train(60);
  const data = a.agent.checkpoint();
  assert.equal(data.weights.map((w) => w.name), ['q/dense_0/kernel', 'q/dense_0/bias', 'q/dense_1/kernel', 'q/dense_1/bias', 'q_target/dense_0/kernel', 'q_target/dense_0/bias', 'q_target/dense_1/kernel', 'q_target/dense_1/bias']);
  const rb = (a.agent as unknown as { rb: { size: number; obs: Float32Array; nextObs: Float32Array; actions: Int32Array; rewards: Float32Array; terminated: Float32Array } }).rb;
  const used = rb.size;
  assert.ok(used > 20 && used <= 40, `${used} transitions`);
  const arr = (name: string) => data.arrays.find((x) => x.name === name)!;
  assert.equal(arr('replay/obs').shape, [used, 4]);
  assert.equal(arr('replay/next_obs').shape, [used, 4]);
  for (const n of ['replay/actions', 'replay/rewards', 'replay/terminated']) assert.equal(arr(n).shape, [used], n);
  assert.equal(Array.from(arr('replay/obs').data), Array.from(rb.obs.subarray(0, used * 4)));
  assert.equal(Array.from(arr('replay/next_obs').data), Array.from(rb.nextObs.subarray(0, used * 4)));
  assert.is((data.state as { updates: number }).updates, s.updates.length);
  const b = makeAgent(dqn, 'CartPole-v1', cfg, 60, 7);
  b.agent.restore(data, 'test');
  const rb2 = (b.agent as unknown as { rb: typeof rb }).rb;
  assert.equal([Array.from(rb2.obs), Array.from(rb2.nextObs), Array.from(rb2.actions), Array.from(rb2.rewards), Array.from(rb2.terminated)], [Array.from(rb.obs), Array.from(rb.nextObs), Array.from(rb.actions), Array.from(rb.rewards), Array.from(rb.terminated)]);
  for (const [replay, shown] of [[{ pos: 0, size: 41 }, '41'], [{ pos: 0, size: -1 }, '-1'], [undefined, 'undefined']] as const) {
    const c = makeAgent(dqn, 'CartPole-v1', cfg, 60, 7);
    assert.throws(() => c.agent.restore({ ...data, state: { ...data.state, replay } }, 'ckpt/state.json'), (e: unknown) => (e as Error).message === `ckpt/state.json: replay size ${shown} does not fit bufferSize 40`);
    c.close();
  }
  a.close();
  b.close();
});

test.run();
