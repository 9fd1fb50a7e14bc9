/**
 * The environment contract, Gymnasium's semantics in TypeScript.
 *
 * - `terminated` is a true end of the task (fell, reached the goal): agents do not bootstrap
 *   through it. `truncated` is an outside limit (time limit, physics error): agents bootstrap.
 * - `reset({ seed })` seeds everything the env samples; a later `reset()` without a seed
 *   continues the stream. Same seed + same actions → same observations, bit for bit.
 * - `frame()` describes what to draw (see `core/frame.ts`).
 */
import type { Space } from '../core/spaces.ts';
import type { RenderFrame } from '../core/frame.ts';

export type Info = Record<string, unknown>;

export interface ResetResult<O> {
  obs: O;
  info: Info;
}

export interface StepResult<O> {
  obs: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

export interface Env<O = Float32Array, A = number | Float32Array> {
  readonly id: string;
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  reset(options?: { seed?: number }): ResetResult<O>;
  step(action: A): StepResult<O>;
  /** Bodies and their transforms, for the viewer. */
  frame?(): RenderFrame;
  /**
   * Training progress for curricula (DeepMimic's `set_sample_count`): the trainer calls it with
   * the env steps taken so far over all sub-envs; it takes effect at the env's next reset. An env
   * that is never told (evaluation) runs its full task. Optional; vector envs call it on the
   * innermost env, under the wrappers.
   */
  setSampleCount?(count: number): void;
  /**
   * Every option the env was built with, including defaults only the env can settle (e.g. one
   * that depends on the clip it loaded). Run folders record these, so a default changed later
   * does not change what an old run trains and evaluates on. Optional: without it the registry's
   * schema defaults are recorded.
   */
  resolvedOptions?(): Record<string, unknown>;
  /** Frees native resources. Calling it twice is harmless. */
  close(): void;
}

/** Any env: what vector envs, wrappers and agents accept. */
export type AnyEnv = Env<any, any>;

/** Physics failures end the episode with `info.error` set to one of these messages. */
export const PHYSICS_ERROR = 'physics blow-up';
