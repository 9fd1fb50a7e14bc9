/**
 * The imitation reward as the DeepMimic paper writes it (Peng et al. 2018, eq. 4–8; the released
 * code's five-term version is `ImitationReward` in `../character/reward.ts`):
 *
 *   r = 0.65·r_pose + 0.1·r_vel + 0.15·r_end + 0.1·r_com
 *   r_pose = exp(−2 Σ_j θ_j²)             θ_j the angle between simulated and reference rotation
 *                                          of joint j (the root's in the world, others local)
 *   r_vel  = exp(−0.1 Σ_j ‖ω̂_j − ω_j‖²)    joint angular velocities (root: world; others: relative)
 *   r_end  = exp(−40 Σ_e ‖p̂_e − p_e‖²)     end effectors relative to the root, heading frame,
 *                                          with y the height above the ground
 *   r_com  = exp(−10 ‖p̂_com − p_com‖²)     centre of mass, world
 *
 * Joints are unweighted (every rotating joint counts 1), sums not means: the paper's form.
 * r ∈ [0, 1], 1 exactly when the states match. The terms go into the same `RewardTerms`
 * record as the released reward's (its `root` term stays 0), so info and plots read alike.
 */
import type { Skeleton } from '../../motion/skeleton.ts';
import { type CharacterState, quatAngleAt, rotateAt } from '../character/character-state.ts';
import { headingAngle } from '../character/observation.ts';
import type { RewardTerms } from '../character/reward.ts';

export const PAPER_REWARD_WEIGHTS = { pose: 0.65, velocity: 0.1, endEffector: 0.15, com: 0.1 } as const;
export const PAPER_REWARD_SCALES = { pose: 2, velocity: 0.1, endEffector: 40, com: 10 } as const;

export class PaperImitationReward {
  readonly terms: RewardTerms = {
    poseError: 0, velocityError: 0, endEffectorError: 0, rootError: 0, comError: 0,
    pose: 0, velocity: 0, endEffector: 0, root: 0, com: 0, total: 0,
  };
  /** Joints with a rotation (all but fixed ones). */
  private readonly rotating: Int32Array;
  private readonly endEffectors: Int32Array;
  private readonly a = new Float64Array(3);
  private readonly b = new Float64Array(3);
  private readonly hq = new Float64Array(4);

  constructor(skeleton: Skeleton) {
    this.rotating = Int32Array.from(skeleton.joints.flatMap((j, i) => (j.type === 'fixed' ? [] : [i])));
    this.endEffectors = Int32Array.from(skeleton.joints.flatMap((j, i) => (j.isEndEffector ? [i] : [])));
  }

  /** The reward of `sim` against `ref`. Allocates nothing. */
  compute(sim: CharacterState, ref: CharacterState): number {
    let pose = 0, vel = 0;
    for (let i = 0; i < this.rotating.length; i++) {
      const j = this.rotating[i]!;
      const th = quatAngleAt(sim.pose, 3 + 4 * j, ref.pose, 3 + 4 * j);
      pose += th * th;
      const o = 3 + 3 * j;
      const dx = sim.jointVel[o]! - ref.jointVel[o]!, dy = sim.jointVel[o + 1]! - ref.jointVel[o + 1]!, dz = sim.jointVel[o + 2]! - ref.jointVel[o + 2]!;
      vel += dx * dx + dy * dy + dz * dz;
    }
    let end = 0;
    if (this.endEffectors.length > 0) {
      const hs = headingAngle(sim.pose, 3), hr = headingAngle(ref.pose, 3);
      for (let e = 0; e < this.endEffectors.length; e++) {
        const j = this.endEffectors[e]!;
        rootRelative(sim, j, hs, this.hq, this.a);
        rootRelative(ref, j, hr, this.hq, this.b);
        const dx = this.a[0]! - this.b[0]!, dy = this.a[1]! - this.b[1]!, dz = this.a[2]! - this.b[2]!;
        end += dx * dx + dy * dy + dz * dz;
      }
    }
    const cx = sim.com[0]! - ref.com[0]!, cy = sim.com[1]! - ref.com[1]!, cz = sim.com[2]! - ref.com[2]!;
    const com = cx * cx + cy * cy + cz * cz;

    const t = this.terms, k = PAPER_REWARD_SCALES, w = PAPER_REWARD_WEIGHTS;
    t.poseError = pose; t.velocityError = vel; t.endEffectorError = end; t.rootError = 0; t.comError = com;
    t.pose = Math.exp(-k.pose * pose);
    t.velocity = Math.exp(-k.velocity * vel);
    t.endEffector = Math.exp(-k.endEffector * end);
    t.root = 0;
    t.com = Math.exp(-k.com * com);
    t.total = w.pose * t.pose + w.velocity * t.velocity + w.endEffector * t.endEffector + w.com * t.com;
    return t.total;
  }
}

/**
 * Joint j's position relative to the root in the heading frame, with y its height above the
 * ground (the end-effector measure of both rewards and of the end-effector error metric).
 */
export function rootRelative(s: CharacterState, j: number, heading: number, scratchQuat: Float64Array, out: Float64Array): Float64Array {
  scratchQuat[0] = 0; scratchQuat[1] = Math.sin(-heading / 2); scratchQuat[2] = 0; scratchQuat[3] = Math.cos(-heading / 2);
  rotateAt(out, 0, scratchQuat, 0, s.jointPos[3 * j]! - s.pose[0]!, 0, s.jointPos[3 * j + 2]! - s.pose[2]!);
  out[1] = s.jointPos[3 * j + 1]!;
  return out;
}
