import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mdpFromFunction, type Transition } from '../../src/envs/tabular/model.ts';
import { actionValue, deterministicPolicy, greedyAction, greedyPolicy, uniformPolicy } from '../../src/mdp/policy.ts';

// One state, three actions ending the episode with rewards 1, 2, 2 + 1e-12 (a tie within tolerance).
const bandit = mdpFromFunction(1, 3, (_s, a): Transition[] => [[1, 0, [1, 2, 2 + 1e-12][a]!, true]]);

test('greedy choices take the smallest action within the tie tolerance', () => {
  assert.equal(Array.from(greedyPolicy(bandit, [0], 1)), [1]);
  assert.equal(Array.from(greedyPolicy(bandit, [0], 1, 0)), [2]);
  assert.is(greedyAction([3, 5, 5], 0, 3), 1);
});

test('policy tables and action values', () => {
  assert.equal(Array.from(uniformPolicy(bandit)), [1 / 3, 1 / 3, 1 / 3]);
  assert.equal(Array.from(deterministicPolicy(bandit, [2])), [0, 0, 1]);
  assert.throws(() => deterministicPolicy(bandit, [3]), /action 3 at state 0/);
  assert.is(actionValue(bandit, [100], 0.5, 0, 0), 1);
});

test.run();
