/**
 * An empirical MDP: counts of observed transitions (s, a) → (s', terminal) and the sum of their
 * rewards. `toMdp()` turns the counts into the maximum-likelihood model (probability = count /
 * visits of (s, a), reward = mean reward of that outcome), the "certainty-equivalence" model of
 * model-based RL. Pairs never tried get a stand-in row chosen by the caller: by default the
 * episode ends there with reward 0, which is pessimistic where rewards are positive (CartPole)
 * and keeps dynamic programming away from what it has not seen.
 */
import { ValidationError } from '../core/errors.ts';
import { TabularMdp } from '../envs/tabular/model.ts';

export interface UnvisitedRow {
  /** Reward of the stand-in self-loop. */
  reward: number;
  /** Whether the stand-in ends the episode (true: value = reward; false: value = reward / (1 − γ)). */
  terminal: boolean;
}

export interface ToMdpOptions {
  /** Pairs seen fewer times than this are treated as unvisited. */
  minCount?: number;
  unvisited?: UnvisitedRow;
  source?: string;
}

export class EmpiricalModel {
  /** Visits of each (s, a), row i = s · numActions + a. */
  readonly counts: Float64Array;
  /** Outcome key ((s · A + a) · S + s') · 2 + terminal → slot in the arrays below. */
  private readonly slots = new Map<number, number>();
  private readonly slotKeys: number[] = [];
  private readonly slotCounts: number[] = [];
  private readonly slotRewardSums: number[] = [];
  private total = 0;
  private lowest = Infinity;

  constructor(
    readonly numStates: number,
    readonly numActions: number,
  ) {
    if (!Number.isInteger(numStates) || numStates < 1 || !Number.isInteger(numActions) || numActions < 1) {
      throw new ValidationError('EmpiricalModel', [{ path: 'numStates/numActions', message: `must be positive integers, got ${numStates}, ${numActions}` }]);
    }
    this.counts = new Float64Array(numStates * numActions);
  }

  /** Number of transitions recorded. */
  get numSamples(): number {
    return this.total;
  }

  /** The lowest single reward recorded (Infinity before any). */
  get lowestReward(): number {
    return this.lowest;
  }

  /** Number of (s, a) pairs seen at least once. */
  get visitedPairs(): number {
    let n = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]! > 0) n++;
    return n;
  }

  record(s: number, a: number, reward: number, next: number, terminal: boolean): void {
    const S = this.numStates;
    if (!(s >= 0 && s < S && next >= 0 && next < S && a >= 0 && a < this.numActions) || !Number.isInteger(s + a + next)) {
      throw new RangeError(`EmpiricalModel.record: (s=${s}, a=${a}, next=${next}) out of range for ${S} states, ${this.numActions} actions`);
    }
    if (!Number.isFinite(reward)) throw new RangeError(`EmpiricalModel.record: reward ${reward} at (s=${s}, a=${a}) is not finite`);
    const row = s * this.numActions + a;
    const key = (row * S + next) * 2 + (terminal ? 1 : 0);
    let k = this.slots.get(key);
    if (k === undefined) {
      k = this.slotKeys.length;
      this.slots.set(key, k);
      this.slotKeys.push(key);
      this.slotCounts.push(0);
      this.slotRewardSums.push(0);
    }
    this.slotCounts[k]!++;
    this.slotRewardSums[k]! += reward;
    this.counts[row]!++;
    this.total++;
    if (reward < this.lowest) this.lowest = reward;
  }

  /** The maximum-likelihood MDP of what was recorded. */
  toMdp(options: ToMdpOptions = {}): TabularMdp {
    const S = this.numStates;
    const A = this.numActions;
    const minCount = Math.max(1, options.minCount ?? 1);
    const unvisited = options.unvisited ?? { reward: 0, terminal: true };
    // Slots in key order are grouped by row, then by next state.
    const order = Int32Array.from(this.slotKeys.keys()).sort((x, y) => this.slotKeys[x]! - this.slotKeys[y]!);
    const offsets = new Int32Array(S * A + 1);
    const next: number[] = [];
    const prob: number[] = [];
    const reward: number[] = [];
    const terminal: number[] = [];
    let o = 0;
    for (let row = 0; row < S * A; row++) {
      const visits = this.counts[row]!;
      if (visits >= minCount) {
        for (; o < order.length && Math.floor(this.slotKeys[order[o]!]! / (2 * S)) === row; o++) {
          const k = order[o]!;
          const key = this.slotKeys[k]!;
          next.push(Math.floor(key / 2) % S);
          terminal.push(key % 2);
          prob.push(this.slotCounts[k]! / visits);
          reward.push(this.slotRewardSums[k]! / this.slotCounts[k]!);
        }
      } else {
        while (o < order.length && Math.floor(this.slotKeys[order[o]!]! / (2 * S)) === row) o++;
        next.push(Math.floor(row / A));
        terminal.push(unvisited.terminal ? 1 : 0);
        prob.push(1);
        reward.push(unvisited.reward);
      }
      offsets[row + 1] = next.length;
    }
    return new TabularMdp(
      {
        numStates: S,
        numActions: A,
        offsets,
        next: Int32Array.from(next),
        prob: Float64Array.from(prob),
        reward: Float64Array.from(reward),
        terminal: Uint8Array.from(terminal),
      },
      options.source ?? 'empirical MDP',
    );
  }
}
