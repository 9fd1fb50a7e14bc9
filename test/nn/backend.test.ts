import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from '../../src/nn/backend.ts';
import { UnknownIdError } from '../../src/core/errors.ts';

test('auto skips the absent native backend and starts wasm with SIMD', async () => {
  const info = await initBackend('auto');
  assert.is(info.name, 'wasm');
  assert.is(tf.getBackend(), 'wasm');
  assert.ok(info.skipped.some((s) => s.name === 'tensorflow'), 'tensorflow listed as skipped');
  assert.is(info.simd, true);
  assert.match(describeBackend(info), /^wasm \(simd, 1 thread\)/);
  const y = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])).dataSync());
  assert.equal(Array.from(y), [1, 2, 3, 4]);
});

test('cpu by name', async () => {
  const info = await initBackend('cpu');
  assert.is(info.name, 'cpu');
  assert.is(tf.getBackend(), 'cpu');
});

test('tensorflow by name fails with a clear message where the native library is absent', async () => {
  try {
    await initBackend('tensorflow');
    assert.unreachable('should throw');
  } catch (err) {
    assert.match((err as Error).message, /backend 'tensorflow' is not available/);
  }
});

test('unknown backend name', async () => {
  try {
    await initBackend('cuda');
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, UnknownIdError);
    assert.match((err as Error).message, /unknown backend 'cuda'.*auto, tensorflow, wasm, cpu/);
  }
});

test.run();
