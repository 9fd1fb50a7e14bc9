/**
 * The reference motion as a character state at any time: the clip's interpolated pose
 * (`motion/sample.ts`), its forward kinematics (`motion/kinematics.ts`), DeepMimic's blended
 * finite-difference velocities (`motion/velocity.ts`), and from those the bodies' transforms and
 * velocities. A `wrap` clip repeats with its root carried forward each cycle.
 *
 * A clip that sinks into the ground throughout is lifted (`groundOffsetM`): when the median over
 * frames of the lowest body point is more than 2 cm below the ground, the root is raised by that
 * much. DeepLoco's biped walk keeps a foot 7–9 cm inside flat ground in every frame (its root
 * height does not match the character file), which would start every episode with the feet
 * inside the ground; of the humanoid3d clips only punch (3 cm) is lifted. Brief penetrations
 * (a toe in a run frame) are left alone: the median ignores them.
 */
import { UsageError } from '../../core/errors.ts';
import type { MotionClip } from '../../motion/clip.ts';
import { forwardKinematics } from '../../motion/kinematics.ts';
import { locateTime, poseAt, type TimeLocation } from '../../motion/sample.ts';
import { allFrameVelocities, velocityStride } from '../../motion/velocity.ts';
import { bodiesFromJoints, CharacterState, rotateAt } from './character-state.ts';

export class ReferenceMotion {
  /** Length of one pass through the clip, seconds. */
  readonly durationSeconds: number;
  /** Height added to the clip's root so that no body goes below the ground, metres (≥ 0). */
  readonly groundOffsetM: number;
  private readonly frameVel: Float64Array;
  private readonly stride: number;
  private readonly loc: TimeLocation = { index: 0, blend: 0, cycle: 0 };
  private readonly jointLinVel: Float64Array;
  private readonly jointAngVel: Float64Array;

  constructor(readonly clip: MotionClip) {
    if (clip.jointTranslations) throw new UsageError(`clip '${clip.name}' moves non-root joints (BVH position channels): a simulated character cannot follow it`);
    this.durationSeconds = clip.duration;
    this.frameVel = allFrameVelocities(clip);
    this.stride = velocityStride(clip);
    const n = clip.skeleton.numJoints;
    this.jointLinVel = new Float64Array(3 * n);
    this.jointAngVel = new Float64Array(3 * n);
    this.groundOffsetM = 0;
    const st = new CharacterState(clip.skeleton);
    const lows = Array.from(clip.frameTimes, (t) => lowestBodyPoint(this.evaluate(t, st))).sort((a, b) => a - b);
    const median = lows[lows.length >> 1]!;
    this.groundOffsetM = Number.isFinite(median) && median < -0.02 ? -median : 0;
  }

  /** Phase in [0, 1) of a time (DeepMimic's φ = t / clip length mod 1). */
  phase(timeSeconds: number): number {
    const d = this.durationSeconds;
    if (!(d > 0)) return 0;
    const p = (timeSeconds / d) % 1;
    return p < 0 ? p + 1 : p;
  }

  /**
   * Index of the clip cycle at time t (⌊t / clip length⌋, the cycle `evaluate` carries the root
   * forward by; 0 when the clip has no length).
   */
  cycle(timeSeconds: number): number {
    const d = this.durationSeconds;
    return d > 0 ? Math.floor(timeSeconds / d) : 0;
  }

  /** Fills `out` with the reference state at time t (seconds). Allocates nothing. */
  evaluate(timeSeconds: number, out: CharacterState): CharacterState {
    const clip = this.clip;
    const loc = locateTime(clip, timeSeconds, this.loc);
    poseAt(clip, loc, out.pose);
    out.pose[1] += this.groundOffsetM;
    forwardKinematics(clip.skeleton, out.pose, out.jointPos, out.jointRot);
    const m = this.stride;
    const a = loc.index * m;
    const b = Math.min(loc.index + 1, clip.numFrames - 1) * m;
    const s = loc.blend, v = this.frameVel;
    for (let k = 0; k < m; k++) out.jointVel[k] = v[a + k]! + s * (v[b + k]! - v[a + k]!);
    bodiesFromJoints(out, this.jointLinVel, this.jointAngVel);
    return out;
  }

  /** A new state object for this clip's skeleton. */
  newState(): CharacterState {
    return new CharacterState(this.clip.skeleton);
  }
}

/** The lowest point (y, metres) of any body of a state: sphere, capsule and box geometry. */
export function lowestBodyPoint(state: CharacterState): number {
  const joints = state.skeleton.joints;
  const v = scratch;
  let low = Infinity;
  for (let j = 0; j < joints.length; j++) {
    const b = joints[j]!.body;
    if (!b) continue;
    const cy = state.bodyPos[3 * j + 1]!;
    const [p0, p1, p2] = b.params;
    if (b.shape === 'sphere') {
      low = Math.min(low, cy - p0 / 2);
    } else if (b.shape === 'capsule') {
      rotateAt(v, 0, state.bodyRot, 4 * j, 0, p1 / 2, 0);
      low = Math.min(low, cy - Math.abs(v[1]!) - p0 / 2);
    } else {
      for (let c = 0; c < 8; c++) {
        rotateAt(v, 0, state.bodyRot, 4 * j, c & 1 ? p0 / 2 : -p0 / 2, c & 2 ? p1 / 2 : -p1 / 2, c & 4 ? p2 / 2 : -p2 / 2);
        low = Math.min(low, cy + v[1]!);
      }
    }
  }
  return low;
}
const scratch = new Float64Array(3);
