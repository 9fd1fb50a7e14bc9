/**
 * Iterative policy evaluation (Sutton & Barto §4.1): sweep v(s) ← Σ_a π(a|s) Σ p (r + γ v(s'))
 * until the largest change in a sweep is below θ. In place (each update sees the values already
 * updated in this sweep, the book's version, usually faster) or synchronous (from a copy of the
 * last sweep, the textbook operator T_π applied exactly).
 */
import type { TabularMdp } from '../../envs/tabular/model.ts';
import type { PolicyTable } from '../policy.ts';
import { resolveDpOptions, sweepToConvergence, type DpOptionsInput, type DpResult } from './options.ts';

/** One sweep of π's expected update: reads `from`, writes `to` (the same array when in place). Returns the largest change. */
export function evaluationSweep(mdp: TabularMdp, policy: PolicyTable, gamma: number, from: Float64Array, to: Float64Array): number {
  const { numStates: S, numActions: A, offsets, next, prob, reward, terminal } = mdp;
  let delta = 0;
  for (let s = 0; s < S; s++) {
    let v = 0;
    for (let a = 0; a < A; a++) {
      const i = s * A + a;
      const pa = policy[i]!;
      if (pa === 0) continue;
      let q = 0;
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) q += prob[j]! * (reward[j]! + gamma * (1 - terminal[j]!) * from[next[j]!]!);
      v += pa * q;
    }
    const change = Math.abs(v - from[s]!);
    if (change > delta) delta = change;
    to[s] = v;
  }
  return delta;
}

/**
 * Evaluates `policy` (a π(a|s) table). `initialValues` warm-starts the sweeps (policy iteration
 * passes the last policy's values). The result's `policy` is greedy with respect to the values.
 */
export function policyEvaluation(mdp: TabularMdp, policy: PolicyTable, options: DpOptionsInput, initialValues?: Float64Array): DpResult {
  const o = resolveDpOptions(options);
  if (policy.length !== mdp.numStates * mdp.numActions) throw new RangeError(`policy table has ${policy.length} entries, expected ${mdp.numStates * mdp.numActions}`);
  return sweepToConvergence(mdp, o, initialValues, (src, dst) => evaluationSweep(mdp, policy, o.gamma, src, dst));
}
