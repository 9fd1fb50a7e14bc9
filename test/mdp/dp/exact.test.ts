import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { makeMdp, tabularIds } from '../../../src/envs/tabular/problem.ts';
import { mdpFromFunction } from '../../../src/envs/tabular/model.ts';
import { exactPolicyValues, SingularSystemError } from '../../../src/mdp/dp/exact.ts';
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

test.run();
