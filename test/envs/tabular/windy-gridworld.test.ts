import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { WINDY_GOAL, WINDY_START } from '../../../src/envs/tabular/windy-gridworld.ts';
import { valueIteration } from '../../../src/mdp/dp/value-iteration.ts';

const [UP, RIGHT, DOWN] = [0, 1, 2];

test('the wind of the column left pushes up, clamped at the top (Example 6.5)', () => {
  const { mdp } = makeMdp('WindyGridworld-v0');
  assert.is(WINDY_START, 30);
  assert.is(WINDY_GOAL, 37);
  // Column 3 has wind 1: moving right from (3,3) lands on (2,4).
  assert.equal(mdp.transitions(33, RIGHT), [[1, 24, -1, false]]);
  // Column 6 has wind 2: moving down from (3,6) lands on (2,6).
  assert.equal(mdp.transitions(36, DOWN), [[1, 26, -1, false]]);
  // Clamped at the top row.
  assert.equal(mdp.transitions(7, UP), [[1, 7, -1, false]]);
  // Column 0 has no wind.
  assert.equal(mdp.transitions(30, RIGHT), [[1, 31, -1, false]]);
});

test('the shortest path takes 15 steps (Example 6.5)', () => {
  const { mdp } = makeMdp('WindyGridworld-v0');
  const { values } = valueIteration(mdp, { gamma: 1 });
  assert.is(values[WINDY_START], -15);
  checkEnv(make('WindyGridworld-v0'));
});

test.run();
