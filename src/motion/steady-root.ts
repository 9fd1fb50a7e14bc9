/**
 * A steady root pace: the root of a looping clip moves along its cycle displacement at constant
 * speed, its sideways sway, height, rotation and every joint as in the clip.
 *
 * Why: DeepLoco's biped walk (`biped3d_walk`, 11 key frames 0.1 s apart) moves its root
 * 0.10–0.15 m per key frame except across each foot strike (frames 4→5 and 9→10), where it jumps
 * 0.24 m while the joints move no more than elsewhere: a 2.4 m/s surge in a 1.5 m/s walk that no
 * planted foot can produce. Its finite-difference velocities then start reference-state
 * initialization at those phases with the root flying forward, and the root and centre-of-mass
 * terms of the reward ask for the surge. Spreading the cycle's displacement evenly over its
 * duration keeps the cycle (same start, end and mean speed) without the jump.
 */
import { UsageError } from '../core/errors.ts';
import type { MotionClip } from './clip.ts';

/** A copy of a looping clip with its root advancing at constant speed along the cycle's displacement. */
export function withSteadyRootPace(clip: MotionClip): MotionClip {
  if (clip.loop !== 'wrap') throw new UsageError(`clip '${clip.name}': a steady root pace needs a looping clip (its cycle sets the pace)`);
  const out = clip.clone();
  const delta = clip.cycleRootDelta(new Float64Array(3));
  const length = Math.hypot(delta[0]!, delta[2]!);
  if (!(length > 1e-6)) return out; // a clip in place: no pace to spread
  const ux = delta[0]! / length, uz = delta[2]! / length;
  const i0 = clip.rootPositionIndex(0);
  const x0 = clip.frames[i0]!, z0 = clip.frames[i0 + 2]!;
  const duration = clip.duration;
  for (let f = 0; f < clip.numFrames; f++) {
    const i = clip.rootPositionIndex(f);
    const rx = clip.frames[i]! - x0, rz = clip.frames[i + 2]! - z0;
    const along = rx * ux + rz * uz;
    const steady = (clip.frameTimes[f]! / duration) * length;
    out.frames[i] = clip.frames[i]! + (steady - along) * ux;
    out.frames[i + 2] = clip.frames[i + 2]! + (steady - along) * uz;
  }
  return out;
}
