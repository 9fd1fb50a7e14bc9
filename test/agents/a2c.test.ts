import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { a2c, a2cSchema } from '../../src/agents/a2c.ts';
import { counterValue } from './toy-envs.ts';
import { Rng } from '../../src/core/rng.ts';
import { Mlp } from '../../src/nn/mlp.ts';
import { assertDisposeFrees, assertGreedyPolicyActs, assertRestoreContinues, assertRolloutRows, makeAgent, meanLast } from './harness.ts';
import { assertGradsClose, autodiff, categorical, gaussian, mlp, normalized, recordSteps } from './grad-check.ts';

await initBackend('wasm');

test('schema: Stable-Baselines3 defaults, described', () => {
  const d = a2cSchema.parse({});
  assert.equal([d.numSteps, d.learningRate, d.gamma, d.gaeLambda, d.entCoef, d.vfCoef, d.maxGradNorm], [5, 7e-4, 0.99, 1, 0, 0.5, 0.5]);
  for (const [k, f] of Object.entries(a2cSchema.shape)) assert.ok((f as { description?: string }).description, `${k} has a description`);
  assert.is(a2cSchema.safeParse({ optimizer: 'lbfgs' }).success, false);
  assert.is(d.optimizer, 'rmsprop');
});

for (const [envId, terminal] of [['TestCounter-v0', false], ['TestCounterTerminal-v0', true]] as const) {
  test(`${terminal ? 'termination does not bootstrap' : 'truncation bootstraps'} (critic on ${envId})`, async () => {
    const h = makeAgent(a2c, envId, { numEnvs: 8, numSteps: 5, gamma: 0.9, learningRate: 5e-3, maxGradNorm: 100, hidden: [32] }, 10_000);
    await h.agent.train(10_000);
    const obs = terminal ? Float32Array.from([0, 0.2, 0.4, 0.6, 0.8]) : new Float32Array(5).fill(0.5);
    const v = (h.agent as any).critic.forward(obs, 5) as Float32Array;
    for (let t = 0; t < 5; t++) {
      const want = counterValue(t, 0.9, terminal);
      assert.ok(Math.abs(v[t]! - want) < 0.15 * want + 0.2, `V(t=${t}) = ${v[t]!.toFixed(2)}, expected ${want.toFixed(2)}`);
    }
    h.close();
  });
}

for (const shared of [false, true]) {
  for (const optimizer of shared ? ['rmsprop'] : ['rmsprop', 'adam', 'sgd']) {
    test(`learns a discrete task (${shared ? 'shared' : 'separate'} networks, ${optimizer}), no tensor leak`, async () => {
      const lr = optimizer === 'sgd' ? 0.05 : 3e-3;
      const h = makeAgent(a2c, 'TestSign-v0', { numEnvs: 8, numSteps: 5, learningRate: lr, optimizer, shared, hidden: [16], normAdv: true }, 6000);
      await h.agent.train(400);
      const tensors = tf.memory().numTensors;
      await h.agent.train(6000);
      assert.is(tf.memory().numTensors, tensors);
      assert.ok(meanLast(h.episodes, 100) > 0.9, `mean return ${meanLast(h.episodes, 100)}`);
      h.close();
    });
  }
}


// ---------------------------------------------------------------- gradients against autodiff
//
// The loss of a2c.ts's header, Stable-Baselines3's A2C.train (stable_baselines3/a2c/a2c.py) with
// a ½ on the squared error (SB3's F.mse_loss has none; a2c.ts states the ½, as CleanRL's PPO):
//   L = −mean(A·log π(a|s)) − entCoef·mean(H) + vfCoef·½·mean((V − R)²), A normalized when normAdv.
// Written in tfjs; each update's gradient must be tf.grads of it at the parameters of that moment.

const a2cCases = [
  { name: 'separate networks, discrete, normalized advantages, entropy', envId: 'TestCounterTerminal-v0', discrete: true, cfg: { shared: false, normAdv: true, entCoef: 0.05 } },
  { name: 'shared network, discrete, raw advantages', envId: 'TestCounterTerminal-v0', discrete: true, cfg: { shared: true, normAdv: false, entCoef: 0.02 } },
  { name: 'separate networks, Gaussian, normalized advantages, entropy', envId: 'TestReach-v0', discrete: false, cfg: { shared: false, normAdv: true, entCoef: 0.05 } },
  // 3 observations and 2 actions a row: the row arithmetic of the rollout and the update.
  { name: 'separate networks, Gaussian, 3 observations, 2 actions', envId: 'TestPlane-v0', discrete: false, obsDim: 3, actionDim: 2, cfg: { shared: false, normAdv: true, entCoef: 0.05 } },
  { name: 'shared network, Gaussian, 3 observations, 2 actions', envId: 'TestPlane-v0', discrete: false, obsDim: 3, actionDim: 2, cfg: { shared: true, normAdv: false, entCoef: 0.02 } },
];
for (const gc of a2cCases) {
  test(`each update is tf.grads of the A2C loss (${gc.name})`, async () => {
    const cfg = { numEnvs: 4, numSteps: 6, gaeLambda: 0.9, learningRate: 0.05, optimizer: 'sgd', momentum: 0, vfCoef: 0.7, maxGradNorm: 1e9, hidden: [8], ...gc.cfg };
    const batch = 4 * 6;
    const h = makeAgent(a2c, gc.envId, cfg, 3 * batch, 2);
    const { steps, shapes } = recordSteps(h.agent);
    const nActor = 4, obsDim = gc.obsDim ?? 1, actionDim = gc.actionDim ?? 1, k = gc.discrete ? 2 : actionDim;
    for (let u = 1; u <= 3; u++) {
      await h.agent.train(u * batch);
      assert.is(steps.length, u, 'one step per rollout');
      const r = (h.agent as unknown as { rollout: { obs: Float32Array; actions: Float32Array; returns: Float32Array; advantages: Float32Array; valid: Uint8Array } }).rollout;
      const ks = [...r.valid.keys()].filter((j) => r.valid[j]);
      const m = ks.length;
      const obs = Float32Array.from(ks.flatMap((j) => Array.from(r.obs.subarray(j * obsDim, (j + 1) * obsDim))));
      const actions = Float32Array.from(ks.flatMap((j) => Array.from(r.actions.subarray(j * actionDim, (j + 1) * actionDim))));
      const R = Float32Array.from(ks, (j) => r.returns[j]!);
      const raw = ks.map((j) => r.advantages[j]!);
      const adv = gc.cfg.normAdv ? normalized(raw) : raw;
      const want = autodiff(steps[u - 1]!, shapes, (ps) => {
        const x = tf.tensor2d(obs, [m, obsDim]);
        let out: tf.Tensor2D, value: tf.Tensor;
        if (gc.cfg.shared) {
          // One network, k policy outputs and the value side by side in its last layer.
          const both = mlp(x, ps.slice(0, nActor));
          out = tf.slice(both, [0, 0], [m, k]);
          value = tf.reshape(tf.slice(both, [0, k], [m, 1]), [m]);
        } else {
          out = mlp(x, ps.slice(0, nActor));
          value = tf.reshape(mlp(x, ps.slice(gc.discrete ? nActor : nActor + 1)), [m]);
        }
        const { logp, entropy } = gc.discrete ? categorical(out, actions) : gaussian(out, ps[nActor]!, actions);
        const pg = tf.neg(tf.mean(tf.mul(tf.tensor1d(adv), logp)));
        const vl = tf.mul(0.5, tf.mean(tf.square(tf.sub(value, tf.tensor1d(R)))));
        return tf.add(tf.sub(pg, tf.mul(gc.cfg.entCoef, tf.mean(entropy))), tf.mul(0.7, vl)) as tf.Scalar;
      });
      assertGradsClose(steps[u - 1]!.grads, want, `update ${u}`);
    }
    h.close();
  });
}

test('SGD without momentum applies θ ← θ − lr·g with the recorded gradient', async () => {
  const h = makeAgent(a2c, 'TestCounterTerminal-v0', { numEnvs: 4, numSteps: 6, learningRate: 0.05, optimizer: 'sgd', momentum: 0, maxGradNorm: 1e9, hidden: [8] }, 24, 2);
  const { steps } = recordSteps(h.agent);
  await h.agent.train(24);
  const after = (h.agent as unknown as { params: { variable: tf.Variable }[] }).params.map((p) => p.variable.dataSync() as Float32Array);
  const s = steps[0]!;
  for (let p = 0; p < after.length; p++) {
    for (let i = 0; i < after[p]!.length; i++) {
      const want = s.params[p]![i]! - 0.05 * s.grads[p]![i]!;
      assert.ok(Math.abs(after[p]![i]! - want) <= 1e-6 * Math.max(1, Math.abs(want)), `parameter ${p}[${i}]`);
    }
  }
  h.close();
});

test('greedyPolicy() is act(…, true) as numbers: argmax over the policy columns of a shared actor-critic net (its value column left out)', async () => {
  await initBackend('wasm');
  const h = makeAgent(a2c, 'CartPole-v1', { numEnvs: 4, numSteps: 5, hidden: [16], shared: true, learningRate: 0.05 }, 200, 4);
  await h.agent.train(200);
  const p = assertGreedyPolicyActs(h.agent, h.env, 50, 9);
  assert.equal(p.action, { kind: 'argmax' });
  assert.is(p.outputs, 2);
  assert.equal(p.sizes, [4, 16, 3], 'two logits and the value');
  assert.is(p.obsNorm, null);
  h.close();
});


// ---------------------------------------------------------------- settings, reports, checkpoints

test("every default is Stable-Baselines3's A2C or says where it comes from; the ranges let through what they should", () => {
  // stable_baselines3/a2c/a2c.py: learning_rate 7e-4, n_steps 5, gamma 0.99, gae_lambda 1.0,
  // ent_coef 0.0, vf_coef 0.5, max_grad_norm 0.5, rms_prop_eps 1e-5, use_rms_prop True (RMSprop
  // alpha 0.99), normalize_advantage False; its MlpPolicy: two hidden layers of 64, tanh, separate
  // policy and value networks, log_std_init 0. Not SB3's: 8 envs (rl-baselines3-zoo's n_envs for
  // A2C), no annealing (a constant learning rate, as SB3's default), momentum 0.9 for the SGD option.
  assert.equal(a2cSchema.parse({}), {
    numEnvs: 8, numSteps: 5, learningRate: 7e-4, optimizer: 'rmsprop', momentum: 0.9, eps: 1e-5, rmspropAlpha: 0.99, annealLr: false,
    gamma: 0.99, gaeLambda: 1, entCoef: 0, vfCoef: 0.5, maxGradNorm: 0.5, normAdv: false, shared: false, hidden: [64, 64], activation: 'tanh', initLogStd: 0,
  });
  for (const ok of [{ momentum: 0.5 }, { rmspropAlpha: 0.5 }, { hidden: [32, 32] }, { activation: 'relu' }, { activation: 'tanh' }, { initLogStd: -4 }, { initLogStd: 2 }]) assert.ok(a2cSchema.safeParse(ok).success, JSON.stringify(ok));
  for (const bad of [{ momentum: 1.1 }, { momentum: -0.1 }, { rmspropAlpha: 1.1 }, { rmspropAlpha: -0.1 }, { initLogStd: -6 }, { initLogStd: 3 }, { activation: 'elu' }]) assert.not.ok(a2cSchema.safeParse(bad).success, JSON.stringify(bad));
  assert.is(a2c.name, 'a2c');
  assert.match(a2c.description, /Advantage Actor-Critic/);
  // rl-baselines3-zoo hyperparams/a2c.yml: CartPole-v1 n_envs 8, ent_coef 0.0; Pendulum-v1 n_envs 8,
  // n_steps 8, gae_lambda 0.9, gamma 0.9, ent_coef 0.0, lin_7e-4, log_std_init −2.
  assert.equal(a2c.envDefaults, {
    'CartPole-v1': { numEnvs: 8, entCoef: 0 },
    'Pendulum-v1': { numEnvs: 8, numSteps: 8, gaeLambda: 0.9, gamma: 0.9, entCoef: 0, annealLr: true, initLogStd: -2 },
  });
});

test('the networks: named as checkpoints expect; a shared net starts with gain 0.01 on its policy columns and 1 on its value column; the optimizer asked for', () => {
  const separate = makeAgent(a2c, 'TestReach-v0', { numEnvs: 2, hidden: [4], optimizer: 'adam' }, 10, 3);
  assert.equal(separate.agent.checkpoint().weights.map((w) => w.name), [
    'actor/dense_0/kernel', 'actor/dense_0/bias', 'actor/dense_1/kernel', 'actor/dense_1/bias', 'actor/log_std',
    'critic/dense_0/kernel', 'critic/dense_0/bias', 'critic/dense_1/kernel', 'critic/dense_1/bias',
  ]);
  assert.is(separate.agent.checkpoint().optimizers.optimizer!.kind, 'adam');
  separate.close();
  const shared = makeAgent(a2c, 'TestSign-v0', { numEnvs: 2, hidden: [6], shared: true, optimizer: 'sgd' }, 10, 3);
  const data = shared.agent.checkpoint();
  assert.equal(data.weights.map((w) => w.name), ['actor_critic/dense_0/kernel', 'actor_critic/dense_0/bias', 'actor_critic/dense_1/kernel', 'actor_critic/dense_1/bias']);
  assert.is(data.optimizers.optimizer!.kind, 'sgd');
  // The same draw as the agent's (its first use of the RNG), before the policy columns are scaled.
  const plain = new Mlp('actor_critic', { sizes: [1, 6, 3], activation: 'tanh', outputGain: 1 }, new Rng(3));
  const w = plain.params[2]!.variable.dataSync() as Float32Array;
  assert.equal(Array.from(data.weights[2]!.data), Array.from(w, (x, i) => (i % 3 < 2 ? Math.fround(x * 0.01) : x)));
  plain.dispose();
  shared.close();
  const rms = makeAgent(a2c, 'TestSign-v0', { numEnvs: 2, hidden: [4] }, 10, 3);
  assert.is(rms.agent.checkpoint().optimizers.optimizer!.kind, 'rmsprop');
  rms.close();
});

test("metrics every 100 updates and at the end (SB3's log_interval); the reported losses are the last update's; the learning rate annealed", async () => {
  const cfg = { numEnvs: 2, numSteps: 2, hidden: [4], annealLr: true, learningRate: 0.01, entCoef: 0.1, normAdv: false, optimizer: 'sgd', momentum: 0, maxGradNorm: 1e9 };
  const h = makeAgent(a2c, 'TestCounterTerminal-v0', cfg, 2000, 4);
  const { steps, shapes } = recordSteps(h.agent);
  await h.agent.train(4 * 250);
  assert.equal(h.metrics.map((m) => m.step), [400, 800, 1000]);
  // CleanRL/SB3 annealing: the rate of update u (from 0) is (1 − 4u / 2000) · 0.01.
  assert.equal(h.metrics.map((m) => m.values['charts/learning_rate']), [99, 199, 249].map((u) => Math.max(0, 1 - (4 * u) / 2000) * 0.01));
  const r = (h.agent as unknown as { rollout: { obs: Float32Array; actions: Float32Array; returns: Float32Array; advantages: Float32Array; valid: Uint8Array } }).rollout;
  const ks = [...r.valid.keys()].filter((j) => r.valid[j]);
  const m = ks.length;
  const want = tf.tidy(() => {
    const ps = steps.at(-1)!.params.map((p, i) => tf.tensor(p, shapes[i]));
    const x = tf.tensor2d(Float32Array.from(ks, (j) => r.obs[j]!), [m, 1]);
    const { logp, entropy } = categorical(mlp(x, ps.slice(0, 4)), Float32Array.from(ks, (j) => r.actions[j]!));
    const value = tf.reshape(mlp(x, ps.slice(4)), [m]);
    return {
      policy_loss: tf.neg(tf.mean(tf.mul(tf.tensor1d(ks.map((j) => r.advantages[j]!)), logp))).dataSync()[0]!,
      value_loss: tf.mul(0.5, tf.mean(tf.square(tf.sub(value, tf.tensor1d(ks.map((j) => r.returns[j]!)))))).dataSync()[0]!,
      entropy: tf.mean(entropy).dataSync()[0]!,
    };
  });
  const got = h.metrics.at(-1)!.values;
  for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(got[`losses/${k}`]! - v) < 1e-5 * (1 + Math.abs(v)), `${k}: ${got[`losses/${k}`]} against ${v}`);
  h.close();
});

test('a rollout without a real transition (every sub-env waiting for its reset) takes no step', async () => {
  // TestSign-v0 ends every episode at its first step: with one step a rollout, every other rollout is all reset steps.
  const h = makeAgent(a2c, 'TestSign-v0', { numEnvs: 2, numSteps: 1, hidden: [4], learningRate: 0.1 }, 10, 1);
  const { steps } = recordSteps(h.agent);
  await h.agent.train(4);
  assert.is(steps.length, 1, 'one update from two rollouts');
  assert.ok(h.agent.checkpoint().weights.every((w) => w.data.every(Number.isFinite)), 'the weights stay finite');
  h.close();
});

test('checkpoint and restore: weights, optimizer, step and RNG; the restored agent trains on as the first', async () => {
  const { data, restored } = await assertRestoreContinues(a2c, 'TestReach-v0', { numEnvs: 2, numSteps: 4, hidden: [8] }, 40, 80);
  assert.equal([data.arrays, Object.keys(data.state).sort(), Object.keys(data.optimizers)], [[], ['globalStep', 'rng'], ['optimizer']]);
  restored.close();
});

test('the rollout storage on several dimensions: row t holds what the env returned before step t, and the actions it got, env by env', async () => {
  await assertRolloutRows(a2c, { hidden: [8], initLogStd: 1.5 });
});

test('a constant learning rate stays constant without annealLr (the default)', async () => {
  const h = makeAgent(a2c, 'TestCounterTerminal-v0', { numEnvs: 2, numSteps: 2, hidden: [4], learningRate: 0.01 }, 2000, 4);
  await h.agent.train(4 * 120);
  assert.equal(h.metrics.map((m) => m.values['charts/learning_rate']), [0.01, 0.01]);
  h.close();
});

test('act: deterministic gives the Gaussian mean, otherwise samples that vary; both clipped to the action space', async () => {
  // log std 1: σ ≈ 2.7 against bounds ±3, so a good part of the samples is clipped.
  const h = makeAgent(a2c, 'TestPlane-v0', { numEnvs: 2, hidden: [4], initLogStd: 1 }, 100, 6);
  const obs = Float32Array.of(0.1, -0.2, 0, 0.3, 0.4, 0.5);
  const mean = new Float32Array(4), again = new Float32Array(4);
  h.agent.act(obs, 2, mean, true);
  h.agent.act(obs, 2, again, true);
  assert.equal(Array.from(again), Array.from(mean));
  assert.ok(mean.every((a) => Math.abs(a) < 0.5), `the initial means are near 0 (output gain 0.01): ${mean}`);
  const samples: number[] = [];
  for (let k = 0; k < 10; k++) {
    const out = new Float32Array(4);
    h.agent.act(obs, 2, out, false);
    samples.push(...out);
  }
  assert.ok(samples.every((a) => a >= -3 && a <= 3), 'clipped to ±3');
  assert.ok(samples.filter((a) => Math.abs(a) === 3).length > 3 && new Set(samples).size > 10, `samples: ${samples.slice(0, 8)}`);
  h.close();
});

test('dispose frees every tensor the agent made (it once left the initial value of every parameter)', async () => {
  for (const shared of [false, true]) await assertDisposeFrees(a2c, 'TestPlane-v0', { numEnvs: 2, numSteps: 3, hidden: [4], shared, optimizer: 'adam' });
});

test.run();
