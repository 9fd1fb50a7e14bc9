import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { a2c, a2cSchema } from '../../src/agents/a2c.ts';
import { counterValue } from './toy-envs.ts';
import { makeAgent, meanLast } from './harness.ts';

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

test.run();
