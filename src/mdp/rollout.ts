/**
 * Running a table policy in an env with Discrete observations (a tabular env, or a continuous
 * one behind `DiscretizedEnv`): the first reset takes the seed, later ones continue its stream.
 * `maxSteps` cuts episodes of envs without a time limit (a greedy policy may loop forever).
 */
import type { AnyEnv } from '../envs/env.ts';

export interface PolicyRollout {
  returns: number[];
  lengths: number[];
}

export function runTablePolicy(env: AnyEnv, policy: ArrayLike<number>, episodes: number, seed: number, maxSteps = 10_000): PolicyRollout {
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let s = env.reset(e === 0 ? { seed } : undefined).obs as number;
    let ret = 0;
    let t = 0;
    for (;;) {
      const r = env.step(policy[s]!);
      ret += r.reward;
      t++;
      if (r.terminated || r.truncated || t >= maxSteps) break;
      s = r.obs as number;
    }
    returns.push(ret);
    lengths.push(t);
  }
  return { returns, lengths };
}
