/**
 * A multilayer perceptron for the small networks of RL (two hidden layers of 64 or 256 units),
 * built for speed on the WASM backend.
 *
 * Why not `tf.layers` + `optimizer.minimize`: a `tf.layers.dense` gradient is a `matMul` with a
 * transpose flag, which on the WASM backend (tfjs 4.22) is several times slower than an explicit
 * `transpose` followed by a plain `matMul`, and at these sizes the time goes into per-op overhead
 * (the tape, the layers bookkeeping, ten optimizer ops per variable), not arithmetic. bench/nn.ts
 * measures both.
 *
 * Weights are stored [in, out], so the forward pass `y = act(x·W + b)` needs no transpose. Two ways
 * to get gradients:
 *
 * - `forward(x, n, { train: true })` then `backward(dOut)`: explicit backprop with no tape. The
 *   forward keeps each layer's input and output; the backward runs, layer by layer from the top,
 *
 *     dz = dOut ⊙ act'(y)      dW = xᵀ · dz      db = Σ_rows dz      dx = dz · Wᵀ
 *
 *   with the transposes explicit, and returns one Float32Array per parameter. The agents use this:
 *   their loss heads (distributions, value losses) are small and run in JS on the output arrays
 *   (src/nn/distributions.ts), which hands back d loss / d output.
 * - `apply(x)`: a differentiable forward (each layer one `tf.customGrad` op with the same explicit
 *   backward) for use under a tfjs gradient tape, with `lossAndGrads` in optim.ts.
 *
 * The variables are plain `tf.Variable`s listed in `params` (W0, b0, W1, b1, …) with stable
 * logical names for checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.ts';
import { orthogonal } from './init.ts';

export type Activation = 'tanh' | 'relu' | 'linear';

export interface MlpSpec {
  /** Layer widths from input to output, e.g. [4, 64, 64, 2]. */
  sizes: readonly number[];
  /** Activation of the hidden layers; the output layer is linear. */
  activation: Activation;
  /** Orthogonal gain of the hidden layers (CleanRL: √2). */
  hiddenGain?: number;
  /** Orthogonal gain of the output layer (CleanRL: 0.01 for a policy head, 1 for a value head). */
  outputGain?: number;
}

/** A named parameter: the variable and the name it has in checkpoints. */
/**
 * A trainable variable with the values of `initial()`. tf.variable keeps its own reference to the
 * data, so the initial tensor is disposed here: left alive it stays counted, one tensor per
 * parameter of every network made, for the life of the process.
 */
export function trainableVariable(initial: () => tf.Tensor, name?: string): tf.Variable {
  const values = initial();
  try {
    return tf.variable(values, true, name);
  } finally {
    values.dispose();
  }
}

export interface Param {
  name: string;
  variable: tf.Variable;
}

export class Mlp {
  readonly params: Param[] = [];
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly layers: { w: tf.Variable; b: tf.Variable; act: Activation }[] = [];
  /** Inputs and outputs of each layer kept by a training forward pass for `backward`. */
  private cache: { xs: tf.Tensor2D[]; ys: tf.Tensor2D[] } | null = null;

  constructor(
    readonly name: string,
    readonly spec: MlpSpec,
    rng: Rng,
  ) {
    const { sizes } = spec;
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new RangeError(`Mlp ${name}: sizes must be two or more positive integers, got [${sizes.join(', ')}]`);
    }
    this.inputSize = sizes[0]!;
    this.outputSize = sizes[sizes.length - 1]!;
    for (let i = 0; i + 1 < sizes.length; i++) {
      const last = i + 2 === sizes.length;
      const fanIn = sizes[i]!;
      const fanOut = sizes[i + 1]!;
      const gain = last ? (spec.outputGain ?? 1) : (spec.hiddenGain ?? Math.SQRT2);
      // torch's orthogonal_ acts on the [out, in] weight; we store its transpose [in, out].
      const wOutIn = orthogonal(rng, fanOut, fanIn, gain);
      const wInOut = new Float32Array(fanIn * fanOut);
      for (let o = 0; o < fanOut; o++) for (let k = 0; k < fanIn; k++) wInOut[k * fanOut + o] = wOutIn[o * fanIn + k]!;
      const w = trainableVariable(() => tf.tensor2d(wInOut, [fanIn, fanOut]));
      const b = trainableVariable(() => tf.zeros([fanOut]));
      this.layers.push({ w, b, act: last ? 'linear' : spec.activation });
      this.params.push({ name: `${name}/dense_${i}/kernel`, variable: w }, { name: `${name}/dense_${i}/bias`, variable: b });
    }
  }

  /** Forward pass on a batch [n, in] → [n, out], differentiable (use inside a gradient tape). */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const { w, b, act } = this.layers[i]!;
      h = dense(h, w, b, act, i > 0);
    }
    return h;
  }

  /**
   * Forward pass without a tape, for acting: fused matMul + bias (+ relu) where the backend has it.
   * Returns a tensor the caller disposes (or runs inside `tf.tidy`).
   */
  predict(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      for (const { w, b, act } of this.layers) {
        const z = <tf.Tensor2D>tf.fused.matMul({ a: h, b: w, bias: b, activation: act === 'relu' ? 'relu' : 'linear' });
        h = act === 'tanh' ? tf.tanh(z) : z;
      }
      return h;
    });
  }

  /**
   * Forward pass on a flat Float32Array of `n` rows ([n × inputSize]); returns the flat outputs
   * [n × outputSize]. With `train: true` the layer activations are kept for one `backward` call.
   */
  forward(x: Float32Array, n: number, opts: { train?: boolean } = {}): Float32Array {
    if (x.length !== n * this.inputSize) throw new RangeError(`Mlp ${this.name}: input has ${x.length} values, expected ${n} × ${this.inputSize}`);
    this.releaseCache();
    if (!opts.train) {
      const out = tf.tidy(() => this.predict(tf.tensor2d(x, [n, this.inputSize])));
      const data = out.dataSync() as Float32Array;
      out.dispose();
      return data;
    }
    const xs: tf.Tensor2D[] = [];
    const ys: tf.Tensor2D[] = [];
    let h = tf.tensor2d(x, [n, this.inputSize]);
    for (const { w, b, act } of this.layers) {
      xs.push(h);
      const input = h;
      h = tf.tidy(() => {
        const z = <tf.Tensor2D>tf.fused.matMul({ a: input, b: w, bias: b, activation: act === 'relu' ? 'relu' : 'linear' });
        return act === 'tanh' ? tf.tanh(z) : z;
      });
      ys.push(h);
    }
    this.cache = { xs, ys };
    // slice: on the cpu backend dataSync hands out the tensor's own array, which we keep.
    return (h.dataSync() as Float32Array).slice();
  }

  /**
   * Backward pass for the last training `forward`: given d loss / d output (flat [n × outputSize]),
   * returns d loss / d param for every entry of `params`, in order. Frees the kept activations.
   */
  backward(dOut: Float32Array): Float32Array[] {
    const cache = this.cache;
    if (!cache) throw new Error(`Mlp ${this.name}: backward() needs a forward(x, n, { train: true }) first`);
    const n = cache.xs[0]!.shape[0];
    if (dOut.length !== n * this.outputSize) throw new RangeError(`Mlp ${this.name}: dOut has ${dOut.length} values, expected ${n} × ${this.outputSize}`);
    const grads: Float32Array[] = new Array(this.params.length);
    let dy: tf.Tensor2D = tf.tensor2d(dOut, [n, this.outputSize]);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const { w, act } = this.layers[i]!;
      const x = cache.xs[i]!;
      const y = cache.ys[i]!;
      const dyIn = dy;
      const [dW, db, dx] = tf.tidy(() => {
        let dz = dyIn;
        if (act === 'tanh') dz = tf.mul(dz, tf.sub(1, tf.square(y)));
        else if (act === 'relu') dz = tf.mul(dz, tf.step(y));
        const grads = [tf.matMul(tf.transpose(x), dz), tf.sum(dz, 0)];
        if (i > 0) grads.push(tf.matMul(dz, tf.transpose(w as tf.Tensor2D)));
        return grads;
      }) as [tf.Tensor, tf.Tensor, tf.Tensor2D | undefined];
      grads[2 * i] = dW.dataSync() as Float32Array;
      grads[2 * i + 1] = db.dataSync() as Float32Array;
      tf.dispose([dW, db, dyIn]);
      if (dx) dy = dx;
    }
    this.releaseCache();
    return grads;
  }

  /** Drops the activations of a training forward that will not be followed by `backward`. */
  releaseCache(): void {
    if (!this.cache) return;
    const { xs, ys } = this.cache;
    // The output of layer i is the input of layer i + 1: dispose each tensor once.
    tf.dispose([...new Set([...xs, ...ys])]);
    this.cache = null;
  }

  /** Current weights, named, as flat arrays (for checkpoints and tests). */
  getWeights(): Map<string, Float32Array> {
    return new Map(this.params.map((p) => [p.name, (p.variable.dataSync() as Float32Array).slice()]));
  }

  /** Copies every weight of `other` (same spec) into this network (target networks). */
  copyFrom(other: Mlp): void {
    for (let i = 0; i < this.params.length; i++) this.params[i]!.variable.assign(other.params[i]!.variable);
  }

  /** θ ← τ·θ_other + (1 − τ)·θ (Polyak averaging for target networks). */
  polyakFrom(other: Mlp, tau: number): void {
    tf.tidy(() => {
      for (let i = 0; i < this.params.length; i++) {
        const mine = this.params[i]!.variable;
        mine.assign(tf.add(tf.mul(other.params[i]!.variable, tau), tf.mul(mine, 1 - tau)));
      }
    });
  }

  dispose(): void {
    this.releaseCache();
    for (const p of this.params) p.variable.dispose();
  }
}

// One dense layer as a single differentiable op, with the transposes explicit in its gradient.
// `needInputGrad` is false for the first layer: its input is data, so dx is never used and we
// return zeros rather than pay for a transpose and a matMul.
const denseOps = new Map<string, (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

function dense(x: tf.Tensor2D, w: tf.Variable, b: tf.Variable, act: Activation, needInputGrad: boolean): tf.Tensor2D {
  const key = `${act}/${needInputGrad}`;
  let op = denseOps.get(key);
  if (!op) {
    op = makeDense(act, needInputGrad);
    denseOps.set(key, op);
  }
  return op(x, w, b) as tf.Tensor2D;
}

function makeDense(act: Activation, needInputGrad: boolean): (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  // customGrad's declared type takes variadic tensors; ours has exactly three inputs.
  const f = (xIn: tf.Tensor, wIn: tf.Tensor, bIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const z = tf.add(tf.matMul(xIn as tf.Tensor2D, wIn as tf.Tensor2D), bIn);
    const y = act === 'tanh' ? tf.tanh(z) : act === 'relu' ? tf.relu(z) : z;
    save([xIn, wIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        let dz = dy as tf.Tensor2D;
        if (act === 'tanh') dz = tf.mul(dz, tf.sub(1, tf.square(ys)));
        else if (act === 'relu') dz = tf.mul(dz, tf.step(ys));
        const dW = tf.matMul(tf.transpose(xs), dz);
        const db = tf.sum(dz, 0);
        const dx = needInputGrad ? tf.matMul(dz, tf.transpose(ws)) : tf.zerosLike(xs);
        return [dx, dW, db];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
}
