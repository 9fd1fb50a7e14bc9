/**
 * Actions of the imitation envs: PD targets, one number per actuated degree of freedom in joint
 * order, normalized to the joint ranges so that every action lies in [-1, 1].
 *
 * - Spherical joint: an exponential map (rotation vector, 3 numbers, radians, in the joint's
 *   parent frame) e = offset + scale · a. The range is symmetric, ± min(π, 1.2 · max |limit|)
 *   over the joint's three limits (π where the character file gives no valid limits).
 * - Revolute joint: an angle θ = offset + scale · a about the joint's z axis, the range centred
 *   on the joint limits and 1.4 times as wide, so the PD keeps its strength near a limit.
 *
 * The ranges are those of Peng's later exponential-map code (IsaacGymEnvs
 * `humanoid_amp_base.py`, `_build_pd_action_offset_scale`, used by AMP and ASE); DeepMimic's
 * axis-angle version normalizes revolute joints the same way (offset −½(high + low), scale
 * 2/(high − low) in `cCtPDController::BuildActionOffsetScaleRevolute`).
 *
 * `residual` mode (an option of the envs): the target is the reference pose turned by the
 * action instead, reference_j · exp(scale_r · a_j), with a fixed `residualScaleRad` per unit.
 */
import { quatFromExpMap, quatToExpMap } from '../../core/math.ts';
import type { Skeleton } from '../../motion/skeleton.ts';
import { quatMulAt } from '../character/character-state.ts';

/** Cap on a spherical joint's range, radians (beyond π an exponential map wraps around). */
const MAX_SPHERICAL_RAD = Math.PI;
/** Spherical ranges are this much wider than the largest limit (IsaacGymEnvs: 1.2). */
const SPHERICAL_MARGIN = 1.2;
/** Revolute half-range over the limit span (IsaacGymEnvs: 0.7, a range 1.4 times the limits). */
const REVOLUTE_HALF_SPAN = 0.7;

export class PdActionMap {
  /** Actuated joints in action order. */
  readonly joints: Int32Array;
  /** Offset of each actuated joint's first action entry. */
  readonly dofOffset: Int32Array;
  /** Actions per joint: 3 (spherical) or 1 (revolute). */
  readonly dofCount: Int32Array;
  readonly size: number;
  /** Target = offset + scale · action, per action entry. */
  readonly offset: Float64Array;
  readonly scale: Float64Array;
  private readonly e = new Float64Array(3);
  private readonly q = new Float64Array(4);

  constructor(readonly skeleton: Skeleton, actuated: ArrayLike<number>) {
    this.joints = Int32Array.from(actuated);
    this.dofOffset = new Int32Array(this.joints.length);
    this.dofCount = new Int32Array(this.joints.length);
    const offset: number[] = [];
    const scale: number[] = [];
    for (let a = 0; a < this.joints.length; a++) {
      const joint = skeleton.joints[this.joints[a]!]!;
      this.dofOffset[a] = offset.length;
      if (joint.type === 'spherical') {
        this.dofCount[a] = 3;
        let m = 0;
        let valid = joint.limLow.length === 3 && joint.limHigh.length === 3;
        for (let k = 0; valid && k < 3; k++) {
          const lo = joint.limLow[k]!, hi = joint.limHigh[k]!;
          if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) valid = false;
          else m = Math.max(m, Math.abs(lo), Math.abs(hi));
        }
        const range = valid ? Math.min(MAX_SPHERICAL_RAD, SPHERICAL_MARGIN * m) : MAX_SPHERICAL_RAD;
        for (let k = 0; k < 3; k++) {
          offset.push(0);
          scale.push(range);
        }
      } else if (joint.type === 'revolute') {
        this.dofCount[a] = 1;
        let lo = joint.limLow[0], hi = joint.limHigh[0];
        if (!(lo !== undefined && hi !== undefined && Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
          lo = -Math.PI;
          hi = Math.PI;
        }
        offset.push(0.5 * (lo + hi));
        scale.push(REVOLUTE_HALF_SPAN * (hi - lo));
      } else {
        throw new RangeError(`joint '${joint.name}' (${joint.type}) is not actuated by a PD target`);
      }
    }
    this.size = offset.length;
    this.offset = Float64Array.from(offset);
    this.scale = Float64Array.from(scale);
  }

  /**
   * Writes the PD target of every actuated joint into `pose` (clip layout: local quaternions at
   * 3 + 4j) from a normalized action. Other entries of `pose` are left alone.
   */
  targetPose(action: ArrayLike<number>, pose: Float64Array): void {
    const { e, q } = this;
    for (let a = 0; a < this.joints.length; a++) {
      const j = this.joints[a]!;
      const o = this.dofOffset[a]!;
      if (this.dofCount[a] === 3) {
        for (let k = 0; k < 3; k++) e[k] = this.offset[o + k]! + this.scale[o + k]! * action[o + k]!;
        quatFromExpMap(q, e);
      } else {
        const th = this.offset[o]! + this.scale[o]! * action[o]!;
        q[0] = 0; q[1] = 0; q[2] = Math.sin(th / 2); q[3] = Math.cos(th / 2);
      }
      for (let k = 0; k < 4; k++) pose[3 + 4 * j + k] = q[k]!;
    }
  }

  /**
   * `pose` turned by the action: target_j = pose_j · exp(residualScaleRad · a_j) (revolute: a
   * turn about z), written in place.
   */
  residualPose(action: ArrayLike<number>, residualScaleRad: number, pose: Float64Array): void {
    const { e, q } = this;
    for (let a = 0; a < this.joints.length; a++) {
      const j = this.joints[a]!;
      const o = this.dofOffset[a]!;
      if (this.dofCount[a] === 3) {
        for (let k = 0; k < 3; k++) e[k] = residualScaleRad * action[o + k]!;
      } else {
        e[0] = 0; e[1] = 0; e[2] = residualScaleRad * action[o]!;
      }
      quatFromExpMap(q, e);
      quatMulAt(pose, 3 + 4 * j, pose, 3 + 4 * j, q, 0);
    }
  }

  /**
   * The normalized action whose PD target is `pose` (the inverse of `targetPose`; a revolute
   * joint's angle is read about its z axis). Values may fall outside [-1, 1] for poses beyond
   * the ranges.
   */
  actionOf(pose: ArrayLike<number>, out: Float32Array): Float32Array {
    const { e } = this;
    for (let a = 0; a < this.joints.length; a++) {
      const j = this.joints[a]!;
      const o = this.dofOffset[a]!;
      const b = 3 + 4 * j;
      if (this.dofCount[a] === 3) {
        quatToExpMap(e, [pose[b]!, pose[b + 1]!, pose[b + 2]!, pose[b + 3]!]);
        for (let k = 0; k < 3; k++) out[o + k] = (e[k]! - this.offset[o + k]!) / this.scale[o + k]!;
      } else {
        const th = 2 * Math.atan2(pose[b + 2]!, pose[b + 3]!);
        out[o] = (th - this.offset[o]!) / this.scale[o]!;
      }
    }
    return out;
  }
}
