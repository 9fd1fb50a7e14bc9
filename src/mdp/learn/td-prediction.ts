/**
 * TD(0) prediction (Sutton & Barto §6.1): estimate v_π by V(S) ← V(S) + α [R + γ V(S′) − V(S)]
 * after every step, with no bootstrap after a termination. The policy is a π(a | s) table
 * (default: the equiprobable random policy, the random walk of Example 6.2). Default α = 0.1.
 */
import type { AnyEnv } from '../../envs/env.ts';
import type { PolicyTable } from '../policy.ts';
import {
  CurveRecorder,
  resetEpisode,
  resolveLearnOptions,
  sampleAction,
  seedStreams,
  tabularSizes,
  type EpisodeHooks,
  type LearnOptionsInput,
  type PredictionResult,
} from './common.ts';

export function tdPrediction(env: AnyEnv, options: LearnOptionsInput, policy?: PolicyTable, hooks: EpisodeHooks = {}): PredictionResult {
  const o = resolveLearnOptions(options, 0.1);
  const { numStates: S, numActions: A } = tabularSizes(env);
  const pi = policy ?? new Float64Array(S * A).fill(1 / A);
  if (pi.length !== S * A) throw new RangeError(`policy table has ${pi.length} entries, expected ${S * A}`);
  const { rng, envSeed } = seedStreams(o.seed);
  const v = new Float64Array(S).fill(o.initialValue);
  const visits = new Float64Array(S);
  const curve = new CurveRecorder(o.episodes, hooks);

  for (let episode = 0; episode < o.episodes; episode++) {
    let s = resetEpisode(env, episode, envSeed);
    let episodeReturn = 0;
    let t = 0;
    for (;;) {
      const step = env.step(sampleAction(pi, s, A, rng));
      t++;
      episodeReturn += step.reward;
      const s2 = step.obs as number;
      const target = step.reward + (step.terminated ? 0 : o.gamma * v[s2]!);
      v[s]! += o.alpha.at(episode, ++visits[s]!) * (target - v[s]!);
      if (step.terminated || step.truncated || t >= o.maxEpisodeSteps) break;
      s = s2;
    }
    curve.end(episode, episodeReturn, t);
  }
  return { values: v, returns: curve.returns, lengths: curve.lengths, steps: curve.steps };
}
