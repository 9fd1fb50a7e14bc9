/**
 * Action distributions of a policy: Categorical (discrete actions, from logits) and diagonal
 * Gaussian (continuous actions, from a mean and a state-independent log standard deviation, as in
 * CleanRL's `ppo_continuous_action.py`).
 *
 * `logProb` and `entropy` are differentiable tensor functions used inside a loss. Sampling happens
 * on the CPU in JS from the network's outputs with our seeded `Rng`, so a run's actions are fixed by
 * its seed whatever the backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.ts';
import { trainableVariable, type Param } from './mlp.ts';

const LOG_2PI = Math.log(2 * Math.PI);

// ---------------------------------------------------------------- Categorical

/** log π(a|s) for each row: logits [n, k], actions int32 [n] → [n]. */
export function categoricalLogProb(logits: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return tf.sum(tf.mul(logp, tf.oneHot(actions, logits.shape[1])), 1) as tf.Tensor1D;
}

/** Entropy of each row: logits [n, k] → [n]. */
export function categoricalEntropy(logits: tf.Tensor2D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
}

/** Samples one action per row of flat logits [n × k] into `out` (Int32Array or Float32Array). */
export function sampleCategorical(rng: Rng, logits: Float32Array, n: number, k: number, out: Int32Array | Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[o + j]!);
    let total = 0;
    for (let j = 0; j < k; j++) total += Math.exp(logits[o + j]! - max);
    let u = rng.random() * total;
    let a = k - 1;
    for (let j = 0; j < k; j++) {
      u -= Math.exp(logits[o + j]! - max);
      if (u < 0) {
        a = j;
        break;
      }
    }
    out[r] = a;
  }
}

/** The most likely action of each row (greedy policy), or the argmax of Q values. */
export function argmaxRows(values: Float32Array, n: number, k: number, out: Int32Array | Float32Array): void {
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[r * k + j]! > values[r * k + best]!) best = j;
    out[r] = best;
  }
}

// ---------------------------------------------------------------- diagonal Gaussian

/** log N(a; mean, exp(logStd)) summed over action dimensions: mean [n, d], logStd [d], a [n, d] → [n]. */
export function gaussianLogProb(mean: tf.Tensor2D, logStd: tf.Tensor1D, actions: tf.Tensor2D): tf.Tensor1D {
  const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
  const perDim = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(logStd, 0.5 * LOG_2PI));
  return tf.sum(perDim, 1);
}

/** Entropy of the diagonal Gaussian, one value per row: logStd [d] → [n] (the same for every row). */
export function gaussianEntropy(logStd: tf.Tensor1D, n: number): tf.Tensor1D {
  const h = tf.sum(tf.add(logStd, 0.5 + 0.5 * LOG_2PI));
  return tf.add(tf.zeros([n]), h);
}

/** Samples mean + exp(logStd)·ε into `out` (flat [n × d]). */
export function sampleGaussian(rng: Rng, mean: Float32Array, logStd: Float32Array, n: number, d: number, out: Float32Array): void {
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) out[r * d + j] = mean[r * d + j]! + Math.exp(logStd[j]!) * rng.normal();
  }
}

// ---------------------------------------------------------------- policy heads on arrays
//
// The agents run the loss of a policy in JS on the network's output arrays (a minibatch of 64
// rows of 2 to 8 numbers: far too small to be worth a tfjs op each). A head turns network outputs
// into log-probabilities and entropies and, given d loss / d logProb and d loss / d entropy per
// row, hands back d loss / d output for `Mlp.backward` (and d loss / d logStd for the Gaussian).
// test/nn/distributions.test.ts checks these gradients against tfjs autodiff of the tensor
// functions above.

export interface PolicyHead {
  readonly kind: 'categorical' | 'gaussian';
  /** Network outputs per row (logits for a categorical, means for a Gaussian). */
  readonly outputSize: number;
  /** Action numbers per row (1 for a categorical: the index, stored as a float). */
  readonly actionSize: number;
  /** Parameters the head owns (the Gaussian's log std), trained with the network. */
  readonly params: Param[];
  logProb(out: Float32Array, n: number, actions: Float32Array, logp: Float32Array): void;
  entropy(out: Float32Array, n: number, ent: Float32Array): void;
  /**
   * Chain rule through the head: writes d loss / d out into `dOut` and returns the gradients of
   * the head's own params (in `params` order).
   */
  backward(out: Float32Array, n: number, actions: Float32Array, dLogp: Float32Array, dEnt: Float32Array, dOut: Float32Array): Float32Array[];
  sample(rng: Rng, out: Float32Array, n: number, actions: Float32Array): void;
  /** The greedy action (argmax) or the mean action. */
  mode(out: Float32Array, n: number, actions: Float32Array): void;
}

/** Categorical over `k` actions from logits. */
export class CategoricalHead implements PolicyHead {
  readonly kind = 'categorical' as const;
  readonly actionSize = 1;
  readonly params: Param[] = [];
  private readonly p: Float64Array;

  constructor(readonly outputSize: number) {
    this.p = new Float64Array(outputSize);
  }

  // Softmax of row r into this.p; returns log Σ exp (the log normaliser).
  private softmax(out: Float32Array, r: number): number {
    const k = this.outputSize;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, out[r * k + j]!);
    let total = 0;
    for (let j = 0; j < k; j++) total += this.p[j] = Math.exp(out[r * k + j]! - max);
    for (let j = 0; j < k; j++) this.p[j]! /= total;
    return max + Math.log(total);
  }

  logProb(out: Float32Array, n: number, actions: Float32Array, logp: Float32Array): void {
    const k = this.outputSize;
    for (let r = 0; r < n; r++) logp[r] = out[r * k + actions[r]!]! - this.softmax(out, r);
  }

  entropy(out: Float32Array, n: number, ent: Float32Array): void {
    const k = this.outputSize;
    for (let r = 0; r < n; r++) {
      const lse = this.softmax(out, r);
      let h = 0;
      for (let j = 0; j < k; j++) h -= this.p[j]! * (out[r * k + j]! - lse);
      ent[r] = h;
    }
  }

  backward(out: Float32Array, n: number, actions: Float32Array, dLogp: Float32Array, dEnt: Float32Array, dOut: Float32Array): Float32Array[] {
    // d logp(a) / d z_j = [j = a] − p_j;   d H / d z_j = −p_j (log p_j + H)
    const k = this.outputSize;
    for (let r = 0; r < n; r++) {
      const lse = this.softmax(out, r);
      let h = 0;
      for (let j = 0; j < k; j++) h -= this.p[j]! * (out[r * k + j]! - lse);
      const a = actions[r]!;
      for (let j = 0; j < k; j++) {
        const pj = this.p[j]!;
        const logpj = out[r * k + j]! - lse;
        dOut[r * k + j] = dLogp[r]! * ((j === a ? 1 : 0) - pj) - dEnt[r]! * pj * (logpj + h);
      }
    }
    return [];
  }

  sample(rng: Rng, out: Float32Array, n: number, actions: Float32Array): void {
    sampleCategorical(rng, out, n, this.outputSize, actions);
  }

  mode(out: Float32Array, n: number, actions: Float32Array): void {
    argmaxRows(out, n, this.outputSize, actions);
  }
}

/**
 * Diagonal Gaussian over `d` dimensions: the network outputs the mean; the log standard deviation
 * is a state-independent parameter (CleanRL's `actor_logstd`, initialised to `initLogStd`).
 */
export class GaussianHead implements PolicyHead {
  readonly kind = 'gaussian' as const;
  readonly params: Param[];
  readonly actionSize: number;
  
  constructor(
    readonly outputSize: number,
    name: string,
    initLogStd = 0,
  ) {
    this.actionSize = outputSize;
    this.params = [{ name: `${name}/log_std`, variable: trainableVariable(() => tf.fill([outputSize], initLogStd)) }];
  }

  // The log std is read once per call: it changes only at optimizer steps.
  private readLogStd(): Float32Array {
    return this.params[0]!.variable.dataSync() as Float32Array;
  }

  logProb(out: Float32Array, n: number, actions: Float32Array, logp: Float32Array): void {
    const d = this.outputSize;
    const ls = this.readLogStd();
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const z = (actions[r * d + j]! - out[r * d + j]!) / Math.exp(ls[j]!);
        s += -0.5 * z * z - ls[j]! - 0.5 * LOG_2PI;
      }
      logp[r] = s;
    }
  }

  entropy(_out: Float32Array, n: number, ent: Float32Array): void {
    const ls = this.readLogStd();
    let h = 0;
    for (let j = 0; j < this.outputSize; j++) h += ls[j]! + 0.5 + 0.5 * LOG_2PI;
    for (let r = 0; r < n; r++) ent[r] = h;
  }

  backward(out: Float32Array, n: number, actions: Float32Array, dLogp: Float32Array, dEnt: Float32Array, dOut: Float32Array): Float32Array[] {
    // With z = (a − μ)/σ:  d logp / d μ = z/σ;  d logp / d logσ = z² − 1;  d H / d logσ = 1
    const d = this.outputSize;
    const ls = this.readLogStd();
    const dLogStd = new Float32Array(d);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const sigma = Math.exp(ls[j]!);
        const z = (actions[r * d + j]! - out[r * d + j]!) / sigma;
        dOut[r * d + j] = dLogp[r]! * (z / sigma);
        dLogStd[j]! += dLogp[r]! * (z * z - 1) + dEnt[r]!;
      }
    }
    return [dLogStd];
  }

  sample(rng: Rng, out: Float32Array, n: number, actions: Float32Array): void {
    sampleGaussian(rng, out, this.readLogStd(), n, this.outputSize, actions);
  }

  mode(out: Float32Array, n: number, actions: Float32Array): void {
    actions.set(out.subarray(0, n * this.outputSize));
  }
}
