import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { flowSchema, GlowFlow } from '../../src/generative/flow.ts';
import { gatherWindows, listWindows } from '../../src/generative/dataset.ts';
import { contextFor, syntheticDataset, tinyMotionDataset } from './fixtures.ts';
import { dctBasis, fromDct, toDct } from '../../src/generative/ops.ts';

await initBackend('wasm');

function toyRows(rng: Rng, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    for (let k = 0; k < d; k++) out[i * d + k] = Math.sin(a * (k + 1)) + 0.3 * rng.normal() + (k % 2) * a;
  }
  return out;
}

/** A flow with non-trivial weights everywhere: random coupling outputs and a few training steps. */
function trainedToyFlow(frames: number, d: number, labels: number[]) {
  const rng = new Rng(5);
  const ds = syntheticDataset(labels.map(() => toyRows(rng, 400, d)), labels, frames, d);
  const model = new GlowFlow(contextFor(ds, 6), flowSchema.parse({ flowSteps: 3, hidden: [16], zeroInit: false, batchSize: 64, learningRate: 1e-2, warmupSteps: 0 }));
  for (let i = 0; i < 20; i++) model.trainStep(ds);
  return { ds, model };
}

test('inverse(forward(x)) = x within 1e-4, conditional, on windows of several frames', () => {
  const { ds, model } = trainedToyFlow(3, 6, [0, 1]);
  const idx = listWindows(ds, 'train', 7);
  const x = gatherWindows(ds, idx);
  const { z } = model.forward(x, idx.label);
  const back = model.inverse(z, idx.label);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back[i]! - x[i]!));
  assert.ok(worst < 1e-4, `max |f⁻¹(f(x)) − x| = ${worst}`);
  model.dispose();
});

/** log |det J| of a 4 × 4 matrix by Gaussian elimination with partial pivoting (float64). */
function logAbsDet(m: number[][]): number {
  const a = m.map((r) => r.slice());
  let s = 0;
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    s += Math.log(Math.abs(a[c]![c]!));
    for (let r = c + 1; r < 4; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 4; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return s;
}

test('log-det equals the log |det| of a finite-difference Jacobian on a 4-D case', () => {
  const { model } = trainedToyFlow(1, 4, [0]);
  const rng = new Rng(8);
  const labels = new Int32Array([0]);
  for (let trial = 0; trial < 3; trial++) {
    const x = Float32Array.from({ length: 4 }, () => rng.normal());
    const { logDet } = model.forward(x, labels);
    // Central differences, h = 1e-2 (float32 network: smaller h drowns in rounding).
    const h = 1e-2;
    const J: number[][] = [[], [], [], []];
    for (let j = 0; j < 4; j++) {
      const xp = x.slice(), xm = x.slice();
      xp[j]! += h; xm[j]! -= h;
      const zp = model.forward(xp, labels).z, zm = model.forward(xm, labels).z;
      for (let i = 0; i < 4; i++) J[i]![j] = (zp[i]! - zm[i]!) / (2 * h);
    }
    const fd = logAbsDet(J);
    assert.ok(Math.abs(fd - logDet[0]!) < 1e-2, `trial ${trial}: finite-difference log|det J| ${fd} vs flow ${logDet[0]}`);
    assert.ok(Math.abs(logDet[0]!) > 0.1, 'the test case should not be volume-preserving');
  }
  model.dispose();
});

test('a tiny flow overfits a tiny motion dataset: NLL per number falls by 1 nat or more in 150 steps', () => {
  const ds = tinyMotionDataset(8);
  const model = new GlowFlow(contextFor(ds, 3, 150), flowSchema.parse({ flowSteps: 2, hidden: [64], batchSize: 32, learningRate: 2e-3, warmupSteps: 20 }));
  const idx = listWindows(ds, 'train', 4);
  const x = gatherWindows(ds, idx);
  model.trainStep(ds); // ActNorm's data-dependent init happens here
  const first = model.evaluate(x, idx.label, new Rng(1)).nll_exact_per_dim!;
  const tensors = tf.memory().numTensors;
  for (let i = 1; i < 150; i++) model.trainStep(ds);
  assert.is(tf.memory().numTensors, tensors, 'tensors leaked by trainStep');
  const last = model.evaluate(x, idx.label, new Rng(1)).nll_exact_per_dim!;
  // Per standardised number, N(0, 1) data would score 1.42 nats; a fitted flow goes well below.
  assert.ok(last < first - 1, `NLL per number ${first} → ${last}`);
  const s = model.sample(new Int32Array([0, 1, -1]), new Rng(2));
  assert.ok(s.every(Number.isFinite));
  model.dispose();
});

test('a flow on DCT coefficients samples whole windows that are smooth curves through them', () => {
  const ds = tinyMotionDataset(8);
  const model = new GlowFlow(contextFor(ds, 3, 20), flowSchema.parse({ flowSteps: 2, hidden: [16], dctCoefficients: 3, batchSize: 16, warmupSteps: 0 }));
  for (let i = 0; i < 10; i++) model.trainStep(ds);
  const D = ds.layout.size;
  const s = model.sample(new Int32Array([0, 1]), new Rng(2));
  assert.is(s.length, 2 * 8 * D);
  const basis = dctBasis(8, 3);
  const back = fromDct(toDct(s, 2, 8, D, basis, 3), 2, 8, D, basis, 3);
  for (let i = 0; i < s.length; i++) assert.ok(Math.abs(back[i]! - s[i]!) < 1e-4);
  const idx = listWindows(ds, 'heldout', 4);
  assert.ok(Number.isFinite(model.evaluate(gatherWindows(ds, idx), idx.label, new Rng(1)).nll_exact_per_dim));
  model.dispose();
});

test.run();
