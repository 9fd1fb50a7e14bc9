/**
 * Random-policy rollouts: the baseline every env is measured against, and the determinism probe
 * behind `gymnast rollout` and the random-agent scenarios. The first episode resets with the seed
 * and later ones continue the stream (Gymnasium's convention); actions come from the action space
 * seeded with the same seed.
 */
import { BitHash } from '../core/hash.ts';
import type { AnyEnv } from './env.ts';

export interface RolloutResult {
  returns: number[];
  lengths: number[];
  /** Hash of every observation, action, reward and flag, bit for bit. */
  hash: string;
  steps: number;
  seconds: number;
  steps_per_second: number;
  /** Episodes that ended with `info.error` (physics blow-ups). */
  errors: number;
}

export function randomRollout(env: AnyEnv, episodes: number, seed: number): RolloutResult {
  if (!Number.isInteger(episodes) || episodes < 1) throw new RangeError(`episodes must be a positive integer, got ${episodes}`);
  const hash = new BitHash();
  const returns: number[] = [];
  const lengths: number[] = [];
  let steps = 0;
  let errors = 0;
  env.actionSpace.seed(seed);
  const t0 = performance.now();
  for (let ep = 0; ep < episodes; ep++) {
    const { obs } = env.reset(ep === 0 ? { seed } : undefined);
    hash.numbers(obs instanceof Float32Array ? obs : [obs]);
    let ret = 0;
    let len = 0;
    for (;;) {
      const action = env.actionSpace.sample();
      const r = env.step(action);
      hash.numbers(typeof action === 'number' ? [action] : action);
      hash.numbers(r.obs instanceof Float32Array ? r.obs : [r.obs]);
      hash.number(r.reward).number(r.terminated ? 1 : 0).number(r.truncated ? 1 : 0);
      ret += r.reward;
      len++;
      if (r.terminated || r.truncated) {
        if (r.info.error) errors++;
        break;
      }
    }
    returns.push(ret);
    lengths.push(len);
    steps += len;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { returns, lengths, hash: hash.hex(), steps, seconds, steps_per_second: steps / Math.max(seconds, 1e-9), errors };
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}
