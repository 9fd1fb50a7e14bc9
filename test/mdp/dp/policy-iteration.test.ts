import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { makeMdp, tabularIds } from '../../../src/envs/tabular/problem.ts';
import { policyIteration } from '../../../src/mdp/dp/policy-iteration.ts';
import { valueIteration } from '../../../src/mdp/dp/value-iteration.ts';
import { exactPolicyValues } from '../../../src/mdp/dp/exact.ts';
import { deterministicPolicy } from '../../../src/mdp/policy.ts';

for (const id of tabularIds()) {
  test(`${id}: policy iteration, value iteration and the exact solve agree on values and policy`, () => {
    const { mdp, gamma } = makeMdp(id);
    const pi = policyIteration(mdp, { gamma, theta: 1e-11 });
    const vi = valueIteration(mdp, { gamma, theta: 1e-11 });
    assert.ok(pi.converged && vi.converged);
    let worst = 0;
    for (let s = 0; s < mdp.numStates; s++) worst = Math.max(worst, Math.abs(pi.values[s]! - vi.values[s]!));
    assert.ok(worst < 1e-7, `largest value difference ${worst}`);
    // Both read the policy off their values with the same tie rule (smallest action within 1e-9).
    const differ = Array.from(pi.policy).filter((a, s) => a !== vi.policy[s]).length;
    assert.is(differ, 0);
    const exact = exactPolicyValues(mdp, deterministicPolicy(mdp, pi.policy), gamma);
    for (let s = 0; s < mdp.numStates; s++) assert.ok(Math.abs(exact[s]! - pi.values[s]!) < 1e-6, `state ${s}`);
  });
}

test('policy iteration needs few improvements (4×4 grid: the random policy’s greedy policy is already optimal)', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  const r = policyIteration(mdp, { gamma: 1 });
  assert.is(r.improvements, 2);
  assert.is(r.backups, r.sweeps * 16);
});

test.run();
