import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { reinforce, reinforceSchema } from '../../src/agents/reinforce.ts';
import { counterValue } from './toy-envs.ts';
import { makeAgent, meanLast } from './harness.ts';

await initBackend('wasm');

test('schema described', () => {
  for (const [k, f] of Object.entries(reinforceSchema.shape)) assert.ok((f as { description?: string }).description, `${k} has a description`);
  assert.is(reinforceSchema.safeParse({ episodesPerUpdate: 0 }).success, false);
});

for (const [envId, terminal] of [['TestCounter-v0', false], ['TestCounterTerminal-v0', true]] as const) {
  test(`${terminal ? 'termination does not bootstrap' : 'truncation bootstraps'} (baseline on ${envId})`, async () => {
    const h = makeAgent(reinforce, envId, { numEnvs: 4, episodesPerUpdate: 4, gamma: 0.9, learningRate: 1e-2, maxGradNorm: 100, hidden: [32] }, 12_000);
    await h.agent.train(12_000);
    const obs = terminal ? Float32Array.from([0, 0.2, 0.4, 0.6, 0.8]) : new Float32Array(5).fill(0.5);
    const v = (h.agent as any).valueNet.forward(obs, 5) as Float32Array;
    for (let t = 0; t < 5; t++) {
      const want = counterValue(t, 0.9, terminal);
      assert.ok(Math.abs(v[t]! - want) < 0.15 * want + 0.2, `V(t=${t}) = ${v[t]!.toFixed(2)}, expected ${want.toFixed(2)}`);
    }
    h.close();
  });
}

test('learns a discrete and a continuous task, no tensor leak; checkpoint keeps waiting episodes', async () => {
  const h = makeAgent(reinforce, 'TestSign-v0', { numEnvs: 8, episodesPerUpdate: 16, learningRate: 3e-3, hidden: [16] }, 5000);
  await h.agent.train(400);
  const tensors = tf.memory().numTensors;
  await h.agent.train(5000);
  assert.is(tf.memory().numTensors, tensors);
  assert.ok(meanLast(h.episodes, 100) > 0.9, `mean return ${meanLast(h.episodes, 100)}`);
  const data = h.agent.checkpoint();
  const b = makeAgent(reinforce, 'TestSign-v0', { numEnvs: 8, episodesPerUpdate: 16, learningRate: 3e-3, hidden: [16] }, 5000);
  b.agent.restore(data, 'test');
  assert.equal(JSON.stringify(b.agent.checkpoint().state), JSON.stringify(data.state));
  h.close();
  b.close();

  const c = makeAgent(reinforce, 'TestReach-v0', { numEnvs: 8, episodesPerUpdate: 64, learningRate: 2e-3, hidden: [16] }, 20_000);
  await c.agent.train(20_000);
  const out = new Float32Array(2);
  c.agent.act(Float32Array.of(-0.5, 0.6), 2, out, true);
  assert.ok(Math.abs(out[0]! + 0.5) < 0.2 && Math.abs(out[1]! - 0.6) < 0.2, `actions ${Array.from(out)}`);
  c.close();
});

test.run();
