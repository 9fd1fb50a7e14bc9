/**
 * Action wrappers for Box action spaces (Gymnasium's `ClipAction` and `RescaleAction`).
 */
import { Box, type Space } from '../../core/spaces.ts';
import type { Env, StepResult } from '../env.ts';
import { Wrapper } from './wrapper.ts';

function boxOf(env: Env<any, any>, who: string): Box {
  const s = env.actionSpace;
  if (!(s instanceof Box)) throw new TypeError(`${who} needs a Box action space, ${env.id} has ${s}`);
  return s;
}

/** Clips actions to the inner env's bounds; the wrapped action space is unbounded. */
export class ClipAction<O> extends Wrapper<O, Float32Array> {
  private readonly inner: Box;
  private readonly open: Box;
  private readonly clipped: Float32Array;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    this.inner = boxOf(env, 'ClipAction');
    this.open = new Box(-Infinity, Infinity, this.inner.shape);
    this.clipped = new Float32Array(this.inner.size);
  }

  override get actionSpace(): Space<Float32Array> {
    return this.open;
  }

  override step(action: Float32Array): StepResult<O> {
    // NaN stays NaN, so the inner env's check reports it instead of hiding it.
    return this.env.step(this.inner.clip(action, this.clipped));
  }
}

/** Maps actions from [min, max] affinely onto the inner env's bounds. */
export class RescaleAction<O> extends Wrapper<O, Float32Array> {
  private readonly inner: Box;
  private readonly outer: Box;
  private readonly scaled: Float32Array;

  constructor(env: Env<O, Float32Array>, min = -1, max = 1) {
    super(env);
    this.inner = boxOf(env, 'RescaleAction');
    if (!this.inner.isBounded()) throw new RangeError(`RescaleAction needs a bounded action space, ${env.id} has ${this.inner}`);
    if (!(min < max)) throw new RangeError(`RescaleAction: min (${min}) must be below max (${max})`);
    this.outer = new Box(min, max, this.inner.shape);
    this.scaled = new Float32Array(this.inner.size);
  }

  override get actionSpace(): Space<Float32Array> {
    return this.outer;
  }

  override step(action: Float32Array): StepResult<O> {
    for (let i = 0; i < this.scaled.length; i++) {
      const lo = this.inner.low[i]!, hi = this.inner.high[i]!;
      const t = (action[i]! - this.outer.low[i]!) / (this.outer.high[i]! - this.outer.low[i]!);
      const v = lo + t * (hi - lo);
      // Inside [min, max] only float rounding can leave the inner bounds: clamp that away. Outside
      // (or NaN), pass the value on so the inner env's action check names it.
      this.scaled[i] = t >= 0 && t <= 1 ? Math.min(hi, Math.max(lo, v)) : v;
    }
    return this.env.step(this.scaled);
  }
}
