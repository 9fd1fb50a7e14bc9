/**
 * Monte Carlo prediction (Sutton & Barto §5.1): run whole episodes under the policy, then move
 * V(S_t) toward the return G_t that followed, first-visit (only the first time a state occurs in
 * the episode) or every-visit. The default step size `1/n` makes V the plain average of the
 * returns seen, as in the book; a constant α gives constant-α MC (§6.2, Example 6.2's
 * comparison with TD(0)).
 *
 * An episode cut by a time limit contributes its truncated return (Monte Carlo cannot bootstrap).
 */
import type { AnyEnv } from '../../envs/env.ts';
import type { PolicyTable } from '../policy.ts';
import {
  CurveRecorder,
  EpisodeBuffer,
  resetEpisode,
  resolveLearnOptions,
  sampleAction,
  seedStreams,
  tabularSizes,
  type EpisodeHooks,
  type LearnOptionsInput,
  type PredictionResult,
} from './common.ts';

export function mcPrediction(env: AnyEnv, options: LearnOptionsInput, policy?: PolicyTable, hooks: EpisodeHooks = {}): PredictionResult {
  const o = resolveLearnOptions(options, '1/n');
  const { numStates: S, numActions: A } = tabularSizes(env);
  const pi = policy ?? new Float64Array(S * A).fill(1 / A);
  if (pi.length !== S * A) throw new RangeError(`policy table has ${pi.length} entries, expected ${S * A}`);
  const { rng, envSeed } = seedStreams(o.seed);
  const v = new Float64Array(S).fill(o.initialValue);
  const visits = new Float64Array(S);
  // Time of each state's first visit in the current episode (−1: not yet).
  const firstTime = new Int32Array(S).fill(-1);
  const buffer = new EpisodeBuffer();
  const curve = new CurveRecorder(o.episodes, hooks);

  for (let episode = 0; episode < o.episodes; episode++) {
    buffer.clear();
    let s = resetEpisode(env, episode, envSeed);
    let episodeReturn = 0;
    for (;;) {
      const a = sampleAction(pi, s, A, rng);
      const step = env.step(a);
      buffer.push(s, a, step.reward);
      if (firstTime[s] === -1) firstTime[s] = buffer.length - 1;
      episodeReturn += step.reward;
      if (step.terminated || step.truncated || buffer.length >= o.maxEpisodeSteps) break;
      s = step.obs as number;
    }
    let g = 0;
    for (let t = buffer.length - 1; t >= 0; t--) {
      g = o.gamma * g + buffer.rewards[t]!;
      const st = buffer.states[t]!;
      if (o.firstVisit && firstTime[st] !== t) continue;
      v[st]! += o.alpha.at(episode, ++visits[st]!) * (g - v[st]!);
    }
    for (let t = 0; t < buffer.length; t++) firstTime[buffer.states[t]!] = -1;
    curve.end(episode, episodeReturn, buffer.length);
  }
  return { values: v, returns: curve.returns, lengths: curve.lengths, steps: curve.steps };
}
