/**
 * Distances between sets of feature vectors: Fréchet distance (Heusel et al. 2017, as FID) with
 * a shrinkage covariance, kernel inception distance (Bińkowski et al. 2018: the unbiased MMD² with
 * the polynomial kernel k(x, y) = (xᵀy/d + 1)³, better behaved than FD on small samples),
 * diversity (mean distance between random pairs), and nearest-neighbour distances for
 * memorisation. Sets are row-major [n × d] Float64Arrays.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.ts';
import { symmetricEigen, symmetricFunction } from './linalg.ts';

export function meanAndCov(x: Float64Array, n: number, d: number, shrinkage: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += x[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k]! /= n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const da = x[i * d + a]! - mean[a]!;
      for (let b = a; b < d; b++) cov[a * d + b] += da * (x[i * d + b]! - mean[b]!);
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b]! / Math.max(1, n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
    trace += cov[a * d + a]!;
  }
  // Shrinkage toward a scaled identity, (1 − λ)·S + λ·(tr S / d)·I: a well-conditioned estimate
  // from a few hundred samples (Ledoit & Wolf 2004's target, with a fixed λ).
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) cov[a * d + b] = (1 - shrinkage) * cov[a * d + b]! + (a === b ? (shrinkage * trace) / d : 0);
  }
  return { mean, cov };
}

/**
 * Fréchet distance between Gaussians fitted to two sets:
 * ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½).
 */
export function frechetDistance(a: Float64Array, na: number, b: Float64Array, nb: number, d: number, shrinkage = 0.1): number {
  const A = meanAndCov(a, na, d, shrinkage), B = meanAndCov(b, nb, d, shrinkage);
  let dm = 0;
  for (let k = 0; k < d; k++) dm += (A.mean[k]! - B.mean[k]!) ** 2;
  const sA = symmetricFunction(A.cov, d, (l) => Math.sqrt(Math.max(0, l)));
  // M = Σ₁^½ Σ₂ Σ₁^½ (symmetric PSD); tr √M from its eigenvalues.
  const tmp = new Float64Array(d * d), M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) { let s = 0; for (let j = 0; j < d; j++) s += sA[i * d + j]! * B.cov[j * d + k]!; tmp[i * d + k] = s; }
  for (let i = 0; i < d; i++) for (let k = i; k < d; k++) { let s = 0; for (let j = 0; j < d; j++) s += tmp[i * d + j]! * sA[j * d + k]!; M[i * d + k] = s; M[k * d + i] = s; }
  const { values } = symmetricEigen(M, d);
  let trA = 0, trB = 0, trS = 0;
  for (let k = 0; k < d; k++) { trA += A.cov[k * d + k]!; trB += B.cov[k * d + k]!; trS += Math.sqrt(Math.max(0, values[k]!)); }
  return Math.max(0, dm + trA + trB - 2 * trS);
}

/** Unbiased MMD² with the cubic polynomial kernel (KID). */
export function kernelDistance(a: Float64Array, na: number, b: Float64Array, nb: number, d: number): number {
  const k = (x: Float64Array, i: number, y: Float64Array, j: number) => {
    let s = 0;
    for (let q = 0; q < d; q++) s += x[i * d + q]! * y[j * d + q]!;
    return (s / d + 1) ** 3;
  };
  let aa = 0, bb = 0, ab = 0;
  for (let i = 0; i < na; i++) for (let j = i + 1; j < na; j++) aa += 2 * k(a, i, a, j);
  for (let i = 0; i < nb; i++) for (let j = i + 1; j < nb; j++) bb += 2 * k(b, i, b, j);
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) ab += k(a, i, b, j);
  return aa / (na * (na - 1)) + bb / (nb * (nb - 1)) - (2 * ab) / (na * nb);
}

/** Mean Euclidean distance between `pairs` random pairs of distinct rows (among rows with the same group, if groups are given). */
export function diversity(x: Float64Array, n: number, d: number, rng: Rng, pairs = 500, groups?: ArrayLike<number>): number {
  if (n < 2) return NaN;
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups ? groups[i]! : 0;
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g)!.push(i);
  }
  const usable = [...byGroup.values()].filter((l) => l.length >= 2);
  if (usable.length === 0) return NaN;
  let sum = 0;
  for (let p = 0; p < pairs; p++) {
    const list = usable[rng.int(usable.length)]!;
    const i = list[rng.int(list.length)]!;
    let j = list[rng.int(list.length - 1)]!;
    if (j === i) j = list[list.length - 1]!;
    let s = 0;
    for (let q = 0; q < d; q++) s += (x[i * d + q]! - x[j * d + q]!) ** 2;
    sum += Math.sqrt(s);
  }
  return sum / pairs;
}

/** For each query row, the Euclidean distance to its nearest reference row (tfjs matMul, in chunks). */
export function nearestDistances(query: Float32Array, nq: number, ref: Float32Array, nr: number, d: number): Float64Array {
  const out = new Float64Array(nq);
  const refNorms = new Float32Array(nr);
  for (let j = 0; j < nr; j++) { let s = 0; for (let q = 0; q < d; q++) s += ref[j * d + q]! ** 2; refNorms[j] = s; }
  const chunk = Math.max(1, Math.floor(4e6 / Math.max(1, d)));
  for (let start = 0; start < nr; start += chunk) {
    const m = Math.min(chunk, nr - start);
    tf.tidy(() => {
      const R = tf.tensor2d(ref.subarray(start * d, (start + m) * d), [m, d]);
      const Rt = tf.transpose(R);
      for (let s = 0; s < nq; s += 256) {
        const k = Math.min(256, nq - s);
        const Q = tf.tensor2d(query.subarray(s * d, (s + k) * d), [k, d]);
        const dots = tf.matMul(Q, Rt).dataSync();
        for (let i = 0; i < k; i++) {
          let qn = 0;
          for (let q = 0; q < d; q++) qn += query[(s + i) * d + q]! ** 2;
          let best = Infinity;
          for (let j = 0; j < m; j++) {
            const v = qn + refNorms[start + j]! - 2 * dots[i * m + j]!;
            if (v < best) best = v;
          }
          const dist = Math.sqrt(Math.max(0, best));
          if (start === 0 || dist < out[s + i]!) out[s + i] = dist;
        }
        Q.dispose();
      }
    });
  }
  return out;
}

export function median(values: ArrayLike<number>): number {
  const s = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
}
