/**
 * tfjs pieces the priors share: a differentiable MLP pass that also back-propagates into its
 * input, a matMul whose gradient avoids transpose flags, one-hot labels, and the orthonormal DCT
 * along time that the diffusion prior can work in.
 *
 * Why our own MLP pass: `Mlp.apply` (src/nn/mlp.ts) skips the gradient with respect to its input,
 * which is right for a policy fed with observations but wrong for a VAE decoder fed with the
 * reparameterised latent or a flow coupling fed with the previous layer's output: the encoder
 * and the earlier flow steps would get no gradient through them. The layers here reuse the same
 * variables (`net.params`) with the same explicit-transpose gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { Mlp } from '../nn/mlp.ts';

type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

let matMulOp: Binary | null = null;

/**
 * a·b for 2-D tensors, differentiable, with the gradient written as plain matMuls after explicit
 * transposes (on the WASM backend a matMul with a transpose flag is much slower; docs/architecture.md, "Performance rules").
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (!matMulOp) {
    const f = (x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, w]);
      return {
        value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
        },
      };
    };
    matMulOp = tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Binary;
  }
  return matMulOp(a, b) as tf.Tensor2D;
}

/**
 * The MLP's forward pass under a gradient tape, differentiable in its input too (see the
 * header). Hidden layers use the net's activation, the last layer is linear, as `Mlp`.
 */
export function mlpApply(net: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  const act = net.spec.activation;
  const p = net.params;
  let h = x;
  for (let i = 0; i < p.length; i += 2) {
    h = tf.add(matMul(h, p[i]!.variable as tf.Tensor2D), p[i + 1]!.variable) as tf.Tensor2D;
    if (i + 2 < p.length) h = act === 'relu' ? tf.relu(h) : act === 'tanh' ? tf.tanh(h) : h;
  }
  return h;
}

/** One-hot rows for labels in [0, n); a label of −1 gives a row of zeros. */
export function oneHot(labels: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array(labels.length * n);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l >= 0) out[i * n + l] = 1;
  }
  return out;
}

/**
 * Orthonormal DCT-II basis, `frames` × `keep` (row t, column k): column k is the k-th cosine
 * √(2/N)·cos(π (t + ½) k / N), column 0 scaled by 1/√2. With keep = frames it is a rotation;
 * with fewer columns, projecting onto it keeps the slow part of a window.
 */
export function dctBasis(frames: number, keep: number): Float32Array {
  const out = new Float32Array(frames * keep);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < keep; k++) {
      const scale = k === 0 ? Math.sqrt(1 / frames) : Math.sqrt(2 / frames);
      out[t * keep + k] = scale * Math.cos((Math.PI * (t + 0.5) * k) / frames);
    }
  }
  return out;
}

/**
 * Windows [n × frames × D] → coefficients [n × keep × D] (c = Bᵀ·x per window), in JS: small
 * sizes, called once per batch.
 */
export function toDct(x: Float32Array, n: number, frames: number, D: number, basis: Float32Array, keep: number): Float32Array {
  const out = new Float32Array(n * keep * D);
  for (let i = 0; i < n; i++) {
    const xo = i * frames * D, co = i * keep * D;
    for (let t = 0; t < frames; t++) {
      for (let k = 0; k < keep; k++) {
        const b = basis[t * keep + k]!;
        for (let d = 0; d < D; d++) out[co + k * D + d] += b * x[xo + t * D + d]!;
      }
    }
  }
  return out;
}

/** Coefficients [n × keep × D] → windows [n × frames × D] (x = B·c). */
export function fromDct(c: Float32Array, n: number, frames: number, D: number, basis: Float32Array, keep: number): Float32Array {
  const out = new Float32Array(n * frames * D);
  for (let i = 0; i < n; i++) {
    const xo = i * frames * D, co = i * keep * D;
    for (let t = 0; t < frames; t++) {
      for (let k = 0; k < keep; k++) {
        const b = basis[t * keep + k]!;
        for (let d = 0; d < D; d++) out[xo + t * D + d] += b * c[co + k * D + d]!;
      }
    }
  }
  return out;
}

/** log N(x; 0, I) summed over a row of `d` numbers, per row of a [n × d] tensor. */
export function standardNormalLogProb(x: tf.Tensor2D): tf.Tensor1D {
  const d = x.shape[1];
  return tf.sub(tf.mul(-0.5, tf.sum(tf.square(x), 1)), 0.5 * d * Math.log(2 * Math.PI)) as tf.Tensor1D;
}
