/**
 * Monte Carlo control (Sutton & Barto §5.3–5.7): three ways to keep exploring while the policy
 * becomes greedy, each learning Q from whole episodes.
 *
 * - Exploring starts (§5.3, "Monte Carlo ES"): each episode starts in a random state with a
 *   random first action (the env must let its state be set: `setState`), then follows the greedy
 *   policy. Q(s, a) averages the returns that followed the first visit of (s, a).
 * - On-policy first-visit control with an ε-soft policy (§5.4): behaviour and target are the
 *   ε-greedy policy on Q.
 * - Off-policy control with weighted importance sampling (§5.7): the target policy is greedy on
 *   Q; the behaviour policy is ε-greedy on Q (soft, as the method needs). Going backward through
 *   the episode, C(s, a) += W, Q(s, a) += W / C(s, a) · (G − Q(s, a)), and the pass stops at the
 *   first action the greedy policy would not take; W /= b(A | S) otherwise. The greedy target
 *   looks only at actions with data (C > 0) where there are any: an untried action keeps its
 *   initial Q, and where rewards are negative (every grid world here) that initial 0 would win
 *   the argmax everywhere, so no tail would ever match the target and nothing past the last step
 *   would be learned.
 *
 * Defaults: α = 1/n (sample averages; the off-policy method uses its weights instead), ε = 0.1.
 * Episodes longer than `maxEpisodeSteps` are cut (a greedy policy can walk into a wall forever).
 */
import { UsageError } from '../../core/errors.ts';
import type { AnyEnv } from '../../envs/env.ts';
import { Wrapper } from '../../envs/wrappers/wrapper.ts';
import { greedyFromQ } from '../policy.ts';
import { hasSettableState, type SettableStateEnv } from '../../envs/tabular/tabular-env.ts';
import {
  argmaxRandomTie,
  CurveRecorder,
  EpisodeBuffer,
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

export type McControlMethod = 'exploring-starts' | 'on-policy' | 'off-policy';

export function mcControl(method: McControlMethod, env: AnyEnv, options: LearnOptionsInput, hooks: EpisodeHooks = {}): ControlResult {
  const o = resolveLearnOptions(options, '1/n');
  const { numStates: S, numActions: A } = tabularSizes(env);
  const { rng, envSeed } = seedStreams(o.seed);
  const q = new Float64Array(S * A).fill(o.initialValue);
  const visits = new Float64Array(S * A);
  // Off-policy: cumulative importance weights C(s, a).
  const weights = new Float64Array(S * A);
  const firstTime = new Int32Array(S * A).fill(-1);
  const b = new Float64Array(A);
  const buffer = new EpisodeBuffer();
  const curve = new CurveRecorder(o.episodes, hooks);

  // Exploring starts set the state of the innermost env after the wrappers have been reset.
  let settable: SettableStateEnv | undefined;
  if (method === 'exploring-starts') {
    const inner = env instanceof Wrapper ? env.unwrapped : env;
    if (!hasSettableState(inner)) throw new UsageError(`${env.id}: Monte Carlo with exploring starts needs an env whose state can be set (setState)`);
    settable = inner;
  }
  const starts = o.startStates ?? Array.from({ length: S }, (_, s) => s);

  for (let episode = 0; episode < o.episodes; episode++) {
    const epsilon = o.epsilon.at(episode, 0);
    buffer.clear();
    let s = resetEpisode(env, episode, envSeed);
    let a: number;
    if (settable) {
      // As Gymnasium users set env.unwrapped.s.
      s = starts[rng.int(starts.length)]!;
      settable.setState(s);
      a = rng.int(A);
    } else a = -1;
    let episodeReturn = 0;
    for (;;) {
      let prob = 1;
      if (a < 0) {
        if (method === 'exploring-starts') a = argmaxRandomTie(q, s, A, rng);
        else {
          a = epsilonGreedy(q, s, A, epsilon, rng);
          if (method === 'off-policy') prob = epsilonGreedyProbabilities(q, s, A, epsilon, b)[a]!;
        }
      }
      const step = env.step(a);
      buffer.push(s, a, step.reward, prob);
      if (firstTime[s * A + a] === -1) firstTime[s * A + a] = buffer.length - 1;
      episodeReturn += step.reward;
      if (step.terminated || step.truncated || buffer.length >= o.maxEpisodeSteps) break;
      s = step.obs as number;
      a = -1;
    }

    let g = 0;
    let w = 1;
    for (let t = buffer.length - 1; t >= 0; t--) {
      g = o.gamma * g + buffer.rewards[t]!;
      const i = buffer.states[t]! * A + buffer.actions[t]!;
      if (method === 'off-policy') {
        weights[i]! += w;
        q[i]! += (w / weights[i]!) * (g - q[i]!);
        // The greedy target policy (first maximum, as the book's argmax) must have taken this action.
        if (greedyWithData(q, weights, buffer.states[t]!, A) !== buffer.actions[t]) break;
        w /= buffer.probs[t]!;
      } else {
        if (o.firstVisit && firstTime[i] !== t) continue;
        q[i]! += o.alpha.at(episode, ++visits[i]!) * (g - q[i]!);
      }
    }
    for (let t = 0; t < buffer.length; t++) firstTime[buffer.states[t]! * A + buffer.actions[t]!] = -1;
    curve.end(episode, episodeReturn, buffer.length);
  }
  const policy = method === 'off-policy' ? Int32Array.from({ length: S }, (_, s) => greedyWithData(q, weights, s, A)) : greedyFromQ(q, S, A);
  return { q, policy, returns: curve.returns, lengths: curve.lengths, steps: curve.steps };
}

/** The first action with the largest Q among those with data (C > 0), or among all if none has any. */
function greedyWithData(q: Float64Array, weights: Float64Array, s: number, A: number): number {
  let anyData = false;
  for (let a = 0; a < A; a++) anyData ||= weights[s * A + a]! > 0;
  let best = -1;
  for (let a = 0; a < A; a++) {
    if (anyData && !(weights[s * A + a]! > 0)) continue;
    if (best < 0 || q[s * A + a]! > q[s * A + best]!) best = a;
  }
  return best;
}

export const mcExploringStarts = (env: AnyEnv, options: LearnOptionsInput, hooks?: EpisodeHooks) => mcControl('exploring-starts', env, options, hooks);
export const mcOnPolicy = (env: AnyEnv, options: LearnOptionsInput, hooks?: EpisodeHooks) => mcControl('on-policy', env, options, hooks);
export const mcOffPolicy = (env: AnyEnv, options: LearnOptionsInput, hooks?: EpisodeHooks) => mcControl('off-policy', env, options, hooks);
