import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RunningMeanStd } from '../../src/core/running-stats.ts';

/** Mean and population variance (numpy's var, ddof 0, as Gymnasium's RunningMeanStd keeps) in two passes. */
function twoPass(rows: number[][]): { mean: number[]; var: number[] } {
  const d = rows[0]!.length;
  const mean = Array.from({ length: d }, (_, i) => rows.reduce((s, r) => s + r[i]!, 0) / rows.length);
  const v = Array.from({ length: d }, (_, i) => rows.reduce((s, r) => s + (r[i]! - mean[i]!) ** 2, 0) / rows.length);
  return { mean, var: v };
}

// Unequal batches with different means, so the between-batch term of the merge matters.
const batches: number[][][] = [
  [[1, 10], [2, 12], [4, 9]],
  [[-3, 0], [-5, 1], [-4, 2], [-6, -1], [-2, 0.5], [-3.5, 3], [-4.5, -2]],
  [[20, -7]],
  [[0.5, 4], [1.5, 6], [2.5, 5], [3.5, 7], [4.5, 8]],
];

test('batch merges equal the two-pass mean and variance of all rows (count starting at 0)', () => {
  const rms = new RunningMeanStd(2, 0);
  const seen: number[][] = [];
  for (const b of batches) {
    rms.update(b.flat(), b.length);
    seen.push(...b);
    const want = twoPass(seen);
    for (let i = 0; i < 2; i++) {
      assert.ok(Math.abs(rms.mean[i]! - want.mean[i]!) < 1e-12, `mean[${i}] after ${seen.length} rows: ${rms.mean[i]} vs ${want.mean[i]}`);
      assert.ok(Math.abs(rms.var[i]! - want.var[i]!) < 1e-12, `var[${i}] after ${seen.length} rows: ${rms.var[i]} vs ${want.var[i]}`);
    }
    assert.is(rms.count, seen.length);
  }
});

test('the default count ε = 1e-4 is a prior pseudo-batch of mean 0, variance 1 (Gymnasium)', () => {
  const rms = new RunningMeanStd(2);
  const rows = batches.flat();
  for (const b of batches) rms.update(b.flat(), b.length);
  const eps = 1e-4, N = rows.length;
  const data = twoPass(rows);
  for (let i = 0; i < 2; i++) {
    // Merging the pseudo-batch (ε, 0, 1) with all the data in one step (Chan et al.):
    const mean = (N * data.mean[i]!) / (eps + N);
    const m2 = eps * 1 + N * data.var[i]! + (data.mean[i]! ** 2 * eps * N) / (eps + N);
    assert.ok(Math.abs(rms.mean[i]! - mean) < 1e-12, `mean[${i}]`);
    assert.ok(Math.abs(rms.var[i]! - m2 / (eps + N)) < 1e-12, `var[${i}]`);
  }
  assert.ok(Math.abs(rms.count - (eps + N)) < 1e-12);
});

test('normalize: (x − mean) / sqrt(var + eps), clipped; the state round-trips; short input refused', () => {
  const rms = new RunningMeanStd(2, 0);
  for (const b of batches) rms.update(b.flat(), b.length);
  const out = new Float64Array(4);
  rms.normalize([3, -1, 100, 2], out, 2, 5, 1e-8);
  const want = [(3 - rms.mean[0]!) / Math.sqrt(rms.var[0]! + 1e-8), (-1 - rms.mean[1]!) / Math.sqrt(rms.var[1]! + 1e-8), 5, (2 - rms.mean[1]!) / Math.sqrt(rms.var[1]! + 1e-8)];
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(out[k]! - want[k]!) < 1e-12, `entry ${k}`);
  assert.ok((100 - rms.mean[0]!) / Math.sqrt(rms.var[0]!) > 5, 'the third entry was clipped');
  const copy = new RunningMeanStd(2);
  copy.setState(JSON.parse(JSON.stringify(rms.getState())));
  assert.equal(Array.from(copy.mean), Array.from(rms.mean));
  assert.equal(Array.from(copy.var), Array.from(rms.var));
  assert.is(copy.count, rms.count);
  assert.throws(() => rms.update([1, 2, 3], 2), /need 4 values/);
  assert.throws(() => copy.setState({ mean: [0], var: [1], count: 1 }), /expected 2/);
  assert.throws(() => copy.setState({ mean: [0], var: [1, 1], count: 1 }), /expected 2/, 'mean alone short');
  assert.throws(() => copy.setState({ mean: [0, 0], var: [1], count: 1 }), /expected 2/, 'var alone short');
});

test('normalize clips both sides and writes only its n rows', () => {
  const rms = new RunningMeanStd(2, 0);
  rms.update([0, 0, 2, 2], 2); // mean 1, var 1 in both columns
  const out = Float64Array.of(7, 7, 7, 7);
  rms.normalize([-100, 1.5], out, 1, 3, 0);
  assert.equal(Array.from(out), [-3, 0.5, 7, 7]);
});

test.run();
