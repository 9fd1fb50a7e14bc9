/**
 * Resampling a clip to another frame rate; frames come from `poseAt` (slerp, linear root).
 *
 * - A `wrap` clip keeps its duration exactly, so its cycle length and root offset per cycle do
 *   not change: round(duration × fps) + 1 evenly spaced frames, the requested rate whenever
 *   duration × fps is a whole number and the nearest rate that fits otherwise.
 * - A `none` clip gets exactly the requested rate: frames at 0, 1/fps, 2/fps, … up to its
 *   duration (the last fraction of a frame is dropped).
 */
import { UsageError } from '../core/errors.ts';
import { MAX_FPS, MotionClip, uniformTimes } from './clip.ts';
import { locateTime, poseAt, type TimeLocation, translationsAt } from './sample.ts';

/** The most numbers a resampled clip may hold (2 GiB of Float64), as the rollout storage's bound. */
const MAX_RESAMPLED_NUMBERS = 2 ** 28;

export function resample(clip: MotionClip, fps: number): MotionClip {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new UsageError(`resample: fps must be a positive number, got ${fps}`);
  const duration = clip.duration;
  const keepDuration = clip.loop === 'wrap';
  if (fps > MAX_FPS) throw new UsageError(`resample: fps must be at most ${MAX_FPS}, got ${fps}`);
  if (clip.numFrames > 1 && !(duration > 0)) throw new UsageError(`resample: clip '${clip.name}' has ${clip.numFrames} frames lasting ${duration} s in all, so it has no rate to resample from`);
  const n = Math.max(1, (keepDuration ? Math.round(duration * fps) : Math.floor(duration * fps + 1e-9)) + 1);
  // Fewer frames at a lower rate is what resampling is for, but a clip that moves must keep moving:
  // several frames collapsing into one would be a still pose written as if it were the clip.
  if (n === 1 && clip.numFrames > 1) {
    throw new UsageError(
      `resample: clip '${clip.name}' lasts ${duration} s, shorter than one frame at ${fps} fps, so its ${clip.numFrames} frames would become 1; use a higher rate (at least ${Math.ceil(1 / duration)} fps)`,
    );
  }
  // Checked before allocating: a clip of 1e300 s (durations are only bounded in sum) is one clear error.
  if (n * clip.frameStride > MAX_RESAMPLED_NUMBERS) {
    throw new UsageError(`resample: clip '${clip.name}' of ${duration} s at ${fps} fps would be ${n} frames, more than the ${Math.floor(MAX_RESAMPLED_NUMBERS / clip.frameStride)} that fit in 2^28 numbers`);
  }
  const dt = keepDuration ? (n > 1 ? duration / (n - 1) : 0) : 1 / fps;
  const stride = clip.frameStride;
  const frames = new Float64Array(n * stride);
  const m = 3 * clip.skeleton.numJoints;
  const translations = clip.jointTranslations ? new Float64Array(n * m) : null;
  const loc: TimeLocation = { index: 0, blend: 0, cycle: 0 };
  for (let f = 0; f < n; f++) {
    // Clamp rather than wrap: the last frame must be the clip's own last frame, not frame 0 of the next cycle.
    locateTime(clip, keepDuration && f === n - 1 ? duration : f * dt, loc, false);
    poseAt(clip, loc, frames.subarray(f * stride, (f + 1) * stride));
    if (translations) translationsAt(clip, loc, translations.subarray(f * m, (f + 1) * m));
  }
  return new MotionClip({ skeleton: clip.skeleton, frames, frameTimes: uniformTimes(n, dt), loop: clip.loop, name: clip.name, jointTranslations: translations });
}
