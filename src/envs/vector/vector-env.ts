/**
 * Vector envs step N copies of one env at once on flat typed arrays (Gymnasium 1.x `VectorEnv`).
 *
 * - `obs` is N × obsDim floats (a Discrete observation is one float holding its index), `rewards`
 *   N float64, `terminated` / `truncated` N bytes. The buffers are reused by the next call: copy
 *   what you keep.
 * - Actions are N × actionDim floats (a Discrete action is one number per env).
 * - Next-step autoreset (Gymnasium 1.x default): the step on which sub-env i ends returns its final
 *   observation; the following `step` ignores i's action, resets it and returns the reset
 *   observation with reward 0 and both flags false.
 * - `reset({ seed })` seeds sub-env i with seed + i.
 */
import type { Space } from '../../core/spaces.ts';
import { Box, flatSize } from '../../core/spaces.ts';
import type { Info } from '../env.ts';
import type { EnvOptions } from '../specs.ts';

export interface VectorResetResult {
  obs: Float32Array;
  infos: Info[];
}

export interface VectorStepResult {
  obs: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
}

export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<any>;
  readonly singleActionSpace: Space<any>;
  readonly obsDim: number;
  readonly actionDim: number;
  reset(options?: { seed?: number }): VectorResetResult;
  step(actions: ArrayLike<number>): VectorStepResult;
  /** Hands the trainer's sample count to every sub-env that has `setSampleCount` (see env.ts). */
  setSampleCount?(count: number): void;
  close(): void;
}

/** How each sub-env is made: a registered id with its options. */
export interface VectorEnvConfig {
  id: string;
  numEnvs: number;
  options?: EnvOptions;
  /** Overrides the registered time limit (0 = none). */
  maxEpisodeSteps?: number;
  /** Wrap each sub-env in RecordEpisodeStatistics so `infos[i].episode` appears (default true). */
  recordEpisodeStatistics?: boolean;
}

export function actionDimOf(space: Space<any>): number {
  return space instanceof Box ? space.size : 1;
}

export function obsDimOf(space: Space<any>): number {
  return flatSize(space);
}

/** Copies one observation (Float32Array or Discrete index) into row i of a flat buffer. */
export function writeObs(out: Float32Array, i: number, dim: number, obs: Float32Array | number): void {
  if (typeof obs === 'number') out[i] = obs;
  else out.set(obs, i * dim);
}
