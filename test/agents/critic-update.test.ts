/**
 * PPO's value half (src/agents/critic-update.ts) on its own: the gradient of vfCoef · value loss
 * against tfjs autodiff of CleanRL's value loss (cleanrl/ppo.py: v_loss = ½·mean((V − R)²), or with
 * clip_vloss ½·mean(max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²))), on minibatches picked
 * from the middle of a shuffled order and of two sizes; the continued sum of squares; the scaled
 * Adam step; and the order of calls LocalCriticUpdate enforces.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { Rng } from '../../src/core/rng.ts';
import { Mlp } from '../../src/nn/mlp.ts';
import { Adam } from '../../src/nn/optim.ts';
import { CriticLearner, LocalCriticUpdate } from '../../src/agents/critic-update.ts';
import { assertGradsClose, mlp } from './grad-check.ts';

await initBackend('wasm');

const obsDim = 3, rows = 20;
const rng = new Rng(7);
const data = {
  obs: Float32Array.from({ length: rows * obsDim }, () => rng.uniform(-1, 1)),
  returns: Float32Array.from({ length: rows }, () => rng.uniform(-1, 1)),
  values: Float32Array.from({ length: rows }, () => rng.uniform(-1, 1)),
};
const order = [13, 2, 19, 7, 0, 11, 5, 16, 8, 3, 17, 1, 9, 14, 6, 18, 4, 12, 10, 15];

/** vfCoef · CleanRL's value loss on rows `order[start … start + m)`, at the parameters `ps`. */
function valueLoss(ps: tf.Tensor[], start: number, m: number, clipVloss: boolean, clipCoef: number, vfCoef: number): tf.Scalar {
  const ks = order.slice(start, start + m);
  const x = tf.tensor2d(ks.flatMap((k) => Array.from(data.obs.subarray(k * obsDim, (k + 1) * obsDim))), [m, obsDim]);
  const v = tf.reshape(mlp(x, ps, 'tanh'), [m]);
  const R = tf.tensor1d(ks.map((k) => data.returns[k]!));
  const vOld = tf.tensor1d(ks.map((k) => data.values[k]!));
  const unclipped = tf.square(tf.sub(v, R));
  const loss = clipVloss ? tf.maximum(unclipped, tf.square(tf.sub(tf.add(vOld, tf.clipByValue(tf.sub(v, vOld), -clipCoef, clipCoef)), R))) : unclipped;
  return tf.mul(vfCoef, tf.mul(0.5, tf.mean(loss))) as tf.Scalar;
}

for (const clipVloss of [true, false]) {
  test(`the value gradient and loss are autodiff's and CleanRL's (clipVloss ${clipVloss}), for a minibatch of 6 then of 4 from the middle of the order`, () => {
    const critic = new Mlp('critic', { sizes: [obsDim, 5, 1], activation: 'tanh' }, new Rng(3));
    const learner = new CriticLearner(critic, new Adam(critic.params, { lr: 0.01 }), { clipVloss, clipCoef: 0.05, vfCoef: 0.7 });
    for (const [start, m] of [[6, 6], [12, 4]] as const) {
      const params = critic.params.map((p) => p.variable);
      const got = learner.gradients(data, order, start, m);
      const want = tf.tidy(() => valueLoss(params, start, m, clipVloss, 0.05, 0.7).dataSync()[0]! / 0.7);
      assert.ok(Math.abs(got - want) < 1e-6, `value loss ${got} against ${want}`);
      const grads = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => valueLoss(ps, start, m, clipVloss, 0.05, 0.7))(params).map((g) => g.dataSync() as Float32Array));
      // The gradients the learner holds: their squares, continued from 2.5, and their values after a step.
      const squares = grads.reduce((a, g) => a + g.reduce((b, x) => b + x * x, 0), 0);
      assert.ok(Math.abs(learner.addSquares(2.5) - (2.5 + squares)) < 1e-6 * (2.5 + squares), 'the sum of squares continues the one given');
      const held = (learner as unknown as { grads: Float32Array[] }).grads;
      assertGradsClose(held, grads, `minibatch at ${start}`);
    }
    critic.dispose();
  });
}

test("step(factor) is Adam's step on the gradients times the factor", () => {
  const critic = new Mlp('critic', { sizes: [obsDim, 4, 1], activation: 'tanh' }, new Rng(5));
  const twin = new Mlp('critic', { sizes: [obsDim, 4, 1], activation: 'tanh' }, new Rng(5));
  const learner = new CriticLearner(critic, new Adam(critic.params, { lr: 0.05 }), { clipVloss: false, clipCoef: 0.2, vfCoef: 0.5 });
  const adam = new Adam(twin.params, { lr: 0.05 });
  learner.gradients(data, order, 0, 8);
  const grads = (learner as unknown as { grads: Float32Array[] }).grads.map((g) => g.map((x) => x * 0.25));
  learner.step(0.25);
  adam.step(grads);
  critic.params.forEach((p, i) => assert.equal(Array.from(p.variable.dataSync()), Array.from(twin.params[i]!.variable.dataSync()), p.name));
  critic.dispose();
  twin.dispose();
});

test('LocalCriticUpdate: the learning rate from begin, the global squares and the loss from exchange; nothing before begin or after end', () => {
  const critic = new Mlp('critic', { sizes: [obsDim, 4, 1], activation: 'tanh' }, new Rng(5));
  const optimizer = new Adam(critic.params, { lr: 1 });
  const update = new LocalCriticUpdate(critic, optimizer, { clipVloss: false, clipCoef: 0.2, vfCoef: 0.5 });
  assert.throws(() => update.exchange(0, 0), /CriticUpdate.exchange before begin/);
  update.begin(data, rows, 0.003);
  assert.is(optimizer.lr, 0.003);
  update.epoch(order, 5);
  const direct = new CriticLearner(new Mlp('critic', { sizes: [obsDim, 4, 1], activation: 'tanh' }, new Rng(5)), new Adam([], { lr: 1 }), { clipVloss: false, clipCoef: 0.2, vfCoef: 0.5 });
  const loss = direct.gradients(data, order, 5, 5);
  const { squares, valueLoss: got } = update.exchange(5, 1.5);
  assert.is(got, loss);
  assert.is(squares, direct.addSquares(1.5));
  update.step(1);
  update.end();
  assert.throws(() => update.exchange(5, 0), /before begin/, 'end forgets the rollout');
  update.close();
  critic.dispose();
  direct.critic.dispose();
});

test.run();
