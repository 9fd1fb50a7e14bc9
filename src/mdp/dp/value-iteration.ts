/**
 * Value iteration (Sutton & Barto §4.4): sweep v(s) ← max_a Σ p (r + γ v(s')) until the largest
 * change in a sweep is below θ, then read off the greedy policy. In place by default (the book's
 * version); synchronous sweeps are the Bellman optimality operator applied exactly (what the
 * benchmark and the parallel sweep compute; they take one extra double per transition).
 */
import type { TabularMdp, TabularMdpArrays } from '../../envs/tabular/model.ts';
import { resolveDpOptions, sweepToConvergence, type DpOptionsInput, type DpResult } from './options.ts';

/**
 * One Bellman optimality sweep over the states [first, end): reads `src`, writes `dst` (the same
 * array for an in-place sweep). Returns the largest change. Takes the bare arrays so a worker
 * thread can run it on shared memory (`parallel-sweep.ts`).
 *
 * A synchronous sweep (`src` ≠ `dst`) given a `scratch` array (one double per transition of the
 * range) runs in two passes: first every v(s′) is gathered into `scratch` in one tight loop, then
 * the rows are summed from it. On large models the gather is what costs (random reads across the
 * value array), and alone in its loop the processor keeps many of those reads in flight: about 3×
 * faster than reading v(s′) inside the sum (measured, bench/mdp.ts). The numbers are identical.
 */
export function optimalitySweep(
  mdp: TabularMdpArrays,
  gamma: number,
  src: Float64Array,
  dst: Float64Array,
  first = 0,
  end = mdp.numStates,
  scratch?: Float64Array,
): number {
  const { numActions: A, offsets, next, prob, reward, terminal } = mdp;
  if (scratch && src !== dst) {
    const base = offsets[first * A]!;
    const last = offsets[end * A]!;
    if (scratch.length < last - base) throw new RangeError(`optimalitySweep: scratch has ${scratch.length} entries, the states need ${last - base}`);
    for (let j = base; j < last; j++) scratch[j - base] = src[next[j]!]!;
    let delta = 0;
    for (let s = first; s < end; s++) {
      let best = -Infinity;
      for (let i = s * A; i < s * A + A; i++) {
        let q = 0;
        for (let j = offsets[i]!; j < offsets[i + 1]!; j++) q += prob[j]! * (reward[j]! + gamma * (1 - terminal[j]!) * scratch[j - base]!);
        if (q > best) best = q;
      }
      const change = Math.abs(best - src[s]!);
      if (change > delta) delta = change;
      dst[s] = best;
    }
    return delta;
  }
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
  const scratch = o.inPlace ? undefined : new Float64Array(mdp.numTransitions);
  return sweepToConvergence(mdp, o, initialValues, (src, dst) => optimalitySweep(mdp, o.gamma, src, dst, 0, mdp.numStates, scratch));
}
