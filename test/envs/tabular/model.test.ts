import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../../src/core/errors.ts';
import { mdpFromFunction, reachableStates, TabularMdp, terminalStates, type Transition } from '../../../src/envs/tabular/model.ts';

// A two-state chain: from 0, action 0 stays (reward 0), action 1 moves to the absorbing state 1 (reward 1).
const chain = () =>
  mdpFromFunction(2, 2, (s, a): Transition[] => (s === 1 ? [[1, 1, 0, true]] : a === 0 ? [[1, 0, 0, false]] : [[1, 1, 1, true]]));

test('mdpFromFunction lays rows out CSR-style, state-major', () => {
  const m = chain();
  assert.is(m.numStates, 2);
  assert.is(m.numActions, 2);
  assert.equal(Array.from(m.offsets), [0, 1, 2, 3, 4]);
  assert.equal(Array.from(m.next), [0, 1, 1, 1]);
  assert.equal(Array.from(m.reward), [0, 1, 0, 0]);
  assert.equal(Array.from(m.terminal), [0, 1, 1, 1]);
  assert.equal(m.transitions(0, 1), [[1, 1, 1, true]]);
  assert.is(m.expectedReward(0, 1), 1);
  assert.is(m.numTransitions, 4);
});

test('duplicate outcomes are merged (FrozenLake lists a wall bump twice)', () => {
  const m = mdpFromFunction(1, 1, () => [
    [1 / 3, 0, 0, false],
    [1 / 3, 0, 0, false],
    [1 / 3, 0, 1, false],
  ]);
  assert.is(m.numTransitions, 2);
  assert.ok(Math.abs(m.prob[0]! - 2 / 3) < 1e-15);
  const unmerged = mdpFromFunction(1, 1, () => [
    [0.5, 0, 0, false],
    [0.5, 0, 0, false],
  ], { mergeDuplicates: false });
  assert.is(unmerged.numTransitions, 2);
});

test('a row that does not sum to 1 is an error naming the state and action', () => {
  const err = (() => {
    try {
      mdpFromFunction(3, 2, (s, a): Transition[] => (s === 2 && a === 1 ? [[0.5, 0, 0, false], [0.4, 1, 0, false]] : [[1, s, 0, false]]), { source: 'my table' });
    } catch (e) {
      return e as Error;
    }
  })();
  assert.instance(err, ValidationError);
  assert.match(err!.message, /my table/);
  assert.match(err!.message, /state 2, action 1: probabilities sum to 0\.9/);
});

test('sums within 1e-9 pass, beyond fail', () => {
  mdpFromFunction(1, 1, () => [[1 - 5e-10, 0, 0, false]]);
  assert.throws(() => mdpFromFunction(1, 1, () => [[1 - 5e-9, 0, 0, false]]), /state 0, action 0: probabilities sum/);
});

test('ids out of range, empty rows and non-finite rewards are errors naming the pair', () => {
  assert.throws(() => mdpFromFunction(2, 1, (s) => [[1, s + 1, 0, false]]), /state 1, action 0: next state 2 is out of range \[0, 1\]/);
  assert.throws(() => mdpFromFunction(2, 1, (s) => (s === 0 ? [] : [[1, 1, 0, true]])), /state 0, action 0: has no transitions/);
  assert.throws(() => mdpFromFunction(1, 1, () => [[1, 0, NaN, false]]), /state 0, action 0: reward NaN is not finite/);
  assert.throws(() => mdpFromFunction(2, 1, () => [[1.5, 0, 0, false], [-0.5, 1, 0, false]]), /probability 1\.5 is not in \[0, 1\]/);
  assert.throws(() => mdpFromFunction(0, 1, () => []), /numStates: must be a positive integer, got 0/);
});

test('the constructor validates filled arrays too', () => {
  assert.throws(
    () =>
      new TabularMdp({
        numStates: 1,
        numActions: 1,
        offsets: Int32Array.of(0, 1),
        next: Int32Array.of(0),
        prob: Float64Array.of(0.7),
        reward: Float64Array.of(0),
        terminal: Uint8Array.of(0),
      }),
    /state 0, action 0: probabilities sum to 0\.7/,
  );
  assert.throws(
    () => new TabularMdp({ numStates: 2, numActions: 1, offsets: Int32Array.of(0, 1), next: new Int32Array(1), prob: new Float64Array(1), reward: new Float64Array(1), terminal: new Uint8Array(1) }),
    /offsets: has length 2, expected numStates · numActions \+ 1 = 3/,
  );
});

test('terminalStates finds the absorbing states; reachableStates follows positive probabilities', () => {
  assert.equal(Array.from(terminalStates(chain())), [0, 1]);
  // 0 → 1 → 2, and 3 only reachable with probability 0.
  const line = mdpFromFunction(4, 1, (s): Transition[] => (s === 0 ? [[1, 1, 0, false], [0, 3, 0, false]] : s === 1 ? [[1, 2, 0, true]] : [[1, s, 0, true]]));
  assert.equal(Array.from(reachableStates(line, [1, 0, 0, 0])), [1, 1, 1, 0]);
});

test.run();
