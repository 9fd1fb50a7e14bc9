/**
 * Options shared by the dynamic-programming methods, one zod schema with the defaults they run
 * on. The discount must lie in [0, 1]; with γ = 1 the policies evaluated must end with
 * probability 1 (every episodic problem here does under the random policy).
 */
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { TabularMdp } from '../../envs/tabular/model.ts';
import { greedyPolicy, TIE_TOLERANCE } from '../policy.ts';

export const dpOptionsSchema = z
  .object({
    gamma: z.number().min(0, 'the discount must be in [0, 1]').max(1, 'the discount must be in [0, 1]').describe('discount factor γ'),
    theta: z.number().positive().default(1e-8).describe('stop when the largest change of a value in one sweep is below θ'),
    maxSweeps: z.number().int().positive().default(1_000_000).describe('give up after this many sweeps (reported as not converged)'),
    inPlace: z.boolean().default(true).describe('update values in place (Gauss–Seidel, the book\'s default) rather than from a copy of the last sweep'),
    tieTolerance: z.number().nonnegative().default(TIE_TOLERANCE).describe('actions within this of the best count as tied; the smallest is taken'),
  })
  .strict();

export type DpOptions = z.infer<typeof dpOptionsSchema>;
export type DpOptionsInput = z.input<typeof dpOptionsSchema>;

/** Validates DP options; every problem is reported with its field and the value given. */
export function resolveDpOptions(input: DpOptionsInput): DpOptions {
  const r = dpOptionsSchema.safeParse(input);
  if (r.success) return r.data;
  throw new ValidationError(
    'dynamic programming options',
    r.error.issues.map((i) => {
      const path = i.path.join('.');
      const given = path ? (input as Record<string, unknown>)[path] : undefined;
      return { path, message: given === undefined ? i.message : `${i.message}, got ${given}` };
    }),
  );
}

/** What every DP method reports. */
export interface DpResult {
  /** State values, by state. */
  values: Float64Array;
  /** Greedy action by state (smallest action among the tied best). */
  policy: Int32Array;
  /** Full passes over the states. */
  sweeps: number;
  /** Expected updates of one state's value (S per sweep). */
  backups: number;
  /** Largest value change in the last sweep. */
  delta: number;
  /** Whether delta fell below θ within maxSweeps. */
  converged: boolean;
}

/**
 * The loop every sweeping method shares: `sweep(src, dst)` updates each state's value from `src`
 * into `dst` and returns the largest change; sweeps run until it falls below θ or `maxSweeps`
 * ends them. In place (`src` = `dst`, Gauss-Seidel) or between two buffers (synchronous, Sutton &
 * Barto's two-array version). The result's `policy` is greedy with respect to the values.
 */
export function sweepToConvergence(mdp: TabularMdp, o: DpOptions, initialValues: Float64Array | undefined, sweep: (src: Float64Array, dst: Float64Array) => number): DpResult {
  let v = initialValues ? Float64Array.from(initialValues) : new Float64Array(mdp.numStates);
  let spare = o.inPlace ? v : new Float64Array(mdp.numStates);
  let sweeps = 0;
  let delta = Infinity;
  while (sweeps < o.maxSweeps && !(delta < o.theta)) {
    delta = sweep(v, spare);
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
