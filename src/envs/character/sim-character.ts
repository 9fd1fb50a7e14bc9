/**
 * A DeepMimic character simulated by Rapier on flat ground.
 *
 * Built from a character file (`motion/deepmimic-character.ts`): one rigid body per joint with
 * the file's shape and mass (Rapier computes the inertia of the shape at uniform density, as
 * DeepMimic does), the rigid body's frame at the body's centre. Fixed joints (the wrists) are
 * welded: the child's collider joins its parent's rigid body, which is exact and saves a body
 * and a joint. Spherical and revolute joints (revolute about the joint's local z, limits
 * enforced) are Rapier impulse joints or multibody joints (`jointKind`); bodies joined to each
 * other do not collide, all other pairs do. Friction 0.9 on links and ground, combined by
 * multiplication (0.81), as DeepMimic's Bullet setup.
 *
 * PD control on every actuated joint, with the controller file's gains and the character
 * file's torque limits (`pdMode`):
 * - `motors`: Rapier's joint motors (impulse joints only), force-based, position target with
 *   stiffness kp and damping kd. The solver treats them as soft constraints solved implicitly
 *   with everything else, the same idea as DeepMimic's stable PD. A spherical joint has one motor
 *   per axis; Rapier measures the angle on axis i as 2·asin(q_i) of the relative rotation q
 *   (canonical, w ≥ 0), so a quaternion target maps exactly onto the targets 2·asin(q̂_i). The
 *   torque limit clamps each axis (DeepMimic clamps the norm).
 * - `torques`: we compute a stable-PD torque each physics step (the torque that reaches the
 *   target one step ahead under the child body's inertia about the joint; `applyPdTorques`),
 *   norm-clamped to the torque limit, and apply ±τ to the two bodies. Works with multibody joints.
 * - `explicit`: τ = kp·e + kd·(ω* − ω_rel), e the rotation vector from the current to the target
 *   local rotation: unstable on the 1 kg feet and hands even at 1200 Hz.
 * Motors track best (docs/results/humanoid.md has the measurements) and are the
 * default; multibody joints need `torques` (rapier.js has no multibody motors) and cannot be put
 * in a reference state (rapier.js does not expose multibody joint coordinates).
 *
 * The character owns its Rapier world; `close()` frees it.
 */
import { UsageError } from '../../core/errors.ts';
import type { Skeleton } from '../../motion/skeleton.ts';
import { RAPIER, type World } from '../physics/rapier.ts';
import { CharacterState, centreOfMass, quatConjMulAt, rotateAt } from './character-state.ts';

type RigidBody = InstanceType<typeof RAPIER.RigidBody>;
type Collider = InstanceType<typeof RAPIER.Collider>;
type SphericalJoint = InstanceType<typeof RAPIER.SphericalImpulseJoint>;
type RevoluteJoint = InstanceType<typeof RAPIER.RevoluteImpulseJoint>;
type TempContactManifold = InstanceType<typeof RAPIER.TempContactManifold>;

export type JointKind = 'impulse' | 'multibody';
export type PdMode = 'motors' | 'torques' | 'explicit';

export interface SimCharacterOptions {
  /** Physics steps per second (120 to 1200 in practice). */
  physicsHz: number;
  /** Rapier impulse joints (default) or multibody joints (reduced coordinates, no motors). */
  jointKind?: JointKind;
  /** Rapier joint motors (default, impulse joints only) or torques computed by us. */
  pdMode?: PdMode;
  /** Friction coefficient of links and ground, multiplied together. DeepMimic: 0.9. */
  friction?: number;
  /** Rapier solver iterations per step (default `DEFAULT_SOLVER_ITERATIONS`; Rapier's own: 4). */
  solverIterations?: number;
  /** Rapier's internal PGS iterations per solver iteration (default `DEFAULT_PGS_ITERATIONS`; Rapier's own: 1). */
  pgsIterations?: number;
  /** Gravity, m/s² (DeepMimic: −9.8 along y). */
  gravity?: number;
  /** Bodies not joined to each other collide (default true); false: only with the ground. */
  selfCollisions?: boolean;
}

/** @deprecated The first name of `JointGains` (kept for `envs/imitation`; `motion` has its own `PdGains`). */
export type PdGains = JointGains;

/** The rapier.js 0.21 internals `rawStep` uses (not part of its typed API). */
interface RawFree {
  free(): void;
}
interface RawWorldParts {
  gravity: { x: number; y: number; z: number };
  physicsPipeline?: { raw?: { step: (...args: unknown[]) => void } };
  integrationParameters: { raw: unknown };
  islands: { raw: unknown };
  broadPhase: { raw: unknown };
  narrowPhase: { raw: unknown };
  bodies: { raw: unknown };
  colliders: { raw: unknown };
  softBodies?: { raw: unknown };
  impulseJoints: { raw: unknown };
  multibodyJoints: { raw: unknown };
  ccdSolver: { raw: unknown };
}

/** Spring-damper gains of the virtual root force. */
export interface VirtualRootGains {
  kpForce: number;
  kdForce: number;
  kpTorque: number;
  kdTorque: number;
}

/** Per joint index: PD gains (0 for the root and fixed joints). */
export interface JointGains {
  kp: Float64Array;
  kd: Float64Array;
}

const X = RAPIER.JointAxis.AngX, Y = RAPIER.JointAxis.AngY, Z = RAPIER.JointAxis.AngZ;
const ANG_AXES = [X, Y, Z] as const;
/**
 * Solver settings per physics step. Rapier's solver iterations are TGS sub-steps, each a full
 * pass over joints, motors and contacts with `numInternalPgsIterations` velocity sweeps inside.
 * At 600 Hz one iteration with two PGS sweeps tracks the walk as well as Rapier's default four
 * iterations (root held: 1.65° against 1.61° mean joint error) at about half the cost; one
 * iteration with one sweep loses the stance ankle (23°). Measurements in docs/results/humanoid.md
 * ("Choices, measured").
 */
export const DEFAULT_SOLVER_ITERATIONS = 1;
export const DEFAULT_PGS_ITERATIONS = 2;

const CHARACTER_GROUP = 0x0001;
const GROUND_GROUP = 0x0002;
/** Contact distance, metres, below which a collider counts as touching the ground. */
const TOUCH_DISTANCE = 0.002;

export class SimCharacter {
  readonly world: World;
  readonly skeleton: Skeleton;
  readonly physicsHz: number;
  readonly dtSeconds: number;
  readonly jointKind: JointKind;
  readonly pdMode: PdMode;
  /** Rigid bodies; a fixed joint's body is welded into its parent's. */
  readonly links: RigidBody[] = [];
  /** Link index carrying each joint's body. */
  readonly linkOf: Int32Array;
  /** Joint whose body is each link's own frame. */
  readonly linkJoint: Int32Array;
  /** One collider per joint's body. */
  readonly colliders: Collider[] = [];
  readonly ground: Collider;
  /** PD target per joint: local rotation quaternion (x, y, z, w); identity for root and fixed joints. */
  readonly target: Float64Array;
  /** Target relative angular velocity per joint, in the parent joint's frame (3 per joint). */
  readonly targetVel: Float64Array;
  readonly kp: Float64Array;
  readonly kd: Float64Array;
  readonly torqueLimit: Float64Array;
  /** Joints with a PD controller (spherical or revolute with kp > 0). */
  readonly actuated: Int32Array;

  private readonly sphericalJoints: (SphericalJoint | null)[] = [];
  private readonly revoluteJoints: (RevoluteJoint | null)[] = [];
  /** Joint frame origin in its link's frame (translation only: attach rotations are identity). */
  private readonly jointInLink: Float64Array;
  /** Centre of mass of each link in its frame. */
  private readonly linkCom: Float64Array;
  private readonly linkPos: Float64Array;
  private readonly linkRot: Float64Array;
  private readonly linkLinVel: Float64Array;
  private readonly linkAngVel: Float64Array;
  private readonly linkTorque: Float64Array;
  private readonly stableGain: Float64Array;
  private readonly v = { x: 0, y: 0, z: 0 };
  private readonly q = { x: 0, y: 0, z: 0, w: 1 };
  private readonly scratch = new Float64Array(8);
  private rootKinematic = false;
  private anchor: RigidBody | null = null;
  private anchorJoint: InstanceType<typeof RAPIER.ImpulseJoint> | null = null;
  private virtualGains: VirtualRootGains = { kpForce: 0, kdForce: 0, kpTorque: 0, kdTorque: 0 };
  private touching = false;
  private readonly onManifold = (m: TempContactManifold): void => {
    const n = m.numContacts();
    for (let i = 0; i < n; i++) if (m.contactDist(i) <= TOUCH_DISTANCE) this.touching = true;
  };
  private closed = false;
  private rawGravity: RawFree | null = null;
  private rawGravitySource: unknown = null;

  constructor(skeleton: Skeleton, gains: JointGains, options: SimCharacterOptions) {
    const { physicsHz } = options;
    if (!(physicsHz > 0)) throw new UsageError(`physicsHz must be positive, got ${physicsHz}`);
    this.skeleton = skeleton;
    this.physicsHz = physicsHz;
    this.dtSeconds = 1 / physicsHz;
    this.jointKind = options.jointKind ?? 'impulse';
    this.pdMode = options.pdMode ?? 'motors';
    if (this.jointKind === 'multibody' && this.pdMode === 'motors') {
      throw new UsageError("Rapier's JS multibody joints have no motors: use pdMode 'torques' with jointKind 'multibody'");
    }
    checkSupported(skeleton);
    const n = skeleton.numJoints;
    const joints = skeleton.joints;
    this.kp = Float64Array.from(gains.kp);
    this.kd = Float64Array.from(gains.kd);
    this.torqueLimit = Float64Array.from(joints, (j) => j.torqueLimitNm);
    this.actuated = Int32Array.from(
      joints.map((j, i) => ((j.type === 'spherical' || j.type === 'revolute') && this.kp[i]! > 0 ? i : -1)).filter((i) => i >= 0),
    );
    this.target = new Float64Array(4 * n);
    this.targetVel = new Float64Array(3 * n);
    for (let j = 0; j < n; j++) this.target[4 * j + 3] = 1;

    const gravity = options.gravity ?? -9.8;
    this.world = new RAPIER.World({ x: 0, y: gravity, z: 0 });
    this.world.timestep = this.dtSeconds;
    this.world.integrationParameters.numSolverIterations = options.solverIterations ?? DEFAULT_SOLVER_ITERATIONS;
    this.world.integrationParameters.numInternalPgsIterations = options.pgsIterations ?? DEFAULT_PGS_ITERATIONS;
    const friction = options.friction ?? 0.9;

    // Ground: a large fixed box whose top face is y = 0. (A half-space was no faster within the
    // noise and tracked the stance ankle worse: 5.4° against 3° mean error on the walk.)
    const groundBody = this.world.createRigidBody(RAPIER.RigidBodyDesc.fixed().setTranslation(0, -0.5, 0));
    this.ground = this.world.createCollider(
      RAPIER.ColliderDesc.cuboid(500, 0.5, 500)
        .setFriction(friction)
        .setFrictionCombineRule(RAPIER.CoefficientCombineRule.Multiply)
        .setCollisionGroups((GROUND_GROUP << 16) | 0xffff),
      groundBody,
    );

    // Links and joint frames in the rest pose (identity rotations).
    this.linkOf = new Int32Array(n);
    const linkJoint: number[] = [];
    this.jointInLink = new Float64Array(3 * n);
    const restJointPos = new Float64Array(3 * n);
    for (let j = 0; j < n; j++) {
      const joint = joints[j]!;
      if (j > 0) for (let k = 0; k < 3; k++) restJointPos[3 * j + k] = restJointPos[3 * joint.parent + k]! + joint.offset[k]!;
      const body = joint.body!;
      if (joint.type === 'fixed') {
        const link = this.linkOf[joint.parent]!;
        this.linkOf[j] = link;
        for (let k = 0; k < 3; k++) this.jointInLink[3 * j + k] = this.jointInLink[3 * joint.parent + k]! + joint.offset[k]!;
      } else {
        this.linkOf[j] = linkJoint.length;
        linkJoint.push(j);
        for (let k = 0; k < 3; k++) this.jointInLink[3 * j + k] = -body.attach[k]!;
        const desc = RAPIER.RigidBodyDesc.dynamic()
          .setTranslation(restJointPos[3 * j]! + body.attach[0], restJointPos[3 * j + 1]! + body.attach[1], restJointPos[3 * j + 2]! + body.attach[2])
          .setCanSleep(false);
        this.links.push(this.world.createRigidBody(desc));
      }
    }
    this.linkJoint = Int32Array.from(linkJoint);
    const numLinks = this.links.length;

    // Colliders, at the body centre in the link frame.
    for (let j = 0; j < n; j++) {
      const body = joints[j]!.body!;
      const [p0, p1, p2] = body.params;
      let desc: InstanceType<typeof RAPIER.ColliderDesc>;
      if (body.shape === 'sphere') desc = RAPIER.ColliderDesc.ball(p0 / 2);
      else if (body.shape === 'capsule') desc = RAPIER.ColliderDesc.capsule(p1 / 2, p0 / 2);
      else desc = RAPIER.ColliderDesc.cuboid(p0 / 2, p1 / 2, p2 / 2);
      const o = 3 * j;
      desc
        .setTranslation(this.jointInLink[o]! + body.attach[0], this.jointInLink[o + 1]! + body.attach[1], this.jointInLink[o + 2]! + body.attach[2])
        .setMass(body.massKg)
        .setFriction(friction)
        .setFrictionCombineRule(RAPIER.CoefficientCombineRule.Multiply)
        .setRestitution(0);
      // Interaction groups: membership in the high 16 bits, filter in the low 16.
      if (options.selfCollisions === false) desc.setCollisionGroups((CHARACTER_GROUP << 16) | GROUND_GROUP);
      this.colliders.push(this.world.createCollider(desc, this.links[this.linkOf[j]!]!));
    }

    // Joints between links (the joint arrays are indexed by joint; slot 0, the root, stays null).
    for (let j = 0; j < n; j++) {
      this.sphericalJoints.push(null);
      this.revoluteJoints.push(null);
    }
    for (let j = 1; j < n; j++) {
      const joint = joints[j]!;
      if (joint.type === 'fixed') continue;
      const p = joint.parent;
      const parentLink = this.links[this.linkOf[p]!]!;
      const childLink = this.links[this.linkOf[j]!]!;
      const a1 = {
        x: this.jointInLink[3 * p]! + joint.offset[0],
        y: this.jointInLink[3 * p + 1]! + joint.offset[1],
        z: this.jointInLink[3 * p + 2]! + joint.offset[2],
      };
      const a2 = { x: this.jointInLink[3 * j]!, y: this.jointInLink[3 * j + 1]!, z: this.jointInLink[3 * j + 2]! };
      const data = joint.type === 'spherical' ? RAPIER.JointData.spherical(a1, a2) : RAPIER.JointData.revolute(a1, a2, { x: 0, y: 0, z: 1 });
      if (joint.type === 'revolute' && Number.isFinite(joint.limLow[0]) && Number.isFinite(joint.limHigh[0])) {
        data.limitsEnabled = true;
        data.limits = [joint.limLow[0]!, joint.limHigh[0]!];
      }
      if (this.jointKind === 'multibody') {
        const mj = this.world.createMultibodyJoint(data, parentLink, childLink, true);
        mj.setContactsEnabled(false);
        continue;
      }
      const ij = this.world.createImpulseJoint(data, parentLink, childLink, true);
      ij.setContactsEnabled(false);
      if (joint.type === 'spherical') {
        // Rapier 0.21 builds JointData.spherical as a generic joint and hands back a
        // GenericImpulseJoint, whose class lacks the motor methods; the raw joint has them, so
        // wrap the same handle in the spherical joint class.
        const raw = ij as unknown as { rawSet: ConstructorParameters<typeof RAPIER.SphericalImpulseJoint>[0]; bodySet: ConstructorParameters<typeof RAPIER.SphericalImpulseJoint>[1] };
        const sj = new RAPIER.SphericalImpulseJoint(raw.rawSet, raw.bodySet, ij.handle);
        this.sphericalJoints[j] = sj;
        if (this.pdMode === 'motors' && this.kp[j]! > 0) {
          for (const axis of ANG_AXES) {
            sj.configureMotorModel(axis, RAPIER.MotorModel.ForceBased);
            sj.configureMotorPosition(axis, 0, this.kp[j]!, this.kd[j]!);
            if (this.torqueLimit[j]! > 0) sj.setMotorMaxForce(axis, this.torqueLimit[j]!);
          }
        }
      } else {
        const rj = ij as RevoluteJoint;
        this.revoluteJoints[j] = rj;
        if (data.limitsEnabled) rj.setLimits(joint.limLow[0]!, joint.limHigh[0]!);
        if (this.pdMode === 'motors' && this.kp[j]! > 0) {
          rj.configureMotorModel(RAPIER.MotorModel.ForceBased);
          rj.configureMotorPosition(0, this.kp[j]!, this.kd[j]!);
          if (this.torqueLimit[j]! > 0) rj.setMotorMaxForce(this.torqueLimit[j]!);
        }
      }
    }

    this.linkCom = new Float64Array(3 * numLinks);
    for (let l = 0; l < numLinks; l++) {
      const c = this.links[l]!.localCom();
      this.linkCom[3 * l] = c.x;
      this.linkCom[3 * l + 1] = c.y;
      this.linkCom[3 * l + 2] = c.z;
    }
    this.linkPos = new Float64Array(3 * numLinks);
    this.linkRot = new Float64Array(4 * numLinks);
    this.linkLinVel = new Float64Array(3 * numLinks);
    this.linkAngVel = new Float64Array(3 * numLinks);
    this.linkTorque = new Float64Array(3 * numLinks);
    this.stableGain = this.stablePdGains();
  }

  /**
   * Per joint, (I + c·E)⁻¹ I in the child link's frame (9 numbers, row-major), I the child link's
   * inertia about the joint and c = dt·(kd + kp·dt): the stable-PD factor of `torques` mode.
   */
  private stablePdGains(): Float64Array {
    const n = this.skeleton.numJoints;
    const out = new Float64Array(9 * n);
    const dt = this.dtSeconds;
    const I = new Float64Array(9), M = new Float64Array(9), Minv = new Float64Array(9), R = new Float64Array(9);
    for (let j = 1; j < n; j++) {
      const joint = this.skeleton.joints[j]!;
      if (joint.type === 'fixed') continue;
      const l = this.linkOf[j]!;
      const rb = this.links[l]!;
      const m = rb.mass();
      const pi = rb.principalInertia();
      const pf = rb.principalInertiaLocalFrame();
      quatToMat3(R, pf.x, pf.y, pf.z, pf.w);
      // I = R diag(pi) Rᵀ + m (|d|² E − d dᵀ), d = joint point − centre of mass (link frame).
      const d = [this.jointInLink[3 * j]! - this.linkCom[3 * l]!, this.jointInLink[3 * j + 1]! - this.linkCom[3 * l + 1]!, this.jointInLink[3 * j + 2]! - this.linkCom[3 * l + 2]!];
      const dd = d[0]! * d[0]! + d[1]! * d[1]! + d[2]! * d[2]!;
      const diag = [pi.x, pi.y, pi.z];
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          let v = 0;
          for (let k = 0; k < 3; k++) v += R[3 * r + k]! * diag[k]! * R[3 * c + k]!;
          I[3 * r + c] = v + m * ((r === c ? dd : 0) - d[r]! * d[c]!);
        }
      }
      const cc = dt * (this.kd[j]! + this.kp[j]! * dt);
      for (let k = 0; k < 9; k++) M[k] = I[k]! + (k % 4 === 0 ? cc : 0);
      invert3(Minv, M);
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          let v = 0;
          for (let k = 0; k < 3; k++) v += Minv[3 * r + k]! * I[3 * k + c]!;
          out[9 * j + 3 * r + c] = v;
        }
      }
      // Revolute joints use the scalar about their hinge (z): I_zz / (I_zz + c).
      if (joint.type === 'revolute') out[9 * j + 8] = I[8]! / (I[8]! + cc);
    }
    return out;
  }

  /** Total mass, kg. */
  get massKg(): number {
    return this.skeleton.massKg;
  }

  /**
   * Sets the PD targets from a pose (the clip layout; the root's entries are ignored) and,
   * optionally, target joint velocities (the clip velocity layout: relative angular velocity in
   * the joint's frame) for the damping term; without them the damping pulls toward rest, as in
   * DeepMimic. With motors, the motors are reconfigured here, once per control step.
   */
  setTarget(pose: ArrayLike<number>, jointVel: ArrayLike<number> | null = null): void {
    const joints = this.skeleton.joints;
    const t = this.target, tv = this.targetVel;
    for (let a = 0; a < this.actuated.length; a++) {
      const j = this.actuated[a]!;
      let x = pose[3 + 4 * j]!, y = pose[4 + 4 * j]!, z = pose[5 + 4 * j]!, w = pose[6 + 4 * j]!;
      if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
      t[4 * j] = x; t[4 * j + 1] = y; t[4 * j + 2] = z; t[4 * j + 3] = w;
      if (jointVel) {
        // Stored in the parent's joint frame, where both the motors and the torques measure it.
        rotateAt(tv, 3 * j, t, 4 * j, jointVel[3 + 3 * j]!, jointVel[4 + 3 * j]!, jointVel[5 + 3 * j]!);
      } else {
        tv[3 * j] = 0; tv[3 * j + 1] = 0; tv[3 * j + 2] = 0;
      }
      if (this.pdMode !== 'motors') continue;
      const kp = this.kp[j]!, kd = this.kd[j]!;
      if (joints[j]!.type === 'spherical') {
        const sj = this.sphericalJoints[j]!;
        sj.configureMotor(X, 2 * Math.asin(clampUnit(x)), tv[3 * j]!, kp, kd);
        sj.configureMotor(Y, 2 * Math.asin(clampUnit(y)), tv[3 * j + 1]!, kp, kd);
        sj.configureMotor(Z, 2 * Math.asin(clampUnit(z)), tv[3 * j + 2]!, kp, kd);
      } else {
        this.revoluteJoints[j]!.configureMotor(2 * Math.atan2(z, w), tv[3 * j + 2]!, kp, kd);
      }
    }
  }

  /** Advances the physics one step (PD torques first in `torques` mode). */
  stepPhysics(): void {
    if (this.pdMode !== 'motors') this.applyPdTorques();
    this.rawStep();
  }

  /**
   * `world.step()` without its bookkeeping. rapier.js's `World.step` runs the pipeline and then
   * walks every body, collider and joint through WASM → JS callbacks to map objects the engine
   * may have created (soft bodies, deserialization): about 10 µs per step for this character,
   * 13% of a physics step. Nothing is created or removed while the character steps (bodies are
   * made in the constructor, the virtual root's anchor through `world.createRigidBody`, which
   * maps it), so the pipeline is called directly with the world's raw sets, gravity converted
   * once. Falls back to `world.step()` if a rapier.js upgrade renames the internals.
   */
  private rawStep(): void {
    const w = this.world as unknown as RawWorldParts;
    const pipeline = w.physicsPipeline?.raw;
    if (!pipeline || typeof pipeline.step !== 'function' || !w.softBodies) {
      this.world.step();
      return;
    }
    if (this.rawGravitySource !== w.gravity) {
      this.rawGravity?.free();
      this.rawGravity = RAPIER.VectorOps.intoRaw(w.gravity) as unknown as RawFree;
      this.rawGravitySource = w.gravity;
    }
    pipeline.step(this.rawGravity, w.integrationParameters.raw, w.islands.raw, w.broadPhase.raw, w.narrowPhase.raw, w.bodies.raw, w.colliders.raw, w.softBodies.raw, w.impulseJoints.raw, w.multibodyJoints.raw, w.ccdSolver.raw);
  }

  /**
   * Holds the root: the root body becomes kinematic and follows `driveRoot`; or frees it.
   */
  setRootKinematic(on: boolean): void {
    if (on === this.rootKinematic) return;
    this.rootKinematic = on;
    const root = this.links[0]!;
    root.setBodyType(on ? RAPIER.RigidBodyType.KinematicPositionBased : RAPIER.RigidBodyType.Dynamic, true);
  }

  /** Where the held root goes at the end of the next physics step: root joint position and rotation. */
  driveRoot(rootPos: ArrayLike<number>, rootRot: ArrayLike<number>): void {
    const root = this.links[0]!;
    const s = this.scratch;
    // Body centre = joint position + R · attach, and attach = −jointInLink.
    rotateAt(s, 0, rootRot, 0, -this.jointInLink[0]!, -this.jointInLink[1]!, -this.jointInLink[2]!);
    this.v.x = rootPos[0]! + s[0]!; this.v.y = rootPos[1]! + s[1]!; this.v.z = rootPos[2]! + s[2]!;
    this.q.x = rootRot[0]!; this.q.y = rootRot[1]!; this.q.z = rootRot[2]!; this.q.w = rootRot[3]!;
    root.setNextKinematicTranslation(this.v);
    root.setNextKinematicRotation(this.q);
  }

  /** Adds a force (N) at the root body's centre of mass and a torque (N·m) for the next step. */
  pushRoot(fx: number, fy: number, fz: number, tx: number, ty: number, tz: number): void {
    const root = this.links[0]!;
    root.resetForces(false);
    root.resetTorques(false);
    this.v.x = fx; this.v.y = fy; this.v.z = fz;
    root.addForce(this.v, true);
    this.v.x = tx; this.v.y = ty; this.v.z = tz;
    root.addTorque(this.v, true);
  }

  /**
   * A virtual force on the root ("hand of god"): a kinematic anchor that follows
   * `driveVirtualRoot`, joined to the root by a 6-axis spring-damper (Rapier motors on every
   * axis of a generic joint, solved implicitly, so it is stable at any physics rate). The force
   * it applies is read back with `virtualRootWrench`. Gains: N/m, N·s/m, N·m/rad, N·m·s/rad.
   */
  enableVirtualRoot(gains: VirtualRootGains): void {
    if (this.anchor) this.disableVirtualRoot();
    this.virtualGains = { ...gains };
    const root = this.links[0]!;
    const t = root.translation();
    const r = root.rotation();
    const s = this.scratch;
    rotateAt(s, 0, [r.x, r.y, r.z, r.w], 0, this.jointInLink[0]!, this.jointInLink[1]!, this.jointInLink[2]!);
    this.anchor = this.world.createRigidBody(
      RAPIER.RigidBodyDesc.kinematicPositionBased().setTranslation(t.x + s[0]!, t.y + s[1]!, t.z + s[2]!).setRotation(r),
    );
    const data = RAPIER.JointData.generic({ x: 0, y: 0, z: 0 }, { x: this.jointInLink[0]!, y: this.jointInLink[1]!, z: this.jointInLink[2]! }, { x: 1, y: 0, z: 0 }, 0 as never /* no axis locked: every axis is a motor */);
    const ij = this.world.createImpulseJoint(data, this.anchor, root, true);
    ij.setContactsEnabled(false);
    const raw = ij as unknown as { rawSet: ConstructorParameters<typeof RAPIER.SphericalImpulseJoint>[0]; bodySet: ConstructorParameters<typeof RAPIER.SphericalImpulseJoint>[1] };
    const joint = new RAPIER.SphericalImpulseJoint(raw.rawSet, raw.bodySet, ij.handle);
    const lin = [RAPIER.JointAxis.LinX, RAPIER.JointAxis.LinY, RAPIER.JointAxis.LinZ];
    for (const axis of lin) {
      joint.configureMotorModel(axis, RAPIER.MotorModel.ForceBased);
      joint.configureMotorPosition(axis, 0, gains.kpForce, gains.kdForce);
    }
    for (const axis of ANG_AXES) {
      joint.configureMotorModel(axis, RAPIER.MotorModel.ForceBased);
      joint.configureMotorPosition(axis, 0, gains.kpTorque, gains.kdTorque);
    }
    this.anchorJoint = ij;
  }

  disableVirtualRoot(): void {
    if (!this.anchor) return;
    this.world.removeImpulseJoint(this.anchorJoint!, true);
    this.world.removeRigidBody(this.anchor);
    this.anchor = null;
    this.anchorJoint = null;
  }

  /** Where the virtual root's anchor goes at the end of the next physics step (root joint frame). */
  driveVirtualRoot(rootPos: ArrayLike<number>, rootRot: ArrayLike<number>): void {
    const a = this.anchor;
    if (!a) throw new UsageError('driveVirtualRoot: call enableVirtualRoot first');
    this.v.x = rootPos[0]!; this.v.y = rootPos[1]!; this.v.z = rootPos[2]!;
    a.setNextKinematicTranslation(this.v);
    this.q.x = rootRot[0]!; this.q.y = rootRot[1]!; this.q.z = rootRot[2]!; this.q.w = rootRot[3]!;
    a.setNextKinematicRotation(this.q);
  }

  /**
   * The force (N, out[0..2]) and torque (N·m, out[3..5]) the virtual root applies to the
   * character now: the spring-damper law the motors solve, at the current state.
   */
  virtualRootWrench(out: Float64Array): Float64Array {
    const a = this.anchor;
    if (!a) { out.fill(0); return out; }
    const g = this.virtualGains;
    this.readLinks();
    const s = this.scratch;
    const lp = this.linkPos, lr = this.linkRot, lv = this.linkLinVel, lw = this.linkAngVel;
    // Root joint point and its velocity.
    rotateAt(s, 0, lr, 0, this.jointInLink[0]!, this.jointInLink[1]!, this.jointInLink[2]!);
    const rx = s[0]!, ry = s[1]!, rz = s[2]!;
    const wx = lw[0]!, wy = lw[1]!, wz = lw[2]!;
    const px = lp[0]! + rx, py = lp[1]! + ry, pz = lp[2]! + rz;
    const vx = lv[0]! + wy * rz - wz * ry, vy = lv[1]! + wz * rx - wx * rz, vz = lv[2]! + wx * ry - wy * rx;
    const at = a.translation(this.v);
    const ax = at.x, ay = at.y, az = at.z;
    const av = a.linvel(this.v);
    out[0] = g.kpForce * (ax - px) + g.kdForce * (av.x - vx);
    out[1] = g.kpForce * (ay - py) + g.kdForce * (av.y - vy);
    out[2] = g.kpForce * (az - pz) + g.kdForce * (av.z - vz);
    const ar = a.rotation(this.q);
    s[4] = ar.x; s[5] = ar.y; s[6] = ar.z; s[7] = ar.w;
    // Rotation from the root to the anchor, as a rotation vector in the world: R_a · log(R_a⁻¹ R_root)⁻¹.
    quatConjMulAt(s, 0, s, 4, lr, 0);
    let qx = s[0]!, qy = s[1]!, qz = s[2]!;
    if (s[3]! < 0) { qx = -qx; qy = -qy; qz = -qz; }
    rotateAt(s, 0, s, 4, -2 * Math.asin(clampUnit(qx)), -2 * Math.asin(clampUnit(qy)), -2 * Math.asin(clampUnit(qz)));
    const aw = a.angvel(this.v);
    out[3] = g.kpTorque * s[0]! + g.kdTorque * (aw.x - wx);
    out[4] = g.kpTorque * s[1]! + g.kdTorque * (aw.y - wy);
    out[5] = g.kpTorque * s[2]! + g.kdTorque * (aw.z - wz);
    return out;
  }

  /**
   * Puts the character in a state: body transforms and velocities from `state` (a reference
   * state: its body arrays must be filled). Forces are cleared. The PD targets are not changed.
   */
  setState(state: CharacterState): void {
    const s = this.scratch;
    for (let l = 0; l < this.links.length; l++) {
      const rb = this.links[l]!;
      const j = this.linkJoint[l]!;
      const { bodyPos, bodyRot, bodyLinVel, bodyAngVel } = state;
      this.v.x = bodyPos[3 * j]!; this.v.y = bodyPos[3 * j + 1]!; this.v.z = bodyPos[3 * j + 2]!;
      rb.setTranslation(this.v, false);
      this.q.x = bodyRot[4 * j]!; this.q.y = bodyRot[4 * j + 1]!; this.q.z = bodyRot[4 * j + 2]!; this.q.w = bodyRot[4 * j + 3]!;
      rb.setRotation(this.q, false);
      // Rapier's linear velocity is the centre of mass's: v_com = v + ω × (R · localCom).
      const wx = bodyAngVel[3 * j]!, wy = bodyAngVel[3 * j + 1]!, wz = bodyAngVel[3 * j + 2]!;
      rotateAt(s, 0, bodyRot, 4 * j, this.linkCom[3 * l]!, this.linkCom[3 * l + 1]!, this.linkCom[3 * l + 2]!);
      this.v.x = bodyLinVel[3 * j]! + wy * s[2]! - wz * s[1]!;
      this.v.y = bodyLinVel[3 * j + 1]! + wz * s[0]! - wx * s[2]!;
      this.v.z = bodyLinVel[3 * j + 2]! + wx * s[1]! - wy * s[0]!;
      rb.setLinvel(this.v, false);
      this.v.x = wx; this.v.y = wy; this.v.z = wz;
      rb.setAngvel(this.v, false);
      rb.resetForces(false);
      rb.resetTorques(false);
      rb.wakeUp();
    }
    this.world.propagateModifiedBodyPositionsToColliders();
  }

  /** Reads the links from Rapier into the link arrays. */
  private readLinks(): void {
    const s = this.scratch;
    for (let l = 0; l < this.links.length; l++) {
      const rb = this.links[l]!;
      const t = rb.translation(this.v);
      this.linkPos[3 * l] = t.x; this.linkPos[3 * l + 1] = t.y; this.linkPos[3 * l + 2] = t.z;
      const r = rb.rotation(this.q);
      this.linkRot[4 * l] = r.x; this.linkRot[4 * l + 1] = r.y; this.linkRot[4 * l + 2] = r.z; this.linkRot[4 * l + 3] = r.w;
      const w = rb.angvel(this.v);
      const wx = w.x, wy = w.y, wz = w.z;
      this.linkAngVel[3 * l] = wx; this.linkAngVel[3 * l + 1] = wy; this.linkAngVel[3 * l + 2] = wz;
      const v = rb.linvel(this.v);
      // Velocity of the link frame's origin: v = v_com − ω × (R · localCom).
      rotateAt(s, 0, this.linkRot, 4 * l, this.linkCom[3 * l]!, this.linkCom[3 * l + 1]!, this.linkCom[3 * l + 2]!);
      this.linkLinVel[3 * l] = v.x - (wy * s[2]! - wz * s[1]!);
      this.linkLinVel[3 * l + 1] = v.y - (wz * s[0]! - wx * s[2]!);
      this.linkLinVel[3 * l + 2] = v.z - (wx * s[1]! - wy * s[0]!);
    }
  }

  /** Reads the simulated character into `out` (every field). Allocates nothing. */
  readState(out: CharacterState): CharacterState {
    this.readLinks();
    const joints = this.skeleton.joints;
    const n = joints.length;
    const { pose, jointVel, jointPos, jointRot, bodyPos, bodyRot, bodyLinVel, bodyAngVel } = out;
    const { linkPos, linkRot, linkLinVel, linkAngVel, jointInLink } = this;
    for (let j = 0; j < n; j++) {
      const l = this.linkOf[j]!;
      // Joint frame: the link's rotation (attach rotations are identity), origin at jointInLink.
      for (let k = 0; k < 4; k++) jointRot[4 * j + k] = linkRot[4 * l + k]!;
      rotateAt(jointPos, 3 * j, linkRot, 4 * l, jointInLink[3 * j]!, jointInLink[3 * j + 1]!, jointInLink[3 * j + 2]!);
      const body = joints[j]!.body!;
      const bx = jointInLink[3 * j]! + body.attach[0], by = jointInLink[3 * j + 1]! + body.attach[1], bz = jointInLink[3 * j + 2]! + body.attach[2];
      rotateAt(bodyPos, 3 * j, linkRot, 4 * l, bx, by, bz);
      const wx = linkAngVel[3 * l]!, wy = linkAngVel[3 * l + 1]!, wz = linkAngVel[3 * l + 2]!;
      const rx = bodyPos[3 * j]!, ry = bodyPos[3 * j + 1]!, rz = bodyPos[3 * j + 2]!;
      bodyLinVel[3 * j] = linkLinVel[3 * l]! + wy * rz - wz * ry;
      bodyLinVel[3 * j + 1] = linkLinVel[3 * l + 1]! + wz * rx - wx * rz;
      bodyLinVel[3 * j + 2] = linkLinVel[3 * l + 2]! + wx * ry - wy * rx;
      for (let k = 0; k < 3; k++) {
        jointPos[3 * j + k] += linkPos[3 * l + k]!;
        bodyPos[3 * j + k] += linkPos[3 * l + k]!;
        bodyAngVel[3 * j + k] = linkAngVel[3 * l + k]!;
      }
      for (let k = 0; k < 4; k++) bodyRot[4 * j + k] = linkRot[4 * l + k]!;
    }
    // Pose and joint velocities.
    pose[0] = jointPos[0]!; pose[1] = jointPos[1]!; pose[2] = jointPos[2]!;
    for (let k = 0; k < 4; k++) pose[3 + k] = jointRot[k]!;
    {
      // Root joint point velocity: v_link + ω × (x_root − x_link).
      const wx = linkAngVel[0]!, wy = linkAngVel[1]!, wz = linkAngVel[2]!;
      const rx = jointPos[0]! - linkPos[0]!, ry = jointPos[1]! - linkPos[1]!, rz = jointPos[2]! - linkPos[2]!;
      jointVel[0] = linkLinVel[0]! + wy * rz - wz * ry;
      jointVel[1] = linkLinVel[1]! + wz * rx - wx * rz;
      jointVel[2] = linkLinVel[2]! + wx * ry - wy * rx;
      jointVel[3] = wx; jointVel[4] = wy; jointVel[5] = wz;
    }
    for (let j = 1; j < n; j++) {
      const joint = joints[j]!;
      const p = joint.parent;
      quatConjMulAt(pose, 3 + 4 * j, jointRot, 4 * p, jointRot, 4 * j);
      if (joint.type === 'fixed') {
        // Welded: exactly the identity (up to rounding).
        pose[3 + 4 * j] = 0; pose[4 + 4 * j] = 0; pose[5 + 4 * j] = 0; pose[6 + 4 * j] = 1;
        jointVel[3 + 3 * j] = 0; jointVel[4 + 3 * j] = 0; jointVel[5 + 3 * j] = 0;
        continue;
      }
      const dx = bodyAngVel[3 * j]! - bodyAngVel[3 * p]!, dy = bodyAngVel[3 * j + 1]! - bodyAngVel[3 * p + 1]!, dz = bodyAngVel[3 * j + 2]! - bodyAngVel[3 * p + 2]!;
      rotateAt(jointVel, 3 + 3 * j, jointRot, 4 * j, dx, dy, dz, true);
      if (joint.type === 'revolute') {
        jointVel[3 + 3 * j] = 0;
        jointVel[4 + 3 * j] = 0;
        // Keep the revolute rotation exactly about z (the constraint holds it there up to solver error).
        const qz = pose[5 + 4 * j]!, qw = pose[6 + 4 * j]!, nrm = Math.hypot(qz, qw) || 1;
        pose[3 + 4 * j] = 0; pose[4 + 4 * j] = 0; pose[5 + 4 * j] = qz / nrm; pose[6 + 4 * j] = qw / nrm;
      }
    }
    centreOfMass(out);
    return out;
  }

  /**
   * PD torques toward `target`, norm-clamped, applied as ±τ to the two bodies of each joint.
   *
   * `explicit`: τ = kp·e + kd·(ω* − ω). `torques`: a stable PD in the spirit of Tan et al. and
   * DeepMimic, with the mass matrix approximated per joint by the child body's inertia about
   * the joint, I (3 × 3, in the child's frame): the torque that reaches the target one step
   * ahead under that inertia, τ = (I + c·E)⁻¹ I · (kp·e − (kd + kp·dt)·(ω − ω*)), c = dt·(kd +
   * kp·dt). Computed in the child's frame, where (I + c·E)⁻¹ I is a constant.
   */
  private applyPdTorques(): void {
    this.readLinks();
    const joints = this.skeleton.joints;
    const { linkRot, linkAngVel, linkTorque, target, targetVel, stableGain } = this;
    const s = this.scratch;
    const implicit = this.pdMode === 'torques';
    const dt = this.dtSeconds;
    linkTorque.fill(0);
    for (let a = 0; a < this.actuated.length; a++) {
      const j = this.actuated[a]!;
      const joint = joints[j]!;
      const c = this.linkOf[j]!, p = this.linkOf[joint.parent]!;
      const kp = this.kp[j]!, kd = this.kd[j]!;
      // Current local rotation L = R_p⁻¹ R_c (at s[0..3]); error E = L⁻¹ T as a rotation vector, child frame.
      quatConjMulAt(s, 0, linkRot, 4 * p, linkRot, 4 * c);
      quatConjMulAt(s, 4, s, 0, target, 4 * j);
      let ex = s[4]!, ey = s[5]!, ez = s[6]!;
      const ew = s[7]!;
      if (ew < 0) { ex = -ex; ey = -ey; ez = -ez; }
      const sn = Math.hypot(ex, ey, ez);
      const k = sn < 1e-12 ? 2 : (2 * Math.atan2(sn, Math.abs(ew))) / sn;
      ex *= k; ey *= k; ez *= k;
      // Target relative velocity in the child frame: L⁻¹ · targetVel (stored in the parent frame).
      rotateAt(s, 4, s, 0, targetVel[3 * j]!, targetVel[3 * j + 1]!, targetVel[3 * j + 2]!, true);
      const vx = s[4]!, vy = s[5]!, vz = s[6]!;
      // Relative angular velocity in the child frame: R_c⁻¹ (ω_c − ω_p).
      rotateAt(s, 0, linkRot, 4 * c, linkAngVel[3 * c]! - linkAngVel[3 * p]!, linkAngVel[3 * c + 1]! - linkAngVel[3 * p + 1]!, linkAngVel[3 * c + 2]! - linkAngVel[3 * p + 2]!, true);
      const dx = s[0]! - vx, dy = s[1]! - vy, dz = s[2]! - vz;
      const kv = implicit ? kd + kp * dt : kd;
      let tx = kp * ex - kv * dx, ty = kp * ey - kv * dy, tz = kp * ez - kv * dz;
      if (joint.type === 'revolute') {
        // Only the component about the hinge axis (the child's z) does anything.
        tx = 0; ty = 0;
        if (implicit) tz *= stableGain[9 * j + 8]!;
      } else if (implicit) {
        const g = stableGain, o = 9 * j;
        const ux = g[o]! * tx + g[o + 1]! * ty + g[o + 2]! * tz;
        const uy = g[o + 3]! * tx + g[o + 4]! * ty + g[o + 5]! * tz;
        const uz = g[o + 6]! * tx + g[o + 7]! * ty + g[o + 8]! * tz;
        tx = ux; ty = uy; tz = uz;
      }
      const lim = this.torqueLimit[j]!;
      if (lim > 0) {
        const norm = Math.hypot(tx, ty, tz);
        if (norm > lim) { const f = lim / norm; tx *= f; ty *= f; tz *= f; }
      }
      rotateAt(s, 0, linkRot, 4 * c, tx, ty, tz);
      linkTorque[3 * c] += s[0]!; linkTorque[3 * c + 1] += s[1]!; linkTorque[3 * c + 2] += s[2]!;
      linkTorque[3 * p] -= s[0]!; linkTorque[3 * p + 1] -= s[1]!; linkTorque[3 * p + 2] -= s[2]!;
    }
    for (let l = 0; l < this.links.length; l++) {
      if (l === 0 && this.rootKinematic) continue;
      const rb = this.links[l]!;
      rb.resetTorques(false);
      this.v.x = linkTorque[3 * l]!; this.v.y = linkTorque[3 * l + 1]!; this.v.z = linkTorque[3 * l + 2]!;
      rb.addTorque(this.v, false);
    }
  }

  /** Whether joint j's body touches the ground now (a contact within 2 mm). */
  touchesGround(j: number): boolean {
    this.touching = false;
    this.world.contactPair(this.ground, this.colliders[j]!, this.onManifold);
    return this.touching;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rawGravity?.free();
    this.world.free();
  }
}

function quatToMat3(out: Float64Array, x: number, y: number, z: number, w: number): void {
  out[0] = 1 - 2 * (y * y + z * z); out[1] = 2 * (x * y - z * w); out[2] = 2 * (x * z + y * w);
  out[3] = 2 * (x * y + z * w); out[4] = 1 - 2 * (x * x + z * z); out[5] = 2 * (y * z - x * w);
  out[6] = 2 * (x * z - y * w); out[7] = 2 * (y * z + x * w); out[8] = 1 - 2 * (x * x + y * y);
}

function invert3(out: Float64Array, m: Float64Array): void {
  const a = m[0]!, b = m[1]!, c = m[2]!, d = m[3]!, e = m[4]!, f = m[5]!, g = m[6]!, h = m[7]!, i = m[8]!;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  out[0] = A / det; out[1] = -(b * i - c * h) / det; out[2] = (b * f - c * e) / det;
  out[3] = B / det; out[4] = (a * i - c * g) / det; out[5] = -(a * f - c * d) / det;
  out[6] = C / det; out[7] = -(a * h - b * g) / det; out[8] = (a * e - b * d) / det;
}

function clampUnit(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}

/** The simulated character supports what DeepMimic's files use; say clearly what it does not. */
function checkSupported(skeleton: Skeleton): void {
  const identity = (q: readonly number[]) => q[0] === 0 && q[1] === 0 && q[2] === 0 && q[3] === 1;
  skeleton.joints.forEach((j, i) => {
    if (!j.body) throw new UsageError(`character '${skeleton.name}': joint ${i} ('${j.name}') has no body (a simulated character needs BodyDefs for every joint)`);
    if (!identity(j.attachRotation)) throw new UsageError(`character '${skeleton.name}': joint '${j.name}' has a non-zero AttachTheta, which the simulated character does not support`);
    if (!identity(j.body.attachRotation)) throw new UsageError(`character '${skeleton.name}': body '${j.name}' has a non-zero AttachTheta, which the simulated character does not support`);
    if (i === 0 && j.type !== 'root') throw new UsageError(`character '${skeleton.name}': joint 0 must be a free root`);
    if (j.type === 'fixed' && i === 0) throw new UsageError(`character '${skeleton.name}': the root cannot be fixed`);
  });
}
