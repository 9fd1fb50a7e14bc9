/**
 * Velocities by finite differences between frames, as DeepMimic computes them
 * (`cMotion::CalcFrameVel`): each frame gets the forward difference to the next frame (the last
 * frame repeats the one before), and a time between frames blends the two frame velocities
 * linearly.
 *
 * Layout, `velocityStride = 3 + 3 × numJoints` numbers:
 *
 * | offset     | value                                                                        |
 * |------------|------------------------------------------------------------------------------|
 * | 0..2       | root linear velocity, world, m/s                                              |
 * | 3..5       | root angular velocity, world frame, rad/s (axis-angle of q1·q0⁻¹ over dt)       |
 * | 3 + 3j..+2 | joint j (j ≥ 1) angular velocity relative to its parent, in the joint's own    |
 * |            | frame, rad/s (axis-angle of q0⁻¹·q1 over dt; revolute: (0, 0, dθ/dt))          |
 *
 * DeepMimic's kinematic character puts the root's angular velocity in the root frame
 * (`CalcQuaternionVelRel`); we give it in the world frame, which is what a physics engine's
 * `setAngvel` takes when starting an episode from the reference (RSI).
 */
import { quatConjugate, quatMultiply, quatToExpMap } from '../core/math.ts';
import type { MotionClip } from './clip.ts';
import { locateTime, type TimeLocation } from './sample.ts';

export function velocityStride(clip: MotionClip): number {
  return 3 + 3 * clip.skeleton.numJoints;
}

const q0 = new Float64Array(4), q1 = new Float64Array(4), qd = new Float64Array(4), e = new Float64Array(3);

/** Velocity from frame a to frame b over dt seconds, written at out[o..]. */
function differenceVelocity(clip: MotionClip, a: number, b: number, dt: number, out: Float64Array, o: number): void {
  const { frames, frameStride: stride } = clip;
  const n = clip.skeleton.numJoints;
  const fa = a * stride, fb = b * stride;
  for (let k = 0; k < 3; k++) out[o + k] = (frames[fb + k]! - frames[fa + k]!) / dt;
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < 4; k++) {
      q0[k] = frames[fa + 3 + 4 * j + k]!;
      q1[k] = frames[fb + 3 + 4 * j + k]!;
    }
    quatConjugate(q0, q0);
    if (j === 0) quatMultiply(qd, q1, q0); // world frame
    else quatMultiply(qd, q0, q1); // joint frame
    quatToExpMap(e, qd);
    out[o + 3 + 3 * j] = e[0]! / dt;
    out[o + 4 + 3 * j] = e[1]! / dt;
    out[o + 5 + 3 * j] = e[2]! / dt;
  }
}

/** Velocity of frame f (forward difference; the last frame uses the difference before it). */
export function frameVelocity(clip: MotionClip, f: number, out: Float64Array = new Float64Array(velocityStride(clip)), o = 0): Float64Array {
  const n = clip.numFrames;
  const times = clip.frameTimes;
  let a = f < n - 1 ? f : f - 1;
  // Skip zero-length steps (repeated frame times) backwards so dt > 0.
  while (a >= 0 && times[a + 1]! - times[a]! <= 0) a--;
  if (a < 0) {
    out.fill(0, o, o + velocityStride(clip));
    return out;
  }
  differenceVelocity(clip, a, a + 1, times[a + 1]! - times[a]!, out, o);
  return out;
}

const loc: TimeLocation = { index: 0, blend: 0, cycle: 0 };
let v0 = new Float64Array(0), v1 = new Float64Array(0);

/** Velocity at time t, seconds: frame velocities around t blended linearly. */
export function sampleVelocity(clip: MotionClip, timeSeconds: number, out: Float64Array = new Float64Array(velocityStride(clip))): Float64Array {
  const m = velocityStride(clip);
  if (v0.length < m) {
    v0 = new Float64Array(m);
    v1 = new Float64Array(m);
  }
  locateTime(clip, timeSeconds, loc);
  frameVelocity(clip, loc.index, v0);
  frameVelocity(clip, Math.min(loc.index + 1, clip.numFrames - 1), v1);
  const s = loc.blend;
  for (let k = 0; k < m; k++) out[k] = v0[k]! + s * (v1[k]! - v0[k]!);
  return out;
}

/** Velocities of every frame, numFrames × velocityStride. */
export function allFrameVelocities(clip: MotionClip): Float64Array {
  const m = velocityStride(clip);
  const out = new Float64Array(clip.numFrames * m);
  for (let f = 0; f < clip.numFrames; f++) frameVelocity(clip, f, out, f * m);
  return out;
}
