/**
 * Value iteration (Sutton & Barto §4.4): sweep v(s) ← max_a Σ p (r + γ v(s')) until the largest
 * change in a sweep is below θ, then read off the greedy policy. In place by default (the book's
 * version); synchronous sweeps are the Bellman optimality operator applied exactly (what the
 * benchmark and the parallel sweep compute).
 */
import type { TabularMdp, TabularMdpArrays } from '../model.ts';
import { greedyPolicy } from '../policy.ts';
import { resolveDpOptions, type DpOptionsInput, type DpResult } from './options.ts';

/**
 * One Bellman optimality sweep over the states [first, end): reads `src`, writes `dst` (the same
 * array for an in-place sweep). Returns the largest change. Takes the bare arrays so a worker
 * thread can run it on shared memory (`parallel-sweep.ts`).
 */
export function optimalitySweep(mdp: TabularMdpArrays, gamma: number, src: Float64Array, dst: Float64Array, first = 0, end = mdp.numStates): number {
  const { numActions: A, offsets, next, prob, reward, terminal } = mdp;
  let delta = 0;
  for (let s = first; s < end; s++) {
    let best = -Infinity;
    for (let i = s * A; i < s * A + A; i++) {
      let q = 0;
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) q += prob[j]! * (reward[j]! + gamma * (1 - terminal[j]!) * src[next[j]!]!);
      if (q > best) best = q;
    }
    const change = Math.abs(best - src[s]!);
    if (change > delta) delta = change;
    dst[s] = best;
  }
  return delta;
}

export function valueIteration(mdp: TabularMdp, options: DpOptionsInput, initialValues?: Float64Array): DpResult {
  const o = resolveDpOptions(options);
  let v = initialValues ? Float64Array.from(initialValues) : new Float64Array(mdp.numStates);
  let spare = o.inPlace ? v : new Float64Array(mdp.numStates);
  let sweeps = 0;
  let delta = Infinity;
  while (sweeps < o.maxSweeps && !(delta < o.theta)) {
    delta = optimalitySweep(mdp, o.gamma, v, spare);
    sweeps++;
    if (!o.inPlace) [v, spare] = [spare, v];
  }
  return {
    values: v,
    policy: greedyPolicy(mdp, v, o.gamma, o.tieTolerance),
    sweeps,
    backups: sweeps * mdp.numStates,
    delta,
    converged: delta < o.theta,
  };
}
