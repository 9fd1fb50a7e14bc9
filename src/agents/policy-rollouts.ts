/**
 * Rollouts collected away from the learner: the contract between an on-policy agent (PPO) and a
 * pool of workers that each run a slice of the sub-envs *and* the policy that acts in them
 * (src/train/rollout-pool.ts implements it). The agent hands over a snapshot of its acting policy,
 * the workers collect a whole rollout with it while the agent updates its networks on the previous
 * one, and the agent takes the finished rollout when its update is done. So the update and the
 * physics share the cores instead of taking turns.
 *
 * Everything a worker draws comes from seeds the agent passes (one stream per sub-env and
 * rollout), and the snapshot is fixed for the whole rollout, so what comes back depends on the
 * seeds and the snapshot only: not on timing, and not on how the sub-envs are spread over workers.
 */
import { UsageError } from '../core/errors.ts';
import type { Space } from '../core/spaces.ts';
import type { Activation } from '../nn/mlp.ts';
import type { Info } from '../envs/env.ts';
import { actionDimOf, obsDimOf, type VectorEnv, type VectorResetResult, type VectorStepResult } from '../envs/vector/vector-env.ts';

/** The policy the workers act with during one rollout. */
export interface ActingPolicy {
  /** The actor MLP's layer widths and hidden activation. */
  sizes: readonly number[];
  activation: Activation;
  head: 'gaussian' | 'categorical';
  /** The actor's parameters then the head's (the Gaussian's log std), flat, in `params` order. */
  weights: readonly Float32Array[];
  /** Observation normalization (NormalizeObservation's statistics, frozen for the rollout), or null. */
  obsNorm: { mean: Float64Array; var: Float64Array; clip: number } | null;
}

export interface RolloutRequest {
  policy: ActingPolicy;
  /** Sub-env i draws its actions from `new Rng(streamSeed(seed, 'rollout', i))`. */
  seed: number;
  /** The trainer's sample count when the rollout starts (curricula read it; it grows by numEnvs a step). */
  sampleCount: number;
}

/**
 * A finished rollout, T steps × N envs (index t·N + i), in the layout of RolloutStorage
 * (agents/rollout-storage.ts): `valid`, `dones`, `terminated` as there.
 */
export interface CollectedRollout {
  /** The network inputs (normalized when `obsNorm` was given): T + 1 rows of N, the last is the next observation. */
  obs: Float32Array;
  /** The raw observations each step returned (T × N), for the observation normalizer. */
  rawNextObs: Float32Array;
  /** Sampled actions (before clipping to the action space) and their log-probabilities under the acting policy. */
  actions: Float32Array;
  logprobs: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  dones: Uint8Array;
  valid: Uint8Array;
  /** The non-empty infos, each with its step and sub-env. */
  infos: { t: number; env: number; info: Info }[];
}

export interface PolicyRollouts {
  readonly numEnvs: number;
  readonly obsDim: number;
  readonly actionDim: number;
  /** Steps per rollout (T). */
  readonly numSteps: number;
  readonly singleObservationSpace: Space<any>;
  readonly singleActionSpace: Space<any>;
  /**
   * Resets every sub-env (sub-env i with seed + i) at the trainer's sample count (curricula pick
   * an episode's length when it starts); returns the raw observations, N × obsDim.
   */
  resetAll(seed: number, sampleCount: number): Float32Array;
  /** Starts a rollout and returns at once; the workers run while the caller works. */
  start(request: RolloutRequest): void;
  /** Waits for the rollout `start` began. The arrays are valid until the next `start`. */
  finish(): CollectedRollout;
  close(): void;
}

/**
 * The vector-env face every source of rollouts shows `train()` (the local pipeline and a cluster's
 * actors): the sizes and spaces, `reset` as a seeded `resetAll` at the sample count last set, and
 * a `step` that refuses, since such envs are stepped by whoever runs the policy.
 */
export abstract class RolloutSourceEnv implements PolicyRollouts, VectorEnv {
  readonly obsDim: number;
  readonly actionDim: number;
  readonly singleObservationSpace: Space<any>;
  readonly singleActionSpace: Space<any>;
  private sampleCount = 0;

  protected constructor(
    /** How errors name this source ('RolloutPool', 'cluster rollouts'). */
    protected readonly what: string,
    readonly numEnvs: number,
    readonly numSteps: number,
    spaces: { obs: Space<any>; action: Space<any> },
  ) {
    this.singleObservationSpace = spaces.obs;
    this.singleActionSpace = spaces.action;
    this.obsDim = obsDimOf(spaces.obs);
    this.actionDim = actionDimOf(spaces.action);
  }

  abstract resetAll(seed: number, sampleCount: number): Float32Array;
  abstract start(request: RolloutRequest): void;
  abstract finish(): CollectedRollout;
  abstract close(): void;

  setSampleCount(count: number): void {
    this.sampleCount = count;
  }

  reset(options: { seed?: number } = {}): VectorResetResult {
    if (options.seed === undefined) throw new UsageError(`${this.what}: reset needs a seed (every rollout is seeded)`);
    return { obs: this.resetAll(options.seed, this.sampleCount), infos: Array.from({ length: this.numEnvs }, () => ({})) };
  }

  step(_actions: ArrayLike<number>): VectorStepResult {
    throw new UsageError(`${this.what} step their sub-envs with the policy they are given: only agents that collect whole rollouts (ppo) train on them`);
  }
}
