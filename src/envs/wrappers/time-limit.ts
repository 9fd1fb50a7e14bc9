/** Truncates an episode after `maxEpisodeSteps` steps (Gymnasium's `TimeLimit`). */
import type { Env, ResetResult, StepResult } from '../env.ts';
import { Wrapper } from './wrapper.ts';

export class TimeLimit<O, A> extends Wrapper<O, A> {
  private elapsedSteps = 0;

  constructor(
    env: Env<O, A>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  override reset(options?: { seed?: number }): ResetResult<O> {
    this.elapsedSteps = 0;
    return this.env.reset(options);
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.elapsedSteps++;
    if (this.elapsedSteps >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}
