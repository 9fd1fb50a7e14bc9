/**
 * A motion clip: frames of one skeleton at known times. This is the one motion type of the
 * project: readers (DeepMimic, BVH), generative models and simulated characters produce it; the
 * viewer, the imitation reward and the metrics consume it.
 *
 * Storage is one flat Float64Array, `frameStride = 3 + 4 × numJoints` numbers per frame:
 *
 * | offset      | value                                                              |
 * |-------------|--------------------------------------------------------------------|
 * | 0..2        | root position, world, metres                                        |
 * | 3 + 4j..+3  | rotation of joint j, quaternion x, y, z, w; joint 0 (the root) is   |
 * |             | world, every other joint local (in its parent's frame)              |
 *
 * Revolute joints are stored as a rotation about their local z axis (`jointAngle` reads the
 * angle back); fixed joints hold the identity. Keeping one layout for every joint type lets
 * interpolation, FK and mirroring run one loop; the file formats convert at their edge.
 *
 * BVH position channels on non-root joints (rare) are kept in `jointTranslations`
 * (3 × numJoints per frame, added to the joint's offset as three's BVHLoader does), else null.
 */
import { UsageError } from '../core/errors.ts';
import type { Skeleton } from './skeleton.ts';

export type LoopMode = 'wrap' | 'none';

/**
 * The highest frame rate a clip may have, read or resampled. Motion capture runs at up to a few
 * hundred frames a second; a file claiming more is almost surely a broken frame time (1e-320 s
 * made "Infinity fps"), and a resample beyond it only allocates.
 */
export const MAX_FPS = 1000;

/**
 * What is wrong with `numFrames` frames lasting `durationSeconds` in all, or null: several frames
 * need a finite duration above 0 (all durations 0 is no rate at all) and at most MAX_FPS frames a
 * second on average. One frame may last 0.
 */
export function frameRateProblem(numFrames: number, durationSeconds: number): string | null {
  if (numFrames < 2) return null;
  if (!Number.isFinite(durationSeconds)) return `${numFrames} frames last ${durationSeconds} s, which is not a finite duration`;
  if (!(durationSeconds > 0)) return `${numFrames} frames last ${durationSeconds} s in all, which gives no frame rate`;
  const fps = (numFrames - 1) / durationSeconds;
  if (!(fps <= MAX_FPS)) return `${numFrames} frames over ${durationSeconds} s is ${fps.toPrecision(4)} fps, above the ${MAX_FPS} fps a clip may have`;
  return null;
}

export interface MotionClipInit {
  skeleton: Skeleton;
  /** Flat frames, numFrames × frameStride (see the table above). */
  frames: Float64Array;
  /** Start time of each frame, seconds; starts at 0 and increases. */
  frameTimes: Float64Array;
  loop: LoopMode;
  name?: string;
  jointTranslations?: Float64Array | null;
}

export class MotionClip {
  readonly skeleton: Skeleton;
  readonly frames: Float64Array;
  readonly frameTimes: Float64Array;
  readonly frameStride: number;
  readonly numFrames: number;
  readonly jointTranslations: Float64Array | null;
  loop: LoopMode;
  name: string;

  constructor(init: MotionClipInit) {
    const { skeleton, frames, frameTimes } = init;
    this.skeleton = skeleton;
    this.frameStride = 3 + 4 * skeleton.numJoints;
    this.numFrames = frameTimes.length;
    if (this.numFrames < 1) throw new UsageError(`motion clip '${init.name ?? skeleton.name}' has no frames`);
    if (frames.length !== this.numFrames * this.frameStride) {
      throw new UsageError(
        `motion clip '${init.name ?? skeleton.name}': ${frames.length} numbers for ${this.numFrames} frames of ${this.frameStride}`,
      );
    }
    if (frameTimes[0] !== 0) throw new UsageError(`motion clip '${init.name ?? skeleton.name}': the first frame time must be 0`);
    if (!Number.isFinite(frameTimes[this.numFrames - 1]!)) throw new UsageError(`motion clip '${init.name ?? skeleton.name}': the last frame time is ${frameTimes[this.numFrames - 1]}, not a finite number`);
    for (let f = 1; f < this.numFrames; f++) {
      if (!(frameTimes[f]! >= frameTimes[f - 1]!)) {
        throw new UsageError(`motion clip '${init.name ?? skeleton.name}': frame times must not decrease (frame ${f})`);
      }
    }
    const tr = init.jointTranslations ?? null;
    if (tr && tr.length !== this.numFrames * 3 * skeleton.numJoints) {
      throw new UsageError(`motion clip '${init.name ?? skeleton.name}': jointTranslations has ${tr.length} numbers, expected ${this.numFrames * 3 * skeleton.numJoints}`);
    }
    this.frames = frames;
    this.frameTimes = frameTimes;
    this.loop = init.loop;
    this.name = init.name ?? skeleton.name;
    this.jointTranslations = tr;
  }

  /** A clip of `numFrames` identity frames (root at the origin) at a fixed rate. */
  static empty(skeleton: Skeleton, numFrames: number, fps: number, loop: LoopMode = 'none', name?: string): MotionClip {
    const stride = 3 + 4 * skeleton.numJoints;
    const frames = new Float64Array(numFrames * stride);
    for (let f = 0; f < numFrames; f++) {
      for (let j = 0; j < skeleton.numJoints; j++) frames[f * stride + 3 + 4 * j + 3] = 1;
    }
    return new MotionClip({ skeleton, frames, frameTimes: uniformTimes(numFrames, 1 / fps), loop, name });
  }

  /** Length of one pass through the clip, seconds (the last frame's start time). */
  get duration(): number {
    return this.frameTimes[this.numFrames - 1]!;
  }

  /** Frames per second: exact for evenly spaced frames, the average rate otherwise. */
  get fps(): number {
    return this.numFrames > 1 ? (this.numFrames - 1) / this.duration : 0;
  }

  /** Whether all frames are equally spaced in time (to 1 µs). */
  get isUniform(): boolean {
    const n = this.numFrames;
    if (n < 3) return true;
    const dt = this.duration / (n - 1);
    for (let f = 1; f < n; f++) if (Math.abs(this.frameTimes[f]! - this.frameTimes[f - 1]! - dt) > 1e-6) return false;
    return true;
  }

  /** Offset in `frames` of frame f's root position. */
  rootPositionIndex(f: number): number {
    return f * this.frameStride;
  }

  /** Offset in `frames` of joint j's quaternion in frame f (joint 0: the root rotation). */
  rotationIndex(f: number, j: number): number {
    return f * this.frameStride + 3 + 4 * j;
  }

  /** One frame as a view (no copy) of `frameStride` numbers. */
  frame(f: number): Float64Array {
    return this.frames.subarray(f * this.frameStride, (f + 1) * this.frameStride);
  }

  /** Angle of joint j in frame f about its local z axis, radians in (-π, π] (revolute joints). */
  jointAngle(f: number, j: number): number {
    const i = this.rotationIndex(f, j);
    return revoluteAngle(this.frames[i + 2]!, this.frames[i + 3]!);
  }

  /** Sets revolute joint j of frame f to `angleRad` about local z. */
  setJointAngle(f: number, j: number, angleRad: number): void {
    const i = this.rotationIndex(f, j);
    this.frames[i] = 0;
    this.frames[i + 1] = 0;
    this.frames[i + 2] = Math.sin(angleRad / 2);
    this.frames[i + 3] = Math.cos(angleRad / 2);
  }

  /**
   * How far the root moves on the ground over one cycle: last frame minus first frame in x and
   * z, y = 0 (DeepMimic's `cKinCharacter::GetCycleRootDelta`). A `wrap` clip is advanced by this
   * much each time it repeats.
   */
  cycleRootDelta(out: Float64Array | number[] = new Float64Array(3)): Float64Array | number[] {
    const a = this.rootPositionIndex(0);
    const b = this.rootPositionIndex(this.numFrames - 1);
    out[0] = this.frames[b]! - this.frames[a]!;
    out[1] = 0;
    out[2] = this.frames[b + 2]! - this.frames[a + 2]!;
    return out;
  }

  /** A deep copy (skeleton shared: skeletons are not changed after construction). */
  clone(name = this.name): MotionClip {
    return new MotionClip({
      skeleton: this.skeleton,
      frames: this.frames.slice(),
      frameTimes: this.frameTimes.slice(),
      loop: this.loop,
      name,
      jointTranslations: this.jointTranslations?.slice() ?? null,
    });
  }
}

/** Angle about z of a rotation about z given its quaternion's z and w, wrapped to (-π, π]. */
export function revoluteAngle(qz: number, qw: number): number {
  let a = 2 * Math.atan2(qz, qw);
  if (a > Math.PI) a -= 2 * Math.PI;
  else if (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}

/** Frame start times 0, dt, 2 dt, …. */
export function uniformTimes(numFrames: number, dtSeconds: number): Float64Array {
  const t = new Float64Array(numFrames);
  for (let f = 0; f < numFrames; f++) t[f] = f * dtSeconds;
  return t;
}
