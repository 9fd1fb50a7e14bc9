/**
 * `gymnast export`: the exported LayersModel, loaded by tfjs's own `tf.loadLayersModel` over HTTP
 * (as a page loads it), with policy.json's recipe, gives the same greedy actions as gymnast's
 * agent for 100 observations: the shipped biped policy (PPO, a Gaussian, a normalized
 * observation) and a CartPole A2C run (a discrete action, argmax).
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { make } from '../../src/envs/registry.ts';
import { packageRoot } from '../../src/motion/data-path.ts';
import { loadRunAgent } from '../../src/train/evaluate.ts';
import { exportPolicy, type ExportedPolicy } from '../../src/train/export.ts';
import { train } from '../../src/train/run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-export-'));

/** Serves `dir` over HTTP for the duration of `f`, as a page's server would. */
async function served<T>(dir: string, f: (url: string) => Promise<T>): Promise<T> {
  const server = createServer((req, res) => {
    try {
      res.writeHead(200).end(readFileSync(join(dir, new URL(req.url!, 'http://x').pathname)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await f(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  } finally {
    server.close();
  }
}

/** policy.json's recipe, written out as a user would. */
function exportedAction(model: tf.LayersModel, p: ExportedPolicy, obs: Float32Array): Float32Array {
  const z = new Float32Array(obs.length);
  for (let i = 0; i < obs.length; i++) {
    if (!p.obsNorm) z[i] = obs[i]!;
    else {
      const v = (obs[i]! - p.obsNorm.mean[i]!) / Math.sqrt(p.obsNorm.var[i]! + p.obsNorm.epsilon);
      z[i] = Math.min(p.obsNorm.clip, Math.max(-p.obsNorm.clip, v));
    }
  }
  const y = tf.tidy(() => (model.predict(tf.tensor2d(z, [1, z.length])) as tf.Tensor).dataSync() as Float32Array);
  if (p.action.kind === 'argmax') return Float32Array.of(y.indexOf(Math.max(...y)));
  const { low, high } = p.action;
  return y.map((v, i) => Math.min(high[i]!, Math.max(low[i]!, v)));
}

/** 100 observations the policy meets: its env stepped with random actions from a fixed seed. */
function observations(env: string, envOptions: Record<string, unknown>, count: number): Float32Array[] {
  const e = make(env, { options: envOptions });
  try {
    e.actionSpace.seed(11);
    const rng = new Rng(11);
    const out: Float32Array[] = [];
    let obs = e.reset({ seed: 11 }).obs as Float32Array;
    while (out.length < count) {
      out.push(Float32Array.from(obs));
      const r = e.step(e.actionSpace.sample());
      obs = (r.terminated || r.truncated || rng.random() < 0.02 ? e.reset().obs : r.obs) as Float32Array;
    }
    return out;
  } finally {
    e.close();
  }
}

async function checkExport(runDir: string, outDir: string): Promise<ExportedPolicy> {
  const result = await exportPolicy(runDir, { format: 'tfjs-layers', outDir });
  const run = await loadRunAgent(runDir);
  try {
    const model = await served(outDir, (url) => tf.loadLayersModel(`${url}/model.json`));
    const out = new Float32Array(result.policy.action.kind === 'clip' ? result.policy.action.low.length : 1);
    let mismatches = 0;
    for (const obs of observations(result.policy.env, result.policy.envOptions, 100)) {
      run.agent.act(obs, 1, out, true);
      const exported = exportedAction(model, result.policy, obs);
      if (exported.some((v, i) => v !== out[i])) mismatches++;
    }
    model.dispose();
    assert.is(mismatches, 0, `${mismatches} of 100 greedy actions differ`);
  } finally {
    run.close();
  }
  return result.policy;
}

test('the shipped biped policy (PPO, Gaussian mean, normalized observations): 100 greedy actions equal', async () => {
  const p = await checkExport(join(packageRoot, 'policies', 'biped-walk'), join(tmp, 'biped'));
  assert.ok(p.obsNorm, 'the normalizer is written beside the model');
  assert.is(p.action.kind, 'clip');
  const model = JSON.parse(readFileSync(join(tmp, 'biped', 'model.json'), 'utf8'));
  assert.is(model.format, 'layers-model');
  assert.equal(model.modelTopology.config.layers.map((l: { config: { units: number } }) => l.config.units), [256, 256, p.action.kind === 'clip' ? p.action.low.length : 0]);
});

test('a CartPole A2C run with one shared actor-critic net (argmax over the logits, the value column left out): 100 greedy actions equal', async () => {
  const runDir = join(tmp, 'a2c-run');
  await train({ env: 'CartPole-v1', agent: 'a2c', steps: 400, out: runDir, set: { shared: true } }, {});
  const p = await checkExport(runDir, join(tmp, 'a2c'));
  assert.is(p.action.kind, 'argmax');
  assert.is(p.obsNorm, null);
  const model = JSON.parse(readFileSync(join(tmp, 'a2c', 'model.json'), 'utf8'));
  // CartPole's two actions: the shared net's third output (the value) is not the policy's.
  assert.is(model.modelTopology.config.layers.at(-1).config.units, 2);
});

test('a DQN run (argmax over the Q values): 100 greedy actions equal', async () => {
  const runDir = join(tmp, 'dqn-run');
  await train({ env: 'CartPole-v1', agent: 'dqn', steps: 600, out: runDir, set: { learningStarts: 100, bufferSize: 1000 } }, {});
  const p = await checkExport(runDir, join(tmp, 'dqn'));
  assert.is(p.action.kind, 'argmax');
});

test('an unknown format is one clear error', async () => {
  try {
    await exportPolicy(join(packageRoot, 'policies', 'biped-walk'), { format: 'onnx', outDir: join(tmp, 'x') });
    assert.unreachable('onnx is not a format');
  } catch (e) {
    assert.match((e as Error).message, "--format must be tfjs-layers, got 'onnx'");
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
