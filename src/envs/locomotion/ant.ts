/**
 * # Ant-v1
 *
 * A four-legged "ant" on a flat floor learns to run forward (+x). This is Gymnasium's MuJoCo
 * `Ant-v5` task rebuilt on Rapier from its model file, `ant.xml` (Gymnasium 1.3.0,
 * `gymnasium/envs/mujoco/assets/ant.xml`, copied in `data/mujoco/gymnasium/`): a
 * spherical torso of radius 0.25 m and four legs of three capsules (radius 0.08 m) each, 8 hinge
 * joints with their ranges, density 5 kg/m³ throughout (0.91 kg in all), motors of gear 150.
 * MuJoCo is z-up; here y is up: MuJoCo (x, y, z) ↦ (x, z, −y), so x is still forward and
 * MuJoCo's y (left) is −z.
 *
 * ## Action space
 * `Box(-1, 1, [8], float32)`: the motor controls, in Gymnasium's actuator order
 * hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3. Each joint gets the torque
 * 150·ctrl N·m (MuJoCo's `motor` actuator: torque = gear·ctrl).
 *
 * ## Observation space
 * `Box(-inf, inf, [27], float32)`, read from the Rapier bodies (Gymnasium's qpos without x, y
 * followed by qvel, without contact forces):
 *
 * | index  | observation                                        | unit  |
 * |--------|----------------------------------------------------|-------|
 * | 0      | torso height (y of the torso centre)               | m     |
 * | 1–4    | torso orientation quaternion x, y, z, w (y-up world) |     |
 * | 5–12   | joint angles hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3, hip_4, ankle_4 | rad |
 * | 13–15  | torso velocity x, y, z (world, y up)               | m/s   |
 * | 16–18  | torso angular velocity in the torso's frame        | rad/s |
 * | 19–26  | joint angular velocities, same order as 5–12       | rad/s |
 *
 * Differences from Gymnasium's layout: the quaternion is x, y, z, w (this project's convention;
 * MuJoCo's is w, x, y, z) and vectors are in the y-up frame (MuJoCo's z, y are our y, −z).
 *
 * ## Reward
 * Gymnasium's Ant-v5: forward velocity (Δx of the torso centre / 0.05 s) + 1 while healthy
 * − 0.5·Σctrl². The contact cost (5e-4·Σ clip(cfrc_ext, −1, 1)², small in practice) is omitted:
 * Rapier does not report MuJoCo's per-body external forces. `info` carries `x_position`,
 * `y_position` (MuJoCo's y, our −z), `distance_from_origin`, `x_velocity`, `y_velocity`,
 * `reward_forward`, `reward_ctrl`, `reward_survive`.
 *
 * ## Starting state
 * Gymnasium's: MuJoCo's qpos0 (torso at 0.75 m, upright, every joint at 0: the ankles start
 * outside their ranges and their limits fold the legs down in the first steps) plus uniform
 * noise in ±0.1 on each of the 15 qpos numbers (position, quaternion then normalized, joint
 * angles), and qvel = 0.1·N(0, 1) on each of the 14 velocities; from the env's seeded Rng.
 *
 * ## Episode end
 * - terminated: unhealthy, i.e. torso height outside [0.2, 1.0] m (or a non-finite state);
 * - truncated: 1000 steps (`maxEpisodeSteps`, applied by `make`), or a physics blow-up (a
 *   non-finite state, or a body beyond 1 km or faster than 1 km/s) with `info.error`.
 *
 * ## How the model is rebuilt on Rapier
 * - Bodies as in the XML: the torso carries its sphere and the four "aux" capsules (their MuJoCo
 *   bodies have no joint, so they are welded to it); each leg adds a thigh body (hip joint) and a
 *   shin body (ankle joint). Masses and inertias come from the shapes at density 5, as MuJoCo's
 *   `inertiafromgeom`. Impulse revolute joints with MuJoCo's ranges as limits.
 * - Contacts: in the XML every body geom has conaffinity 0, so body parts never touch each other,
 *   only the floor (conaffinity 1). Collision groups do the same here. Friction 1, no bounce.
 * - Time: MuJoCo's timestep 0.01 s, frame_skip 5: five Rapier steps of 0.01 s per env step, each
 *   with one solver iteration (one TGS sub-step, see the next point) and `pgsIterations` (32)
 *   internal PGS iterations.
 * - Joint armature and damping (the XML's joint defaults: armature 1, damping 1) dominate the legs'
 *   dynamics (a shin weighs 0.07 kg; armature adds 1 kg·m² of rotor inertia in joint space). A
 *   rigid-body engine has neither. Each joint's Rapier motor (force-based, velocity target)
 *   supplies motor torque, damping and armature together, implicitly:
 *   τ = 150·ctrl − d·q̇' − A·(q̇' − q̇)/h, q̇ the joint velocity before the step and q̇' after,
 *   written as the motor's damping c = A/h + d towards the target (150·ctrl + A/h·q̇)/c. This is
 *   a joint-space rotor of inertia A, as MuJoCo's armature. It needs one solver sub-step per step
 *   (the law holds per sub-step), and many PGS iterations: a 1 kg·m² rotor row on a 0.005 kg·m²
 *   shin is stiff, and Gauss–Seidel lets gravity and contact forces leak through an
 *   unconverged one. Measured on the legs with the torso welded in the air, the hip's response
 *   to full torque over one step is 45% of MuJoCo's with 1 iteration, 60% with 4, 80% with 16,
 *   90% with 32, 96% with 64, 99.5% with 256; from Gymnasium's start the ant settles at 0.28 m
 *   with 4 iterations (the ankles give way) and at 0.36 m with 32 or more. 32 is the default:
 *   see `bench/envs.ts` for what each costs.
 * - Tried and dropped: armature as extra inertia of the leg bodies about their joint axes (it
 *   converges, but a rotor on the child also resists the torso's rotation, and a hip torque's
 *   reaction would spin the light torso: joint space is not the same as the child's frame);
 *   TGS sub-steps instead of PGS iterations (no better per sweep); extra leg inertia to
 *   condition the rows (helps the hips, not the ankles); multibody joints (rapier.js exposes no
 *   motors or state setting for them).
 *
 * Compared with MuJoCo's official WASM build (`mujoco-js`, test `test/envs/locomotion/ant.test.ts`):
 * total mass equal (0.9109 kg); hip response 90% of MuJoCo's; an ant synced to MuJoCo's state
 * after it settles stands for 4 s with the torso height within 0.012 m of MuJoCo's. Known
 * differences: MuJoCo's soft joint limits throw ankles that start outside their range (qpos0
 * has them at 0, the ranges start at ±30°) into range with momentum, so its ant stands at
 * 0.55 m after 1 s; Rapier's limits correct the position without adding momentum, and from the
 * same start the ant settles at 0.36 m with the ankles on their limits (MuJoCo's ant sags towards
 * that too, slowly). Contacts are Rapier's (friction 1, Rapier's softness, not MuJoCo's solref).
 * Trajectories under strong control diverge within a second, as any two contact simulators do.
 *
 * ## Arguments
 * `make('Ant-v1', { options: { torsoFixed: true, pgsIterations: 64 } })`: `torsoFixed` welds the
 * torso 2 m above the floor (for checking the legs' dynamics against MuJoCo, and for viewing them);
 * `pgsIterations` trades speed for how fully the armature is enforced (default 32, see above).
 *
 * ## Version history
 * - v1: this version (Gymnasium's Ant-v5 task without the contact cost; Rapier physics).
 */
import { z } from 'zod';
import { Box } from '../../core/spaces.ts';
import { Rng } from '../../core/rng.ts';
import { UsageError } from '../../core/errors.ts';
import { quatFromAxisAngle, quatMultiply, quatRotate, quatConjugate } from '../../core/math.ts';
import type { BodySpec, RenderFrame, SceneSpec } from '../../core/frame.ts';
import { RAPIER, type World } from '../physics/rapier.ts';
import { PHYSICS_ERROR, type Env, type Info, type ResetResult, type StepResult } from '../env.ts';
import { register } from '../specs.ts';

type Body = InstanceType<typeof RAPIER.RigidBody>;
type Joint = InstanceType<typeof RAPIER.RevoluteImpulseJoint>;
type Collider = InstanceType<typeof RAPIER.Collider>;

// ---- The model, transcribed from ant.xml (MuJoCo z-up), mapped to y-up by (x, y, z) ↦ (x, z, −y).

const TORSO_START_HEIGHT_M = 0.75; // <body name="torso" pos="0 0 0.75">
const TORSO_RADIUS_M = 0.25; // torso_geom size="0.25"
const CAPSULE_RADIUS_M = 0.08; // leg geoms size="0.08"
const DENSITY = 5.0; // <geom density="5.0">
const FRICTION = 1.0; // <geom friction="1 0.5 0.5">
const ARMATURE = 1.0; // <joint armature="1">
const DAMPING = 1.0; // <joint damping="1">
const GEAR = 150; // <motor gear="150">
const TIMESTEP_SECONDS = 0.01; // <option timestep="0.01">
const FRAME_SKIP = 5; // Gymnasium's Ant-v5 default
const DT_SECONDS = TIMESTEP_SECONDS * FRAME_SKIP;
const GRAVITY = 9.81; // MuJoCo's default
const DEG = Math.PI / 180;

/** One leg: its direction in MuJoCo's x–y plane, its ankle axis (MuJoCo frame) and ranges. */
interface LegSpec {
  name: string;
  /** fromto of the aux and thigh capsules is 0 → 0.2·dir, of the shin 0 → 0.4·dir. */
  dirMj: [number, number];
  ankleAxisMj: [number, number, number];
  hipRangeRad: [number, number];
  ankleRangeRad: [number, number];
}

/** In qpos order (the order of the bodies in the XML). */
const LEGS: readonly LegSpec[] = [
  { name: 'front_left', dirMj: [1, 1], ankleAxisMj: [-1, 1, 0], hipRangeRad: [-30 * DEG, 30 * DEG], ankleRangeRad: [30 * DEG, 70 * DEG] },
  { name: 'front_right', dirMj: [-1, 1], ankleAxisMj: [1, 1, 0], hipRangeRad: [-30 * DEG, 30 * DEG], ankleRangeRad: [-70 * DEG, -30 * DEG] },
  { name: 'back', dirMj: [-1, -1], ankleAxisMj: [-1, 1, 0], hipRangeRad: [-30 * DEG, 30 * DEG], ankleRangeRad: [-70 * DEG, -30 * DEG] },
  { name: 'right_back', dirMj: [1, -1], ankleAxisMj: [1, 1, 0], hipRangeRad: [-30 * DEG, 30 * DEG], ankleRangeRad: [30 * DEG, 70 * DEG] },
];
/** The transcribed model, for the test that checks it against ant.xml. */
export const ANT_MODEL = {
  torsoStartHeightM: TORSO_START_HEIGHT_M,
  torsoRadiusM: TORSO_RADIUS_M,
  capsuleRadiusM: CAPSULE_RADIUS_M,
  density: DENSITY,
  friction: FRICTION,
  armature: ARMATURE,
  damping: DAMPING,
  gear: GEAR,
  timestepSeconds: TIMESTEP_SECONDS,
  frameSkip: FRAME_SKIP,
  legs: LEGS,
} as const;

/** Hip axis: MuJoCo z, our y. */
const HIP_AXIS: readonly [number, number, number] = [0, 1, 0];
/** The actuators in XML order, as joint indices (qpos order: hip_1, ankle_1, …, hip_4, ankle_4). */
export const ACTUATOR_JOINT = [6, 7, 0, 1, 2, 3, 4, 5] as const;
const NUM_JOINTS = 8;
export const ANT_OBS_SIZE = 27;

function mjToY(x: number, y: number, z: number): [number, number, number] {
  return [x, z, -y];
}

// ---- Collision groups: body parts touch only the floor (contype/conaffinity in the XML).
const GROUP_BODY = 0x0001;
const GROUP_FLOOR = 0x0002;
const groups = (member: number, filter: number) => ((member << 16) | filter) >>> 0;

// ---- Limits beyond which the state is a blow-up rather than motion.
const MAX_ABS_POSITION_M = 1e3;
const MAX_ABS_SPEED = 1e3;

export const antOptions = z.object({
  torsoFixed: z.boolean().default(false).describe('weld the torso 2 m above the floor (tests, viewing the legs)'),
  pgsIterations: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(32)
    .describe("Rapier's internal PGS iterations per step: the stiff joint armature needs many (see the spec sheet)"),
});
export type AntOptions = z.infer<typeof antOptions>;

/** A leg's Rapier parts and its constant geometry in our frame. */
interface Leg {
  spec: LegSpec;
  /** Unit direction of the leg in our frame (horizontal). */
  dir: [number, number, number];
  ankleAxis: [number, number, number];
  thigh: Body;
  shin: Body;
  hip: Joint;
  ankle: Joint;
}

export class AntEnv implements Env<Float32Array, Float32Array> {
  readonly id = 'Ant-v1';
  readonly observationSpace = new Box(-Infinity, Infinity, [ANT_OBS_SIZE]);
  readonly actionSpace = new Box(-1, 1, [8]);

  private readonly options: AntOptions;
  private readonly rng = new Rng(0);
  private world: World | null = null;
  private torso!: Body;
  private legs: Leg[] = [];
  private colliders: Collider[] = [];
  private readonly ctrl = new Float64Array(NUM_JOINTS); // per joint, qpos order
  private blownUp = false;
  private lastObs: Float32Array = new Float32Array(ANT_OBS_SIZE);
  private timeSeconds = 0;
  private closed = false;
  private scene: SceneSpec | null = null;
  // Scratch.
  private readonly readV = new RAPIER.Vector3(0, 0, 0);
  private readonly readQ = new RAPIER.Quaternion(0, 0, 0, 1);
  private readonly v3 = { x: 0, y: 0, z: 0 };
  private readonly q4 = { x: 0, y: 0, z: 0, w: 1 };
  private readonly qa = new Float64Array(4);
  private readonly qb = new Float64Array(4);
  private readonly qc = new Float64Array(4);
  private readonly va = new Float64Array(3);
  private readonly vb = new Float64Array(3);
  private readonly wa = new Float64Array(3);
  private readonly wb = new Float64Array(3);

  constructor(options: Partial<AntOptions> = {}) {
    this.options = antOptions.parse(options);
  }

  reset(options?: { seed?: number }): ResetResult<Float32Array> {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    // Gymnasium's Ant-v5 reset: qpos0 + U(−0.1, 0.1) on each qpos, 0.1·N(0, 1) on each qvel.
    const r = this.rng;
    const noise = () => r.uniform(-0.1, 0.1);
    const qpos = new Float64Array(15);
    qpos[0] = noise();
    qpos[1] = noise();
    qpos[2] = TORSO_START_HEIGHT_M + noise();
    qpos[3] = 1 + noise();
    for (let i = 4; i < 15; i++) qpos[i] = noise();
    const qvel = new Float64Array(14);
    for (let i = 0; i < 14; i++) qvel[i] = 0.1 * r.normal();
    this.buildWorld();
    this.setMujocoState(qpos, qvel);
    this.timeSeconds = 0;
    this.blownUp = false;
    this.lastObs = this.observe();
    return { obs: this.lastObs.slice(), info: {} };
  }

  step(action: Float32Array): StepResult<Float32Array> {
    if (!this.world) throw new UsageError(`${this.id}: call reset() before step()`);
    if (this.blownUp) return this.blowUp();
    let ctrlCost = 0;
    for (let i = 0; i < 8; i++) {
      const a = Math.min(Math.max(action[i]!, -1), 1); // MuJoCo clamps ctrl to ctrlrange
      if (!Number.isFinite(a)) return this.blowUp();
      this.ctrl[ACTUATOR_JOINT[i]!] = a;
      ctrlCost += a * a;
    }
    ctrlCost *= 0.5;
    const p0 = this.torso.translation(this.readV);
    const x0 = p0.x, zBefore = p0.z;

    for (let k = 0; k < FRAME_SKIP; k++) {
      this.driveJoints();
      this.world.step();
    }
    this.timeSeconds += DT_SECONDS;

    if (!this.bodiesSane()) return this.blowUp();
    const obs = this.observe();
    const p = this.torso.translation(this.readV);
    const xVelocity = (p.x - x0) / DT_SECONDS;
    // MuJoCo's y is our −z.
    const yVelocity = -(p.z - zBefore) / DT_SECONDS;
    const healthy = this.options.torsoFixed || (obs[0]! >= 0.2 && obs[0]! <= 1.0);
    const reward = xVelocity + (healthy ? 1 : 0) - ctrlCost;
    const info: Info = {
      x_position: p.x,
      y_position: -p.z,
      distance_from_origin: Math.hypot(p.x, p.z),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
      reward_forward: xVelocity,
      reward_ctrl: -ctrlCost,
      reward_survive: healthy ? 1 : 0,
    };
    this.lastObs = obs;
    return { obs: obs.slice(), reward, terminated: !healthy, truncated: false, info };
  }

  /**
   * Sets the state from MuJoCo's generalized coordinates (z-up): qpos = torso x, y, z, quaternion
   * w, x, y, z, then the 8 joint angles; qvel = torso linear velocity (world), angular velocity
   * (torso frame), then the 8 joint velocities. The quaternion is normalized. A non-finite
   * number makes the next step a physics blow-up.
   */
  setMujocoState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    if (!this.world) this.buildWorld();
    const [px, py, pz] = mjToY(qpos[0]!, qpos[1]!, qpos[2]!);
    // A MuJoCo rotation (w, x, y, z) about MuJoCo axes is the same rotation about mapped axes.
    const [qx, qy, qz] = mjToY(qpos[4]!, qpos[5]!, qpos[6]!);
    const q = this.qa;
    q[0] = qx;
    q[1] = qy;
    q[2] = qz;
    q[3] = qpos[3]!;
    const n = Math.hypot(q[0], q[1], q[2], q[3]) || 1;
    for (let i = 0; i < 4; i++) q[i] = q[i]! / n;
    const v = mjToY(qvel[0]!, qvel[1]!, qvel[2]!);
    const wLocal = mjToY(qvel[3]!, qvel[4]!, qvel[5]!);
    const w = quatRotate([0, 0, 0], q, wLocal) as number[];
    if (this.options.torsoFixed) {
      // Welded 2 m up, unrotated, at rest: only the legs move.
      q.fill(0);
      q[3] = 1;
      v.fill(0);
      w.fill(0);
    }
    const angles = new Float64Array(NUM_JOINTS), rates = new Float64Array(NUM_JOINTS);
    for (let j = 0; j < NUM_JOINTS; j++) {
      angles[j] = qpos[7 + j]!;
      rates[j] = qvel[6 + j]!;
    }
    const pos = this.options.torsoFixed ? [0, 2, 0] : [px, py, pz];
    this.placeBodies(pos, q, v, w, angles, rates);
    // A non-finite state cannot be simulated (Rapier would quietly zero it): the next step says so.
    let finite = true;
    for (let i = 0; i < 15; i++) finite &&= Number.isFinite(qpos[i]!);
    for (let i = 0; i < 14; i++) finite &&= Number.isFinite(qvel[i]!);
    this.blownUp = !finite;
  }

  /** The 27 observation numbers of the current state (what `step` returns). */
  getObservation(): Float32Array {
    return this.observe();
  }

  frame(): RenderFrame {
    const scene = this.sceneSpec();
    const t = new Float32Array(scene.bodies.length * 7);
    t[6] = 1; // the floor
    if (this.world) {
      // Colliders follow their bodies at the next step; bring them along now (after a reset).
      this.world.propagateModifiedBodyPositionsToColliders();
      for (let i = 0; i < this.colliders.length; i++) {
        const c = this.colliders[i]!, o = (i + 1) * 7;
        const p = c.translation();
        const r = c.rotation();
        t[o] = p.x;
        t[o + 1] = p.y;
        t[o + 2] = p.z;
        t[o + 3] = r.x;
        t[o + 4] = r.y;
        t[o + 5] = r.z;
        t[o + 6] = r.w;
      }
    }
    return { scene, transforms: t, time: this.timeSeconds };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.world?.free();
    this.world = null;
  }

  // ---- Physics

  /**
   * Each joint's motor law for the coming Rapier step: motor torque, damping and armature (see
   * the header). q̇ is the joint's velocity now: the child's angular velocity minus the parent's,
   * along the joint axis in the world.
   */
  private driveJoints(): void {
    const wT = this.angvel(this.torso, this.wa);
    const qT = this.rotation(this.torso, this.qa);
    for (let i = 0; i < this.legs.length; i++) {
      const leg = this.legs[i]!;
      const wTh = this.angvel(leg.thigh, this.wb);
      const hipAxis = quatRotate(this.va, qT, HIP_AXIS) as Float64Array;
      const hipRate = dot3(wTh, hipAxis) - dot3(wT, hipAxis);
      this.setMotor(leg.hip, this.ctrl[2 * i]!, hipRate);
      const qTh = this.rotation(leg.thigh, this.qb);
      const wSh = this.angvel(leg.shin, this.vb);
      const ankleAxis = quatRotate(this.va, qTh, leg.ankleAxis) as Float64Array;
      const ankleRate = dot3(wSh, ankleAxis) - dot3(wTh, ankleAxis);
      this.setMotor(leg.ankle, this.ctrl[2 * i + 1]!, ankleRate);
    }
  }

  private setMotor(joint: Joint, ctrl: number, rate: number): void {
    const rotor = ARMATURE / TIMESTEP_SECONDS;
    const damping = rotor + DAMPING;
    joint.configureMotorVelocity((GEAR * ctrl + rotor * rate) / damping, damping);
  }

  private bodiesSane(): boolean {
    const check = (b: Body) => {
      const p = b.translation(this.readV);
      if (!(Math.abs(p.x) <= MAX_ABS_POSITION_M && Math.abs(p.y) <= MAX_ABS_POSITION_M && Math.abs(p.z) <= MAX_ABS_POSITION_M)) return false;
      const v = b.linvel(this.readV);
      if (!(Math.abs(v.x) <= MAX_ABS_SPEED && Math.abs(v.y) <= MAX_ABS_SPEED && Math.abs(v.z) <= MAX_ABS_SPEED)) return false;
      const w = b.angvel(this.readV);
      return Math.abs(w.x) <= MAX_ABS_SPEED && Math.abs(w.y) <= MAX_ABS_SPEED && Math.abs(w.z) <= MAX_ABS_SPEED;
    };
    if (!check(this.torso)) return false;
    for (const leg of this.legs) if (!check(leg.thigh) || !check(leg.shin)) return false;
    return true;
  }

  private blowUp(): StepResult<Float32Array> {
    this.blownUp = true;
    return { obs: this.lastObs.slice(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR } };
  }

  private observe(): Float32Array {
    const o = new Float32Array(ANT_OBS_SIZE);
    const p = this.torso.translation(this.readV);
    o[0] = p.y;
    const qT = this.rotation(this.torso, this.qa);
    o[1] = qT[0]!;
    o[2] = qT[1]!;
    o[3] = qT[2]!;
    o[4] = qT[3]!;
    const v = this.torso.linvel(this.readV);
    o[13] = v.x;
    o[14] = v.y;
    o[15] = v.z;
    const wT = this.angvel(this.torso, this.wa);
    const conj = quatConjugate(this.qc, qT);
    const wLocal = quatRotate(this.va, conj, wT);
    o[16] = wLocal[0]!;
    o[17] = wLocal[1]!;
    o[18] = wLocal[2]!;
    for (let i = 0; i < this.legs.length; i++) {
      const leg = this.legs[i]!;
      const qTh = this.rotation(leg.thigh, this.qb);
      o[5 + 2 * i] = hingeAngle(qT, qTh, HIP_AXIS, this.qc);
      const wTh = this.angvel(leg.thigh, this.wb);
      const hipAxis = quatRotate(this.va, qT, HIP_AXIS);
      o[19 + 2 * i] = dot3(wTh, hipAxis) - dot3(wT, hipAxis);
      const qSh = this.rotation(leg.shin, this.qc);
      o[6 + 2 * i] = hingeAngle(qTh, qSh, leg.ankleAxis, this.qc);
      const wSh = this.angvel(leg.shin, this.vb);
      const ankleAxis = quatRotate(this.va, qTh, leg.ankleAxis);
      o[20 + 2 * i] = dot3(wSh, ankleAxis) - dot3(wTh, ankleAxis);
    }
    return o;
  }

  private rotation(b: Body, out: Float64Array): Float64Array {
    const r = b.rotation(this.readQ);
    out[0] = r.x;
    out[1] = r.y;
    out[2] = r.z;
    out[3] = r.w;
    return out;
  }

  private angvel(b: Body, out: Float64Array): Float64Array {
    const w = b.angvel(this.readV);
    out[0] = w.x;
    out[1] = w.y;
    out[2] = w.z;
    return out;
  }

  /**
   * Places every body from the torso's pose and velocity and the joint angles and rates
   * (forward kinematics down each leg). Rapier's linvel is the velocity of the centre of mass.
   */
  private placeBodies(
    torsoPos: number[],
    torsoQuat: ArrayLike<number>,
    torsoVel: number[],
    torsoAngvel: number[],
    angles: Float64Array,
    rates: Float64Array,
  ): void {
    this.setPose(this.torso, torsoPos, torsoQuat);
    this.setVel(this.torso, torsoVel, torsoAngvel);
    for (let i = 0; i < this.legs.length; i++) {
      const leg = this.legs[i]!;
      const d = leg.dir;
      const step = [0.2 * Math.SQRT2 * d[0], 0, 0.2 * Math.SQRT2 * d[2]]; // 0.2·(dx, dy) in MuJoCo
      // Thigh: at the hip, turned by the hip angle about the torso's y.
      const hipPos = add3(torsoPos, quatRotate([0, 0, 0], torsoQuat, step) as number[]);
      const thighQuat = quatMultiply([0, 0, 0, 1], torsoQuat, quatFromAxisAngle([0, 0, 0, 1], HIP_AXIS, angles[2 * i]!)) as number[];
      const hipAxisW = quatRotate([0, 0, 0], torsoQuat, HIP_AXIS) as number[];
      const thighW = add3(torsoAngvel, scale3(hipAxisW, rates[2 * i]!));
      const hipVel = add3(torsoVel, cross3(torsoAngvel, sub3(hipPos, torsoPos)));
      this.setPose(leg.thigh, hipPos, thighQuat);
      const thighCom = add3(hipPos, quatRotate([0, 0, 0], thighQuat, scale3(step, 0.5)) as number[]);
      this.setVel(leg.thigh, add3(hipVel, cross3(thighW, sub3(thighCom, hipPos))), thighW);
      // Shin: at the knee, turned by the ankle angle about the ankle axis.
      const kneePos = add3(hipPos, quatRotate([0, 0, 0], thighQuat, step) as number[]);
      const shinQuat = quatMultiply([0, 0, 0, 1], thighQuat, quatFromAxisAngle([0, 0, 0, 1], leg.ankleAxis, angles[2 * i + 1]!)) as number[];
      const ankleAxisW = quatRotate([0, 0, 0], thighQuat, leg.ankleAxis) as number[];
      const shinW = add3(thighW, scale3(ankleAxisW, rates[2 * i + 1]!));
      const kneeVel = add3(hipVel, cross3(thighW, sub3(kneePos, hipPos)));
      this.setPose(leg.shin, kneePos, shinQuat);
      const shinCom = add3(kneePos, quatRotate([0, 0, 0], shinQuat, step) as number[]); // centre at 0.2·dir·√2
      this.setVel(leg.shin, add3(kneeVel, cross3(shinW, sub3(shinCom, kneePos))), shinW);
    }
  }

  private setPose(b: Body, p: ArrayLike<number>, q: ArrayLike<number>): void {
    this.v3.x = p[0]!;
    this.v3.y = p[1]!;
    this.v3.z = p[2]!;
    b.setTranslation(this.v3, true);
    this.q4.x = q[0]!;
    this.q4.y = q[1]!;
    this.q4.z = q[2]!;
    this.q4.w = q[3]!;
    b.setRotation(this.q4, true);
  }

  private setVel(b: Body, v: ArrayLike<number>, w: ArrayLike<number>): void {
    this.v3.x = v[0]!;
    this.v3.y = v[1]!;
    this.v3.z = v[2]!;
    b.setLinvel(this.v3, true);
    this.v3.x = w[0]!;
    this.v3.y = w[1]!;
    this.v3.z = w[2]!;
    b.setAngvel(this.v3, true);
  }

  /** Builds the world at the rest pose (every body unrotated, joints at 0). */
  private buildWorld(): void {
    this.world?.free();
    const world = new RAPIER.World({ x: 0, y: -GRAVITY, z: 0 });
    world.integrationParameters.dt = TIMESTEP_SECONDS;
    // One solver sub-step per step: the motor law below holds per sub-step (see the header).
    world.integrationParameters.numSolverIterations = 1;
    world.integrationParameters.numInternalPgsIterations = this.options.pgsIterations;
    this.colliders = [];

    const floor = world.createRigidBody(RAPIER.RigidBodyDesc.fixed().setTranslation(0, -0.5, 0));
    world.createCollider(
      RAPIER.ColliderDesc.cuboid(40, 0.5, 40).setFriction(FRICTION).setCollisionGroups(groups(GROUP_FLOOR, GROUP_BODY)),
      floor,
    );

    const y0 = this.options.torsoFixed ? 2 : TORSO_START_HEIGHT_M;
    const torsoDesc = this.options.torsoFixed ? RAPIER.RigidBodyDesc.fixed() : RAPIER.RigidBodyDesc.dynamic().setCanSleep(false);
    this.torso = world.createRigidBody(torsoDesc.setTranslation(0, y0, 0));
    const bodyCollider = (desc: InstanceType<typeof RAPIER.ColliderDesc>, body: Body) => {
      const c = world.createCollider(desc.setDensity(DENSITY).setFriction(FRICTION).setRestitution(0).setCollisionGroups(groups(GROUP_BODY, GROUP_FLOOR)), body);
      this.colliders.push(c);
    };
    bodyCollider(RAPIER.ColliderDesc.ball(TORSO_RADIUS_M), this.torso);

    this.legs = [];
    for (const spec of LEGS) {
      const [dx, dy] = spec.dirMj;
      const dir = normalize3(mjToY(dx, dy, 0));
      const step = scale3(dir, 0.2 * Math.SQRT2); // 0.2·(dx, dy) in MuJoCo: length 0.2·√2
      // The aux capsule, welded to the torso: 0 → step from the torso centre.
      bodyCollider(capsuleAlong(step, 1), this.torso);
      const thigh = world.createRigidBody(RAPIER.RigidBodyDesc.dynamic().setCanSleep(false).setTranslation(step[0], y0, step[2]));
      bodyCollider(capsuleAlong(step, 1), thigh);
      const shin = world.createRigidBody(RAPIER.RigidBodyDesc.dynamic().setCanSleep(false).setTranslation(2 * step[0], y0, 2 * step[2]));
      bodyCollider(capsuleAlong(step, 2), shin);
      const ankleAxis = normalize3(mjToY(...spec.ankleAxisMj));
      const hip = revolute(world, this.torso, thigh, step, HIP_AXIS as [number, number, number], spec.hipRangeRad);
      const ankle = revolute(world, thigh, shin, step, ankleAxis, spec.ankleRangeRad);
      this.legs.push({ spec, dir, ankleAxis, thigh, shin, hip, ankle });
    }
    this.world = world;
  }

  private sceneSpec(): SceneSpec {
    if (this.scene) return this.scene;
    const bodies: BodySpec[] = [{ name: 'floor', shape: 'box', size: [40, 0.001, 40], color: '#cfe0cf' }];
    bodies.push({ name: 'torso', shape: 'sphere', size: [TORSO_RADIUS_M], color: '#cc9966' });
    const half = (0.2 * Math.SQRT2) / 2;
    for (const spec of LEGS) {
      bodies.push({ name: `${spec.name}_aux`, shape: 'capsule', size: [CAPSULE_RADIUS_M, half], color: '#cc9966' });
      bodies.push({ name: `${spec.name}_thigh`, shape: 'capsule', size: [CAPSULE_RADIUS_M, half], color: '#cc9966' });
      bodies.push({ name: `${spec.name}_shin`, shape: 'capsule', size: [CAPSULE_RADIUS_M, 2 * half], color: '#b3804d' });
    }
    this.scene = { bodies };
    return this.scene;
  }
}

/** A capsule collider from the body origin to `length`·`step`, centred half way. */
function capsuleAlong(step: number[], length: number): InstanceType<typeof RAPIER.ColliderDesc> {
  const seg = scale3(step, length);
  const len = Math.hypot(seg[0]!, seg[1]!, seg[2]!);
  const u = scale3(seg, 1 / len);
  // Rapier capsules lie along local y: turn y onto u (u is horizontal here: a quarter turn).
  const axis = normalize3([u[2]!, 0, -u[0]!]);
  const q = quatFromAxisAngle([0, 0, 0, 1], axis, Math.acos(Math.max(-1, Math.min(1, u[1]!)))) as number[];
  return RAPIER.ColliderDesc.capsule(len / 2, CAPSULE_RADIUS_M)
    .setTranslation(seg[0]! / 2, seg[1]! / 2, seg[2]! / 2)
    .setRotation({ x: q[0]!, y: q[1]!, z: q[2]!, w: q[3]! });
}

/** A revolute joint at `anchor` in the parent's frame (the child's origin), with limits and a force-based motor. */
function revolute(world: World, parent: Body, child: Body, anchor: number[], axis: readonly number[], rangeRad: [number, number]): Joint {
  const data = RAPIER.JointData.revolute({ x: anchor[0]!, y: anchor[1]!, z: anchor[2]! }, { x: 0, y: 0, z: 0 }, { x: axis[0]!, y: axis[1]!, z: axis[2]! });
  const joint = world.createImpulseJoint(data, parent, child, true) as Joint;
  joint.setLimits(rangeRad[0], rangeRad[1]); // (rapier.js ignores JointData.limits for revolute joints)
  joint.configureMotorModel(RAPIER.MotorModel.ForceBased);
  joint.setContactsEnabled(false);
  return joint;
}

/** Angle of `child` relative to `parent` about a hinge axis given in both frames (equal at rest). */
function hingeAngle(parent: ArrayLike<number>, child: ArrayLike<number>, axis: readonly number[], scratch: Float64Array): number {
  const conj = [-parent[0]!, -parent[1]!, -parent[2]!, parent[3]!];
  const rel = quatMultiply(scratch, conj, child);
  const s = rel[0]! * axis[0]! + rel[1]! * axis[1]! + rel[2]! * axis[2]!;
  let angle = 2 * Math.atan2(s, rel[3]!);
  if (angle > Math.PI) angle -= 2 * Math.PI;
  if (angle < -Math.PI) angle += 2 * Math.PI;
  return angle;
}

function dot3(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}
function add3(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return [a[0]! + b[0]!, a[1]! + b[1]!, a[2]! + b[2]!];
}
function sub3(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
}
function scale3(a: ArrayLike<number>, s: number): number[] {
  return [a[0]! * s, a[1]! * s, a[2]! * s];
}
function cross3(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}
function normalize3(a: ArrayLike<number>): [number, number, number] {
  const n = Math.hypot(a[0]!, a[1]!, a[2]!) || 1;
  return [a[0]! / n, a[1]! / n, a[2]! / n];
}

register({
  id: 'Ant-v1',
  create: (options: AntOptions) => new AntEnv(options),
  options: antOptions,
  maxEpisodeSteps: 1000,
  rewardThreshold: 6000,
  description: "a four-legged ant runs forward (Gymnasium's MuJoCo Ant-v5 task, rebuilt on Rapier)",
  module: import.meta.url,
  family: 'locomotion',
});
