import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { a2c, a2cSchema } from '../../src/agents/a2c.ts';
import { counterValue } from './toy-envs.ts';
import { assertGreedyPolicyActs, makeAgent, meanLast } from './harness.ts';
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
];
for (const gc of a2cCases) {
  test(`each update is tf.grads of the A2C loss (${gc.name})`, async () => {
    const cfg = { numEnvs: 4, numSteps: 6, gaeLambda: 0.9, learningRate: 0.05, optimizer: 'sgd', momentum: 0, vfCoef: 0.7, maxGradNorm: 1e9, hidden: [8], ...gc.cfg };
    const batch = 4 * 6;
    const h = makeAgent(a2c, gc.envId, cfg, 3 * batch, 2);
    const { steps, shapes } = recordSteps(h.agent);
    const nActor = 4, obsDim = 1, k = gc.discrete ? 2 : 1;
    for (let u = 1; u <= 3; u++) {
      await h.agent.train(u * batch);
      assert.is(steps.length, u, 'one step per rollout');
      const r = (h.agent as unknown as { rollout: { obs: Float32Array; actions: Float32Array; returns: Float32Array; advantages: Float32Array; valid: Uint8Array } }).rollout;
      const ks = [...r.valid.keys()].filter((j) => r.valid[j]);
      const m = ks.length;
      const obs = Float32Array.from(ks, (j) => r.obs[j]!);
      const actions = Float32Array.from(ks, (j) => r.actions[j]!);
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

test.run();
