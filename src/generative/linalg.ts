/**
 * The little dense linear algebra the priors and metrics need and tfjs lacks (`tf.linalg` has no
 * inverse, determinant, solve or eigendecomposition): row-major Float64Array matrices, small
 * sizes (≤ a few hundred), plain loops.
 */

/** Symmetric eigendecomposition by cyclic Jacobi rotations: A = V·diag(values)·Vᵀ (V's columns are the vectors). */
export function symmetricEigen(a: ArrayLike<number>, n: number, maxSweeps = 60): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a as ArrayLike<number>);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < n; i++) {
      diag += A[i * n + i]! ** 2;
      for (let j = i + 1; j < n; j++) off += A[i * n + j]! ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * n + p]!, aqq = A[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!, akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!, aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!, vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i]!;
  return { values, vectors: V };
}

/** f(A) for symmetric A through its eigendecomposition: V·diag(f(λ))·Vᵀ. */
export function symmetricFunction(a: ArrayLike<number>, n: number, f: (lambda: number) => number): Float64Array {
  const { values, vectors: V } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  const fl = values.map(f);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[i * n + k]! * fl[k]! * V[j * n + k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** C = A·B for row-major A [n × m], B [m × p]. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, m: number, p: number): Float64Array {
  const c = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < p; j++) c[i * p + j] += aik * b[k * p + j]!;
    }
  }
  return c;
}

/** Cholesky factor L (lower, row-major) of a symmetric positive definite matrix; throws if not SPD. */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i} is ${s})`);
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j]!;
      }
    }
  }
  return L;
}

/** log det of a symmetric positive definite matrix. */
export function logDetSpd(a: ArrayLike<number>, n: number): number {
  const L = cholesky(a, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]!);
  return 2 * s;
}

/** x with A·x = b for SPD A (Cholesky). */
export function solveSpd(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  return choleskySolve(cholesky(a, n), b, n);
}

/** x with L·Lᵀ·x = b, given the Cholesky factor L. */
export function choleskySolve(L: Float64Array, b: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/**
 * Inverse of W = P·L·U from its factors (row-major n × n): L unit lower triangular, U upper
 * triangular with a nonzero diagonal, P a permutation given as `perm` (row i of P has its 1 in
 * column perm[i]). W⁻¹ = U⁻¹·L⁻¹·Pᵀ, each triangular inverse by substitution.
 */
export function inverseFromLU(lower: ArrayLike<number>, upper: ArrayLike<number>, perm: ArrayLike<number>, n: number): Float64Array {
  // Linv: forward substitution column by column on the identity.
  const Linv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= lower[i * n + k]! * Linv[k * n + c]!;
      Linv[i * n + c] = s; // unit diagonal
    }
  }
  const Uinv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let k = i + 1; k <= c; k++) s -= upper[i * n + k]! * Uinv[k * n + c]!;
      Uinv[i * n + c] = s / upper[i * n + i]!;
    }
  }
  const UL = matMul(Uinv, Linv, n, n, n);
  // (UL)·Pᵀ: column perm[i]... Pᵀ has its 1 of row perm[i] in column i, so (M·Pᵀ)[r][i] = M[r][perm[i]].
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let i = 0; i < n; i++) out[r * n + i] = UL[r * n + perm[i]!]!;
  return out;
}
