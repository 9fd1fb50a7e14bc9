/**
 * For the gradient tests of the policy-gradient agents: the networks and the policy heads written
 * again with plain tfjs ops (no customGrad), so `tf.grads` of a loss built from them is tfjs's own
 * autodiff, independent of the hand-written backward passes the agents use; and a hook that
 * records every gradient an agent hands its optimizer, with the parameters at that moment.
 */
import * as tf from '@tensorflow/tfjs';
import * as assert from 'uvu/assert';
import type { Agent } from '../../src/agents/agent.ts';
import type { Param } from '../../src/nn/mlp.ts';

export interface RecordedStep {
  /** Every parameter before the step, in the agent's `params` order. */
  params: Float32Array[];
  /** The gradient the agent applied (after its norm clip). */
  grads: Float32Array[];
}

/**
 * Wraps the agent's optimizer so that each step is recorded, then taken as before. `params`: the
 * parameters the optimizer updates, in its order (default: the agent's `params`). PPO steps two
 * optimizers together (the policy's, then the critic's, agents/critic-update.ts): one recorded
 * step holds both gradients, in `params` order, with the parameters as they were before either.
 */
export function recordSteps(agent: Agent, params?: readonly Param[]): { steps: RecordedStep[]; shapes: number[][] } {
  type Stepper = { step(g: Float32Array[]): void };
  const a = agent as unknown as { optimizer?: Stepper; policyOptimizer?: Stepper; criticOptimizer?: Stepper; params: Param[] };
  const ps = params ?? a.params;
  const optimizers = a.optimizer ? [a.optimizer] : [a.policyOptimizer!, a.criticOptimizer!];
  const steps: RecordedStep[] = [];
  let current: RecordedStep | null = null;
  optimizers.forEach((o, i) => {
    const take = o.step.bind(o);
    o.step = (grads: Float32Array[]) => {
      if (i === 0) current = { params: ps.map((p) => (p.variable.dataSync() as Float32Array).slice()), grads: [] };
      current!.grads.push(...grads.map((g) => g.slice()));
      if (i === optimizers.length - 1) steps.push(current!);
      take(grads);
    };
  });
  return { steps, shapes: ps.map((p) => p.variable.shape) };
}

/** The gradient of `loss` with respect to the recorded parameters, by tfjs autodiff. */
export function autodiff(step: RecordedStep, shapes: number[][], loss: (ps: tf.Tensor[]) => tf.Scalar): Float32Array[] {
  return tf.tidy(() => {
    const ps = step.params.map((p, i) => tf.tensor(p, shapes[i]));
    const g = tf.grads((...xs: tf.Tensor[]) => loss(xs))(ps);
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

/** An MLP from its parameters [W0, b0, W1, b1, …], weights stored [in, out]; a linear last layer. */
export function mlp(x: tf.Tensor2D, ps: tf.Tensor[], activation: 'tanh' | 'relu' = 'tanh'): tf.Tensor2D {
  let h = x;
  for (let i = 0; i < ps.length; i += 2) {
    h = tf.add(tf.matMul(h, ps[i] as tf.Tensor2D), ps[i + 1]!);
    if (i + 2 < ps.length) h = activation === 'tanh' ? tf.tanh(h) : tf.relu(h);
  }
  return h;
}

/** log π(a|s) and the entropy per row of a categorical policy over logits. */
export function categorical(logits: tf.Tensor2D, actions: Float32Array): { logp: tf.Tensor1D; entropy: tf.Tensor1D } {
  const ls = tf.logSoftmax(logits);
  const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(actions), 'int32'), logits.shape[1]);
  return { logp: tf.sum(tf.mul(ls, onehot), 1) as tf.Tensor1D, entropy: tf.neg(tf.sum(tf.mul(tf.exp(ls), ls), 1)) as tf.Tensor1D };
}

/** log π(a|s) and the entropy per row of a diagonal Gaussian with state-independent log std. */
export function gaussian(mean: tf.Tensor2D, logStd: tf.Tensor, actions: Float32Array): { logp: tf.Tensor1D; entropy: tf.Tensor1D } {
  const [m, d] = mean.shape;
  const half = 0.5 * Math.log(2 * Math.PI);
  const z = tf.div(tf.sub(tf.tensor2d(actions, [m, d]), mean), tf.exp(logStd));
  const logp = tf.sum(tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), logStd), half), 1);
  const entropy = tf.mul(tf.ones([m]), tf.add(tf.sum(logStd), d * (0.5 + half)));
  return { logp: logp as tf.Tensor1D, entropy: entropy as tf.Tensor1D };
}

/** (A − mean) / (unbiased std + 1e-8), as CleanRL and Stable-Baselines3 normalize advantages. */
export function normalized(adv: number[]): number[] {
  const mean = adv.reduce((s, x) => s + x, 0) / adv.length;
  const std = Math.sqrt(adv.reduce((s, x) => s + (x - mean) ** 2, 0) / (adv.length - 1));
  return adv.map((x) => (x - mean) / (std + 1e-8));
}

/** Each component within `rel` of the largest component of its parameter's gradient (float32 sums). */
export function assertGradsClose(got: Float32Array[], want: Float32Array[], what: string, rel = 1e-4): void {
  assert.is(got.length, want.length, `${what}: number of gradients`);
  for (let p = 0; p < want.length; p++) {
    const scale = Math.max(1e-6, ...Array.from(want[p]!, Math.abs));
    for (let i = 0; i < want[p]!.length; i++) {
      const d = Math.abs(got[p]![i]! - want[p]![i]!);
      assert.ok(d <= rel * scale, `${what}: parameter ${p}[${i}] = ${got[p]![i]}, autodiff ${want[p]![i]} (scale ${scale})`);
    }
  }
}
