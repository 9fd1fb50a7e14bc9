/**
 * Order enforcing and action checking (Gymnasium's `OrderEnforcing` + the passive checker's
 * action check): `step` before `reset`, or after `close`, is a UsageError; an action outside the
 * action space is an InvalidActionError naming the value and the space. `make` applies it.
 */
import { InvalidActionError, UsageError } from '../../core/errors.ts';
import { explainNotContained } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../env.ts';
import { Wrapper } from './wrapper.ts';

export class OrderEnforcing<O, A> extends Wrapper<O, A> {
  private hasReset = false;
  private closed = false;

  constructor(env: Env<O, A>) {
    super(env);
  }

  override reset(options?: { seed?: number }): ResetResult<O> {
    if (this.closed) throw new UsageError(`${this.id}: reset() called after close()`);
    if (options?.seed !== undefined && !Number.isSafeInteger(options.seed)) {
      throw new InvalidActionError(`${this.id}: reset seed must be an integer, got ${options.seed}`);
    }
    this.hasReset = true;
    return this.env.reset(options);
  }

  override step(action: A): StepResult<O> {
    if (this.closed) throw new UsageError(`${this.id}: step() called after close()`);
    if (!this.hasReset) throw new UsageError(`${this.id}: call reset() before step()`);
    const why = explainNotContained(this.env.actionSpace, action);
    if (why !== null) {
      const shown = ArrayBuffer.isView(action) ? `[${Array.from(action as unknown as Float32Array).join(', ')}]` : String(action);
      throw new InvalidActionError(`${this.id}: action ${shown} is not in ${this.env.actionSpace.toString()}: ${why}`);
    }
    return this.env.step(action);
  }

  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.env.close();
  }
}
