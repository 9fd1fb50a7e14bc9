import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { makeMdp, tabularIds } from '../../../src/envs/tabular/problem.ts';
import { policyIteration } from '../../../src/mdp/dp/policy-iteration.ts';
import { valueIteration } from '../../../src/mdp/dp/value-iteration.ts';
import { exactPolicyValues } from '../../../src/mdp/dp/exact.ts';
import { deterministicPolicy } from '../../../src/mdp/policy.ts';
import { mdpFromFunction } from '../../../src/envs/tabular/model.ts';

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

// One state, two actions, γ = 1: action 0 ends the episode with reward 1, action 1 with reward 0.
// Hand-run of policy iteration (in-place evaluation, θ = 1e-8, from v = 0):
//   evaluation 1 (uniform policy): sweep 1 sets v = 0.5·1 + 0.5·0 = 0.5 (change 0.5), sweep 2 changes nothing: 2 sweeps;
//   improvement 1: q = (1, 0), no action yet, so action 0 is chosen: the policy changed;
//   evaluation 2 (action 0, from v = 0.5): sweep 1 sets v = 1 (change 0.5), sweep 2 changes nothing: 2 sweeps;
//   improvement 2: action 0 is still the best: stable, converged.
const endNow = () => mdpFromFunction(1, 2, (_s, a) => [[1, 0, a === 0 ? 1 : 0, true]]);

test('policy iteration on a one-state problem, counted by hand: 2 improvements, 4 sweeps, v = 1', () => {
  const r = policyIteration(endNow(), { gamma: 1 });
  assert.equal([r.improvements, r.sweeps, r.backups, r.converged, r.delta], [2, 4, 4, true, 0]);
  assert.equal(Array.from(r.values), [1]);
  assert.equal(Array.from(r.policy), [0]);
});

test('maxImprovements stops policy iteration unconverged after that many improvements', () => {
  // 0 improvements: only the uniform policy's evaluation, v = 0.5.
  const none = policyIteration(endNow(), { gamma: 1 }, 0);
  assert.equal([none.improvements, none.sweeps, none.converged], [0, 2, false]);
  assert.equal(Array.from(none.values), [0.5]);
  // 1 improvement: the policy changed and was evaluated (v = 1), but its stability was never checked.
  const one = policyIteration(endNow(), { gamma: 1 }, 1);
  assert.equal([one.improvements, one.sweeps, one.converged], [1, 4, false]);
  assert.equal(Array.from(one.values), [1]);
});

test('an evaluation stopped by maxSweeps ends policy iteration, reported as not converged', () => {
  // maxSweeps 1: the first evaluation stops after one sweep with change 0.5 ≥ θ.
  const r = policyIteration(endNow(), { gamma: 1, maxSweeps: 1 });
  assert.equal([r.improvements, r.sweeps, r.converged, r.delta], [0, 1, false, 0.5]);
  assert.equal(Array.from(r.values), [0.5]);
});

test('exactly tied actions with tieTolerance 0: the current action is kept, so the loop ends (Sutton & Barto Exercise 4.4)', () => {
  // Both actions end with reward 1: q = (1, 1) bit for bit. Improvement 1 picks action 0; improvement 2
  // finds q(action 0) = 1 ≥ max − 0 and keeps it: stable after 2 improvements. A rule that switched on
  // exact ties (or demanded strictly better than max − tolerance) would never find the policy stable.
  const tied = mdpFromFunction(1, 2, () => [[1, 0, 1, true]]);
  const r = policyIteration(tied, { gamma: 1, tieTolerance: 0 }, 50);
  assert.equal([r.improvements, r.converged], [2, true]);
  assert.equal(Array.from(r.values), [1]);
});

test.run();
