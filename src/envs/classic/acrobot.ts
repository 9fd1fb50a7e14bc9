/**
 * # Acrobot-v1
 *
 * Two links hang in a chain from a fixed joint; only the joint between them is actuated. The
 * goal is to swing the free end above a line one link length over the fixed joint. This is
 * Gymnasium's `Acrobot-v1` (Sutton 1996; Sutton & Barto 1998; the "book" dynamics),
 * built as a Rapier world: a fixed base, two 1 kg links of length 1 m (centre of mass at
 * 0.5 m, moment of inertia 1 kg·m² about it), two impulse revolute joints, gravity 9.8 m/s²,
 * the torque applied at the second joint.
 *
 * ## Action space
 * `Discrete(3)`: torque −1, 0 or +1 N·m at the second joint (on the second link, and its
 * reaction on the first).
 *
 * ## Observation space
 * `Box(6)`, float32, read back from the Rapier bodies after each step:
 *
 * | index | observation                          | unit  | range     |
 * |-------|--------------------------------------|-------|-----------|
 * | 0     | cos θ1                               |       | [−1, 1]   |
 * | 1     | sin θ1                               |       | [−1, 1]   |
 * | 2     | cos θ2                               |       | [−1, 1]   |
 * | 3     | sin θ2                               |       | [−1, 1]   |
 * | 4     | angular velocity θ̇1                  | rad/s | [−4π, 4π] |
 * | 5     | angular velocity θ̇2                  | rad/s | [−9π, 9π] |
 *
 * θ1 is the first link's angle from hanging straight down, θ2 the second link's angle relative to
 * the first; both counter-clockwise positive seen from +z (x right, y up). Velocities are clipped
 * to the ranges above after each step, as Gymnasium's.
 *
 * ## Reward
 * −1 for each step that does not reach the goal, 0 on the step that does (Gymnasium's).
 *
 * ## Starting state
 * θ1, θ2, θ̇1, θ̇2 each uniform in [−0.1, 0.1], from the env's Rng seeded by `reset({ seed })`.
 *
 * ## Episode end
 * - terminated: the free end rises above the goal line, −cos θ1 − cos(θ1 + θ2) > 1;
 * - truncated: 500 steps (`maxEpisodeSteps`, applied by `make`), or a physics blow-up (a
 *   non-finite state) with `info.error = PHYSICS_ERROR`.
 *
 * ## How the physics matches Gymnasium
 * Gymnasium (`gymnasium/envs/classic_control/acrobot.py`) takes one classical Runge–Kutta step of
 * dt = 0.2 s over the Lagrangian ("book") dynamics of this double pendulum, then wraps the angles
 * and clips the velocities. Here Rapier computes the dynamics and the env keeps Gymnasium's
 * integrator:
 * - each RK4 stage asks Rapier for the accelerations at a state: the links are placed at the
 *   stage's angles, given the joints' centripetal velocity bias (below) and no other velocity,
 *   and stepped once for 0.05 s; the angular velocities Rapier returns, over 0.05 s, are the
 *   accelerations (θ̈1, θ̈2). Four such Rapier steps make one env step.
 * - an impulse solver keeps joints together at the velocity level (J·v' = 0), which leaves out
 *   the velocity-product terms of the dynamics (centripetal and Coriolis, −J̇·q̇). The env
 *   supplies them as velocity biases on the links' centres, one per joint down the chain, which
 *   the solver then removes with exactly the missing impulses (see `setBiasVelocities`).
 * - the link velocities themselves are left out of the probe (the solve is linear, so they pass
 *   through it unchanged), and at high speed the probe's loads (gravity, torque and biases
 *   together) are scaled down so that no link turns more than 0.1 rad within it: a link turning
 *   radians during Rapier's step makes its solve inexact (7e-3 relative at |ω| = 40 rad/s
 *   unscaled, 3e-5 scaled).
 * - 16 internal PGS iterations: two joints share the first link, so one Gauss–Seidel sweep does
 *   not solve them together (measured: 1 sweep, 100% error; 8, 0.4%; 16, 2e-5 relative).
 * - the probe step is 0.05 s: Rapier's joints are slightly soft, with an error growing as
 *   1/dt² (measured on θ̈, relative: 0.2 s 1e-5, 0.05 s 2e-5, 0.02 s 1e-4, 0.005 s 2e-3).
 * Measured against Gymnasium's equations in float64 (test `test/envs/classic/acrobot.test.ts`):
 * accelerations agree to 3e-5 relative over the whole velocity range; trajectories over 10 steps
 * (2 s) from Gymnasium's starts to 2.5e-5 (rad, rad/s), from fast wide starts to 1e-4; an
 * energy-pumping policy reaches the goal on the same step as in Gymnasium's dynamics.
 *
 * Settings tried before this one (same 10-step measure, error on θ2 in rad, and the energy
 * drift with no torque from θ1 = 1.5, θ2 = 0.5 over 20 s, where Gymnasium's RK4 drifts by
 * 1.3 J): Rapier integrating the motion itself with 20 / 50 TGS sub-steps of one 0.2 s step:
 * 1.5e-2 / 7e-3, drift 12 J; 20 Rapier steps of 0.01 s with the bias and projection of
 * CartPole: 1.8e-2 (first-order semi-implicit Euler), drift 0.75 J, and 5× the cost.
 *
 * ## Arguments
 * None.
 *
 * ## Version history
 * - v1: this version (Gymnasium's v1, book dynamics, no torque noise).
 */
import { Box, Discrete } from '../../core/spaces.ts';
import { Rng } from '../../core/rng.ts';
import { UsageError } from '../../core/errors.ts';
import type { RenderFrame, SceneSpec } from '../../core/frame.ts';
import { RAPIER, type World } from '../physics/rapier.ts';
import { PHYSICS_ERROR, type Env, type ResetResult, type StepResult } from '../env.ts';
import { register } from '../specs.ts';
import { addLoad, planarAngle, planarAngularVelocity, setPlanarPose, setPlanarVelocity, wrapAngle, planarFrame, type Body } from './planar-bodies.ts';

// Gymnasium's constants (acrobot.py, AcrobotEnv).
const DT_SECONDS = 0.2;
const LINK_LENGTH_1 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5;
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0;
const MAX_VEL_1 = 4 * Math.PI;
const MAX_VEL_2 = 9 * Math.PI;
const AVAIL_TORQUE = [-1.0, 0.0, 1.0] as const;
const GRAVITY = 9.8;
/** Length of the Rapier step that measures accelerations (see the header). */
const PROBE_DT_SECONDS = 0.05;
const PGS_ITERATIONS = 16;
/** Largest turn of a link during a probe step, in rad, before the probe's loads are scaled down. */
const PROBE_MAX_TURN_RAD = 0.1;

export class AcrobotEnv implements Env<Float32Array, number> {
  readonly id = 'Acrobot-v1';
  readonly observationSpace = new Box([-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2], [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2]);
  readonly actionSpace = new Discrete(3);

  private readonly rng = new Rng(0);
  private world: World | null = null;
  private link1!: Body;
  private link2!: Body;
  /** θ1, θ2, θ̇1, θ̇2 as last read back from Rapier. */
  private readonly state = new Float64Array(4);
  // RK4 scratch: stage derivatives and the stage state.
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly stage = new Float64Array(4);
  /** The joint torque of this step, and the load scale the bodies carry now (NaN: not set). */
  private torqueNm = 0;
  private probeScale = Number.NaN;
  private blownUp = false;
  private timeSeconds = 0;
  private closed = false;
  private readonly scene: SceneSpec = {
    bodies: [
      { name: 'axle', shape: 'sphere', size: [0.06], color: '#555555' },
      { name: 'link1', shape: 'capsule', size: [0.05, LINK_LENGTH_1 / 2], color: '#3b6fb6' },
      { name: 'link2', shape: 'capsule', size: [0.05, LINK_LENGTH_1 / 2], color: '#c8873a' },
    ],
    parents: [-1, 0, 1],
  };

  reset(options?: { seed?: number }): ResetResult<Float32Array> {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    const s = this.state;
    for (let i = 0; i < 4; i++) s[i] = this.rng.uniform(-0.1, 0.1);
    // A fresh world each episode, so nothing of the last one leaks into this one.
    this.buildWorld();
    this.setState(s);
    this.timeSeconds = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.world) throw new UsageError(`${this.id}: call reset() before step()`);
    if (this.blownUp) return this.blowUp();
    const torque = AVAIL_TORQUE[action] ?? Number.NaN;
    if (!Number.isFinite(torque)) return this.blowUp();

    // The torque acts on the second link and its reaction on the first (set by each probe).
    this.torqueNm = torque;
    this.probeScale = Number.NaN;

    // Gymnasium's rk4(derivs, y0, [0, dt]): one classical Runge–Kutta step of dt.
    const s = this.state, y = this.stage, h = DT_SECONDS;
    const { k1, k2, k3, k4 } = this;
    this.derivatives(s, k1);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + (h / 2) * k1[i]!;
    this.derivatives(y, k2);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + (h / 2) * k2[i]!;
    this.derivatives(y, k3);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + h * k3[i]!;
    this.derivatives(y, k4);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    y[0] = wrapAngle(y[0]!);
    y[1] = wrapAngle(y[1]!);
    y[2] = Math.min(Math.max(y[2]!, -MAX_VEL_1), MAX_VEL_1);
    y[3] = Math.min(Math.max(y[3]!, -MAX_VEL_2), MAX_VEL_2);
    this.timeSeconds += DT_SECONDS;

    if (!(Number.isFinite(y[0]!) && Number.isFinite(y[1]!) && Number.isFinite(y[2]!) && Number.isFinite(y[3]!))) return this.blowUp();
    this.setState(y);
    const terminated = -Math.cos(s[0]!) - Math.cos(s[1]! + s[0]!) > 1.0;
    return { obs: this.observe(), reward: terminated ? 0 : -1, terminated, truncated: false, info: {} };
  }

  /** Puts the links at state [θ1, θ2, θ̇1, θ̇2] (for tests and chosen starts). */
  setState(state: ArrayLike<number>): void {
    if (!this.world) this.buildWorld();
    const t1 = state[0]!, t2 = state[1]!, w1 = state[2]!, w2 = state[3]!;
    this.placeLinks(t1, t2);
    // Centre velocities ω × r down the chain; link directions u(a) = (sin a, −cos a).
    const a = t1, b = t1 + t2, wa = w1, wb = w1 + w2;
    const ex = LINK_LENGTH_1 * Math.cos(a) * wa, ey = LINK_LENGTH_1 * Math.sin(a) * wa; // elbow
    setPlanarVelocity(this.link1, LINK_COM_POS_1 * Math.cos(a) * wa, LINK_COM_POS_1 * Math.sin(a) * wa, wa);
    setPlanarVelocity(this.link2, ex + LINK_COM_POS_2 * Math.cos(b) * wb, ey + LINK_COM_POS_2 * Math.sin(b) * wb, wb);
    this.link1.resetTorques(true);
    this.link2.resetTorques(true);
    this.probeScale = Number.NaN;
    this.blownUp = false;
    this.readState();
  }

  /** [θ1, θ2, θ̇1, θ̇2] as read back from Rapier. */
  getState(): Float64Array {
    return this.state.slice();
  }

  frame(): RenderFrame {
    return planarFrame(this.scene, this.world ? [this.link1, this.link2] : null, this.timeSeconds);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.world?.free();
    this.world = null;
  }

  /**
   * Gymnasium's `_dsdt`, with the accelerations measured on Rapier: writes
   * [θ̇1, θ̇2, θ̈1, θ̈2] at state `s` (and the torque already applied) into `out`.
   */
  private derivatives(s: Float64Array, out: Float64Array): void {
    const t1 = s[0]!, t2 = s[1]!, w1 = s[2]!, w2 = s[3]!;
    // Scale gravity, torque and bias together (the solve is linear) so the links turn little
    // during the probe: at |ω| = 40 rad/s an unscaled probe is off by 7e-3 relative.
    const omegaMax = Math.max(Math.abs(w1), Math.abs(w1 + w2));
    const turn = PROBE_DT_SECONDS * PROBE_DT_SECONDS * omegaMax * omegaMax;
    const scale = turn > PROBE_MAX_TURN_RAD ? PROBE_MAX_TURN_RAD / turn : 1;
    this.setProbeScale(scale);
    this.placeLinks(t1, t2);
    this.setBiasVelocities(t1, t2, w1, w2, scale);
    this.world!.step();
    const omega1 = planarAngularVelocity(this.link1);
    const omega2 = planarAngularVelocity(this.link2);
    out[0] = w1;
    out[1] = w2;
    out[2] = omega1 / (scale * PROBE_DT_SECONDS);
    out[3] = (omega2 - omega1) / (scale * PROBE_DT_SECONDS);
  }

  /**
   * The velocity-product terms as velocity biases. For a joint whose anchor sits at r1 from
   * the parent's centre and r2 from the child's, keeping the anchors together needs
   * a2 + α2×r2 + ω2×(ω2×r2) = a1 + α1×r1 + ω1×(ω1×r1); a velocity-level solver enforces
   * only the α terms. Giving the child's centre, before the step, the extra velocity
   * δ2 = δ1 + h·(ω2×(ω2×r2) − ω1×(ω1×r1)) (h the step, δ1 the parent's own bias) makes the
   * solver's correction impulses exactly the missing ones. In the plane ω×(ω×r) = −ω²·r.
   * The links carry no other velocity: the solve is linear, so the generalized accelerations
   * come out the same, and the links barely turn during the probe.
   */
  private setBiasVelocities(t1: number, t2: number, w1: number, w2: number, scale: number): void {
    const h = PROBE_DT_SECONDS * scale;
    const a = t1, b = t1 + t2, wa = w1, wb = w1 + w2;
    const uax = Math.sin(a), uay = -Math.cos(a), ubx = Math.sin(b), uby = -Math.cos(b);
    // Joint 1 (base → link 1): r2 = −lc1·u(a), the base does not turn.
    const d1 = h * wa * wa * LINK_COM_POS_1;
    const d1x = d1 * uax, d1y = d1 * uay;
    // Joint 2 (link 1 → link 2): r1 = (l1 − lc1)·u(a), r2 = −lc2·u(b).
    const p = h * wa * wa * (LINK_LENGTH_1 - LINK_COM_POS_1), c = h * wb * wb * LINK_COM_POS_2;
    setPlanarVelocity(this.link1, d1x, d1y, 0);
    setPlanarVelocity(this.link2, d1x + p * uax + c * ubx, d1y + p * uay + c * uby, 0);
  }

  /** Gravity and the joint torque, times `scale`. */
  private setProbeScale(scale: number): void {
    if (scale === this.probeScale) return;
    this.probeScale = scale;
    this.link1.setGravityScale(scale, true);
    this.link2.setGravityScale(scale, true);
    this.link1.resetTorques(true);
    this.link2.resetTorques(true);
    addLoad(this.link2, 'torque', 0, 0, this.torqueNm * scale);
    addLoad(this.link1, 'torque', 0, 0, -this.torqueNm * scale);
  }

  /** Places the links at absolute angles θ1 and θ1 + θ2 (0 = hanging down). */
  private placeLinks(t1: number, t2: number): void {
    const a = t1, b = t1 + t2;
    const sa = Math.sin(a), ca = Math.cos(a);
    setPlanarPose(this.link1, LINK_COM_POS_1 * sa, -LINK_COM_POS_1 * ca, a);
    setPlanarPose(this.link2, LINK_LENGTH_1 * sa + LINK_COM_POS_2 * Math.sin(b), -LINK_LENGTH_1 * ca - LINK_COM_POS_2 * Math.cos(b), b);
  }

  private readState(): void {
    const s = this.state;
    const a = planarAngle(this.link1), b = planarAngle(this.link2);
    const wa = planarAngularVelocity(this.link1), wb = planarAngularVelocity(this.link2);
    s[0] = wrapAngle(a);
    s[1] = wrapAngle(b - a);
    s[2] = wa;
    s[3] = wb - wa;
  }

  /** Ends the episode on a physics failure; every step until reset says so again. */
  private blowUp(): StepResult<Float32Array> {
    this.blownUp = true;
    return { obs: this.observe(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR } };
  }

  private buildWorld(): void {
    this.world?.free();
    const world = new RAPIER.World({ x: 0, y: -GRAVITY, z: 0 });
    world.integrationParameters.dt = PROBE_DT_SECONDS;
    world.integrationParameters.numSolverIterations = 1;
    world.integrationParameters.numInternalPgsIterations = PGS_ITERATIONS;
    const base = world.createRigidBody(RAPIER.RigidBodyDesc.fixed());
    const link = (mass: number, y: number) =>
      world.createRigidBody(
        RAPIER.RigidBodyDesc.dynamic()
          .setCanSleep(false)
          .setTranslation(0, y, 0)
          .setAdditionalMassProperties(mass, { x: 0, y: 0, z: 0 }, { x: LINK_MOI, y: LINK_MOI, z: LINK_MOI }, { x: 0, y: 0, z: 0, w: 1 }),
      );
    this.link1 = link(LINK_MASS_1, -LINK_COM_POS_1);
    this.link2 = link(LINK_MASS_2, -LINK_LENGTH_1 - LINK_COM_POS_2);
    const z = { x: 0, y: 0, z: 1 };
    world.createImpulseJoint(RAPIER.JointData.revolute({ x: 0, y: 0, z: 0 }, { x: 0, y: LINK_COM_POS_1, z: 0 }, z), base, this.link1, true);
    world.createImpulseJoint(
      RAPIER.JointData.revolute({ x: 0, y: -(LINK_LENGTH_1 - LINK_COM_POS_1), z: 0 }, { x: 0, y: LINK_COM_POS_2, z: 0 }, z),
      this.link1,
      this.link2,
      true,
    );
    this.world = world;
  }

  private observe(): Float32Array {
    const s = this.state;
    const o = new Float32Array(6);
    o[0] = Math.cos(s[0]!);
    o[1] = Math.sin(s[0]!);
    o[2] = Math.cos(s[1]!);
    o[3] = Math.sin(s[1]!);
    o[4] = s[2]!;
    o[5] = s[3]!;
    return o;
  }
}

register({
  id: 'Acrobot-v1',
  create: () => new AcrobotEnv(),
  maxEpisodeSteps: 500,
  rewardThreshold: -100,
  description: 'swing the end of a two-link chain above a line by torquing the middle joint (Gymnasium Acrobot-v1 on Rapier)',
  module: import.meta.url,
  family: 'classic control',
});
