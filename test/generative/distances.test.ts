import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/rng.ts';
import { diversity, frechetDistance, kernelDistance, nearestDistances } from '../../src/generative/distances.ts';
import { symmetricEigen } from '../../src/generative/linalg.ts';

function gaussianSet(rng: Rng, n: number, d: number, shift = 0): Float64Array {
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const common = rng.normal();
    for (let k = 0; k < d; k++) x[i * d + k] = common * (k % 3 === 0 ? 1 : 0.5) + rng.normal() * 0.7 + shift;
  }
  return x;
}

test('Jacobi eigendecomposition reconstructs a symmetric matrix', () => {
  const rng = new Rng(1), n = 6;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) { const v = rng.normal(); a[i * n + j] = v; a[j * n + i] = v; }
  const { values, vectors: V } = symmetricEigen(a, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += V[i * n + k]! * values[k]! * V[j * n + k]!;
    assert.ok(Math.abs(s - a[i * n + j]!) < 1e-10);
  }
});

test('Fréchet distance: 0 for a set against itself; the closed form in 1-D; grows with added noise', () => {
  const rng = new Rng(2), n = 300, d = 12;
  const x = gaussianSet(rng, n, d);
  assert.ok(frechetDistance(x, n, x, n, d) < 1e-8, 'FD(x, x)');
  // 1-D: (μ₁ − μ₂)² + (σ₁ − σ₂)² (shrinkage toward tr/d·I changes nothing when d = 1).
  const a = Float64Array.from({ length: 2000 }, () => rng.normal(1, 2)), b = Float64Array.from({ length: 2000 }, () => rng.normal(-0.5, 0.5));
  const stats = (v: Float64Array) => { const m = v.reduce((p, q) => p + q, 0) / v.length; return { m, s: Math.sqrt(v.reduce((p, q) => p + (q - m) ** 2, 0) / (v.length - 1)) }; };
  const sa = stats(a), sb = stats(b);
  assert.ok(Math.abs(frechetDistance(a, 2000, b, 2000, 1) - ((sa.m - sb.m) ** 2 + (sa.s - sb.s) ** 2)) < 1e-9);
  let last = 0;
  for (const sigma of [0.1, 0.3, 1]) {
    const noisy = x.map((v) => v + sigma * rng.normal());
    const fd = frechetDistance(noisy, n, x, n, d);
    assert.ok(fd > last, `σ = ${sigma}: FD ${fd} should exceed ${last}`);
    last = fd;
  }
});

test('KID: near 0 for two samples of one distribution, grows with noise and with a shift', () => {
  const rng = new Rng(3), n = 200, d = 10;
  const x = gaussianSet(rng, n, d), y = gaussianSet(rng, n, d);
  const same = kernelDistance(x, n, y, n, d);
  assert.ok(Math.abs(same) < 0.05, `KID of two samples of one distribution: ${same}`);
  const noisy = kernelDistance(x.map((v) => v + rng.normal()), n, y, n, d);
  const shifted = kernelDistance(gaussianSet(rng, n, d, 1), n, y, n, d);
  assert.ok(noisy > same + 0.05 && shifted > noisy, `same ${same}, noisy ${noisy}, shifted ${shifted}`);
});

test('nearest distances match brute force; diversity is 0 for identical rows', () => {
  const rng = new Rng(4), d = 7;
  const q = Float32Array.from({ length: 5 * d }, () => rng.normal()), r = Float32Array.from({ length: 40 * d }, () => rng.normal());
  const got = nearestDistances(q, 5, r, 40, d);
  for (let i = 0; i < 5; i++) {
    let best = Infinity;
    for (let j = 0; j < 40; j++) { let s = 0; for (let k = 0; k < d; k++) s += (q[i * d + k]! - r[j * d + k]!) ** 2; best = Math.min(best, Math.sqrt(s)); }
    assert.ok(Math.abs(got[i]! - best) < 1e-4, `row ${i}: ${got[i]} vs ${best}`);
  }
  assert.is(diversity(new Float64Array(10 * d).fill(2), 10, d, rng), 0);
  assert.ok(diversity(Float64Array.from(r), 40, d, rng) > 1);
});

test.run();
