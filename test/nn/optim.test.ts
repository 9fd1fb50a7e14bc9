import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { Mlp, type Param } from '../../src/nn/mlp.ts';
import { Adam, Rmsprop, Sgd, clipGradNorm, globalNorm, lossAndGrads } from '../../src/nn/optim.ts';
import { CategoricalHead } from '../../src/nn/distributions.ts';

await initBackend('wasm');

function param(name: string, values: number[]): Param {
  return { name, variable: tf.variable(tf.tensor1d(values), true) };
}

test('Adam follows torch.optim.Adam', () => {
  // Two steps worked by hand from the update rule in Kingma & Ba (2015), Algorithm 1, as torch:
  // step 1: m̂ = g, v̂ = g² → θ −= lr·g/(|g| + eps) ≈ lr·sign(g).
  const p = param('w', [1, -2]);
  const adam = new Adam([p], { lr: 0.1, eps: 1e-8 });
  adam.step([Float32Array.from([0.5, -4])]);
  const after1 = Array.from(p.variable.dataSync());
  assert.ok(Math.abs(after1[0]! - 0.9) < 1e-6 && Math.abs(after1[1]! - -1.9) < 1e-6, `${after1}`);
  // step 2 with g = [1, 0]: m = [0.145, −0.36], v = [0.00124975, 0.015984]; m̂ = m/0.19, v̂ = v/0.001999.
  adam.step([Float32Array.from([1, 0])]);
  const m = [0.145 / 0.19, -0.36 / 0.19];
  const v = [0.00124975 / (1 - 0.999 ** 2), 0.015984 / (1 - 0.999 ** 2)];
  const want = [0.9 - (0.1 * m[0]!) / Math.sqrt(v[0]!), -1.9 - (0.1 * m[1]!) / Math.sqrt(v[1]!)];
  const got = Array.from(p.variable.dataSync());
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `${got} vs ${want}`);
  p.variable.dispose();
});

test('SGD with momentum follows torch.optim.SGD', () => {
  const p = param('w', [0]);
  const sgd = new Sgd([p], { lr: 0.1, momentum: 0.9 });
  sgd.step([Float32Array.from([1])]); // buf = 1 → θ = −0.1
  sgd.step([Float32Array.from([1])]); // buf = 1.9 → θ = −0.29
  assert.ok(Math.abs(p.variable.dataSync()[0]! - -0.29) < 1e-6);
  p.variable.dispose();
});

test('RMSprop follows torch.optim.RMSprop', () => {
  // v = (1 − α) g² = 0.01·4 = 0.04 → θ −= lr·g/(√v + eps) = 0.1·2/0.2 = 1.
  const p = param('w', [0]);
  const rms = new Rmsprop([p], { lr: 0.1, alpha: 0.99, eps: 0 });
  rms.step([Float32Array.from([2])]);
  assert.ok(Math.abs(p.variable.dataSync()[0]! - -1) < 1e-6);
  // v = 0.99·0.04 + 0.01·1 = 0.0496 → θ −= 0.1·1/√0.0496
  rms.step([Float32Array.from([1])]);
  assert.ok(Math.abs(p.variable.dataSync()[0]! - (-1 - 0.1 / Math.sqrt(0.0496))) < 1e-5);
  assert.is(rms.getState().kind, 'rmsprop');
  p.variable.dispose();
});

test('optimizer state round-trips', () => {
  const a = param('w', [1, 2, 3]);
  const b = param('w', [1, 2, 3]);
  const adamA = new Adam([a], { lr: 0.01 });
  const adamB = new Adam([b], { lr: 0.5 });
  adamA.step([Float32Array.from([1, 2, 3])]);
  adamB.setState(adamA.getState());
  b.variable.assign(a.variable);
  adamA.step([Float32Array.from([-1, 0, 1])]);
  adamB.step([Float32Array.from([-1, 0, 1])]);
  assert.equal(Array.from(b.variable.dataSync()), Array.from(a.variable.dataSync()));
  assert.throws(() => new Sgd([a], { lr: 1 }).setState(adamA.getState()), /for adam, not sgd/);
  tf.dispose([a.variable, b.variable]);
});

test('clipGradNorm scales to the max norm and returns the norm before', () => {
  const g = [Float32Array.from([3, 0]), Float32Array.from([4])];
  assert.is(clipGradNorm(g, 1), 5);
  assert.ok(Math.abs(globalNorm(g) - 1) < 1e-5);
  const small = [Float32Array.from([0.3])];
  clipGradNorm(small, 1);
  assert.ok(Math.abs(small[0]![0]! - 0.3) < 1e-7);
});

test('lossAndGrads returns loss, grads and aux values', () => {
  const p = param('x', [3]);
  const r = lossAndGrads([p], () => ({ loss: tf.sum(tf.square(p.variable)) as tf.Scalar, aux: { twice: tf.mul(tf.sum(p.variable), 2) as tf.Scalar } }));
  assert.is(r.loss, 9);
  assert.equal(Array.from(r.grads[0]!), [6]);
  assert.is(r.aux.twice, 6);
  p.variable.dispose();
});

test('a training loop leaves tf.memory().numTensors flat, and learns', () => {
  // Fit a policy to always pick action 1 (a cross-entropy loss through the JS head).
  const rng = new Rng(1);
  const net = new Mlp('pi', { sizes: [4, 32, 32, 2], activation: 'tanh', outputGain: 0.01 }, rng);
  const head = new CategoricalHead(2);
  const adam = new Adam(net.params, { lr: 1e-2 });
  const n = 32;
  const x = new Float32Array(n * 4);
  const actions = new Float32Array(n).fill(1);
  const logp = new Float32Array(n), dLogp = new Float32Array(n).fill(-1 / n), dEnt = new Float32Array(n), dOut = new Float32Array(n * 2);
  const step = () => {
    rng.fillNormal(x);
    const logits = net.forward(x, n, { train: true });
    head.logProb(logits, n, actions, logp);
    head.backward(logits, n, actions, dLogp, dEnt, dOut);
    const grads = net.backward(dOut);
    clipGradNorm(grads, 0.5);
    adam.step(grads);
    return logp.reduce((a, b) => a + b, 0) / n;
  };
  const first = step();
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 300; i++) last = step();
  assert.is(tf.memory().numTensors, before, 'tensor count after 300 updates');
  assert.ok(first < -0.6 && last > -0.05, `mean log π(1) went from ${first} to ${last}`);
  net.dispose();
});

test.run();
