import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/mdp/index.ts';
import { make } from '../../src/envs/registry.ts';
import { runTablePolicy } from '../../src/mdp/rollout.ts';

test('a table policy runs greedily: the 4×4 grid world from its optimal policy ends in at most 3 steps', () => {
  // Up in the left column, left in the top row, … : an optimal policy (Figure 4.1, right).
  const policy = [0, 3, 3, 2, 0, 0, 0, 2, 0, 0, 1, 2, 0, 1, 1, 0];
  const r = runTablePolicy(make('GridWorld4x4-v0'), policy, 50, 0);
  assert.is(r.returns.length, 50);
  for (let e = 0; e < 50; e++) {
    assert.ok(r.lengths[e]! >= 1 && r.lengths[e]! <= 3);
    assert.is(r.returns[e], -r.lengths[e]!);
  }
});

test('a policy that never ends is cut at maxSteps', () => {
  for (let seed = 0; seed < 10; seed++) {
    const start = make('GridWorld4x4-v0').reset({ seed }).obs as number;
    const r = runTablePolicy(make('GridWorld4x4-v0'), new Array(16).fill(0), 1, seed, 25);
    // "Up" from the left column reaches the corner; anywhere else it ends bumping the top wall forever.
    assert.is(r.lengths[0], start % 4 === 0 ? start / 4 : 25, `start ${start}`);
  }
});

test.run();
