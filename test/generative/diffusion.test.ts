import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { Diffusion, diffusionSchema, noiseSchedule } from '../../src/generative/diffusion.ts';
import { gatherWindows, listWindows } from '../../src/generative/dataset.ts';
import { contextFor, tinyMotionDataset } from './fixtures.ts';

await initBackend('wasm');

for (const kind of ['linear', 'cosine'] as const) {
  test(`${kind} schedule: composing q(x_t | x_{t−1}) steps gives the moments of q(x_t | x_0) = N(√ᾱ_t x_0, 1 − ᾱ_t)`, () => {
    const T = 1000;
    const { betas, alphaBars } = noiseSchedule(kind, T);
    assert.ok(betas.every((b) => b > 0 && b <= 0.999));
    if (kind === 'linear') { assert.ok(Math.abs(betas[0]! - 1e-4) < 1e-12); assert.ok(Math.abs(betas[T - 1]! - 0.02) < 1e-12); }
    // ᾱ_T close to 0: x_T is (nearly) pure noise. Ho et al.'s linear schedule: ᾱ_1000 ≈ 4e-5.
    assert.ok(alphaBars[T - 1]! < 1e-3, `ᾱ_T = ${alphaBars[T - 1]}`);
    const rng = new Rng(11);
    const chains = 20000, x0 = 1.5;
    const x = new Float64Array(chains).fill(x0);
    const checkAt = new Set([1, 10, 100, 400]);
    for (let t = 1; t <= 400; t++) {
      const a = Math.sqrt(1 - betas[t - 1]!), s = Math.sqrt(betas[t - 1]!);
      for (let c = 0; c < chains; c++) x[c] = a * x[c]! + s * rng.normal();
      if (!checkAt.has(t)) continue;
      let m = 0, v = 0;
      for (const val of x) m += val;
      m /= chains;
      for (const val of x) v += (val - m) ** 2;
      v /= chains - 1;
      const mean = Math.sqrt(alphaBars[t - 1]!) * x0, variance = 1 - alphaBars[t - 1]!;
      // Standard errors: √(var/n) for the mean, var·√(2/n) for the variance; allow 5 of them.
      assert.ok(Math.abs(m - mean) < 5 * Math.sqrt(variance / chains) + 1e-9, `t=${t}: mean ${m} vs ${mean}`);
      assert.ok(Math.abs(v - variance) < 5 * variance * Math.sqrt(2 / chains) + 1e-9, `t=${t}: variance ${v} vs ${variance}`);
    }
  });
}

function tinyModel(extra: Record<string, unknown> = {}) {
  const ds = tinyMotionDataset(8);
  const model = new Diffusion(contextFor(ds, 4, 150), diffusionSchema.parse({ diffusionSteps: 100, hidden: [64, 64], timeEmbedding: 16, dctCoefficients: 4, batchSize: 32, learningRate: 2e-3, warmupSteps: 10, ...extra }));
  return { ds, model };
}

test('guidance: scale 0 is the unconditional output, 1 the conditional one, others mix them linearly; −1 rows stay unconditional', () => {
  const { model } = tinyModel({ emaDecay: 0 });
  const n = 3, rng = new Rng(2);
  const x = new Float32Array(n * model.dim);
  rng.fillNormal(x);
  const labels = new Int32Array([0, 1, -1]);
  const none = new Int32Array(n).fill(-1);
  const cond = model.guidedOutput(x, 37, labels, 1);
  const uncond = model.guidedOutput(x, 37, none, 1);
  assert.equal(Array.from(model.guidedOutput(x, 37, labels, 0)), Array.from(uncond));
  for (const g of [0, 1, 0.5, 2.5]) {
    // g ∉ {0, 1} goes through the batched cond + uncond pass: its rows must still mix exactly.
    const out = model.guidedOutput(x, 37, labels, g);
    for (let i = 0; i < n; i++) {
      const gi = labels[i]! >= 0 ? g : 0;
      for (let k = 0; k < model.dim; k++) {
        const want = (1 - gi) * uncond[i * model.dim + k]! + gi * cond[i * model.dim + k]!;
        assert.ok(Math.abs(out[i * model.dim + k]! - want) < 1e-5, `g=${g} row ${i}: ${out[i * model.dim + k]} vs ${want}`);
      }
    }
  }
  let differs = 0;
  for (let k = 0; k < model.dim; k++) if (cond[k] !== uncond[k]) differs++;
  assert.ok(differs > 0, 'the label must change the output');
  model.dispose();
});

test('a tiny diffusion model overfits a tiny motion dataset: ε-MSE falls by 1.3× or more in 150 steps, no tensors leak', () => {
  const { ds, model } = tinyModel();
  // The skip term alone (an untrained residual) scores about 0.65 here; the network must add to it.
  const first = model.trainStep(ds)['losses/mse']!;
  const tensors = tf.memory().numTensors;
  let last = 0;
  for (let i = 1; i < 150; i++) last += i >= 130 ? model.trainStep(ds)['losses/mse']! / 20 : (model.trainStep(ds), 0);
  assert.is(tf.memory().numTensors, tensors, 'tensors leaked by trainStep');
  assert.ok(last < first / 1.3, `ε-MSE ${first} → ${last} (mean of the last 20 steps)`);
  const idx = listWindows(ds, 'heldout', 8);
  const r = model.evaluate(gatherWindows(ds, idx), idx.label, new Rng(3));
  assert.ok(Number.isFinite(r.nll_elbo_per_dim), `bound ${r.nll_elbo_per_dim}`);
  model.dispose();
});

for (const dct of [0, 4]) {
  test(`inpainting (${dct ? 'DCT' : 'frames'}): continued windows start exactly with the known frames, DDIM and ancestral`, () => {
    const { ds, model } = tinyModel({ dctCoefficients: dct, inpaintStd: 0 });
    for (let i = 0; i < 5; i++) model.trainStep(ds);
    // The known frames are real ones (what chaining passes: the end of a motion of this representation).
    const D = ds.layout.size, known = 3, n = 2;
    const prefix = ds.standardized[0]!.slice(5 * D, (5 + n * known) * D);
    for (const sampler of ['ddim', 'ddpm'] as const) {
      const out = model.continueFrom(prefix, known, new Int32Array([0, -1]), new Rng(6), { sampler, steps: 10, guidance: 2 });
      assert.is(out.length, n * 8 * D);
      assert.ok(out.every(Number.isFinite));
      for (let i = 0; i < n; i++) {
        for (let q = 0; q < known * D; q++) {
          const d = Math.abs(out[i * 8 * D + q]! - prefix[i * known * D + q]!);
          // float32 round trips through the DCT basis: 1e-3 of unit-scale numbers.
          assert.ok(d < 1e-3, `${sampler}: window ${i} known number ${q} off by ${d}`);
        }
      }
    }
    model.dispose();
  });
}

test('inpainting with PCA: the known frames are matched in least squares (closer than an unconstrained sample)', () => {
  const { ds, model } = tinyModel({ dctCoefficients: 4, pcaComponents: 24 });
  for (let i = 0; i < 5; i++) model.trainStep(ds);
  const D = ds.layout.size, known = 3, n = 4;
  const prefix = ds.standardized[0]!.slice(2 * D, (2 + n * known) * D);
  const labels = new Int32Array(n);
  const err = (out: Float32Array) => {
    let e = 0;
    for (let i = 0; i < n; i++) for (let q = 0; q < known * D; q++) e += (out[i * 8 * D + q]! - prefix[i * known * D + q]!) ** 2;
    return e / (n * known * D);
  };
  const free = err(model.sample(labels, new Rng(7), { steps: 8 }));
  const pinned = err(model.continueFrom(prefix, known, labels, new Rng(7), { steps: 8 }));
  assert.ok(pinned < free / 3, `squared error of the known frames: pinned ${pinned}, free ${free}`);
  // Round trip through the whitened principal components keeps most of a real window.
  const w = ds.standardized[0]!.slice(0, 8 * D);
  const back = model.toWindows(model.toModel(w, 1), 1);
  let e = 0, v = 0;
  for (let q = 0; q < w.length; q++) { e += (back[q]! - w[q]!) ** 2; v += w[q]! ** 2; }
  assert.ok(e < 0.2 * v, `PCA round trip keeps ${(1 - e / v).toFixed(3)} of the window's energy`);
  model.dispose();
});

test('DDIM visits T−1 … 0 in the asked number of steps; one step is pure x̂₀', () => {
  const { model } = tinyModel();
  assert.equal(Array.from(model.ddimTimesteps(5)), [99, 74, 50, 25, 0]);
  assert.equal(Array.from(model.ddimTimesteps(1)), [99]);
  model.dispose();
});

test.run();
