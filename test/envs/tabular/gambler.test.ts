import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { gamblerStake } from '../../../src/envs/tabular/gambler.ts';

test('capital 0 … 100, action a stakes a + 1 capped at min(s, 100 − s), +1 on reaching 100', () => {
  const { mdp } = makeMdp('Gambler-v0');
  assert.is(mdp.numStates, 101);
  assert.is(mdp.numActions, 50);
  assert.is(gamblerStake(50, 49), 50);
  assert.is(gamblerStake(99, 49), 1);
  assert.is(gamblerStake(30, 9), 10);
  const t = mdp.transitions(50, 49).map(([p, s, r, d]) => [+p.toFixed(12), s, r, d]);
  assert.equal(t, [
    [0.4, 100, 1, true],
    [0.6, 0, 0, true],
  ]);
  assert.equal(mdp.transitions(30, 9), [
    [0.4, 40, 0, false],
    [0.6, 20, 0, false],
  ]);
  assert.equal(mdp.transitions(0, 3), [[1, 0, 0, true]]);
});

test('options ph and goal, validated', () => {
  const { mdp } = makeMdp('Gambler-v0', { ph: '0.25', goal: '10' });
  assert.is(mdp.numStates, 11);
  assert.equal(mdp.transitions(5, 4)[0], [0.25, 10, 1, true]);
  assert.throws(() => makeMdp('Gambler-v0', { ph: '1.5' }), /ph/);
  assert.throws(() => makeMdp('Gambler-v0', { goal: 9 }), /goal must be even/);
  checkEnv(make('Gambler-v0'));
});

test.run();
