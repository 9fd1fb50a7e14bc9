/**
 * Smooth playback of one channel's ticks. Ticks arrive at most ~60 times a second, not in step
 * with the screen, and sometimes in bursts; drawing each as it comes would stutter. So the page
 * draws a little in the past (about one tick interval, adapted to the measured arrival rate) and
 * interpolates between the two ticks around that moment: positions linearly, rotations by slerp.
 * A tick flagged as a discontinuity (a reset) is drawn as is, never blended with the one before.
 *
 * Pure logic on typed arrays (no DOM, no three), so it is unit-tested in Node. Slots are reused:
 * nothing is allocated per tick once the ring is full.
 */
import { FLOATS_PER_BODY, FRAME_DISCONTINUITY } from '../protocol.ts';

interface Slot {
  arrivalMs: number;
  timeSeconds: number;
  frameNumber: number;
  flags: number;
  transforms: Float32Array;
}

const RING = 8;
const MIN_DELAY_MS = 0;
const MAX_DELAY_MS = 250;

export class Playback {
  private readonly slots: Slot[] = [];
  /** Index of the newest slot; slots are ordered oldest → newest from (newest + 1) % count. */
  private newest = -1;
  private count = 0;
  private intervalEmaMs = 0;
  private lastArrivalMs = -1;
  /** The frame number drawn by the last `sample`. */
  drawnFrame = -1;
  drawnTimeSeconds = 0;

  constructor(readonly bodyCount: number) {
    for (let i = 0; i < RING; i++) {
      this.slots.push({ arrivalMs: 0, timeSeconds: 0, frameNumber: -1, flags: 0, transforms: new Float32Array(bodyCount * FLOATS_PER_BODY) });
    }
  }

  /** How far in the past the page draws, ms: about 1.5 tick intervals. */
  get delayMs(): number {
    return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, 1.5 * this.intervalEmaMs));
  }

  get size(): number {
    return this.count;
  }

  /** Takes the slot the next tick is written into (then call `commit`). */
  next(): Float32Array {
    return this.slots[(this.newest + 1) % RING]!.transforms;
  }

  /** Records the tick written into `next()`. */
  commit(arrivalMs: number, timeSeconds: number, frameNumber: number, flags: number): void {
    const i = (this.newest + 1) % RING;
    const s = this.slots[i]!;
    s.arrivalMs = arrivalMs;
    s.timeSeconds = timeSeconds;
    s.frameNumber = frameNumber;
    s.flags = flags;
    this.newest = i;
    this.count = Math.min(RING, this.count + 1);
    if (this.lastArrivalMs >= 0) {
      // Gaps longer than a second are pauses, not the tick rate.
      const gap = arrivalMs - this.lastArrivalMs;
      if (gap < 1000) this.intervalEmaMs = this.intervalEmaMs === 0 ? gap : 0.9 * this.intervalEmaMs + 0.1 * gap;
    }
    this.lastArrivalMs = arrivalMs;
  }

  /** Copies a whole tick in (tests and simple callers). */
  push(transforms: ArrayLike<number>, arrivalMs: number, timeSeconds: number, frameNumber: number, flags = 0): void {
    const t = this.next();
    for (let k = 0; k < t.length; k++) t[k] = transforms[k]!;
    this.commit(arrivalMs, timeSeconds, frameNumber, flags);
  }

  /** Drops every tick (a scene change or a reconnect). */
  clear(): void {
    this.newest = -1;
    this.count = 0;
    this.lastArrivalMs = -1;
    this.intervalEmaMs = 0;
  }

  private slot(age: number): Slot {
    // age 0 = newest, count - 1 = oldest
    return this.slots[(this.newest - age + RING * 2) % RING]!;
  }

  /**
   * Writes the pose to draw at `nowMs` into `out`; returns false while no tick has arrived.
   * Bodies whose interpolated values are not finite keep what `out` held.
   */
  sample(nowMs: number, out: Float32Array): boolean {
    if (this.count === 0) return false;
    const renderMs = nowMs - this.delayMs;
    // Newest tick that arrived at or before renderMs; if none, the oldest we still have.
    let age = 0;
    while (age < this.count - 1 && this.slot(age).arrivalMs > renderMs) age++;
    const a = this.slot(age);
    if (age === 0 || a.arrivalMs > renderMs) {
      this.copy(a, out);
      return true;
    }
    const b = this.slot(age - 1);
    if (b.flags & FRAME_DISCONTINUITY || b.arrivalMs <= a.arrivalMs) {
      this.copy(a, out);
      return true;
    }
    const t = (renderMs - a.arrivalMs) / (b.arrivalMs - a.arrivalMs);
    interpolateTransforms(out, a.transforms, b.transforms, t, this.bodyCount);
    this.drawnFrame = a.frameNumber;
    this.drawnTimeSeconds = a.timeSeconds + t * (b.timeSeconds - a.timeSeconds);
    return true;
  }

  private copy(s: Slot, out: Float32Array): void {
    copyFinite(out, s.transforms, this.bodyCount);
    this.drawnFrame = s.frameNumber;
    this.drawnTimeSeconds = s.timeSeconds;
  }
}

function copyFinite(out: Float32Array, src: Float32Array, bodyCount: number): void {
  for (let b = 0; b < bodyCount; b++) {
    const o = b * FLOATS_PER_BODY;
    let ok = true;
    for (let k = 0; k < FLOATS_PER_BODY; k++) if (!Number.isFinite(src[o + k]!)) ok = false;
    if (ok) for (let k = 0; k < FLOATS_PER_BODY; k++) out[o + k] = src[o + k]!;
  }
}

/**
 * out = lerp(a, b, t) for positions and slerp(a, b, t) for quaternions, body by body. A body with a
 * non-finite value in a or b keeps what `out` held (a physics blow-up must not blank the page).
 */
export function interpolateTransforms(out: Float32Array, a: Float32Array, b: Float32Array, t: number, bodyCount: number): void {
  for (let i = 0; i < bodyCount; i++) {
    const o = i * FLOATS_PER_BODY;
    let ok = true;
    for (let k = 0; k < FLOATS_PER_BODY; k++) if (!Number.isFinite(a[o + k]!) || !Number.isFinite(b[o + k]!)) ok = false;
    if (!ok) continue;
    out[o] = a[o]! + (b[o]! - a[o]!) * t;
    out[o + 1] = a[o + 1]! + (b[o + 1]! - a[o + 1]!) * t;
    out[o + 2] = a[o + 2]! + (b[o + 2]! - a[o + 2]!) * t;
    slerpInto(out, o + 3, a, b, o + 3, t);
  }
}

/** Slerp along the shorter arc between the quaternions (x, y, z, w) at `ia` in a and b, written at `io`. */
export function slerpInto(out: Float32Array, io: number, a: Float32Array, b: Float32Array, ia: number, t: number): void {
  const ax = a[ia]!, ay = a[ia + 1]!, az = a[ia + 2]!, aw = a[ia + 3]!;
  let bx = b[ia]!, by = b[ia + 1]!, bz = b[ia + 2]!, bw = b[ia + 3]!;
  let cos = ax * bx + ay * by + az * bz + aw * bw;
  if (cos < 0) {
    cos = -cos;
    bx = -bx;
    by = -by;
    bz = -bz;
    bw = -bw;
  }
  let wa: number;
  let wb: number;
  if (cos > 0.9995) {
    // Nearly the same rotation: linear blend (then normalise) avoids dividing by sin ≈ 0.
    wa = 1 - t;
    wb = t;
  } else {
    const theta = Math.acos(cos);
    const sin = Math.sin(theta);
    wa = Math.sin((1 - t) * theta) / sin;
    wb = Math.sin(t * theta) / sin;
  }
  let x = wa * ax + wb * bx;
  let y = wa * ay + wb * by;
  let z = wa * az + wb * bz;
  let w = wa * aw + wb * bw;
  const n = Math.hypot(x, y, z, w) || 1;
  x /= n;
  y /= n;
  z /= n;
  w /= n;
  out[io] = x;
  out[io + 1] = y;
  out[io + 2] = z;
  out[io + 3] = w;
}
