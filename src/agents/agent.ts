/**
 * What every agent file (dqn.ts, reinforce.ts, a2c.ts, ppo.ts) exports, and the few pieces all of
 * them use. The training loop of an algorithm lives in its own file and reads top to bottom; the
 * train room (src/train) builds the vector env, calls `train(untilStep)` between checkpoints,
 * writes checkpoints and metrics, and evaluates.
 */
import type { z } from 'zod';
import type { Space } from '../core/spaces.ts';
import { Box, Discrete } from '../core/spaces.ts';
import type { Rng } from '../core/rng.ts';
import type { Info } from '../envs/env.ts';
import type { VectorEnv } from '../envs/vector/vector-env.ts';
import type { CheckpointData } from '../nn/checkpoint.ts';
import type { Activation, Mlp } from '../nn/mlp.ts';
import type { PolicyRollouts } from './policy-rollouts.ts';
import type { CriticThreadStarter } from './critic-update.ts';

/** One finished training episode (from `RecordEpisodeStatistics` in the vector env). */
export interface EpisodeReport {
  /** Global env step at which it ended. */
  step: number;
  /** Return and length (CleanRL's `charts/episodic_return`, `charts/episodic_length`). */
  return: number;
  length: number;
  /** Index of the sub-env. */
  env: number;
  /** What the env measured over the episode (`info.episodeMetrics` at its last step), if anything. */
  metrics?: Record<string, number>;
}

/** Where an agent sends what it measures. Tags are CleanRL's (`losses/value_loss`, `charts/SPS`, …). */
export interface Reporter {
  metrics(step: number, values: Record<string, number>): void;
  episode(e: EpisodeReport): void;
}

export interface AgentContext {
  /** The training envs (a sync vector env of `config.numEnvs` copies). */
  env: VectorEnv;
  /**
   * With the `pipeline` vector env: the same envs, stepped by workers that run the acting policy
   * themselves and collect whole rollouts (policy-rollouts.ts). Only agents whose definition sets
   * `pipelined` get it.
   */
  rollouts?: PolicyRollouts;
  /**
   * Where the run gives its update a second thread: starts the value half of PPO's update there
   * (critic-update.ts; the same numbers as in one thread). Only agents whose definition sets
   * `splitUpdate` get it.
   */
  criticThread?: CriticThreadStarter;
  /** The agent's random stream: weight init, exploration, sampling, minibatch order. */
  rng: Rng;
  /** The run's length in env steps (schedules anneal over it). */
  totalSteps: number;
  report: Reporter;
}

export interface Agent {
  /** Env steps taken so far (over all sub-envs). */
  readonly globalStep: number;
  /**
   * Resets the training envs with `seed` (sub-env i gets seed + i). Called at the start and after
   * every checkpoint, so that a resumed run continues exactly as the uninterrupted one.
   */
  resetEnvs(seed: number): void;
  /** Trains until `globalStep ≥ untilStep`, stopping at the first update boundary at or after it. */
  train(untilStep: number): Promise<void>;
  /**
   * Actions for `n` observations (flat [n × obsDim]) into `out` (flat [n × actionDim]):
   * the greedy action (argmax Q or π's mode) when `deterministic`, else a sample.
   * Continuous actions are clipped to the action space.
   */
  act(obs: Float32Array, n: number, out: Float32Array, deterministic: boolean): void;
  /** The greedy policy as plain numbers (what `gymnast export` writes as a standard model). */
  greedyPolicy(): GreedyPolicy;
  /** Everything needed to continue: weights, optimizer, RNG, normalizers, buffers, counters. */
  checkpoint(): CheckpointData;
  /** Restores `checkpoint()` output; `where` names the file for errors. */
  restore(data: CheckpointData, where: string): void;
  dispose(): void;
}

export interface AgentDefinition<S extends z.ZodObject<any> = z.ZodObject<any>> {
  readonly name: string;
  readonly description: string;
  /** All hyperparameters, one `.describe()`d field each, defaults from the reference implementation. */
  readonly schema: S;
  /** Tuned values for specific envs (rl-baselines3-zoo / CleanRL), applied over the schema defaults. */
  readonly envDefaults: Record<string, Partial<z.input<S>>>;
  /** Null if the agent can act in these spaces, else why not. */
  supports(observationSpace: Space<unknown>, actionSpace: Space<unknown>): string | null;
  /** True when the agent trains on whole rollouts collected by workers (`ctx.rollouts`, the pipeline vector env). */
  readonly pipelined?: boolean;
  /** True when the agent can run the value half of its update on a second thread (`ctx.criticThread`). */
  readonly splitUpdate?: boolean;
  create(ctx: AgentContext, config: z.output<S>): Agent;
}

/**
 * An agent's greedy policy as numbers: an MLP from the (normalized) observation to the action's
 * parameters, and the rule that turns its outputs into the action `act(…, deterministic)` takes.
 * `act` equals, for every observation x:
 *
 *   z = obsNorm ? clip((x − mean) / √(var + epsilon), −clip, clip) : x      (per feature, float64, stored as float32)
 *   y = MLP(z): hidden layers act(z·W + b), the output layer linear; the first `outputs` columns
 *   action = argmax(y)                    (discrete: logits, or Q values)
 *          | clip(y, low, high)           (continuous: the Gaussian's mean)
 */
export interface GreedyPolicy {
  /** Layer widths from input to output (the output layer may have more columns than `outputs`). */
  sizes: number[];
  activation: Activation;
  /** W0, b0, W1, b1, …: kernels [in, out] row-major, biases [out]. */
  weights: Float32Array[];
  /** The policy's outputs: the first columns of the last layer (a shared actor-critic net has its value after them). */
  outputs: number;
  action: { kind: 'argmax' } | { kind: 'clip'; low: number[]; high: number[] };
  obsNorm: { mean: number[]; var: number[]; clip: number; epsilon: number } | null;
}

/** `GreedyPolicy` of an MLP whose first `outputs` columns are the policy's, acting in `actionSpace`. */
export function greedyPolicyOf(net: Mlp, outputs: number, actionSpace: Space<unknown>, obsNorm: GreedyPolicy['obsNorm'] = null): GreedyPolicy {
  return {
    sizes: [...net.spec.sizes],
    activation: net.spec.activation,
    weights: net.params.map((p) => (p.variable.dataSync() as Float32Array).slice()),
    outputs,
    action: actionSpace instanceof Box ? { kind: 'clip', low: Array.from(actionSpace.low), high: Array.from(actionSpace.high) } : { kind: 'argmax' },
    obsNorm,
  };
}

// ---------------------------------------------------------------- small pieces every agent uses

/** Reports the episodes that ended on this vector step (`infos[i].episode`). */
export function reportEpisodes(infos: readonly Info[], step: number, report: Reporter): void {
  for (let i = 0; i < infos.length; i++) {
    const ep = infos[i]!.episode as { r: number; l: number } | undefined;
    if (!ep) continue;
    const metrics = infos[i]!.episodeMetrics as Record<string, number> | undefined;
    report.episode(metrics ? { step, return: ep.r, length: ep.l, env: i, metrics } : { step, return: ep.r, length: ep.l, env: i });
  }
}

/** Observations must be a flat Box (or a Discrete index) for an MLP. */
export function mlpObservationProblem(space: Space<unknown>): string | null {
  if (space instanceof Box) return space.shape.length === 1 ? null : `observation space ${space} is not flat`;
  if (space instanceof Discrete) return null;
  return `observation space ${space} is not a Box or Discrete`;
}

/**
 * Why a policy-gradient agent (an MLP policy with a Categorical head for Discrete actions or a
 * diagonal Gaussian for a flat Box) cannot train on these spaces, or null: REINFORCE, A2C, PPO.
 */
export function policyGradientProblem(observationSpace: Space<unknown>, actionSpace: Space<unknown>): string | null {
  const obsProblem = mlpObservationProblem(observationSpace);
  if (obsProblem) return obsProblem;
  if (actionSpace instanceof Discrete) return null;
  if (actionSpace instanceof Box) return actionSpace.shape.length === 1 ? null : `action space ${actionSpace} is not flat`;
  return `action space ${actionSpace} is neither Discrete nor Box`;
}

/** Linear interpolation from `start` to `end` over `duration`, then constant (CleanRL's linear_schedule). */
export function linearSchedule(start: number, end: number, duration: number, t: number): number {
  const slope = (end - start) / Math.max(1, duration);
  return Math.max(slope * t + start, end);
}

/** Node's setImmediate; in a browser page (no setImmediate) a zero timeout. */
const nextTurn: (run: () => void) => void = typeof setImmediate === 'function' ? (run) => setImmediate(run) : (run) => setTimeout(run, 0);

/** Lets the event loop run (progress bar, viewer sockets, signals) between updates. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => nextTurn(resolve));
}
