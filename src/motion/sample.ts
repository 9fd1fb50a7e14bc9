/**
 * Poses at any time: the frame pair around t, slerp for rotations, linear for the root position
 * (DeepMimic's `cMotion::CalcFrame`). A `wrap` clip repeats, its root advanced by the cycle's
 * x/z offset each time round (DeepMimic's `cKinCharacter::CalcCycleRootDelta`); a `none` clip
 * holds its first and last frames outside [0, duration].
 *
 * All functions write into caller-owned arrays and allocate nothing.
 */
import type { MotionClip } from './clip.ts';

/** Where a time falls: frames `index` and `index + 1`, blend weight, and the wrap cycle. */
export interface TimeLocation {
  index: number;
  /** Weight of frame index + 1, in [0, 1]. */
  blend: number;
  /** Whole cycles completed (wrap clips; 0 otherwise). */
  cycle: number;
}

/** Finds the frames around time t (seconds); `wrap = false` clamps even for a looping clip. */
export function locateTime(clip: MotionClip, timeSeconds: number, out: TimeLocation = { index: 0, blend: 0, cycle: 0 }, wrap = clip.loop === 'wrap'): TimeLocation {
  const times = clip.frameTimes;
  const n = clip.numFrames;
  const duration = times[n - 1]!;
  let t = timeSeconds;
  out.cycle = 0;
  if (wrap && duration > 0) {
    const c = Math.floor(t / duration);
    out.cycle = c;
    t -= c * duration;
  }
  if (n === 1 || t <= 0) {
    out.index = 0;
    out.blend = 0;
    return out;
  }
  if (t >= duration) {
    out.index = n - 2;
    out.blend = 1;
    return out;
  }
  // Binary search for the last frame starting at or before t.
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const dt = times[lo + 1]! - times[lo]!;
  out.index = lo;
  out.blend = dt > 0 ? (t - times[lo]!) / dt : 0;
  return out;
}

/**
 * Writes into `out` (offset `o`) the slerp between the quaternions at a[ia] and b[ib], along the
 * shorter arc; normalized.
 */
export function slerpInto(out: Float64Array, o: number, a: Float64Array, ia: number, b: Float64Array, ib: number, t: number): void {
  const ax = a[ia]!, ay = a[ia + 1]!, az = a[ia + 2]!, aw = a[ia + 3]!;
  let bx = b[ib]!, by = b[ib + 1]!, bz = b[ib + 2]!, bw = b[ib + 3]!;
  let cos = ax * bx + ay * by + az * bz + aw * bw;
  if (cos < 0) {
    cos = -cos;
    bx = -bx; by = -by; bz = -bz; bw = -bw;
  }
  let wa = 1 - t, wb = t;
  if (cos < 0.9995) {
    const theta = Math.acos(cos);
    const s = Math.sin(theta);
    wa = Math.sin((1 - t) * theta) / s;
    wb = Math.sin(t * theta) / s;
  }
  const x = wa * ax + wb * bx, y = wa * ay + wb * by, z = wa * az + wb * bz, w = wa * aw + wb * bw;
  const inv = 1 / Math.hypot(x, y, z, w);
  out[o] = x * inv;
  out[o + 1] = y * inv;
  out[o + 2] = z * inv;
  out[o + 3] = w * inv;
}

/** The pose (frameStride numbers, the clip's layout) at a located time. */
export function poseAt(clip: MotionClip, loc: TimeLocation, out: Float64Array): Float64Array {
  const { frames, frameStride: stride, numFrames: n } = clip;
  const i0 = loc.index;
  const i1 = Math.min(i0 + 1, n - 1);
  const a = i0 * stride, b = i1 * stride, s = loc.blend;
  for (let k = 0; k < 3; k++) out[k] = frames[a + k]! + s * (frames[b + k]! - frames[a + k]!);
  if (loc.cycle !== 0) {
    const last = (n - 1) * stride;
    out[0] += loc.cycle * (frames[last]! - frames[0]!);
    out[2] += loc.cycle * (frames[last + 2]! - frames[2]!);
  }
  for (let q = 3; q < stride; q += 4) slerpInto(out, q, frames, a + q, frames, b + q, s);
  return out;
}

/** BVH position channels of non-root joints at a located time (3 × numJoints), or null. */
export function translationsAt(clip: MotionClip, loc: TimeLocation, out: Float64Array): Float64Array | null {
  const tr = clip.jointTranslations;
  if (!tr) return null;
  const m = 3 * clip.skeleton.numJoints;
  const a = loc.index * m, b = Math.min(loc.index + 1, clip.numFrames - 1) * m, s = loc.blend;
  for (let k = 0; k < m; k++) out[k] = tr[a + k]! + s * (tr[b + k]! - tr[a + k]!);
  return out;
}

const scratchLoc: TimeLocation = { index: 0, blend: 0, cycle: 0 };

/** The pose at time t (seconds), into `out` (length frameStride). */
export function samplePose(clip: MotionClip, timeSeconds: number, out: Float64Array = new Float64Array(clip.frameStride)): Float64Array {
  return poseAt(clip, locateTime(clip, timeSeconds, scratchLoc), out);
}
