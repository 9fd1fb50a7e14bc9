/**
 * The PD-tracking controller: at each control step (30 Hz) the PD target is the reference pose
 * at the middle of the step, optionally turned by a residual, and the damping term targets the
 * reference joint velocities; then the physics runs its substeps. The root is free, held
 * kinematically on the reference, or pulled toward it by the virtual root force.
 *
 * Why the middle of the step and the velocity target: with DeepMimic's gains a PD that damps
 * toward zero velocity lags the motion by about kd/kp = 0.1 s, which on the walk costs 7.8° of
 * mean joint error with the root held; aiming at the middle of the step with the reference
 * velocity as the damping target brings it to 1.8° (figures in docs/results/humanoid.md).
 *
 * Residual layout (one number per actuated degree of freedom, in joint order): a rotation
 * vector (3, radians, in the joint's frame) per spherical joint, an angle (radians) per revolute
 * joint. The target is reference · exp(residual).
 */
import { quatFromExpMap } from '../../core/math.ts';
import { samplePose } from '../../motion/sample.ts';
import { CharacterState, quatMulAt } from './character-state.ts';
import type { ReferenceMotion } from './reference.ts';
import type { SimCharacter } from './sim-character.ts';

export type RootMode = 'free' | 'kinematic' | 'virtual';

export interface PdTrackerOptions {
  /** Control steps per second (DeepMimic: 30). The physics rate must be a multiple of it. */
  controlHz?: number;
  /** Use the reference joint velocities as the damping target (default true; DeepMimic: false). */
  velocityTarget?: boolean;
}

export class PdTracker {
  readonly controlHz: number;
  readonly substeps: number;
  readonly velocityTarget: boolean;
  /** Simulated time since the clip's start, seconds. */
  timeSeconds = 0;
  /** Sum and maximum of the virtual root force and torque norms over the substeps run in 'virtual' mode. */
  readonly wrenchStats = { count: 0, forceSum: 0, forceMax: 0, torqueSum: 0, torqueMax: 0 };
  /** The state the PD aims at in the current control step (its pose carries the residual). */
  readonly targetState: CharacterState;
  /** Actuated degrees of freedom (the residual's length). */
  readonly residualSize: number;
  private readonly rootPose: Float64Array;
  private readonly wrench = new Float64Array(6);
  private readonly dq = new Float64Array(4);
  private readonly ev = new Float64Array(3);
  private readonly dofOffset: Int32Array;

  constructor(readonly sim: SimCharacter, readonly reference: ReferenceMotion, options: PdTrackerOptions = {}) {
    this.controlHz = options.controlHz ?? 30;
    const ratio = sim.physicsHz / this.controlHz;
    if (!Number.isInteger(Math.round(ratio * 1e6) / 1e6) || ratio < 1) {
      throw new RangeError(`the physics rate (${sim.physicsHz} Hz) must be a whole multiple of the control rate (${this.controlHz} Hz)`);
    }
    this.substeps = Math.round(ratio);
    this.velocityTarget = options.velocityTarget ?? true;
    this.targetState = reference.newState();
    this.rootPose = new Float64Array(reference.clip.frameStride);
    const joints = sim.skeleton.joints;
    this.dofOffset = new Int32Array(joints.length).fill(-1);
    let dof = 0;
    for (let a = 0; a < sim.actuated.length; a++) {
      const j = sim.actuated[a]!;
      this.dofOffset[j] = dof;
      dof += joints[j]!.type === 'spherical' ? 3 : 1;
    }
    this.residualSize = dof;
  }

  /** Puts the character in the reference state at time t and starts the clock there. */
  reset(timeSeconds: number, scratch: CharacterState = this.targetState): void {
    this.timeSeconds = timeSeconds;
    this.reference.evaluate(timeSeconds, scratch);
    this.sim.setState(scratch);
    this.sim.setTarget(scratch.pose, this.velocityTarget ? scratch.jointVel : null);
    const w = this.wrenchStats;
    w.count = 0; w.forceSum = 0; w.forceMax = 0; w.torqueSum = 0; w.torqueMax = 0;
  }

  /** One control step: set the PD target (reference + residual), run the physics substeps. */
  step(residual: ArrayLike<number> | null = null, root: RootMode = 'free'): void {
    const { sim, reference } = this;
    const controlDt = 1 / this.controlHz;
    const target = reference.evaluate(this.timeSeconds + controlDt / 2, this.targetState);
    if (residual) this.applyResidual(target.pose, residual);
    sim.setTarget(target.pose, this.velocityTarget ? target.jointVel : null);
    const dt = sim.dtSeconds;
    for (let s = 0; s < this.substeps; s++) {
      const tNext = this.timeSeconds + dt;
      if (root !== 'free') {
        const p = samplePose(reference.clip, tNext, this.rootPose);
        if (root === 'kinematic') sim.driveRoot(p.subarray(0, 3), p.subarray(3, 7));
        else sim.driveVirtualRoot(p.subarray(0, 3), p.subarray(3, 7));
      }
      sim.stepPhysics();
      this.timeSeconds = tNext;
      if (root === 'virtual') this.recordWrench();
    }
  }

  private recordWrench(): void {
    const w = this.sim.virtualRootWrench(this.wrench);
    const f = Math.hypot(w[0]!, w[1]!, w[2]!), t = Math.hypot(w[3]!, w[4]!, w[5]!);
    const st = this.wrenchStats;
    st.count++;
    st.forceSum += f;
    st.torqueSum += t;
    if (f > st.forceMax) st.forceMax = f;
    if (t > st.torqueMax) st.torqueMax = t;
  }

  /** target_j ← target_j · exp(residual_j) for every actuated joint. */
  private applyResidual(pose: Float64Array, residual: ArrayLike<number>): void {
    const joints = this.sim.skeleton.joints;
    const { dq, ev } = this;
    for (let a = 0; a < this.sim.actuated.length; a++) {
      const j = this.sim.actuated[a]!;
      const o = this.dofOffset[j]!;
      if (joints[j]!.type === 'spherical') {
        ev[0] = residual[o]!; ev[1] = residual[o + 1]!; ev[2] = residual[o + 2]!;
      } else {
        ev[0] = 0; ev[1] = 0; ev[2] = residual[o]!;
      }
      quatFromExpMap(dq, ev);
      quatMulAt(pose, 3 + 4 * j, pose, 3 + 4 * j, dq, 0);
    }
  }
}
