/**
 * One-step TD control (Sutton & Barto §6.4–6.6), three members of one family that differ only in
 * what they bootstrap from at the next state S′:
 *
 * - SARSA (on-policy): Q(S′, A′) for the action A′ the ε-greedy policy then takes;
 * - Q-learning (off-policy): max_a Q(S′, a);
 * - expected SARSA: Σ_a π(a | S′) Q(S′, a) under the ε-greedy policy.
 *
 * Q(S, A) ← Q(S, A) + α [R + γ · bootstrap − Q(S, A)], with no bootstrap after a termination
 * (a truncation still bootstraps). Behaviour is ε-greedy on Q with ties broken at random.
 * Defaults: α = 0.1 (constant), ε = 0.1. The learning curve is the return of each behaviour
 * episode (the "online" return of Figure 6.4).
 */
import type { AnyEnv } from '../../envs/env.ts';
import { greedyFromQ } from '../policy.ts';
import {
  CurveRecorder,
  epsilonGreedy,
  epsilonGreedyProbabilities,
  resetEpisode,
  resolveLearnOptions,
  seedStreams,
  tabularSizes,
  type ControlResult,
  type EpisodeHooks,
  type LearnOptionsInput,
} from './common.ts';

export type TdControlMethod = 'sarsa' | 'q-learning' | 'expected-sarsa';

export function tdControl(method: TdControlMethod, env: AnyEnv, options: LearnOptionsInput, hooks: EpisodeHooks = {}): ControlResult {
  const o = resolveLearnOptions(options, 0.1);
  const { numStates: S, numActions: A } = tabularSizes(env);
  const { rng, envSeed } = seedStreams(o.seed);
  const q = new Float64Array(S * A).fill(o.initialValue);
  const visits = new Float64Array(S * A);
  const pi = new Float64Array(A);
  const curve = new CurveRecorder(o.episodes, hooks);

  for (let episode = 0; episode < o.episodes; episode++) {
    const epsilon = o.epsilon.at(episode, 0);
    let s = resetEpisode(env, episode, envSeed);
    let a = epsilonGreedy(q, s, A, epsilon, rng);
    let episodeReturn = 0;
    let t = 0;
    for (;;) {
      const step = env.step(a);
      t++;
      episodeReturn += step.reward;
      const s2 = step.obs as number;
      let nextAction = -1;
      let target = step.reward;
      if (!step.terminated) {
        if (method === 'sarsa') {
          nextAction = epsilonGreedy(q, s2, A, epsilon, rng);
          target += o.gamma * q[s2 * A + nextAction]!;
        } else if (method === 'q-learning') {
          let best = -Infinity;
          for (let b = 0; b < A; b++) best = Math.max(best, q[s2 * A + b]!);
          target += o.gamma * best;
        } else {
          epsilonGreedyProbabilities(q, s2, A, epsilon, pi);
          let expected = 0;
          for (let b = 0; b < A; b++) expected += pi[b]! * q[s2 * A + b]!;
          target += o.gamma * expected;
        }
      }
      const i = s * A + a;
      q[i]! += o.alpha.at(episode, ++visits[i]!) * (target - q[i]!);
      if (step.terminated || step.truncated || t >= o.maxEpisodeSteps) break;
      s = s2;
      a = nextAction >= 0 ? nextAction : epsilonGreedy(q, s, A, epsilon, rng);
    }
    curve.end(episode, episodeReturn, t);
  }
  return { q, policy: greedyFromQ(q, S, A), returns: curve.returns, lengths: curve.lengths, steps: curve.steps };
}

export const sarsa = (env: AnyEnv, options: LearnOptionsInput, hooks?: EpisodeHooks) => tdControl('sarsa', env, options, hooks);
export const qLearning = (env: AnyEnv, options: LearnOptionsInput, hooks?: EpisodeHooks) => tdControl('q-learning', env, options, hooks);
export const expectedSarsa = (env: AnyEnv, options: LearnOptionsInput, hooks?: EpisodeHooks) => tdControl('expected-sarsa', env, options, hooks);
