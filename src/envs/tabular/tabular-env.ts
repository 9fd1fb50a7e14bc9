/**
 * An `Env` that samples an explicit MDP, as Gymnasium's toy-text envs sample their `P`:
 * `reset` draws the start state from the problem's start distribution, `step` draws one of the
 * (s, a) transitions by its probability. Observations are the state index (a Discrete space);
 * `info.prob` is the probability of the transition taken, `info.action_mask` is there where the
 * problem defines one (Taxi).
 *
 * `setState(s)` puts the env in any state after a `reset()` (what Gymnasium users do with
 * `env.unwrapped.s = s`): Monte Carlo with exploring starts needs it.
 */
import { Rng } from '../../core/rng.ts';
import { Discrete } from '../../core/spaces.ts';
import { UsageError } from '../../core/errors.ts';
import type { RenderFrame } from '../../core/frame.ts';
import type { Env, Info, ResetResult, StepResult } from '../env.ts';
import type { TabularProblem } from './problem.ts';
import { TabularFrame } from './frame.ts';

/** An env whose state can be set (for exploring starts). */
export interface SettableStateEnv {
  setState(s: number): void;
}

export function hasSettableState(env: unknown): env is SettableStateEnv {
  return typeof (env as SettableStateEnv | null)?.setState === 'function';
}

export class TabularEnv implements Env<number, number>, SettableStateEnv {
  readonly id: string;
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  private readonly rng = new Rng(0);
  private state = -1;
  private elapsedSteps = 0;
  private frames: TabularFrame | undefined;

  constructor(readonly problem: TabularProblem) {
    this.id = problem.id;
    this.observationSpace = new Discrete(problem.mdp.numStates);
    this.actionSpace = new Discrete(problem.mdp.numActions);
  }

  /** The current state (−1 before the first reset). */
  get s(): number {
    return this.state;
  }

  reset(options?: { seed?: number }): ResetResult<number> {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    this.state = this.rng.categorical(this.problem.initial);
    this.elapsedSteps = 0;
    return { obs: this.state, info: this.info(1) };
  }

  step(action: number): StepResult<number> {
    if (this.state < 0) throw new UsageError(`${this.id}: call reset() before step()`);
    const { offsets, next, prob, reward, terminal, numActions } = this.problem.mdp;
    const i = this.state * numActions + action;
    const end = offsets[i + 1]! - 1;
    // Gymnasium's categorical_sample: the first outcome whose cumulative probability exceeds u.
    const u = this.rng.random();
    let j = offsets[i]!;
    let cumulative = prob[j]!;
    while (cumulative <= u && j < end) cumulative += prob[++j]!;
    this.state = next[j]!;
    this.elapsedSteps++;
    return { obs: this.state, reward: reward[j]!, terminated: terminal[j] === 1, truncated: false, info: this.info(prob[j]!) };
  }

  setState(s: number): void {
    if (!Number.isInteger(s) || s < 0 || s >= this.problem.mdp.numStates) {
      throw new RangeError(`${this.id}: setState(${s}) is outside [0, ${this.problem.mdp.numStates - 1}]`);
    }
    this.state = s;
  }

  /** Grid worlds: tiles and the agent's ball on its cell; other problems: a ball along a track. Time: one second a step. */
  frame(): RenderFrame {
    const grid = this.problem.grid;
    this.frames ??= grid ? TabularFrame.grid(grid) : TabularFrame.track();
    const s = Math.max(this.state, 0);
    const at = grid ? (grid.cellOf ? grid.cellOf(s) : s) : s / Math.max(1, this.problem.mdp.numStates - 1);
    return this.frames.frame(at, this.elapsedSteps);
  }

  close(): void {}

  private info(p: number): Info {
    const mask = this.problem.actionMask?.(this.state);
    return mask ? { prob: p, action_mask: mask } : { prob: p };
  }
}
