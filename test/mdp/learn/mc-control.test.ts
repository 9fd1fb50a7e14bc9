import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { UsageError } from '../../../src/core/errors.ts';
import { Discrete } from '../../../src/core/spaces.ts';
import { mcExploringStarts, mcOffPolicy, mcOnPolicy } from '../../../src/mdp/learn/mc-control.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { valueIteration } from '../../../src/mdp/dp/value-iteration.ts';
import { exactPolicyValues } from '../../../src/mdp/dp/exact.ts';
import { deterministicPolicy } from '../../../src/mdp/policy.ts';
import { decodeBlackjack } from '../../../src/envs/tabular/blackjack.ts';

const blackjack = makeMdp('Blackjack-v1');
const optimal = valueIteration(blackjack.mdp, { gamma: 1, theta: 1e-12 }).policy;
/** How many of Sutton & Barto's 200 blackjack states (sum 12–21) get the optimal action (Figure 5.2). */
const agreement = (policy: Int32Array) => blackjack.startStates!.filter((s) => decodeBlackjack(s).playerSum >= 12 && policy[s] === optimal[s]).length;

test('exploring starts cover the 280 decision states (200 of the book, plus hard 4–11)', () => {
  assert.is(blackjack.startStates!.length, 280);
  assert.is(blackjack.startStates!.filter((s) => decodeBlackjack(s).playerSum >= 12).length, 200);
});

test('Monte Carlo ES on blackjack finds the policy of Figure 5.2 (Example 5.3)', () => {
  const r = mcExploringStarts(make('Blackjack-v1'), { episodes: 300_000, seed: 0, startStates: [...blackjack.startStates!] });
  const agree = agreement(r.policy);
  assert.ok(agree >= 185, `${agree} of 200 states`);
});

test('on-policy ε-soft and off-policy (weighted importance sampling) MC control on blackjack', () => {
  const on = mcOnPolicy(make('Blackjack-v1'), { episodes: 300_000, seed: 0, epsilon: 0.1 });
  assert.ok(agreement(on.policy) >= 180, `on-policy ${agreement(on.policy)} of 200`);
  const off = mcOffPolicy(make('Blackjack-v1'), { episodes: 300_000, seed: 0, epsilon: 0.3 });
  assert.ok(agreement(off.policy) >= 185, `off-policy ${agreement(off.policy)} of 200`);
});

test('off-policy MC control learns an optimal policy for the 4×4 grid world (exact evaluation)', () => {
  const { mdp } = makeMdp('GridWorld4x4-v0');
  const vStar = valueIteration(mdp, { gamma: 1 }).values;
  for (let seed = 0; seed < 3; seed++) {
    const r = mcOffPolicy(make('GridWorld4x4-v0'), { episodes: 2000, seed });
    const v = exactPolicyValues(mdp, deterministicPolicy(mdp, r.policy), 1);
    for (let s = 0; s < 16; s++) assert.ok(Math.abs(v[s]! - vStar[s]!) < 1e-9, `seed ${seed}, state ${s}: ${v[s]} vs ${vStar[s]}`);
  }
});

test('exploring starts need an env whose state can be set', () => {
  const plain = {
    id: 'Plain-v0',
    observationSpace: new Discrete(2),
    actionSpace: new Discrete(2),
    reset: () => ({ obs: 0, info: {} }),
    step: () => ({ obs: 1, reward: 0, terminated: true, truncated: false, info: {} }),
    close() {},
  };
  assert.throws(() => mcExploringStarts(plain, { episodes: 1 }), (e: unknown) => e instanceof UsageError && /setState/.test((e as Error).message));
});

test.run();
