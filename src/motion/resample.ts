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
import { MotionClip, uniformTimes } from './clip.ts';
import { locateTime, poseAt, type TimeLocation, translationsAt } from './sample.ts';

export function resample(clip: MotionClip, fps: number): MotionClip {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new UsageError(`resample: fps must be a positive number, got ${fps}`);
  const duration = clip.duration;
  const keepDuration = clip.loop === 'wrap';
  const n = Math.max(1, (keepDuration ? Math.round(duration * fps) : Math.floor(duration * fps + 1e-9)) + 1);
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
