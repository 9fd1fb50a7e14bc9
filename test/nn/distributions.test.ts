import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import {
  CategoricalHead, GaussianHead, categoricalEntropy, categoricalLogProb, gaussianEntropy, gaussianLogProb, sampleCategorical,
} from '../../src/nn/distributions.ts';

await initBackend('wasm');

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  assert.is(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

const rng = new Rng(4);
const n = 6;

test('categorical head: logProb, entropy and their gradients match tfjs autodiff', () => {
  const k = 3;
  const logits = new Float32Array(n * k);
  rng.fillNormal(logits, 0, 2);
  const actions = Float32Array.from({ length: n }, () => rng.int(k));
  const wLogp = new Float32Array(n), wEnt = new Float32Array(n);
  rng.fillNormal(wLogp);
  rng.fillNormal(wEnt);
  const head = new CategoricalHead(k);
  const logp = new Float32Array(n), ent = new Float32Array(n), dOut = new Float32Array(n * k);
  head.logProb(logits, n, actions, logp);
  head.entropy(logits, n, ent);
  head.backward(logits, n, actions, wLogp, wEnt, dOut);
  // Reference: d/dlogits of Σ wLogp·logp + wEnt·H with tf's own ops and gradients.
  const z = tf.tensor2d(logits, [n, k]);
  const a = tf.tensor1d(Int32Array.from(actions), 'int32');
  close(categoricalLogProb(z, a).dataSync(), logp, 1e-5, 'logp');
  close(categoricalEntropy(z).dataSync(), ent, 1e-5, 'entropy');
  const g = tf.grad((zz: tf.Tensor) => tf.add(tf.sum(tf.mul(categoricalLogProb(zz as tf.Tensor2D, a), tf.tensor1d(wLogp))), tf.sum(tf.mul(categoricalEntropy(zz as tf.Tensor2D), tf.tensor1d(wEnt)))))(z);
  close(dOut, g.dataSync(), 1e-4, 'dlogits');
  // Uniform logits: entropy log k (a textbook value).
  head.entropy(new Float32Array(k), 1, ent);
  close([ent[0]!], [Math.log(k)], 1e-6, 'uniform entropy');
});

test('gaussian head: logProb, entropy and gradients (mean and log std) match tfjs autodiff', () => {
  const d = 2;
  const mean = new Float32Array(n * d), actions = new Float32Array(n * d);
  rng.fillNormal(mean);
  rng.fillNormal(actions);
  const head = new GaussianHead(d, 'pi', -0.5);
  head.params[0]!.variable.assign(tf.tensor1d([-0.5, 0.3]));
  const wLogp = new Float32Array(n), wEnt = new Float32Array(n);
  rng.fillNormal(wLogp);
  rng.fillNormal(wEnt);
  const logp = new Float32Array(n), ent = new Float32Array(n), dOut = new Float32Array(n * d);
  head.logProb(mean, n, actions, logp);
  head.entropy(mean, n, ent);
  const [dLogStd] = head.backward(mean, n, actions, wLogp, wEnt, dOut);
  const mu = tf.tensor2d(mean, [n, d]);
  const ls = tf.tensor1d([-0.5, 0.3]);
  const act = tf.tensor2d(actions, [n, d]);
  close(gaussianLogProb(mu, ls, act).dataSync(), logp, 1e-5, 'logp');
  close(gaussianEntropy(ls, n).dataSync(), ent, 1e-5, 'entropy');
  const f = (m: tf.Tensor, s: tf.Tensor) =>
    tf.add(tf.sum(tf.mul(gaussianLogProb(m as tf.Tensor2D, s as tf.Tensor1D, act), tf.tensor1d(wLogp))), tf.sum(tf.mul(gaussianEntropy(s as tf.Tensor1D, n), tf.tensor1d(wEnt))));
  const [gm, gs] = tf.grads(f)([mu, ls]);
  close(dOut, gm!.dataSync(), 1e-4, 'dmean');
  close(dLogStd!, gs!.dataSync(), 1e-4, 'dlogstd');
  // Standard normal: entropy per dimension ½ log(2πe) = 1.4189…
  close([gaussianEntropy(tf.zeros([1]) as tf.Tensor1D, 1).dataSync()[0]!], [0.5 * Math.log(2 * Math.PI * Math.E)], 1e-6, 'std normal');
  head.params[0]!.variable.dispose();
});

test('sampling follows the distribution and the seed', () => {
  const logits = Float32Array.from([Math.log(0.2), Math.log(0.5), Math.log(0.3)]);
  const counts = [0, 0, 0];
  const r = new Rng(11);
  const out = new Int32Array(1);
  for (let i = 0; i < 20000; i++) {
    sampleCategorical(r, logits, 1, 3, out);
    counts[out[0]!]!++;
  }
  close(counts.map((c) => c / 20000), [0.2, 0.5, 0.3], 0.03, 'frequencies');
  const head = new GaussianHead(1, 'g', Math.log(2));
  const s = new Float32Array(20000);
  head.sample(new Rng(1), new Float32Array(20000).fill(3), 20000, s);
  const m = s.reduce((a, b) => a + b, 0) / s.length;
  const v = s.reduce((a, b) => a + (b - m) ** 2, 0) / s.length;
  close([m, Math.sqrt(v)], [3, 2], 0.05, 'mean/std');
  const again = new Float32Array(20000);
  head.sample(new Rng(1), new Float32Array(20000).fill(3), 20000, again);
  assert.equal(Array.from(again.subarray(0, 10)), Array.from(s.subarray(0, 10)));
  head.params[0]!.variable.dispose();
});

test.run();
