/**
 * Double Q-learning (van Hasselt 2010; Sutton & Barto §6.7): two tables, each updated toward the
 * other's value of its own greedy action, which removes Q-learning's maximization bias. On each
 * step a fair coin picks the table to update:
 *
 *   Q1(S, A) ← Q1(S, A) + α [R + γ Q2(S′, argmax_a Q1(S′, a)) − Q1(S, A)]   (or 1 ↔ 2).
 *
 * Behaviour is ε-greedy on Q1 + Q2. Defaults: α = 0.1, ε = 0.1. The returned `q` is Q1 + Q2 halved.
 */
import type { AnyEnv } from '../../envs/env.ts';
import { greedyFromQ } from '../policy.ts';
import {
  argmaxRandomTie,
  CurveRecorder,
  epsilonGreedy,
  resetEpisode,
  resolveLearnOptions,
  seedStreams,
  tabularSizes,
  type ControlResult,
  type EpisodeHooks,
  type LearnOptionsInput,
} from './common.ts';

export function doubleQLearning(env: AnyEnv, options: LearnOptionsInput, hooks: EpisodeHooks = {}): ControlResult {
  const o = resolveLearnOptions(options, 0.1);
  const { numStates: S, numActions: A } = tabularSizes(env);
  const { rng, envSeed } = seedStreams(o.seed);
  const q1 = new Float64Array(S * A).fill(o.initialValue);
  const q2 = new Float64Array(S * A).fill(o.initialValue);
  // Q1 + Q2, kept up to date for the behaviour policy.
  const sum = new Float64Array(S * A).fill(2 * o.initialValue);
  const visits = new Float64Array(S * A);
  const curve = new CurveRecorder(o.episodes, hooks);

  for (let episode = 0; episode < o.episodes; episode++) {
    const epsilon = o.epsilon.at(episode, 0);
    let s = resetEpisode(env, episode, envSeed);
    let episodeReturn = 0;
    let t = 0;
    for (;;) {
      const a = epsilonGreedy(sum, s, A, epsilon, rng);
      const step = env.step(a);
      t++;
      episodeReturn += step.reward;
      const s2 = step.obs as number;
      const [update, other] = rng.random() < 0.5 ? [q1, q2] : [q2, q1];
      let target = step.reward;
      if (!step.terminated) target += o.gamma * other[s2 * A + argmaxRandomTie(update, s2, A, rng)]!;
      const i = s * A + a;
      const change = o.alpha.at(episode, ++visits[i]!) * (target - update[i]!);
      update[i]! += change;
      sum[i]! += change;
      if (step.terminated || step.truncated || t >= o.maxEpisodeSteps) break;
      s = s2;
    }
    curve.end(episode, episodeReturn, t);
  }
  const q = sum.map((x) => x / 2);
  return { q, policy: greedyFromQ(q, S, A), returns: curve.returns, lengths: curve.lengths, steps: curve.steps };
}
