import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/rng.ts';
import { orthogonal } from '../../src/nn/init.ts';

function gram(m: Float32Array, rows: number, cols: number, byRows: boolean): number[][] {
  const k = byRows ? rows : cols;
  const n = byRows ? cols : rows;
  const at = (v: number, i: number) => (byRows ? m[v * cols + i]! : m[i * cols + v]!);
  return Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += at(a, i) * at(b, i);
    return s;
  }));
}

test('orthogonal: wide matrix has orthonormal rows times gain', () => {
  const m = orthogonal(new Rng(3), 4, 64, 2);
  const g = gram(m, 4, 64, true);
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) assert.ok(Math.abs(g[a]![b]! - (a === b ? 4 : 0)) < 1e-4, `gram[${a}][${b}] = ${g[a]![b]}`);
});

test('orthogonal: tall matrix has orthonormal columns; same seed, same matrix', () => {
  const m = orthogonal(new Rng(5), 64, 3, 1);
  const g = gram(m, 64, 3, false);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) assert.ok(Math.abs(g[a]![b]! - (a === b ? 1 : 0)) < 1e-5);
  assert.equal(Array.from(orthogonal(new Rng(5), 64, 3, 1)), Array.from(m));
  assert.not.equal(Array.from(orthogonal(new Rng(6), 64, 3, 1)), Array.from(m));
});

test.run();
