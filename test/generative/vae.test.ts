import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { vaeSchema, WindowVae } from '../../src/generative/vae.ts';
import { logDetSpd, solveSpd } from '../../src/generative/linalg.ts';
import { gatherWindows, listWindows } from '../../src/generative/dataset.ts';
import { contextFor, syntheticDataset, tinyMotionDataset } from './fixtures.ts';
import { dctBasis, fromDct, toDct } from '../../src/generative/ops.ts';

await initBackend('wasm');

/** Toy data: 4-D Gaussian with a correlated covariance, in frames of one number-row each. */
function gaussianToy(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const a = rng.normal(), b = rng.normal();
    out[4 * i] = a; out[4 * i + 1] = 0.8 * a + 0.3 * rng.normal(); out[4 * i + 2] = b; out[4 * i + 3] = -0.5 * b + 0.2 * rng.normal();
  }
  return out;
}

/**
 * Exact log p(x) of the linear-Gaussian VAE (linear decoder x = z·W + b + s·ε, z ~ N(0, I)):
 * x ~ N(b, WᵀW + diag(s²)) (Tipping & Bishop 1999, probabilistic PCA).
 */
function exactLogLikelihood(model: WindowVae, x: Float32Array, d: number): Float64Array {
  const W = model.decoder.params[0]!.variable.dataSync() as Float32Array; // [Z, d]
  const b = model.decoder.params[1]!.variable.dataSync() as Float32Array;
  const ls = model.decoderLogStd().dataSync() as Float32Array;
  const Z = W.length / d;
  const C = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < Z; k++) s += W[k * d + i]! * W[k * d + j]!;
      C[i * d + j] = s + (i === j ? Math.exp(2 * ls[i]!) : 0);
    }
  }
  const logDet = logDetSpd(C, d);
  const n = x.length / d;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const diff = Array.from({ length: d }, (_, i) => x[r * d + i]! - b[i]!);
    const sol = solveSpd(C, diff, d);
    const quad = diff.reduce((a, v, i) => a + v * sol[i]!, 0);
    out[r] = -0.5 * (quad + logDet + d * Math.log(2 * Math.PI));
  }
  return out;
}

test('ELBO ≤ importance-weighted bound ≤ exact log-likelihood on a linear-Gaussian toy, before and after training', () => {
  const rng = new Rng(1);
  const ds = syntheticDataset([gaussianToy(rng, 2000)], [0], 1, 4);
  const cfg = vaeSchema.parse({ latentSize: 2, hidden: [], conditional: false, klWarmupSteps: 0, batchSize: 128, learningRate: 1e-2, iwaeSamples: 256, minLogStd: -5 });
  const model = new WindowVae(contextFor(ds, 2), cfg);
  const x = ds.standardized[0]!.slice(0, 200 * 4);
  const labels = new Int32Array(200);
  for (const phase of ['untrained', 'trained']) {
    if (phase === 'trained') for (let i = 0; i < 300; i++) model.trainStep(ds);
    const r = model.evaluate(x, labels, new Rng(9));
    const exact = -exactLogLikelihood(model, x, 4).reduce((a, b) => a + b, 0) / (200 * 4); // NLL per dim
    assert.ok(r.nll_elbo_per_dim! >= r.nll_iwae_per_dim! - 1e-4, `${phase}: -ELBO ${r.nll_elbo_per_dim} < -IWAE ${r.nll_iwae_per_dim}`);
    // The IWAE bound is a stochastic lower bound: allow Monte Carlo slack of 1e-3 nats per number.
    assert.ok(r.nll_iwae_per_dim! >= exact - 1e-3, `${phase}: -IWAE ${r.nll_iwae_per_dim} below the exact NLL ${exact}`);
    if (phase === 'trained') {
      // Trained, the encoder is near the exact posterior, so the bounds come close to the truth.
      assert.ok(r.nll_iwae_per_dim! - exact < 0.05, `trained: IWAE gap ${r.nll_iwae_per_dim! - exact}`);
    }
  }
  model.dispose();
});

test('a tiny conditional VAE overfits a tiny motion dataset: loss falls by 3× or more in 150 steps, no tensors leak', () => {
  const ds = tinyMotionDataset(8);
  const model = new WindowVae(contextFor(ds, 3, 150), vaeSchema.parse({ latentSize: 8, hidden: [64], klWarmupSteps: 50, batchSize: 32, learningRate: 3e-3 }));
  // Compare reconstruction error (MSE of the posterior-mean reconstruction) before and after.
  const idx = listWindows(ds, 'train', 4);
  const x = gatherWindows(ds, idx);
  const before = model.evaluate(x, idx.label, new Rng(1)).recon_mse!;
  model.trainStep(ds);
  const tensors = tf.memory().numTensors;
  for (let i = 1; i < 150; i++) model.trainStep(ds);
  assert.is(tf.memory().numTensors, tensors, 'tensors leaked by trainStep');
  const r = model.evaluate(x, idx.label, new Rng(1));
  assert.ok(r.recon_mse! < before / 3, `reconstruction MSE ${before} → ${r.recon_mse}`);
  assert.ok(r.active_units! >= 1, 'no active latent units');
  const s = model.sample(new Int32Array([0, -1]), new Rng(4));
  assert.is(s.length, 2 * 8 * ds.layout.size);
  assert.ok(s.every(Number.isFinite));
  model.dispose();
});

test('with a DCT decoder, samples are curves through the K lowest cosines of the window (smooth by construction)', () => {
  const ds = tinyMotionDataset(8);
  const model = new WindowVae(contextFor(ds, 5, 30), vaeSchema.parse({ latentSize: 4, hidden: [32], dctCoefficients: 3, batchSize: 16 }));
  for (let i = 0; i < 10; i++) model.trainStep(ds);
  const D = ds.layout.size;
  const s = model.sample(new Int32Array([0, 1]), new Rng(2));
  const basis = dctBasis(8, 3);
  const back = fromDct(toDct(s, 2, 8, D, basis, 3), 2, 8, D, basis, 3);
  for (let i = 0; i < s.length; i++) assert.ok(Math.abs(back[i]! - s[i]!) < 1e-4, `number ${i} is not in the span`);
  const idx = listWindows(ds, 'heldout', 4);
  assert.ok(Number.isFinite(model.evaluate(gatherWindows(ds, idx), idx.label, new Rng(1)).nll_elbo_per_dim));
  model.dispose();
});

test.run();
