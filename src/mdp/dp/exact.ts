/**
 * The exact value of a policy for small problems: solve (I − γ P_π) v = r_π by Gaussian
 * elimination with partial pivoting, on a dense S × S matrix. It checks the iterative methods:
 * no sweeps, no tolerance, just the linear system the Bellman equation is.
 *
 * Transitions flagged terminal drop out of P_π (the episode ends there), so absorbing terminal
 * states get the row v(s) = 0. With γ = 1 a policy that can run forever without ending makes
 * the matrix singular: that is reported, naming a state involved.
 */
import { GymnastError } from '../../core/errors.ts';
import type { TabularMdp } from '../../envs/tabular/model.ts';
import type { PolicyTable } from '../policy.ts';
import { resolveDpOptions } from './options.ts';

/** Dense solves above this many states would take seconds and gigabytes; use the iterative methods. */
export const EXACT_MAX_STATES = 4000;

export class SingularSystemError extends GymnastError {}

export function exactPolicyValues(mdp: TabularMdp, policy: PolicyTable, gamma: number): Float64Array {
  resolveDpOptions({ gamma });
  const { numStates: S, numActions: A, offsets, next, prob, reward, terminal } = mdp;
  if (S > EXACT_MAX_STATES) throw new RangeError(`exact solve: ${S} states is more than ${EXACT_MAX_STATES}; use policyEvaluation`);
  if (policy.length !== S * A) throw new RangeError(`policy table has ${policy.length} entries, expected ${S * A}`);
  // Augmented matrix [I − γP_π | r_π], row-major with S + 1 columns.
  const W = S + 1;
  const m = new Float64Array(S * W);
  for (let s = 0; s < S; s++) {
    m[s * W + s] = 1;
    for (let a = 0; a < A; a++) {
      const pa = policy[s * A + a]!;
      if (pa === 0) continue;
      for (let j = offsets[s * A + a]!; j < offsets[s * A + a + 1]!; j++) {
        const p = pa * prob[j]!;
        m[s * W + S] += p * reward[j]!;
        if (!terminal[j]) m[s * W + next[j]!] -= gamma * p;
      }
    }
  }
  for (let col = 0; col < S; col++) {
    let pivot = col;
    for (let r = col + 1; r < S; r++) if (Math.abs(m[r * W + col]!) > Math.abs(m[pivot * W + col]!)) pivot = r;
    if (Math.abs(m[pivot * W + col]!) < 1e-12) {
      throw new SingularSystemError(
        `exact solve: (I − γP_π) is singular at state ${col}: with γ = ${gamma} the policy can go on forever without ending from there; use γ < 1 or a policy that ends`,
      );
    }
    if (pivot !== col) {
      for (let c = col; c < W; c++) {
        const t = m[col * W + c]!;
        m[col * W + c] = m[pivot * W + c]!;
        m[pivot * W + c] = t;
      }
    }
    const d = m[col * W + col]!;
    for (let r = col + 1; r < S; r++) {
      const f = m[r * W + col]! / d;
      if (f === 0) continue;
      for (let c = col; c < W; c++) m[r * W + c] -= f * m[col * W + c]!;
    }
  }
  const v = new Float64Array(S);
  for (let r = S - 1; r >= 0; r--) {
    let x = m[r * W + S]!;
    for (let c = r + 1; c < S; c++) x -= m[r * W + c]! * v[c]!;
    v[r] = x / m[r * W + r]!;
  }
  return v;
}
