import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import {
  BLACKJACK_NATURAL,
  BLACKJACK_OBSERVATIONS,
  BlackjackEnv,
  blackjackObservation,
  dealerOutcomes,
  decodeBlackjack,
  encodeBlackjack,
  HIT,
  STICK,
} from '../../../src/envs/tabular/blackjack.ts';
import { valueIteration } from '../../../src/mdp/dp/value-iteration.ts';
import { exactPolicyValues } from '../../../src/mdp/dp/exact.ts';
import { deterministicPolicy } from '../../../src/mdp/policy.ts';

test("observation index encodes Gymnasium's tuple (sum, dealer card, usable ace)", () => {
  assert.is(BLACKJACK_OBSERVATIONS, 704);
  assert.is(encodeBlackjack(13, 10, true), (13 * 11 + 10) * 2 + 1);
  for (let i = 0; i < 704; i++) {
    const d = decodeBlackjack(i);
    assert.is(encodeBlackjack(d.playerSum, d.dealerCard, d.usableAce), i);
  }
  assert.is(blackjackObservation(BLACKJACK_NATURAL + 9), encodeBlackjack(21, 10, true));
});

test('the dealer outcome distribution sums to 1; naturals only under an ace or a ten', () => {
  for (let d = 1; d <= 10; d++) {
    const o = dealerOutcomes(d);
    let total = o.bust;
    for (let k = 17; k <= 21; k++) total += o.final[k]!;
    assert.ok(Math.abs(total - 1) < 1e-12);
    assert.ok(o.natural === 0 || d === 1 || d === 10);
  }
  assert.ok(Math.abs(dealerOutcomes(1).natural - 4 / 13) < 1e-15);
  assert.ok(Math.abs(dealerOutcomes(10).natural - 1 / 13) < 1e-15);
});

test("a natural wins +1 unless the dealer has one too (sab rule); a three-card 21 is not a natural", () => {
  const { mdp } = makeMdp('Blackjack-v1');
  const natural = mdp.transitions(BLACKJACK_NATURAL + 9, STICK);
  assert.ok(Math.abs(natural.find(([, , r]) => r === 1)![0] - 12 / 13) < 1e-12);
  assert.ok(Math.abs(natural.find(([, , r]) => r === 0)![0] - 1 / 13) < 1e-12);
  const soft21 = mdp.transitions(encodeBlackjack(21, 10, true), STICK);
  assert.ok(soft21.find(([, , r]) => r === 1)![0] < 12 / 13 - 0.01);
  // Hitting a hard 20 busts on anything but an ace.
  const hit20 = mdp.transitions(encodeBlackjack(20, 5, false), HIT);
  const bust = hit20.filter(([, , r, done]) => done && r === -1).reduce((a, [p]) => a + p, 0);
  assert.ok(Math.abs(bust - 12 / 13) < 1e-12);
});

// Figure 5.2 (Sutton & Barto 2018): the optimal policy, rows player sum 21 … 12, columns dealer A, 2 … 10.
const FIGURE_5_2 = {
  usable: ['SSSSSSSSSS', 'SSSSSSSSSS', 'SSSSSSSSSS', 'HSSSSSSSHH', 'HHHHHHHHHH', 'HHHHHHHHHH', 'HHHHHHHHHH', 'HHHHHHHHHH', 'HHHHHHHHHH', 'HHHHHHHHHH'],
  noUsable: ['SSSSSSSSSS', 'SSSSSSSSSS', 'SSSSSSSSSS', 'SSSSSSSSSS', 'SSSSSSSSSS', 'HSSSSSHHHH', 'HSSSSSHHHH', 'HSSSSSHHHH', 'HSSSSSHHHH', 'HHHSSSHHHH'],
};

test('value iteration on the explicit model gives the optimal policy of Figure 5.2', () => {
  const { mdp } = makeMdp('Blackjack-v1');
  const { policy } = valueIteration(mdp, { gamma: 1, theta: 1e-12 });
  for (const [ace, rows] of [
    [true, FIGURE_5_2.usable],
    [false, FIGURE_5_2.noUsable],
  ] as const) {
    rows.forEach((row, i) => {
      const sum = 21 - i;
      const got = Array.from({ length: 10 }, (_, d) => (policy[encodeBlackjack(sum, d + 1, ace)] === HIT ? 'H' : 'S')).join('');
      assert.is(got, row, `${ace ? 'usable' : 'no usable'} ace, sum ${sum}`);
    });
  }
});

test('the card-by-card env and the explicit model agree on the expected return of a policy', () => {
  const { mdp, initial } = makeMdp('Blackjack-v1');
  // Example 5.1's policy: stick on 20 or 21, hit otherwise.
  const stickOn20 = Int32Array.from({ length: mdp.numStates }, (_, s) => (decodeBlackjack(s).playerSum >= 20 ? STICK : HIT));
  const v = exactPolicyValues(mdp, deterministicPolicy(mdp, stickOn20), 1);
  let expected = 0;
  for (let s = 0; s < mdp.numStates; s++) expected += initial[s]! * v[s]!;
  const env = new BlackjackEnv();
  const n = 200_000;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let { obs } = env.reset(i === 0 ? { seed: 7 } : undefined);
    for (;;) {
      const r = env.step(decodeBlackjack(obs).playerSum >= 20 ? STICK : HIT);
      obs = r.obs;
      if (r.terminated) {
        total += r.reward;
        break;
      }
    }
  }
  // Standard error of the mean is about 0.95 / √n ≈ 0.002.
  assert.ok(Math.abs(total / n - expected) < 0.01, `simulated ${total / n}, model ${expected}`);
  checkEnv(make('Blackjack-v1'));
});

test('setState deals a hand showing the observation (exploring starts)', () => {
  const env = new BlackjackEnv();
  env.reset({ seed: 1 });
  const s = encodeBlackjack(21, 4, true);
  env.setState(s);
  const stick = env.step(STICK);
  assert.is(stick.obs, s);
  assert.ok(stick.terminated);
  env.setState(s);
  const hit = decodeBlackjack(env.step(HIT).obs);
  assert.ok(hit.playerSum >= 12 && hit.playerSum <= 21 && !hit.usableAce && hit.dealerCard === 4);
  assert.throws(() => env.setState(encodeBlackjack(3, 4, false)), /cannot deal/);
});

test.run();
