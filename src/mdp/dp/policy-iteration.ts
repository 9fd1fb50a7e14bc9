/**
 * Policy iteration (Sutton & Barto §4.3): evaluate the policy, make it greedy with respect to its
 * values, repeat until the policy no longer changes.
 *
 * It starts from the equiprobable random policy (Figure 4.1's starting point) rather than an
 * arbitrary deterministic one: with γ = 1 a deterministic policy that bumps into a wall forever
 * has no finite value, while the random policy ends with probability 1 in every episodic problem
 * here, and so does each greedy improvement of a policy with finite values. Each evaluation
 * starts from the previous policy's values. The improvement keeps the current action when it is
 * tied with the best (within the tie tolerance), so the loop cannot swap forever between equally
 * good actions (the bug of the book's first pseudocode, Exercise 4.4); otherwise it takes the
 * smallest best action. The policy it returns is read off the final values like value
 * iteration's (smallest action among the tied best), so the two agree action for action wherever
 * the best action is unique.
 */
import type { TabularMdp } from '../../envs/tabular/model.ts';
import { actionValue, deterministicPolicy, greedyAction, greedyPolicy, uniformPolicy } from '../policy.ts';
import { resolveDpOptions, type DpOptionsInput, type DpResult } from './options.ts';
import { policyEvaluation } from './policy-evaluation.ts';

export interface PolicyIterationResult extends DpResult {
  /** Improvement steps taken (the last one found the policy stable). */
  improvements: number;
}

export function policyIteration(mdp: TabularMdp, options: DpOptionsInput, maxImprovements = 1000): PolicyIterationResult {
  const o = resolveDpOptions(options);
  const S = mdp.numStates;
  const A = mdp.numActions;
  let table = uniformPolicy(mdp);
  const actions = new Int32Array(S).fill(-1);
  const q = new Float64Array(A);
  let values: Float64Array | undefined;
  let sweeps = 0;
  let improvements = 0;
  let delta = Infinity;
  let converged = false;
  for (;;) {
    const ev = policyEvaluation(mdp, table, o, values);
    values = ev.values;
    sweeps += ev.sweeps;
    delta = ev.delta;
    if (!ev.converged || improvements >= maxImprovements) break;
    improvements++;
    let stable = true;
    for (let s = 0; s < S; s++) {
      let max = -Infinity;
      for (let a = 0; a < A; a++) max = Math.max(max, (q[a] = actionValue(mdp, values, o.gamma, s, a)));
      const current = actions[s]!;
      if (current >= 0 && q[current]! >= max - o.tieTolerance) continue;
      const best = greedyAction(q, 0, A, o.tieTolerance);
      stable = false;
      actions[s] = best;
    }
    if (stable) {
      converged = true;
      break;
    }
    table = deterministicPolicy(mdp, actions);
  }
  return { values, policy: greedyPolicy(mdp, values, o.gamma, o.tieTolerance), sweeps, backups: sweeps * S, delta, converged, improvements };
}
