/**
 * # Pendulum-v1
 *
 * The inverted pendulum swing-up: a 1 m, 1 kg uniform rod hangs from a fixed revolute joint; a
 * limited torque at the joint must swing it up and hold it upright. This is Gymnasium's
 * `Pendulum-v1`, built as a Rapier world: a fixed base body, the rod as a dynamic body, an
 * impulse revolute joint between them, gravity 10 m/s², the torque applied to the rod.
 *
 * ## Action space
 * `Box(-2, 2, [1], float32)`: the torque at the joint in N·m (positive turns the rod
 * counter-clockwise, seen from +z). Values outside ±2 are clipped by the env.
 *
 * ## Observation space
 * `Box([-1 -1 -8], [1 1 8], [3], float32)`, read back from the rod's Rapier body:
 *
 * | index | observation                     | unit  | range    |
 * |-------|---------------------------------|-------|----------|
 * | 0     | cos θ                           |       | [−1, 1]  |
 * | 1     | sin θ                           |       | [−1, 1]  |
 * | 2     | angular velocity θ̇              | rad/s | [−8, 8]  |
 *
 * θ is the rod's angle from upright, counter-clockwise positive (the free end is at
 * (−sin θ, cos θ) from the joint; x right, y up).
 *
 * ## Reward
 * −(θ² + 0.1·θ̇² + 0.001·u²), with θ normalized to [−π, π) and the state and the clipped torque u
 * from before the step (as Gymnasium). At most 0 (upright, at rest, no torque); about −16.27
 * at worst.
 *
 * ## Starting state
 * θ uniform in [−π, π], θ̇ uniform in [−1, 1], from the env's Rng seeded by `reset({ seed })`.
 *
 * ## Episode end
 * Never terminated. Truncated at 200 steps (`maxEpisodeSteps`, applied by `make`), or by a physics
 * blow-up (a non-finite state) with `info.error = PHYSICS_ERROR`.
 *
 * ## How the physics matches Gymnasium
 * Gymnasium (`gymnasium/envs/classic_control/pendulum.py`) integrates
 * θ̈ = 3g/(2l)·sin θ + 3/(m·l²)·u with semi-implicit Euler at dt = 0.05 s, clipping θ̇ to ±8:
 * the dynamics of a uniform rod about its end (inertia m·l²/3). Here the rod is a Rapier body of
 * mass 1 kg, inertia m·l²/12 about its centre, 0.5 m from the joint; each step is one Rapier
 * step of 0.05 s with one solver iteration (one TGS sub-step: one velocity update, as
 * Gymnasium's). For a single joint to a fixed base, Rapier's velocity solve gives the exact θ̈.
 * The env then clips θ̇ to ±8 (Gymnasium's `max_speed`; a physics engine has no such limit),
 * advances θ ← θ + dt·θ̇ itself (Rapier linearizes the rotation update, an error of (dt·θ̇)³/12
 * = 5e-3 rad at full speed) and puts the rod back on its joint with matching velocities.
 * Measured against Gymnasium's equations in float64 under random torques from 20 seeded starts
 * (test `test/envs/classic/pendulum.test.ts`): one step matches to float32 rounding (1e-7); the
 * largest θ error is 8e-7 rad by step 25 and 4e-5 rad by step 50 (rounding amplified near the
 * unstable upright position); 200-step returns agree within 4e-5 (relative).
 *
 * ## Arguments
 * `make('Pendulum-v1', { options: { g: 9.81 } })`: the gravity in m/s² (Gymnasium's `g`).
 *
 * ## Version history
 * - v1: this version (Gymnasium's v1).
 */
import { z } from 'zod';
import { Box } from '../../core/spaces.ts';
import { Rng } from '../../core/rng.ts';
import { UsageError } from '../../core/errors.ts';
import type { RenderFrame, SceneSpec } from '../../core/frame.ts';
import { RAPIER, type World } from '../physics/rapier.ts';
import { PHYSICS_ERROR, type Env, type ResetResult, type StepResult } from '../env.ts';
import { register } from '../specs.ts';
import { addLoad, planarAngle, planarAngularVelocity, setPlanarPose, setPlanarVelocity, wrapAngle, planarFrame, type Body } from './planar-bodies.ts';

// Gymnasium's constants (pendulum.py, PendulumEnv.__init__).
const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT_SECONDS = 0.05;
const ROD_MASS_KG = 1.0;
const ROD_LENGTH_M = 1.0;

export const pendulumOptions = z.object({
  g: z.number().positive().default(10.0).describe('gravity in m/s² (Gymnasium default 10.0)'),
});
export type PendulumOptions = z.infer<typeof pendulumOptions>;

export class PendulumEnv implements Env<Float32Array, Float32Array> {
  readonly id = 'Pendulum-v1';
  readonly observationSpace = new Box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]);
  readonly actionSpace = new Box(-MAX_TORQUE, MAX_TORQUE, [1]);

  private readonly gravity: number;
  private readonly rng = new Rng(0);
  private world: World | null = null;
  private rod!: Body;
  /** θ, θ̇ as last read back from Rapier. */
  private theta = 0;
  private thetaDot = 0;
  private blownUp = false;
  private timeSeconds = 0;
  private closed = false;
  private readonly scene: SceneSpec = {
    bodies: [
      { name: 'axle', shape: 'sphere', size: [0.05], color: '#555555' },
      { name: 'rod', shape: 'capsule', size: [0.05, ROD_LENGTH_M / 2], color: '#c8503a' },
    ],
  };

  constructor(options: Partial<PendulumOptions> = {}) {
    this.gravity = pendulumOptions.parse(options).g;
  }

  reset(options?: { seed?: number }): ResetResult<Float32Array> {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    const theta = this.rng.uniform(-Math.PI, Math.PI);
    const thetaDot = this.rng.uniform(-1, 1);
    // A fresh world each episode, so nothing of the last one leaks into this one.
    this.buildWorld();
    this.setState(theta, thetaDot);
    this.timeSeconds = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: Float32Array): StepResult<Float32Array> {
    if (!this.world) throw new UsageError(`${this.id}: call reset() before step()`);
    if (this.blownUp) return this.blowUp();
    const u = Math.min(Math.max(action[0]!, -MAX_TORQUE), MAX_TORQUE);
    // make() rejects a NaN action; on the bare env it would reach the physics, so it ends the episode.
    if (!Number.isFinite(u)) return this.blowUp();
    const theta0 = this.theta;
    const angle = wrapAngle(theta0);
    const cost = angle * angle + 0.1 * this.thetaDot * this.thetaDot + 0.001 * u * u;

    this.rod.resetTorques(false);
    addLoad(this.rod, 'torque', 0, 0, u);
    this.world.step();
    this.timeSeconds += DT_SECONDS;

    // θ̇ from Rapier's solve, clipped as Gymnasium clips it; θ advanced with it (semi-implicit).
    const thetaDot0 = this.thetaDot;
    const thetaDot = Math.min(Math.max(planarAngularVelocity(this.rod), -MAX_SPEED), MAX_SPEED);
    this.setState(theta0 + DT_SECONDS * thetaDot, thetaDot);
    if (!(Number.isFinite(this.theta) && Number.isFinite(this.thetaDot))) {
      // Report the last good observation (a NaN one would poison value targets) until reset.
      this.theta = theta0;
      this.thetaDot = thetaDot0;
      return this.blowUp();
    }
    return { obs: this.observe(), reward: -cost, terminated: false, truncated: false, info: {} };
  }

  /** Ends the episode on a physics failure; every step until reset says so again. */
  private blowUp(): StepResult<Float32Array> {
    this.blownUp = true;
    return { obs: this.observe(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR } };
  }

  /** Puts the rod at angle θ with angular velocity θ̇ (for tests and chosen starts). */
  setState(theta: number, thetaDot: number): void {
    if (!this.world) this.buildWorld();
    const half = ROD_LENGTH_M / 2;
    const s = Math.sin(theta), c = Math.cos(theta);
    setPlanarPose(this.rod, -half * s, half * c, theta);
    // The centre moves with ω × r, r = (l/2)·(−sin θ, cos θ).
    setPlanarVelocity(this.rod, -half * c * thetaDot, -half * s * thetaDot, thetaDot);
    this.rod.resetTorques(true);
    this.theta = planarAngle(this.rod);
    this.thetaDot = planarAngularVelocity(this.rod);
    this.blownUp = false;
  }

  /** [θ, θ̇] as read back from Rapier (θ in (−2π, 2π]). */
  getState(): [number, number] {
    return [this.theta, this.thetaDot];
  }

  frame(): RenderFrame {
    return planarFrame(this.scene, this.world ? [this.rod] : null, this.timeSeconds);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.world?.free();
    this.world = null;
  }

  private buildWorld(): void {
    this.world?.free();
    const world = new RAPIER.World({ x: 0, y: -this.gravity, z: 0 });
    world.integrationParameters.dt = DT_SECONDS;
    // One TGS sub-step: one velocity update per step, as Gymnasium's integrator.
    world.integrationParameters.numSolverIterations = 1;
    const base = world.createRigidBody(RAPIER.RigidBodyDesc.fixed());
    // A uniform rod: inertia m·l²/12 about its centre (m·l²/3 about the joint).
    const inertia = (ROD_MASS_KG * ROD_LENGTH_M * ROD_LENGTH_M) / 12;
    this.rod = world.createRigidBody(
      RAPIER.RigidBodyDesc.dynamic()
        .setCanSleep(false)
        .setTranslation(0, ROD_LENGTH_M / 2, 0)
        .setAdditionalMassProperties(ROD_MASS_KG, { x: 0, y: 0, z: 0 }, { x: inertia, y: inertia, z: inertia }, { x: 0, y: 0, z: 0, w: 1 }),
    );
    const hinge = RAPIER.JointData.revolute({ x: 0, y: 0, z: 0 }, { x: 0, y: -ROD_LENGTH_M / 2, z: 0 }, { x: 0, y: 0, z: 1 });
    world.createImpulseJoint(hinge, base, this.rod, true);
    this.world = world;
  }

  private observe(): Float32Array {
    const o = new Float32Array(3);
    o[0] = Math.cos(this.theta);
    o[1] = Math.sin(this.theta);
    o[2] = this.thetaDot;
    return o;
  }
}

register({
  id: 'Pendulum-v1',
  create: (options: PendulumOptions) => new PendulumEnv(options),
  options: pendulumOptions,
  maxEpisodeSteps: 200,
  description: 'swing a torque-limited pendulum up and hold it upright (Gymnasium Pendulum-v1 on Rapier)',
  module: import.meta.url,
  family: 'classic control',
});
