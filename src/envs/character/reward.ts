/**
 * DeepMimic's imitation reward, as its released code computes it
 * (`SceneImitate::CalcRewardImitate`; docs/deepmimic.md "Reward"):
 *
 *   r = w_pose·exp(−k_pose·pose) + w_vel·exp(−k_vel·vel) + w_end·exp(−k_end·end)
 *     + w_root·exp(−k_root·root) + w_com·exp(−k_com·com)
 *
 * - pose = Σ_j ŵ_j · θ_j², θ_j the angle between the simulated and reference rotation of joint
 *   j (the root's in the world, the others local), ŵ_j = DiffWeight_j / Σ DiffWeight;
 * - vel = Σ_j ŵ_j · ‖ω̂_j − ω_j‖² over the joint velocities (root: world angular velocity;
 *   others: relative, in the joint frame);
 * - end = mean over end effectors of ‖p̂_e − p_e‖², each the joint position relative to the
 *   root in its own character's heading frame, with y the height above the ground;
 * - root = ‖Δ root position‖² + 0.1·θ_root² + 0.01·‖Δ root velocity‖² + 0.001·‖Δ root angular
 *   velocity‖²;
 * - com = 0.1·‖Δ centre-of-mass velocity‖².
 *
 * Defaults (weights 0.5, 0.05, 0.15, 0.2, 0.1; scales 2, 0.1, 40, 5, 10) are the released
 * code's first version (xbpeng/DeepMimic 3ca04d3), with the end-effector error a mean. Its later
 * version (1f915c5) sums the end-effector errors with scale 10 and scales pose and velocity by
 * num_joints/15: for the 15-joint humanoid with 4 end effectors the two are the same reward.
 * The weights sum to 1, so r ∈ [0, 1] and r = 1 exactly when the states match.
 */
import type { Skeleton } from '../../motion/skeleton.ts';
import type { CharacterState } from './character-state.ts';
import { quatAngleAt, rotateAt } from './character-state.ts';
import { headingAngle } from './observation.ts';

export interface RewardWeights {
  pose: number;
  velocity: number;
  endEffector: number;
  root: number;
  com: number;
}

export const DEEPMIMIC_REWARD_WEIGHTS: RewardWeights = { pose: 0.5, velocity: 0.05, endEffector: 0.15, root: 0.2, com: 0.1 };
export const DEEPMIMIC_REWARD_SCALES: RewardWeights = { pose: 2, velocity: 0.1, endEffector: 40, root: 5, com: 10 };

/** The errors and the terms exp(−k·error) of the last evaluation (reused, not reallocated). */
export interface RewardTerms {
  poseError: number;
  velocityError: number;
  endEffectorError: number;
  rootError: number;
  comError: number;
  pose: number;
  velocity: number;
  endEffector: number;
  root: number;
  com: number;
  total: number;
}

export class ImitationReward {
  readonly weights: RewardWeights;
  readonly scales: RewardWeights;
  /** Normalized DiffWeight per joint. */
  readonly jointWeights: Float64Array;
  readonly endEffectors: Int32Array;
  readonly terms: RewardTerms = {
    poseError: 0, velocityError: 0, endEffectorError: 0, rootError: 0, comError: 0,
    pose: 0, velocity: 0, endEffector: 0, root: 0, com: 0, total: 0,
  };
  private readonly types: Uint8Array;
  private readonly a = new Float64Array(3);
  private readonly b = new Float64Array(3);
  private readonly hq = new Float64Array(4);

  constructor(skeleton: Skeleton, weights: Partial<RewardWeights> = {}, scales: Partial<RewardWeights> = {}) {
    this.weights = { ...DEEPMIMIC_REWARD_WEIGHTS, ...weights };
    this.scales = { ...DEEPMIMIC_REWARD_SCALES, ...scales };
    const total = skeleton.joints.reduce((s, j) => s + j.diffWeight, 0);
    this.jointWeights = Float64Array.from(skeleton.joints, (j) => (total > 0 ? j.diffWeight / total : 0));
    this.endEffectors = Int32Array.from(skeleton.joints.flatMap((j, i) => (j.isEndEffector ? [i] : [])));
    // 0 root, 1 spherical, 2 revolute, 3 fixed.
    this.types = Uint8Array.from(skeleton.joints, (j) => ({ root: 0, spherical: 1, revolute: 2, fixed: 3 })[j.type]);
  }

  /** The reward of the simulated state `sim` against the reference state `ref`. Allocates nothing. */
  compute(sim: CharacterState, ref: CharacterState): number {
    const n = sim.numJoints;
    const w = this.jointWeights;
    let pose = 0, vel = 0;
    for (let j = 0; j < n; j++) {
      const wj = w[j]!;
      if (wj === 0 || this.types[j] === 3) continue;
      const th = quatAngleAt(sim.pose, 3 + 4 * j, ref.pose, 3 + 4 * j);
      pose += wj * th * th;
      const o = 3 + 3 * j;
      const dx = sim.jointVel[o]! - ref.jointVel[o]!, dy = sim.jointVel[o + 1]! - ref.jointVel[o + 1]!, dz = sim.jointVel[o + 2]! - ref.jointVel[o + 2]!;
      vel += wj * (dx * dx + dy * dy + dz * dz);
    }

    let end = 0;
    const ne = this.endEffectors.length;
    if (ne > 0) {
      const hs = headingAngle(sim.pose, 3), hr = headingAngle(ref.pose, 3);
      for (let e = 0; e < ne; e++) {
        const j = this.endEffectors[e]!;
        this.relative(sim, j, hs, this.a);
        this.relative(ref, j, hr, this.b);
        const dx = this.a[0]! - this.b[0]!, dy = this.a[1]! - this.b[1]!, dz = this.a[2]! - this.b[2]!;
        end += dx * dx + dy * dy + dz * dz;
      }
      end /= ne;
    }

    const sp = sim.pose, rp = ref.pose, sv = sim.jointVel, rv = ref.jointVel;
    const dpx = sp[0]! - rp[0]!, dpy = sp[1]! - rp[1]!, dpz = sp[2]! - rp[2]!;
    const thRoot = quatAngleAt(sp, 3, rp, 3);
    const dvx = sv[0]! - rv[0]!, dvy = sv[1]! - rv[1]!, dvz = sv[2]! - rv[2]!;
    const dwx = sv[3]! - rv[3]!, dwy = sv[4]! - rv[4]!, dwz = sv[5]! - rv[5]!;
    const root = dpx * dpx + dpy * dpy + dpz * dpz + 0.1 * thRoot * thRoot + 0.01 * (dvx * dvx + dvy * dvy + dvz * dvz) + 0.001 * (dwx * dwx + dwy * dwy + dwz * dwz);

    const dcx = sim.comVel[0]! - ref.comVel[0]!, dcy = sim.comVel[1]! - ref.comVel[1]!, dcz = sim.comVel[2]! - ref.comVel[2]!;
    const com = 0.1 * (dcx * dcx + dcy * dcy + dcz * dcz);

    const t = this.terms, k = this.scales, wt = this.weights;
    t.poseError = pose; t.velocityError = vel; t.endEffectorError = end; t.rootError = root; t.comError = com;
    t.pose = Math.exp(-k.pose * pose);
    t.velocity = Math.exp(-k.velocity * vel);
    t.endEffector = Math.exp(-k.endEffector * end);
    t.root = Math.exp(-k.root * root);
    t.com = Math.exp(-k.com * com);
    t.total = wt.pose * t.pose + wt.velocity * t.velocity + wt.endEffector * t.endEffector + wt.root * t.root + wt.com * t.com;
    return t.total;
  }

  /** Joint j's position relative to the root in the heading frame, with y its height above the ground. */
  private relative(s: CharacterState, j: number, heading: number, out: Float64Array): void {
    const c = Math.cos(-heading / 2), sn = Math.sin(-heading / 2);
    const q = this.hq;
    q[0] = 0; q[1] = sn; q[2] = 0; q[3] = c;
    rotateAt(out, 0, q, 0, s.jointPos[3 * j]! - s.pose[0]!, 0, s.jointPos[3 * j + 2]! - s.pose[2]!);
    out[1] = s.jointPos[3 * j + 1]!;
  }
}
