import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { mcPrediction } from '../../../src/mdp/learn/mc-prediction.ts';
import { randomWalkTrueValues } from '../../../src/envs/tabular/random-walk.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { exactPolicyValues } from '../../../src/mdp/dp/exact.ts';
import { deterministicPolicy } from '../../../src/mdp/policy.ts';
import { BLACKJACK_OBSERVATIONS, decodeBlackjack, encodeBlackjack, HIT, STICK } from '../../../src/envs/tabular/blackjack.ts';

const rms = (v: Float64Array, truth: Float64Array) => {
  let e = 0;
  for (let s = 1; s <= 5; s++) e += (v[s]! - truth[s]!) ** 2;
  return Math.sqrt(e / 5);
};

test('first-visit and every-visit MC on the random walk approach 1/6 … 5/6 (Example 6.2)', () => {
  const truth = randomWalkTrueValues(5, 0);
  const first = mcPrediction(make('RandomWalk5-v0'), { episodes: 5000, seed: 0 });
  const every = mcPrediction(make('RandomWalk5-v0'), { episodes: 5000, seed: 0, firstVisit: false });
  // Standard error: returns are 0 or 1 (variance p(1 − p) ≤ 1/4), and from C every state is reached
  // in at least 3/5 of the episodes (gambler's ruin: A before the right end is 3/5, likewise E), so
  // each estimate averages ≥ 3000 returns, SE ≤ 0.5/√3000 ≈ 0.009; the bound is about twice that.
  assert.ok(rms(first.values, truth) < 0.02, `first-visit RMS ${rms(first.values, truth)}`);
  assert.ok(rms(every.values, truth) < 0.02, `every-visit RMS ${rms(every.values, truth)}`);
  // The two differ: states are revisited within an episode.
  assert.not.equal(Array.from(first.values), Array.from(every.values));
  // Episodes reach the right end with probability 1/2 from C; over 5000 episodes the share's
  // standard deviation is 0.5/√5000 ≈ 0.007, and 0.03 is about 4 of them.
  const wins = first.returns.reduce((a, b) => a + b, 0) / 5000;
  assert.ok(Math.abs(wins - 0.5) < 0.03, `share of wins ${wins}`);
});

test('blackjack, "stick on 20 or 21": MC on the card-dealing env matches the exact values of the model (Example 5.1)', () => {
  const { mdp } = makeMdp('Blackjack-v1');
  const stickOn20 = Int32Array.from({ length: mdp.numStates }, (_, s) => (decodeBlackjack(s).playerSum >= 20 ? STICK : HIT));
  const exact = exactPolicyValues(mdp, deterministicPolicy(mdp, stickOn20), 1);
  const table = new Float64Array(BLACKJACK_OBSERVATIONS * 2);
  for (let s = 0; s < BLACKJACK_OBSERVATIONS; s++) table[s * 2 + stickOn20[s]!] = 1;
  const r = mcPrediction(make('Blackjack-v1'), { episodes: 100_000, seed: 0 }, table);
  let err = 0;
  let n = 0;
  for (let sum = 12; sum <= 21; sum++) {
    for (let d = 1; d <= 10; d++) {
      for (const ace of [false, true]) {
        // A soft 21 may be a natural (a hidden state of the model), so its observation mixes two values.
        if (sum === 21 && ace) continue;
        const s = encodeBlackjack(sum, d, ace);
        err += Math.abs(r.values[s]! - exact[s]!);
        n++;
      }
    }
  }
  // Figure 5.1 uses 500,000 episodes; at 100,000 the mean absolute error over the 190 states is a
  // few hundredths. Regression pin: measured 0.037 with seed 0 (0.043 and 0.042 with seeds 1 and 2)
  // on 2026-12-07 by this test's computation; 0.06 leaves room for another stream of cards.
  assert.ok(err / n < 0.06, `mean absolute error ${err / n}`);
  // The model's value of sticking on a hard 20 against a dealer's 10, from the dealer's play alone
  // (infinite deck, the dealer draws below 17, soft 17 stands): win if the dealer busts or ends on
  // 17–19, draw on 20, lose on 21.
  const dealer = dealerTotals(10, false);
  assert.ok(Math.abs(exact[encodeBlackjack(20, 10, false)]! - (dealer.bust + dealer[17] + dealer[18] + dealer[19] - dealer[21])) < 1e-12);
});

/** The dealer's final total from `total` (ace counted 11 while `usableAce`), drawing below 17 from an infinite deck. */
function dealerTotals(total: number, usableAce: boolean): Record<17 | 18 | 19 | 20 | 21 | 'bust', number> {
  const out = { 17: 0, 18: 0, 19: 0, 20: 0, 21: 0, bust: 0 };
  if (total >= 17) {
    out[total as 17] = 1;
    return out;
  }
  for (let card = 1; card <= 10; card++) {
    const p = card === 10 ? 4 / 13 : 1 / 13;
    let [t, ace] = card === 1 && total + 11 <= 21 ? [total + 11, true] : [total + card, usableAce];
    if (t > 21 && ace) [t, ace] = [t - 10, false];
    const next = t > 21 ? { 17: 0, 18: 0, 19: 0, 20: 0, 21: 0, bust: 1 } : dealerTotals(t, ace);
    for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] += p * next[k];
  }
  return out;
}

test.run();
