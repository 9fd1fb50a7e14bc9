/**
 * Tabular problems: an explicit MDP with what an env and a reader need around it (start-state
 * distribution, the discount the literature uses, action names, a grid layout for drawing), and
 * their registry. `registerTabular` registers the problem for `makeMdp(id)` and, in the env
 * registry, an `Env` over the same model for `make(id)`: dynamic programming and the model-free
 * learners see the same MDP.
 */
import type { z } from 'zod';
import { UnknownIdError } from '../../core/errors.ts';
import type { AnyEnv } from '../env.ts';
import { register, resolveOptions, spec as envSpec, type EnvOptions } from '../specs.ts';
import type { TabularMdp } from './model.ts';
import { TabularEnv } from './tabular-env.ts';

/** A grid world laid out row-major: state s is the cell (⌊s / cols⌋, s mod cols). */
export interface GridLayout {
  rows: number;
  cols: number;
  /** One character per cell, row-major (FrozenLake's S F H G, 'C' for the cliff, …); '.' for plain. */
  cells: string;
  /** Arrow per action for drawing the policy ('↑', '→', …). */
  arrows: readonly string[];
  /**
   * The cell the agent is on in state s, where states are more than cells (Taxi). Absent: the
   * state is the cell, and values and policies draw as a grid.
   */
  cellOf?(s: number): number;
}

export interface TabularProblem {
  id: string;
  mdp: TabularMdp;
  /** Start-state distribution, size numStates, sums to 1. */
  initial: Float64Array;
  /** The discount this problem is posed with (Sutton & Barto's; 1 for episodic tasks). */
  gamma: number;
  /** A short name per action (`left`, `stake 3`, …). */
  actionNames: readonly string[];
  grid?: GridLayout;
  /** States an exploring start may begin in (default: every state that is not terminal). */
  startStates?: readonly number[];
  /** Readable name of a state (Taxi: "taxi (2,3), passenger Y, destination G"). */
  stateName?(s: number): string;
  /** Gymnasium's `info.action_mask` (Taxi): 1 where the action changes the state. */
  actionMask?(s: number): Uint8Array;
  /** A domain-specific drawing of values and a policy (Blackjack's Figure 5.2 layout, …). */
  draw?(values: Float64Array, policy: Int32Array): string;
}

export interface TabularSpec {
  id: string;
  description: string;
  options?: z.ZodObject<any>;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  /** Builds the problem from validated options. */
  build(options: any): TabularProblem;
  /** The env; default: `TabularEnv` sampling the MDP (Gymnasium's toy-text envs sample their `P`). */
  createEnv?(problem: TabularProblem, options: any): AnyEnv;
  /** `import.meta.url` of the registering module. */
  module: string;
}

const tabularSpecs = new Map<string, TabularSpec>();

export function registerTabular(s: TabularSpec): void {
  register({
    id: s.id,
    description: s.description,
    options: s.options,
    maxEpisodeSteps: s.maxEpisodeSteps,
    rewardThreshold: s.rewardThreshold,
    module: s.module,
    family: 'tabular',
    create: (options) => {
      const problem = s.build(options);
      return s.createEnv ? s.createEnv(problem, options) : new TabularEnv(problem);
    },
  });
  tabularSpecs.set(s.id, s);
}

/** Ids of the problems `makeMdp` knows. */
export function tabularIds(): string[] {
  return [...tabularSpecs.keys()].sort();
}

/**
 * The explicit MDP of a registered tabular env. Options are validated by the env's schema
 * (strings are coerced, as from `--option key=value`).
 */
export function makeMdp(id: string, options: EnvOptions = {}): TabularProblem {
  const s = tabularSpecs.get(id);
  if (!s) throw new UnknownIdError('MDP', id, tabularIds());
  return s.build(resolveOptions(envSpec(id), options));
}
