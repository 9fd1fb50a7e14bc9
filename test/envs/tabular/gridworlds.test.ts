import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { terminalStates } from '../../../src/envs/tabular/model.ts';

const UP = 0;
const RIGHT = 1;
const DOWN = 2;
const LEFT = 3;

test('GridWorld4x4: corners terminal, −1 a step, walls keep the state (Example 4.1)', () => {
  const { mdp, initial, gamma } = makeMdp('GridWorld4x4-v0');
  assert.is(mdp.numStates, 16);
  assert.equal(Array.from(terminalStates(mdp)).flatMap((t, s) => (t ? [s] : [])), [0, 15]);
  assert.equal(mdp.transitions(1, LEFT), [[1, 0, -1, true]]);
  assert.equal(mdp.transitions(1, UP), [[1, 1, -1, false]]);
  assert.equal(mdp.transitions(5, DOWN), [[1, 9, -1, false]]);
  assert.equal(mdp.transitions(11, DOWN), [[1, 15, -1, true]]);
  assert.is(gamma, 1);
  assert.is(initial[0], 0);
  assert.ok(Math.abs(initial[7]! - 1 / 14) < 1e-15);
});

test('GridWorld5x5: A → A′ with +10, B → B′ with +5, −1 off the edge (Example 3.5)', () => {
  const { mdp, gamma } = makeMdp('GridWorld5x5-v0');
  for (let a = 0; a < 4; a++) {
    assert.equal(mdp.transitions(1, a), [[1, 21, 10, false]]);
    assert.equal(mdp.transitions(3, a), [[1, 13, 5, false]]);
  }
  assert.equal(mdp.transitions(0, UP), [[1, 0, -1, false]]);
  assert.equal(mdp.transitions(0, LEFT), [[1, 0, -1, false]]);
  assert.equal(mdp.transitions(0, RIGHT), [[1, 1, 0, false]]);
  assert.equal(mdp.transitions(24, DOWN), [[1, 24, -1, false]]);
  assert.is(gamma, 0.9);
});

test('both pass checkEnv through make; the 5×5 task is truncated at 100 steps', () => {
  checkEnv(make('GridWorld4x4-v0'));
  checkEnv(make('GridWorld5x5-v0'));
  const env = make('GridWorld5x5-v0');
  env.reset({ seed: 1 });
  let steps = 0;
  for (;;) {
    const r = env.step(0);
    steps++;
    assert.not.ok(r.terminated);
    if (r.truncated) break;
  }
  assert.is(steps, 100);
});

test.run();
