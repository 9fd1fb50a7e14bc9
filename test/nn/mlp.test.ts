import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { GaussianHead } from '../../src/nn/distributions.ts';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { Mlp, type Activation } from '../../src/nn/mlp.ts';
import { lossAndGrads } from '../../src/nn/optim.ts';

await initBackend('wasm');

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) {
  assert.is(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const act of ['tanh', 'relu'] as Activation[]) {
  test(`${act}: explicit backward equals autodiff through tf ops`, () => {
    const rng = new Rng(1);
    const net = new Mlp(`net_${act}`, { sizes: [3, 8, 5, 2], activation: act }, rng);
    const n = 7;
    const x = new Float32Array(n * 3);
    rng.fillNormal(x);
    const dOut = new Float32Array(n * 2);
    rng.fillNormal(dOut);
    const out = net.forward(x, n, { train: true });
    const grads = net.backward(dOut);
    // Reference: the same network written with plain tf ops under the tape; loss = Σ out ⊙ dOut.
    const ref = lossAndGrads(net.params, () => {
      let h: tf.Tensor = tf.tensor2d(x, [n, 3]);
      for (let i = 0; i < net.params.length; i += 2) {
        h = tf.add(tf.matMul(h, net.params[i]!.variable), net.params[i + 1]!.variable);
        if (i + 2 < net.params.length) h = act === 'tanh' ? tf.tanh(h) : tf.relu(h);
      }
      return { loss: tf.sum(tf.mul(h, tf.tensor2d(dOut, [n, 2]))) as tf.Scalar, aux: { check: tf.sum(h) as tf.Scalar } };
    });
    close([ref.aux.check!], [out.reduce((a, b) => a + b, 0)], 1e-4, 'output sum');
    grads.forEach((g, i) => close(g, ref.grads[i]!, 1e-4, net.params[i]!.name));
    // apply() (customGrad layers under the tape) gives the same gradients.
    const viaApply = lossAndGrads(net.params, () => ({ loss: tf.sum(tf.mul(net.apply(tf.tensor2d(x, [n, 3])), tf.tensor2d(dOut, [n, 2]))) as tf.Scalar }));
    viaApply.grads.forEach((g, i) => close(g, ref.grads[i]!, 1e-4, `apply ${net.params[i]!.name}`));
    net.dispose();
  });
}

test('forward without train equals forward with train; params are named and shaped [in, out]', () => {
  const net = new Mlp('pi', { sizes: [4, 16, 2], activation: 'tanh', outputGain: 0.01 }, new Rng(2));
  const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
  const a = net.forward(x, 3);
  const b = net.forward(x, 3, { train: true });
  net.releaseCache();
  close(a, b, 1e-6, 'out');
  assert.equal(net.params.map((p) => [p.name, p.variable.shape]), [
    ['pi/dense_0/kernel', [4, 16]], ['pi/dense_0/bias', [16]], ['pi/dense_1/kernel', [16, 2]], ['pi/dense_1/bias', [2]],
  ]);
  // The policy head's small gain keeps initial logits near zero (CleanRL's std=0.01).
  assert.ok(a.every((v) => Math.abs(v) < 0.1));
  net.dispose();
});

test('same seed gives the same weights', () => {
  const a = new Mlp('a', { sizes: [4, 8, 1], activation: 'tanh' }, new Rng(9));
  const b = new Mlp('b', { sizes: [4, 8, 1], activation: 'tanh' }, new Rng(9));
  assert.equal([...a.getWeights().values()].map((w) => Array.from(w)), [...b.getWeights().values()].map((w) => Array.from(w)));
  a.dispose();
  b.dispose();
});

test('copyFrom and polyakFrom (target networks)', () => {
  const online = new Mlp('q', { sizes: [2, 4, 3], activation: 'relu' }, new Rng(1));
  const target = new Mlp('q_target', { sizes: [2, 4, 3], activation: 'relu' }, new Rng(2));
  const w0 = target.params[0]!.variable.dataSync()[0]!;
  const wOnline = online.params[0]!.variable.dataSync()[0]!;
  target.polyakFrom(online, 0.25);
  close([target.params[0]!.variable.dataSync()[0]!], [0.25 * wOnline + 0.75 * w0], 1e-6, 'polyak');
  target.copyFrom(online);
  close(target.params[2]!.variable.dataSync(), online.params[2]!.variable.dataSync(), 0, 'copy');
  online.dispose();
  target.dispose();
});

test('no tensor leaks over many forward/backward passes', () => {
  const net = new Mlp('leak', { sizes: [4, 32, 32, 2], activation: 'tanh' }, new Rng(1));
  const x = new Float32Array(64 * 4).fill(0.5);
  const d = new Float32Array(64 * 2).fill(0.1);
  net.forward(x, 64, { train: true });
  net.backward(d);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 200; i++) {
    net.forward(x, 64);
    net.forward(x, 64, { train: true });
    net.backward(d);
    net.forward(x, 64, { train: true }); // dropped without backward: released by the next forward
  }
  net.releaseCache();
  assert.is(tf.memory().numTensors, before);
  net.dispose();
});

test('a network made and disposed leaves no tensor behind (its initial values included), nor does a Gaussian head', () => {
  const before = tf.memory().numTensors;
  const net = new Mlp('made', { sizes: [3, 8, 2], activation: 'relu' }, new Rng(2));
  const head = new GaussianHead(2, 'made', -1);
  assert.is(tf.memory().numTensors, before + 4 + 1, 'one tensor a parameter while they live');
  net.dispose();
  for (const p of head.params) p.variable.dispose();
  assert.is(tf.memory().numTensors, before);
});

test('bad shapes are reported', () => {
  const net = new Mlp('s', { sizes: [4, 2], activation: 'tanh' }, new Rng(1));
  assert.throws(() => net.forward(new Float32Array(5), 1), /input has 5 values, expected 1 × 4/);
  assert.throws(() => net.backward(new Float32Array(2)), /needs a forward/);
  assert.throws(() => new Mlp('bad', { sizes: [4], activation: 'tanh' }, new Rng(1)), /two or more positive integers/);
  net.dispose();
});

test.run();
