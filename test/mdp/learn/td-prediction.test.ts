import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { tdPrediction } from '../../../src/mdp/learn/td-prediction.ts';
import { randomWalkTrueValues } from '../../../src/envs/tabular/random-walk.ts';

const rms = (v: Float64Array, truth: Float64Array, from: number, to: number) => {
  let e = 0;
  for (let s = from; s <= to; s++) e += (v[s]! - truth[s]!) ** 2;
  return Math.sqrt(e / (to - from + 1));
};

test('TD(0) on the 5-state random walk approaches the true values 1/6 … 5/6 (Example 6.2)', () => {
  const truth = randomWalkTrueValues(5, 0);
  // Example 6.2's right panel: with α = 0.05 the RMS error over 100 runs falls to about 0.05 after 100 episodes.
  let total = 0;
  for (let seed = 0; seed < 100; seed++) {
    const r = tdPrediction(make('RandomWalk5-v0'), { episodes: 100, alpha: 0.05, seed, initialValue: 0.5 });
    total += rms(r.values, truth, 1, 5);
  }
  const mean = total / 100;
  assert.ok(mean < 0.08, `mean RMS after 100 episodes ${mean}`);
  // With a decaying step size the estimate converges.
  const r = tdPrediction(make('RandomWalk5-v0'), { episodes: 5000, alpha: 'linear:0.1:0.001:5000', seed: 0 });
  assert.ok(rms(r.values, truth, 1, 5) < 0.02, `${Array.from(r.values)}`);
});

test('TD(0) on the 19-state random walk approaches −0.9 … 0.9 (Example 7.1)', () => {
  const truth = randomWalkTrueValues(19, -1);
  const r = tdPrediction(make('RandomWalk19-v0'), { episodes: 3000, alpha: 'linear:0.1:0.002:3000', seed: 1 });
  assert.ok(rms(r.values, truth, 1, 19) < 0.05, `RMS ${rms(r.values, truth, 1, 19)}`);
});

test.run();
