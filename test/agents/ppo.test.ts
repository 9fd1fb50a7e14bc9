import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { ppo, ppoSchema } from '../../src/agents/ppo.ts';
import { Box, Discrete } from '../../src/core/spaces.ts';
import { counterValue } from './toy-envs.ts';
import { makeAgent, meanLast } from './harness.ts';

await initBackend('wasm');

test('schema: CleanRL defaults; every field described; bad values named by path', () => {
  const d = ppoSchema.parse({});
  assert.equal([d.numEnvs, d.numSteps, d.learningRate, d.gamma, d.gaeLambda, d.clipCoef, d.entCoef, d.vfCoef, d.maxGradNorm], [4, 128, 2.5e-4, 0.99, 0.95, 0.2, 0.01, 0.5, 0.5]);
  for (const [k, f] of Object.entries(ppoSchema.shape)) assert.ok((f as { description?: string }).description, `${k} has a description`);
  const r = ppoSchema.safeParse({ gamma: 1.5, numSteps: 'many', clipCoef: -1 });
  assert.is(r.success, false);
  assert.equal(r.error!.issues.map((i) => i.path.join('.')).sort(), ['clipCoef', 'gamma', 'numSteps']);
  assert.is(ppo.supports(new Box(-1, 1, [3]), new Discrete(2)), null);
  assert.is(ppo.supports(new Box(-1, 1, [3]), new Box(-1, 1, [2])), null);
  assert.match(ppo.supports(new Box(-1, 1, [2, 2]), new Discrete(2))!, /not flat/);
});

// The critic learns V under each end condition; γ = 0.9 so the truncated answer is 10, the terminated one 4.1 … 1.
for (const [envId, terminal] of [['TestCounter-v0', false], ['TestCounterTerminal-v0', true]] as const) {
  test(`${terminal ? 'termination does not bootstrap' : 'truncation bootstraps'} (critic values on ${envId})`, async () => {
    const cfg = { numEnvs: 4, numSteps: 25, gamma: 0.9, gaeLambda: 0.95, learningRate: 1e-2, annealLr: false, clipVloss: false, maxGradNorm: 100, entCoef: 0, hidden: [32], updateEpochs: 8 };
    const h = makeAgent(ppo, envId, cfg, 12_000);
    await h.agent.train(12_000);
    const obs = terminal ? Float32Array.from([0, 0.2, 0.4, 0.6, 0.8]) : new Float32Array(5).fill(0.5);
    const v = (h.agent as any).critic.forward(obs, 5) as Float32Array;
    for (let t = 0; t < 5; t++) {
      const want = counterValue(t, 0.9, terminal);
      assert.ok(Math.abs(v[t]! - want) < 0.15 * want + 0.2, `V(t=${t}) = ${v[t]!.toFixed(2)}, expected ${want.toFixed(2)}`);
    }
    h.close();
  });
}

test('learns a discrete task, calling the network on batches, with no tensor leak', async () => {
  const h = makeAgent(ppo, 'TestSign-v0', { numEnvs: 8, numSteps: 16, learningRate: 3e-3, hidden: [16] }, 4000);
  await h.agent.train(512);
  const tensors = tf.memory().numTensors;
  await h.agent.train(4000);
  assert.is(tf.memory().numTensors, tensors, 'tensor count flat over training');
  assert.ok(meanLast(h.episodes, 100) > 0.9, `mean return ${meanLast(h.episodes, 100)}`);
  const out = new Float32Array(2);
  h.agent.act(Float32Array.of(1, -1), 2, out, true);
  assert.equal(Array.from(out), [1, 0]);
  const tags = Object.keys(h.metrics.at(-1)!.values);
  for (const t of ['losses/value_loss', 'losses/policy_loss', 'losses/entropy', 'losses/approx_kl', 'losses/clipfrac', 'charts/SPS', 'charts/learning_rate']) assert.ok(tags.includes(t), t);
  h.close();
});

test('learns a continuous task with the Gaussian policy (mean action tracks the target)', async () => {
  const h = makeAgent(ppo, 'TestReach-v0', { numEnvs: 8, numSteps: 32, learningRate: 3e-3, hidden: [16], entCoef: 0, normalizeObs: true, normalizeReward: true }, 12_000);
  await h.agent.train(12_000);
  const out = new Float32Array(3);
  h.agent.act(Float32Array.of(-0.5, 0, 0.6), 3, out, true);
  assert.ok(Math.abs(out[0]! + 0.5) < 0.15 && Math.abs(out[1]!) < 0.15 && Math.abs(out[2]! - 0.6) < 0.15, `actions ${Array.from(out)}`);
  h.close();
});

test.run();
