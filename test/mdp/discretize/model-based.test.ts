import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { make } from '../../../src/envs/registry.ts';
import { randomRollout, mean } from '../../../src/envs/rollout.ts';
import { DiscretizedEnv } from '../../../src/mdp/discretize/discretized-env.ts';
import { presetAggregation } from '../../../src/mdp/discretize/presets.ts';
import { solveByDiscretization } from '../../../src/mdp/discretize/model-based.ts';
import { runTablePolicy } from '../../../src/mdp/rollout.ts';
import { qLearning } from '../../../src/mdp/learn/td-control.ts';

test('CartPole-v1: an empirical model of random-policy transitions, solved by value iteration, balances far longer than random', () => {
  const env = new DiscretizedEnv(make('CartPole-v1'), presetAggregation('CartPole-v1'));
  const r = solveByDiscretization(env, { rounds: 1, transitions: 10_000, seed: 0 });
  assert.is(r.model.numSamples, 10_000);
  assert.is(r.rounds.length, 1);
  // The random policy averages about 22 (Gymnasium's CartPole); its own samples say so too.
  assert.ok(r.rounds[0]!.meanSampleReturn > 15 && r.rounds[0]!.meanSampleReturn < 30);
  const greedy = mean(runTablePolicy(env, r.policy, 5, 1).returns);
  const random = mean(randomRollout(env.env, 5, 1).returns);
  assert.ok(greedy > 100, `greedy table policy: ${greedy}`);
  assert.ok(greedy > 4 * random, `greedy ${greedy} vs random ${random}`);
  env.close();
});

test('Q-learning runs on the discretized CartPole-v1 as it is, and its greedy policy beats random by far', () => {
  const env = new DiscretizedEnv(make('CartPole-v1'), presetAggregation('CartPole-v1'));
  const r = qLearning(env, { episodes: 150, alpha: 0.1, epsilon: 'linear:0.3:0.01:120', gamma: 0.99, seed: 0 });
  assert.is(r.q.length, env.observationSpace.n * 2);
  const greedy = mean(runTablePolicy(env, r.policy, 5, 1).returns);
  // The random policy averages about 22.
  assert.ok(greedy > 80, `greedy after 150 episodes: ${greedy}`);
  env.close();
});

test('unvisited pairs are pessimistic: ending with 0 where rewards are positive, looping on the lowest reward otherwise', () => {
  const cart = new DiscretizedEnv(make('CartPole-v1'), presetAggregation('CartPole-v1'));
  const c = solveByDiscretization(cart, { rounds: 1, transitions: 500, seed: 0 });
  const unseen = Array.from(c.model.counts).findIndex((n) => n === 0);
  const s = Math.floor(unseen / 2);
  assert.equal(c.mdp.transitions(s, unseen % 2), [[1, s, 0, true]]);
  cart.close();
  const pend = new DiscretizedEnv(make('Pendulum-v1'), presetAggregation('Pendulum-v1'), { actionLevels: 3 });
  const p = solveByDiscretization(pend, { rounds: 1, transitions: 500, seed: 0 });
  const unseenP = Array.from(p.model.counts).findIndex((n) => n === 0);
  const sp = Math.floor(unseenP / 3);
  assert.equal(p.mdp.transitions(sp, unseenP % 3), [[1, sp, p.model.lowestReward, false]]);
  pend.close();
});

test.run();
