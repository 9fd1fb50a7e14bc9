import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { makeMdp, tabularIds } from '../../../src/envs/tabular/problem.ts';
import { mdpFromFunction } from '../../../src/envs/tabular/model.ts';
import { EXACT_MAX_STATES, exactPolicyValues, SingularSystemError } from '../../../src/mdp/dp/exact.ts';
import { valueIteration } from '../../../src/mdp/dp/value-iteration.ts';
import { deterministicPolicy } from '../../../src/mdp/policy.ts';

test('4×4 grid world, random policy: the linear solve gives Figure 4.1 exactly', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  const v = exactPolicyValues(mdp, new Float64Array(64).fill(0.25), 1);
  const expected = [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0];
  for (let s = 0; s < 16; s++) assert.ok(Math.abs(v[s]! - expected[s]!) < 1e-10, `state ${s}: ${v[s]}`);
});

for (const id of tabularIds()) {
  test(`${id}: the exact value of value iteration's greedy policy equals its iterative values`, () => {
    // (policy-iteration.test.ts checks the same for policy iteration.)
    const { mdp, gamma } = makeMdp(id);
    const vi = valueIteration(mdp, { gamma, theta: 1e-11 });
    const exact = exactPolicyValues(mdp, deterministicPolicy(mdp, vi.policy), gamma);
    let worst = 0;
    for (let s = 0; s < mdp.numStates; s++) worst = Math.max(worst, Math.abs(exact[s]! - vi.values[s]!));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
  });
}

test('a policy that never ends with γ = 1 is reported as singular, naming a state', () => {
  // State 0 loops on itself with reward 0 under action 0.
  const mdp = mdpFromFunction(2, 1, (s) => (s === 0 ? [[1, 0, 0, false]] : [[1, 1, 0, true]]));
  assert.throws(() => exactPolicyValues(mdp, Float64Array.of(1, 1), 1), (e: unknown) => e instanceof SingularSystemError && /state 0/.test((e as Error).message));
  const v = exactPolicyValues(mdp, Float64Array.of(1, 1), 0.5);
  assert.equal(Array.from(v), [0, 0]);
  assert.throws(() => exactPolicyValues(mdp, Float64Array.of(1, 1), 2), /gamma/);
});

test('the state limit: 4000 states are solved, 4001 refused naming both numbers; a policy table of the wrong size is refused', () => {
  assert.is(EXACT_MAX_STATES, 4000);
  // A chain: state s moves to s + 1 with reward 1, the last state ends the episode. With γ = 1,
  // v(s) = the number of steps left = S − s. (I − P_π) is upper bidiagonal, so the elimination
  // does no row operations and 4000 states take well under a second.
  const chain = (S: number) => mdpFromFunction(S, 1, (s) => [[1, s + 1 < S ? s + 1 : s, 1, s + 1 === S]]);
  const v = exactPolicyValues(chain(4000), new Float64Array(4000).fill(1), 1);
  assert.is(v[0], 4000);
  assert.is(v[3999], 1);
  assert.throws(() => exactPolicyValues(chain(4001), new Float64Array(4001).fill(1), 1), (e: unknown) => e instanceof RangeError && /4001 states is more than 4000/.test((e as Error).message));
  // 2 states × 2 actions: the table must have 2 · 2 = 4 entries.
  const two = mdpFromFunction(2, 2, () => [[1, 0, 0, true]]);
  assert.throws(() => exactPolicyValues(two, Float64Array.of(0.5, 0.5, 1), 1), (e: unknown) => e instanceof RangeError && /policy table has 3 entries, expected 4/.test((e as Error).message));
});

test('partial pivoting: a column whose largest entry is below the diagonal (hand-solved 2-state system)', () => {
  // γ = 1, one action. State 0: stays w.p. 0.25, goes to state 1 w.p. 0.25, ends w.p. 0.5 with
  // reward 1. State 1: goes to state 0 w.p. 1 with reward 2. Bellman:
  //   v0 = 0.25 v0 + 0.25 v1 + 0.5,  v1 = 2 + v0  ⇒  0.5 v0 = 0.5 + 0.5 = 1  ⇒  v0 = 2, v1 = 4.
  // In (I − P) column 0 holds 0.75 (state 0) and −1 (state 1): the pivot is state 1's row.
  const mdp = mdpFromFunction(2, 1, (s) =>
    s === 0
      ? [
          [0.25, 0, 0, false],
          [0.25, 1, 0, false],
          [0.5, 0, 1, true],
        ]
      : [[1, 0, 2, false]],
  );
  const v = exactPolicyValues(mdp, Float64Array.of(1, 1), 1);
  assert.ok(Math.abs(v[0]! - 2) < 1e-12 && Math.abs(v[1]! - 4) < 1e-12, `${Array.from(v)}`);
});

test('partial pivoting solves a system whose diagonal is under the 1e-12 threshold; a pivot of exactly 1e-12 is used', () => {
  // γ = 1, one action. State 0 stays w.p. 1 − ε with ε = 9007·2⁻⁵³ ≈ 0.99998e-12 (exact in
  // floating point, so 1 − (1 − ε) = ε exactly), and otherwise ends with reward 1: it ends with
  // probability 1, so v(0) = 1. State 1 enters state 0 w.p. 1e-12 and otherwise ends with reward 0:
  // v(1) = 1e-12 · v(0) = 1e-12. Column 0 of (I − P) holds ε < 1e-12 (state 0's diagonal) and −1e-12
  // (state 1): without pivoting state 0's diagonal would be refused as singular; with it, state 1's
  // row is the pivot and |−1e-12| is not under the threshold (the test is |pivot| < 1e-12).
  const eps = 9007 * 2 ** -53;
  assert.ok(eps < 1e-12 && 1 - (1 - eps) === eps);
  const mdp = mdpFromFunction(2, 1, (s) =>
    s === 0
      ? [
          [1 - eps, 0, 0, false],
          [eps, 0, 1, true],
        ]
      : [
          [1e-12, 0, 0, false],
          [1 - 1e-12, 1, 0, true],
        ],
  );
  const v = exactPolicyValues(mdp, Float64Array.of(1, 1), 1);
  assert.ok(Math.abs(v[0]! - 1) < 1e-9, `v(0) = ${v[0]}`);
  assert.ok(Math.abs(v[1]! - 1e-12) < 1e-21, `v(1) = ${v[1]}`);
});

test('a singular system is reported at the first state whose value the equations before it leave undetermined, after row swaps', () => {
  // γ = 1, one action. State 0 ends at once (reward 3): v0 = 3. State 1 loops on itself forever:
  // its equation is 0 = 0. State 2 moves to state 1: v2 = v1. Eliminating in state order with
  // partial pivoting: column 0 pivots on state 0's row; column 1 (v1) has a zero in state 1's row
  // and −1 in state 2's, so the rows swap and v1 is expressed by state 2's equation; nothing is
  // left for column 2 (v2): the error names state 2, from which the policy indeed never ends.
  const mdp = mdpFromFunction(3, 1, (s) => (s === 0 ? [[1, 0, 3, true]] : [[1, 1, 0, false]]));
  assert.throws(
    () => exactPolicyValues(mdp, Float64Array.of(1, 1, 1), 1),
    (e: unknown) => e instanceof SingularSystemError && /singular at state 2:/.test((e as Error).message),
  );
  // With γ = 0.5 the same policy has finite values: v0 = 3, v1 = 0 (reward 0 forever), v2 = 0.
  assert.equal(Array.from(exactPolicyValues(mdp, Float64Array.of(1, 1, 1), 0.5)), [3, 0, 0]);
});

test.run();
