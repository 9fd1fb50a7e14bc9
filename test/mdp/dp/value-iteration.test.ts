import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { optimalitySweep, valueIteration } from '../../../src/mdp/dp/value-iteration.ts';
import type { TabularMdpArrays } from '../../../src/envs/tabular/model.ts';
import { gamblerStake } from '../../../src/envs/tabular/gambler.ts';

test('5×5 grid world, γ = 0.9: the optimal values of Figure 3.5', () => {
  const { mdp } = makeMdp('GridWorld5x5-v0');
  const r = valueIteration(mdp, { gamma: 0.9, theta: 1e-10 });
  // Sutton & Barto 2018, Figure 3.5 (middle), row by row.
  assert.equal(Array.from(r.values, (x) => Math.round(x * 10) / 10), [
    22.0, 24.4, 22.0, 19.4, 17.5,
    19.8, 22.0, 19.8, 17.8, 16.0,
    17.8, 19.8, 17.8, 16.0, 14.4,
    16.0, 17.8, 16.0, 14.4, 13.0,
    14.4, 16.0, 14.4, 13.0, 11.7,
  ]);
  // Figure 3.5 (right): from A every action is optimal (the smallest, up, is taken); at (0,0) go right to A.
  assert.is(r.policy[1], 0);
  assert.is(r.policy[0], 1);
  assert.is(r.backups, r.sweeps * 25);
});

test("gambler's problem, ph = 0.4: the policy shape of Figure 4.3 (ties: the smallest stake within 1e-9)", () => {
  const { mdp } = makeMdp('Gambler-v0');
  const r = valueIteration(mdp, { gamma: 1, theta: 1e-12 });
  const stake = (s: number) => gamblerStake(s, r.policy[s]!);
  // Figure 4.3 (Sutton & Barto 2018), final policy: all-in at 50, 25 at 25 and at 75.
  assert.is(stake(50), 50);
  assert.is(stake(25), 25);
  assert.is(stake(75), 25);
  // The saw-tooth: rising 1 … 12 from capital 1, falling back to 1 at 24; the same after 50.
  for (let s = 1; s <= 12; s++) assert.is(stake(s), s, `capital ${s}`);
  for (let s = 13; s <= 24; s++) assert.is(stake(s), 25 - s, `capital ${s}`);
  for (let s = 51; s <= 62; s++) assert.is(stake(s), s - 50, `capital ${s}`);
  // Value estimates (Figure 4.3, top): v(50) = ph = 0.4, v(25) = ph² = 0.16, v(75) = ph + (1 − ph) ph = 0.64.
  assert.ok(Math.abs(r.values[50]! - 0.4) < 1e-9);
  assert.ok(Math.abs(r.values[25]! - 0.16) < 1e-9);
  assert.ok(Math.abs(r.values[75]! - 0.64) < 1e-9);
});

test("FrozenLake: the best success rate within Gymnasium's time limit is its quoted optimum (0.74, 0.91)", () => {
  // Gymnasium's registration comments: FrozenLake-v1 "optimum = 0.74", FrozenLake8x8-v1 "optimum = 0.91".
  // H synchronous sweeps from zero give the optimal H-step value.
  for (const [id, horizon, optimum] of [
    ['FrozenLake-v1', 100, 0.74],
    ['FrozenLake8x8-v1', 200, 0.91],
  ] as const) {
    const { mdp } = makeMdp(id);
    const r = valueIteration(mdp, { gamma: 1, inPlace: false, maxSweeps: horizon, theta: 1e-300 });
    assert.is(r.sweeps, horizon);
    assert.ok(Math.abs(r.values[0]! - optimum) < 0.005, `${id}: ${r.values[0]}`);
  }
});

test('in-place and synchronous value iteration agree', () => {
  const { mdp } = makeMdp('CliffWalking-v0');
  const a = valueIteration(mdp, { gamma: 1 });
  const b = valueIteration(mdp, { gamma: 1, inPlace: false });
  assert.equal(Array.from(a.values), Array.from(b.values));
  // The optimal path along the cliff edge: 13 steps from the start.
  assert.is(a.values[36], -13);
});

/**
 * Two states, one action each. State 0 pays 1 and moves to state 1 with the episode ending there
 * (terminal flag); state 1 pays 1 and stays. With γ = 0.5: v(1) = 1/(1 − γ) = 2, v(0) = 1 (no
 * bootstrapping through the terminal transition; bootstrapping would give 1 + γ·2 = 2).
 */
function chain(): TabularMdpArrays {
  return {
    numStates: 2,
    numActions: 1,
    offsets: Int32Array.of(0, 1, 2),
    next: Int32Array.of(1, 1),
    prob: Float64Array.of(1, 1),
    reward: Float64Array.of(1, 1),
    terminal: Uint8Array.of(1, 0),
  };
}

test('a terminal transition does not bootstrap, in place and synchronous', () => {
  for (const inPlace of [true, false]) {
    const src = Float64Array.of(0, 2);
    const dst = inPlace ? src : new Float64Array(2);
    const delta = optimalitySweep(chain(), 0.5, src, dst, 0, 2, inPlace ? undefined : new Float64Array(2));
    // v(0) = 1 + 0·(…) = 1; v(1) = 1 + 0.5·2 = 2 (a fixed point); the largest change is v(0)'s 1.
    assert.equal([Array.from(dst), delta], [[1, 2], 1], `inPlace ${inPlace}`);
  }
});

test('a sweep over a range of states touches only those, with the scratch of that range', () => {
  const mdp = chain();
  const src = Float64Array.of(5, 2);
  // States [1, 2): its one transition is transition 1, so one scratch entry; state 0 stays as it was.
  const dst = Float64Array.of(-7, -7);
  assert.is(optimalitySweep(mdp, 0.5, src, dst, 1, 2, new Float64Array(1)), 0);
  assert.equal(Array.from(dst), [-7, 2]);
  // States [0, 1): state 1 is left alone.
  const dst2 = Float64Array.of(-7, -7);
  assert.is(optimalitySweep(mdp, 0.5, src, dst2, 0, 1, new Float64Array(1)), 4);
  assert.equal(Array.from(dst2), [1, -7]);
  // A scratch shorter than the range's transitions is refused, naming both sizes.
  assert.throws(() => optimalitySweep(mdp, 0.5, src, dst, 1, 2, new Float64Array(0)), /scratch has 0 entries, the states need 1/);
  assert.throws(() => optimalitySweep(mdp, 0.5, src, dst, 0, 2, new Float64Array(1)), /scratch has 1 entries, the states need 2/);
});

test.run();
