import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { randomWalkTrueValues } from '../../../src/envs/tabular/random-walk.ts';
import { exactPolicyValues } from '../../../src/mdp/dp/exact.ts';
import { uniformPolicy } from '../../../src/mdp/policy.ts';

test('the 5-state walk: start at C, +1 only at the right end (Example 6.2)', () => {
  const { mdp, initial } = makeMdp('RandomWalk5-v0');
  assert.is(mdp.numStates, 7);
  assert.is(initial[3], 1);
  assert.equal(mdp.transitions(5, 1), [[1, 6, 1, true]]);
  assert.equal(mdp.transitions(1, 0), [[1, 0, 0, true]]);
  assert.equal(mdp.transitions(3, 0), [[1, 2, 0, false]]);
});

test('true values 1/6 … 5/6 (Example 6.2) and −0.9 … 0.9 (Example 7.1) solve the Bellman equation', () => {
  const five = randomWalkTrueValues(5, 0);
  assert.equal(Array.from(five.slice(1, 6), (v) => +v.toFixed(12)), [1, 2, 3, 4, 5].map((k) => +(k / 6).toFixed(12)));
  const p5 = makeMdp('RandomWalk5-v0');
  const exact5 = exactPolicyValues(p5.mdp, uniformPolicy(p5.mdp), 1);
  for (let s = 0; s < 7; s++) assert.ok(Math.abs(exact5[s]! - five[s]!) < 1e-12);

  const nineteen = randomWalkTrueValues(19, -1);
  assert.ok(Math.abs(nineteen[1]! + 0.9) < 1e-12 && Math.abs(nineteen[19]! - 0.9) < 1e-12 && Math.abs(nineteen[10]!) < 1e-12);
  const p19 = makeMdp('RandomWalk19-v0');
  assert.is(p19.initial[10], 1);
  const exact19 = exactPolicyValues(p19.mdp, uniformPolicy(p19.mdp), 1);
  for (let s = 0; s < 21; s++) assert.ok(Math.abs(exact19[s]! - nineteen[s]!) < 1e-12);
  checkEnv(make('RandomWalk5-v0'));
  checkEnv(make('RandomWalk19-v0'));
});

test.run();
