import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { MotionVae, mvaeSchema } from '../../src/generative/mvae.ts';
import { gatherWindows, listWindows } from '../../src/generative/dataset.ts';
import { contextFor, tinyMotionDataset } from './fixtures.ts';

await initBackend('wasm');

test('scheduled sampling: teacher forcing, then a linear ramp, then fully autoregressive', () => {
  const ds = tinyMotionDataset(8);
  const m = new MotionVae(contextFor(ds, 1, 1000), mvaeSchema.parse({ hidden: [8], latentSize: 2, supervisedFraction: 0.1, scheduledFraction: 0.3 }));
  assert.is(m.feedbackProbability(0), 0);
  assert.is(m.feedbackProbability(99), 0);
  assert.ok(Math.abs(m.feedbackProbability(250) - 0.5) < 1e-12);
  assert.is(m.feedbackProbability(400), 1);
  assert.is(m.feedbackProbability(999), 1);
  m.dispose();
});

test('a tiny motion VAE overfits a tiny motion dataset: next-frame reconstruction MSE falls by 3× or more in 150 steps; rollouts stay finite', () => {
  const ds = tinyMotionDataset(8);
  // totalSteps 150 with these fractions: the last 60% of the steps feed back the model's own frames.
  const model = new MotionVae(contextFor(ds, 2, 150), mvaeSchema.parse({ latentSize: 8, hidden: [64], rolloutFrames: 4, klWarmupSteps: 50, batchSize: 32, learningRate: 3e-3 }));
  const idx = listWindows(ds, 'train', 4);
  const x = gatherWindows(ds, idx);
  const before = model.evaluate(x, idx.label, new Rng(1)).recon_mse!;
  model.trainStep(ds);
  const tensors = tf.memory().numTensors;
  for (let i = 1; i < 150; i++) model.trainStep(ds);
  assert.is(tf.memory().numTensors, tensors, 'tensors leaked by trainStep');
  const r = model.evaluate(x, idx.label, new Rng(1));
  assert.ok(r.recon_mse! < before / 3, `next-frame MSE ${before} → ${r.recon_mse}`);
  const D = ds.layout.size;
  const roll = model.rollout(ds.standardized[0]!.slice(0, 2 * D), 60, new Int32Array([0, 1]), new Rng(3));
  assert.is(roll.length, 2 * 60 * D);
  assert.ok(roll.every(Number.isFinite));
  // Continuing keeps the prefix and appends new frames.
  const prefix = ds.standardized[0]!.slice(0, 3 * D);
  const cont = model.continueFrom(prefix, 3, new Int32Array([0]), new Rng(4));
  assert.equal(Array.from(cont.subarray(0, 3 * D)), Array.from(prefix));
  model.dispose();
});

test.run();
