/**
 * A finite MDP stored flat, CSR-style, so that a sweep over it is one tight loop over typed arrays.
 *
 * The transitions of the pair (s, a) sit in row `i = s · numActions + a`, at the indices
 * `j ∈ [offsets[i], offsets[i + 1])`: `next[j]` with probability `prob[j]`, reward `reward[j]`,
 * and `terminal[j] = 1` when the episode ends on that transition (Gymnasium's `terminated`: the
 * value of `next[j]` is not bootstrapped). This is Gymnasium's `env.P[s][a]` list of
 * `(probability, next_state, reward, terminated)` tuples, laid out end to end.
 *
 * States where the episode has ended (FrozenLake's holes and goal, the gridworld's corners) are
 * absorbing: every action loops back with probability 1, reward 0, terminal. Their value is 0,
 * and `terminalStates()` finds them.
 *
 * Build one with `mdpFromFunction` (from a transition function), `EmpiricalModel.toMdp` (from
 * sampled experience) or the constructor (from arrays you filled). Every path validates: the
 * probabilities of each (s, a) sum to 1 within 1e-9 and every id is in range, or a
 * ValidationError names the state and action.
 */
import { ValidationError, type ValidationIssue } from '../../core/errors.ts';

/** One outcome of taking an action: Gymnasium's `(probability, next_state, reward, terminated)`. */
export type Transition = readonly [prob: number, next: number, reward: number, terminal: boolean];

/** How far a row's probabilities may stray from 1. */
export const PROBABILITY_TOLERANCE = 1e-9;
/** Validation reports at most this many problems (a broken table would otherwise print thousands). */
const MAX_ISSUES = 20;

export interface TabularMdpArrays {
  numStates: number;
  numActions: number;
  /** Size numStates · numActions + 1; row i spans [offsets[i], offsets[i + 1]). */
  offsets: Int32Array;
  next: Int32Array;
  prob: Float64Array;
  reward: Float64Array;
  terminal: Uint8Array;
}

export class TabularMdp implements TabularMdpArrays {
  readonly numStates: number;
  readonly numActions: number;
  readonly offsets: Int32Array;
  readonly next: Int32Array;
  readonly prob: Float64Array;
  readonly reward: Float64Array;
  readonly terminal: Uint8Array;

  /** Wraps filled arrays after validating them; `source` names the model in error messages. */
  constructor(arrays: TabularMdpArrays, source = 'MDP') {
    const issues = validateArrays(arrays);
    if (issues.length > 0) throw new ValidationError(source, issues);
    this.numStates = arrays.numStates;
    this.numActions = arrays.numActions;
    this.offsets = arrays.offsets;
    this.next = arrays.next;
    this.prob = arrays.prob;
    this.reward = arrays.reward;
    this.terminal = arrays.terminal;
  }

  /** Number of stored transitions (non-zeros of the transition tensor). */
  get numTransitions(): number {
    return this.offsets[this.offsets.length - 1]!;
  }

  /** The transitions of (s, a) as tuples: for tests, printing and small tools, not for sweeps. */
  transitions(s: number, a: number): Transition[] {
    const i = s * this.numActions + a;
    const out: Transition[] = [];
    for (let j = this.offsets[i]!; j < this.offsets[i + 1]!; j++) {
      out.push([this.prob[j]!, this.next[j]!, this.reward[j]!, this.terminal[j] === 1]);
    }
    return out;
  }

  /** Expected immediate reward of (s, a). */
  expectedReward(s: number, a: number): number {
    const i = s * this.numActions + a;
    let r = 0;
    for (let j = this.offsets[i]!; j < this.offsets[i + 1]!; j++) r += this.prob[j]! * this.reward[j]!;
    return r;
  }
}

export interface FromFunctionOptions {
  /** Names the model in error messages (e.g. the env id). */
  source?: string;
  /**
   * Add up outcomes of one (s, a) that share next state, reward and terminal flag (FrozenLake's
   * slippery moves list the same wall bump twice). Sweeps get shorter; expectations are unchanged.
   */
  mergeDuplicates?: boolean;
}

/**
 * Builds an MDP by calling `transitions(s, a)` for every pair, like reading Gymnasium's `P`.
 * A row that does not sum to 1, an empty row, a next state out of range or a non-finite number
 * is a ValidationError naming the state and action.
 */
export function mdpFromFunction(
  numStates: number,
  numActions: number,
  transitions: (s: number, a: number) => Iterable<Transition>,
  options: FromFunctionOptions = {},
): TabularMdp {
  const source = options.source ?? 'MDP';
  checkSizes(numStates, numActions, source);
  const merge = options.mergeDuplicates ?? true;
  const offsets = new Int32Array(numStates * numActions + 1);
  const next: number[] = [];
  const prob: number[] = [];
  const reward: number[] = [];
  const terminal: number[] = [];
  for (let s = 0; s < numStates; s++) {
    for (let a = 0; a < numActions; a++) {
      const rowStart = next.length;
      for (const [p, s2, r, done] of transitions(s, a)) {
        let k = -1;
        if (merge) {
          for (let j = rowStart; j < next.length; j++) {
            if (next[j] === s2 && reward[j] === r && terminal[j] === (done ? 1 : 0)) k = j;
          }
        }
        if (k >= 0) prob[k]! += p;
        else {
          next.push(s2);
          prob.push(p);
          reward.push(r);
          terminal.push(done ? 1 : 0);
        }
      }
      offsets[s * numActions + a + 1] = next.length;
    }
  }
  return new TabularMdp(
    {
      numStates,
      numActions,
      offsets,
      next: Int32Array.from(next),
      prob: Float64Array.from(prob),
      reward: Float64Array.from(reward),
      terminal: Uint8Array.from(terminal),
    },
    source,
  );
}

/**
 * States where the episode is over: every action loops back to the state itself, terminal,
 * with reward 0. Their value is 0 under every policy.
 */
export function terminalStates(mdp: TabularMdp): Uint8Array {
  const { numStates: S, numActions: A, offsets, next, reward, terminal } = mdp;
  const out = new Uint8Array(S);
  for (let s = 0; s < S; s++) {
    let absorbing = true;
    for (let i = s * A; i < (s + 1) * A && absorbing; i++) {
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        if (next[j] !== s || terminal[j] !== 1 || reward[j] !== 0) absorbing = false;
      }
    }
    out[s] = absorbing ? 1 : 0;
  }
  return out;
}

/** States reachable with positive probability from the support of `initial` under some actions (graph search). */
export function reachableStates(mdp: TabularMdp, initial: ArrayLike<number>): Uint8Array {
  const { numStates: S, numActions: A, offsets, next, prob } = mdp;
  const seen = new Uint8Array(S);
  const stack: number[] = [];
  for (let s = 0; s < S; s++) if (initial[s]! > 0) (seen[s] = 1), stack.push(s);
  while (stack.length > 0) {
    const s = stack.pop()!;
    for (let j = offsets[s * A]!; j < offsets[(s + 1) * A]!; j++) {
      if (prob[j]! > 0 && !seen[next[j]!]) {
        seen[next[j]!] = 1;
        stack.push(next[j]!);
      }
    }
  }
  return seen;
}

function checkSizes(numStates: number, numActions: number, source: string): void {
  const issues: ValidationIssue[] = [];
  if (!Number.isInteger(numStates) || numStates < 1) issues.push({ path: 'numStates', message: `must be a positive integer, got ${numStates}` });
  if (!Number.isInteger(numActions) || numActions < 1) issues.push({ path: 'numActions', message: `must be a positive integer, got ${numActions}` });
  if (issues.length > 0) throw new ValidationError(source, issues);
}

function validateArrays(m: TabularMdpArrays): ValidationIssue[] {
  const { numStates: S, numActions: A, offsets, next, prob, reward, terminal } = m;
  const issues: ValidationIssue[] = [];
  if (!Number.isInteger(S) || S < 1) issues.push({ path: 'numStates', message: `must be a positive integer, got ${S}` });
  if (!Number.isInteger(A) || A < 1) issues.push({ path: 'numActions', message: `must be a positive integer, got ${A}` });
  if (issues.length > 0) return issues;
  if (offsets.length !== S * A + 1) return [{ path: 'offsets', message: `has length ${offsets.length}, expected numStates · numActions + 1 = ${S * A + 1}` }];
  const n = next.length;
  if (prob.length !== n || reward.length !== n || terminal.length !== n) {
    return [{ path: 'next/prob/reward/terminal', message: `lengths differ: ${n}, ${prob.length}, ${reward.length}, ${terminal.length}` }];
  }
  if (offsets[0] !== 0 || offsets[S * A] !== n) {
    return [{ path: 'offsets', message: `must start at 0 and end at the number of transitions ${n}, got ${offsets[0]} … ${offsets[S * A]}` }];
  }
  const add = (s: number, a: number, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ path: `state ${s}, action ${a}`, message });
  };
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      const i = s * A + a;
      const lo = offsets[i]!;
      const hi = offsets[i + 1]!;
      if (hi < lo) {
        add(s, a, `offsets decrease (${lo} then ${hi})`);
        continue;
      }
      if (hi === lo) {
        add(s, a, 'has no transitions (an ended state loops to itself: [1, s, 0, true])');
        continue;
      }
      let total = 0;
      for (let j = lo; j < hi; j++) {
        const p = prob[j]!;
        if (!(p >= 0 && p <= 1 + PROBABILITY_TOLERANCE)) add(s, a, `probability ${p} is not in [0, 1]`);
        const s2 = next[j]!;
        if (!(s2 >= 0 && s2 < S)) add(s, a, `next state ${s2} is out of range [0, ${S - 1}]`);
        if (!Number.isFinite(reward[j]!)) add(s, a, `reward ${reward[j]} is not finite`);
        if (terminal[j]! > 1) add(s, a, `terminal flag ${terminal[j]} must be 0 or 1`);
        total += p;
      }
      if (!(Math.abs(total - 1) <= PROBABILITY_TOLERANCE)) add(s, a, `probabilities sum to ${total}, not 1 (tolerance ${PROBABILITY_TOLERANCE})`);
    }
  }
  return issues;
}
