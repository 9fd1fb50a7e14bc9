/**
 * Weight initialisation from our seeded `Rng`, so a run's starting network is fixed by its seed.
 *
 * `orthogonal` matches PyTorch's `nn.init.orthogonal_` (Saxe et al., 2014), which CleanRL's
 * `layer_init(std=…)` uses for every PPO/A2C layer: draw a Gaussian matrix, orthonormalise it
 * (QR with the signs of R's diagonal made positive, i.e. Gram–Schmidt), multiply by `gain`.
 */
import type { Rng } from '../core/rng.ts';

/**
 * A `rows × cols` row-major matrix whose rows (if rows ≤ cols) or columns (otherwise) are
 * orthonormal, times `gain`.
 */
export function orthogonal(rng: Rng, rows: number, cols: number, gain = 1): Float32Array {
  // Orthonormalise the k = min(rows, cols) vectors of length n = max(rows, cols).
  const n = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  const v = new Float64Array(k * n);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  orthonormalize(v, k, n, n, 1);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows ≤ cols: row r is vector r. Otherwise column c is vector c.
      out[r * cols + c] = gain * (rows <= cols ? v[r * n + c]! : v[c * n + r]!);
    }
  }
  return out;
}

/** Uniform(−1/√fanIn, 1/√fanIn), PyTorch's default for `nn.Linear` weights and biases. */
export function lecunUniform(rng: Rng, rows: number, cols: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}

/**
 * Modified Gram–Schmidt, in place, on `count` vectors of `length` numbers in `m`: element i of
 * vector j sits at j·vectorStride + i·elementStride (length and 1: vectors one after another;
 * 1 and count: the columns of a length × count row-major matrix). A zero vector stays zero.
 */
export function orthonormalize(m: Float64Array, count: number, length: number, vectorStride: number, elementStride: number): void {
  const at = (j: number, i: number) => j * vectorStride + i * elementStride;
  for (let j = 0; j < count; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < length; i++) dot += m[at(j, i)]! * m[at(p, i)]!;
      for (let i = 0; i < length; i++) m[at(j, i)]! -= dot * m[at(p, i)]!;
    }
    let norm = 0;
    for (let i = 0; i < length; i++) norm += m[at(j, i)]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < length; i++) m[at(j, i)]! /= norm;
  }
}
