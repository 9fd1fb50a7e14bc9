/**
 * Policies over a tabular MDP. A stochastic policy is a Float64Array of numStates · numActions
 * probabilities, π(a | s) at `s · numActions + a`; a deterministic one is an Int32Array of one
 * action per state.
 *
 * Greedy choices break ties toward the smallest action index among those within a tolerance of
 * the best, so results do not depend on rounding noise (the gambler's policy has true ties,
 * Figure 4.3). Undiscounted problems need one more rule: with γ = 1 a policy greedy with respect
 * to the optimal values is optimal only if it ends, and tied actions can loop forever (in the
 * random walk, left and right both have value 1 away from the ends, so "smallest" walks back
 * and forth). So with γ = 1, where the smallest tied action cannot lead to the end of the
 * episode, the smallest tied action that can is taken instead (see `greedyPolicy`).
 */
import type { TabularMdp } from '../envs/tabular/model.ts';

/** Stochastic policy table: π(a | s) at s · numActions + a. */
export type PolicyTable = Float64Array;

/** Default tolerance for "as good as the best" when reading off a greedy action. */
export const TIE_TOLERANCE = 1e-9;

/** The equiprobable random policy. */
export function uniformPolicy(mdp: TabularMdp): PolicyTable {
  return new Float64Array(mdp.numStates * mdp.numActions).fill(1 / mdp.numActions);
}

/** One action per state → a table with probability 1 on it. */
export function deterministicPolicy(mdp: TabularMdp, actions: ArrayLike<number>): PolicyTable {
  const A = mdp.numActions;
  if (actions.length !== mdp.numStates) throw new RangeError(`policy has ${actions.length} actions, the MDP has ${mdp.numStates} states`);
  const table = new Float64Array(mdp.numStates * A);
  for (let s = 0; s < mdp.numStates; s++) {
    const a = actions[s]!;
    if (!(Number.isInteger(a) && a >= 0 && a < A)) throw new RangeError(`policy action ${a} at state ${s} is outside [0, ${A - 1}]`);
    table[s * A + a] = 1;
  }
  return table;
}

/** q(s, a) = Σ p (r + γ v(s') [not terminal]) for one pair. */
export function actionValue(mdp: TabularMdp, values: ArrayLike<number>, gamma: number, s: number, a: number): number {
  const { offsets, next, prob, reward, terminal } = mdp;
  const i = s * mdp.numActions + a;
  let q = 0;
  for (let j = offsets[i]!; j < offsets[i + 1]!; j++) q += prob[j]! * (reward[j]! + (terminal[j] ? 0 : gamma * values[next[j]!]!));
  return q;
}

/** All action values from state values: Float64Array of numStates · numActions. */
export function actionValues(mdp: TabularMdp, values: ArrayLike<number>, gamma: number): Float64Array {
  const q = new Float64Array(mdp.numStates * mdp.numActions);
  for (let s = 0; s < mdp.numStates; s++) for (let a = 0; a < mdp.numActions; a++) q[s * mdp.numActions + a] = actionValue(mdp, values, gamma, s, a);
  return q;
}

/** The smallest action whose value in row `s` of a q table is within `tolerance` of the best. */
export function greedyAction(q: ArrayLike<number>, s: number, numActions: number, tolerance = TIE_TOLERANCE): number {
  let best = -Infinity;
  for (let a = 0; a < numActions; a++) best = Math.max(best, q[s * numActions + a]!);
  for (let a = 0; a < numActions; a++) if (q[s * numActions + a]! >= best - tolerance) return a;
  return 0;
}

/** Greedy policy from a q table (ties: the smallest action within `tolerance` of the best). */
export function greedyFromQ(q: ArrayLike<number>, numStates: number, numActions: number, tolerance = TIE_TOLERANCE): Int32Array {
  const policy = new Int32Array(numStates);
  for (let s = 0; s < numStates; s++) policy[s] = greedyAction(q, s, numActions, tolerance);
  return policy;
}

/**
 * Greedy policy with respect to state values (one-step lookahead through the model): the smallest
 * action within `tolerance` of the best, except that with γ = 1 ties are broken toward ending the
 * episode (`endingTieBreak`).
 */
export function greedyPolicy(mdp: TabularMdp, values: ArrayLike<number>, gamma: number, tolerance = TIE_TOLERANCE): Int32Array {
  const q = actionValues(mdp, values, gamma);
  const policy = greedyFromQ(q, mdp.numStates, mdp.numActions, tolerance);
  if (gamma === 1) endingTieBreak(mdp, q, policy, tolerance);
  return policy;
}

/**
 * Changes `policy` (greedy on `q`) at the fewest states needed so that every state that can end
 * the episode through tied-best actions does: a state is "certified" when its action has an
 * outcome (probability > 0) that ends the episode or lands on a certified state. First the
 * policy's own actions are certified as far as they go; then each uncertified state whose
 * smallest tied action leading to an end exists switches to it, and so on until nothing changes.
 * A policy in which every state is certified ends with probability 1; being greedy with respect
 * to the optimal values, it is then optimal. States that cannot end (continuing tasks) keep the
 * smallest tied action.
 */
export function endingTieBreak(mdp: TabularMdp, q: Float64Array, policy: Int32Array, tolerance = TIE_TOLERANCE): void {
  const { numStates: S, numActions: A, offsets, next, prob, terminal } = mdp;
  const certified = new Uint8Array(S);
  const leadsToEnd = (s: number, a: number) => {
    const i = s * A + a;
    for (let j = offsets[i]!; j < offsets[i + 1]!; j++) if (prob[j]! > 0 && (terminal[j] === 1 || certified[next[j]!] === 1)) return true;
    return false;
  };
  for (;;) {
    // The current choices, as far as they reach.
    for (let grew = true; grew; ) {
      grew = false;
      for (let s = 0; s < S; s++) {
        if (!certified[s] && leadsToEnd(s, policy[s]!)) {
          certified[s] = 1;
          grew = true;
        }
      }
    }
    // Where they do not, the smallest tied action that does.
    let switched = false;
    for (let s = 0; s < S; s++) {
      if (certified[s]) continue;
      let best = -Infinity;
      for (let a = 0; a < A; a++) best = Math.max(best, q[s * A + a]!);
      for (let a = 0; a < A; a++) {
        if (q[s * A + a]! >= best - tolerance && leadsToEnd(s, a)) {
          policy[s] = a;
          certified[s] = 1;
          switched = true;
          break;
        }
      }
    }
    if (!switched) return;
  }
}
