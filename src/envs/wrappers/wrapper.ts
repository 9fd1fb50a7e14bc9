/**
 * Base of every wrapper: forwards everything to the inner env. A wrapper overrides the one
 * method whose behaviour it changes (Gymnasium's `Wrapper`).
 */
import type { Space } from '../../core/spaces.ts';
import type { RenderFrame } from '../../core/frame.ts';
import type { Env, ResetResult, StepResult } from '../env.ts';

export class Wrapper<O = any, A = any, IO = O, IA = A> implements Env<O, A> {
  /** Present only when the inner env renders, so `if (env.frame)` tells the truth through wrappers. */
  readonly frame?: () => RenderFrame;

  constructor(readonly env: Env<IO, IA>) {
    if (env.frame) this.frame = () => env.frame!();
  }

  get id(): string {
    return this.env.id;
  }
  get observationSpace(): Space<O> {
    return this.env.observationSpace as unknown as Space<O>;
  }
  get actionSpace(): Space<A> {
    return this.env.actionSpace as unknown as Space<A>;
  }
  /** The innermost env, under every wrapper. */
  get unwrapped(): Env<any, any> {
    let e: Env<any, any> = this.env;
    while (e instanceof Wrapper) e = e.env;
    return e;
  }
  reset(options?: { seed?: number }): ResetResult<O> {
    return this.env.reset(options) as unknown as ResetResult<O>;
  }
  step(action: A): StepResult<O> {
    return this.env.step(action as unknown as IA) as unknown as StepResult<O>;
  }
  close(): void {
    this.env.close();
  }
}

/** Finds a wrapper of the given class in a wrapper chain, or undefined. */
export function findWrapper<T>(env: Env<any, any>, cls: abstract new (...args: any[]) => T): T | undefined {
  let e: Env<any, any> = env;
  for (;;) {
    if (e instanceof cls) return e as T;
    if (!(e instanceof Wrapper)) return undefined;
    e = e.env;
  }
}
