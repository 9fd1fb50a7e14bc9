import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { ValidationError } from '../../../src/core/errors.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { evaluationSweep, policyEvaluation } from '../../../src/mdp/dp/policy-evaluation.ts';
import type { TabularMdp } from '../../../src/envs/tabular/model.ts';
import { uniformPolicy } from '../../../src/mdp/policy.ts';

const round1 = (v: Float64Array) => Array.from(v, (x) => Math.round(x * 10) / 10 + 0);

test('4×4 grid world, random policy: Figure 4.1 (k = ∞) values', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  const r = policyEvaluation(mdp, uniformPolicy(mdp), { gamma: 1, theta: 1e-10 });
  // Sutton & Barto 2018, Figure 4.1, left column, k = ∞.
  assert.equal(round1(r.values), [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0]);
  assert.ok(r.converged);
  assert.is(r.backups, r.sweeps * 16);
  // Right column: the greedy policy of those values is optimal; from state 1 (next to the corner) go left.
  assert.is(r.policy[1], 3);
  assert.is(r.policy[14], 1);
});

test('5×5 grid world, random policy, γ = 0.9: Figure 3.2 values', () => {
  const { mdp } = makeMdp('GridWorld5x5-v0');
  const r = policyEvaluation(mdp, uniformPolicy(mdp), { gamma: 0.9, theta: 1e-10 });
  // Sutton & Barto 2018, Figure 3.2 (right), row by row.
  assert.equal(round1(r.values), [
    3.3, 8.8, 4.4, 5.3, 1.5,
    1.5, 3.0, 2.3, 1.9, 0.5,
    0.1, 0.7, 0.7, 0.4, -0.4,
    -1.0, -0.4, -0.4, -0.6, -1.2,
    -1.9, -1.3, -1.2, -1.4, -2.0,
  ]);
});

test('synchronous and in-place sweeps reach the same values; in place takes fewer sweeps (§4.1)', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  const inPlace = policyEvaluation(mdp, uniformPolicy(mdp), { gamma: 1, theta: 1e-9 });
  const sync = policyEvaluation(mdp, uniformPolicy(mdp), { gamma: 1, theta: 1e-9, inPlace: false });
  for (let s = 0; s < 16; s++) assert.ok(Math.abs(inPlace.values[s]! - sync.values[s]!) < 1e-6);
  assert.ok(inPlace.sweeps < sync.sweeps, `${inPlace.sweeps} vs ${sync.sweeps}`);
});

test('after one synchronous sweep from zero every non-terminal value is −1 (Figure 4.1, k = 1)', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  const r = policyEvaluation(mdp, uniformPolicy(mdp), { gamma: 1, inPlace: false, maxSweeps: 1 });
  assert.equal(round1(r.values), [0, ...Array(14).fill(-1), 0]);
  assert.not.ok(r.converged);
});

test('a discount outside [0, 1] is one clear error naming gamma and the value', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  try {
    policyEvaluation(mdp, uniformPolicy(mdp), { gamma: 1.5 });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, /gamma: the discount must be in \[0, 1\], got 1\.5/);
  }
  assert.throws(() => policyEvaluation(mdp, uniformPolicy(mdp), { gamma: -0.1 }), /gamma/);
});

test('a terminal transition does not bootstrap', () => {
  // Two states, one action: state 0 pays 1 and ends the episode on reaching state 1, state 1 pays 1
  // and stays. With γ = 0.5 and v = (0, 2): v(0) = 1 (no γ·v(1) through the terminal flag), v(1) = 1 + 0.5·2 = 2.
  const mdp = {
    numStates: 2, numActions: 1, offsets: Int32Array.of(0, 1, 2), next: Int32Array.of(1, 1),
    prob: Float64Array.of(1, 1), reward: Float64Array.of(1, 1), terminal: Uint8Array.of(1, 0),
  } as unknown as TabularMdp;
  const to = new Float64Array(2);
  assert.is(evaluationSweep(mdp, Float64Array.of(1, 1), 0.5, Float64Array.of(0, 2), to), 1);
  assert.equal(Array.from(to), [1, 2]);
});

test('a policy table of the wrong size is refused, naming both sizes', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  // 16 states × 4 actions = 64 entries.
  assert.throws(() => policyEvaluation(mdp, new Float64Array(63), { gamma: 1 }), /policy table has 63 entries, expected 64/);
});

test.run();
