import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/rng.ts';
import { RunningMeanStd } from '../../src/nn/normalizer.ts';

test('running mean/var over batches equals the statistics of all rows', () => {
  const rng = new Rng(2);
  const rms = new RunningMeanStd(2);
  const all: number[][] = [[], []];
  for (let b = 0; b < 5; b++) {
    const n = 3 + b;
    const x = new Float32Array(n * 2);
    for (let r = 0; r < n; r++) {
      x[r * 2] = rng.normal(5, 2);
      x[r * 2 + 1] = rng.normal(-1, 0.5);
      all[0]!.push(x[r * 2]!);
      all[1]!.push(x[r * 2 + 1]!);
    }
    rms.update(x, n);
  }
  for (let j = 0; j < 2; j++) {
    const xs = all[j]!;
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    // The 1e-4 starting count (Gymnasium's epsilon) moves the result by about 1e-4 relative.
    assert.ok(Math.abs(rms.mean[j]! - m) < 1e-3 * Math.abs(m), `mean ${rms.mean[j]} vs ${m}`);
    assert.ok(Math.abs(rms.var[j]! - v) < 1e-3 * v, `var ${rms.var[j]} vs ${v}`);
  }
  const out = new Float32Array(2);
  rms.normalize(Float32Array.from([rms.mean[0]!, 1e9]), 1, out);
  assert.ok(Math.abs(out[0]!) < 1e-6);
  assert.is(out[1], 10);
  const copy = new RunningMeanStd(2);
  copy.setState(JSON.parse(JSON.stringify(rms.getState())));
  assert.equal(Array.from(copy.var), Array.from(rms.var));
  assert.throws(() => copy.setState({ mean: [0], var: [1], count: 1 }), /length 2/);
});

test.run();
