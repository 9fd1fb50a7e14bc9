/**
 * # CartPole-v1
 *
 * A pole is attached by an un-actuated revolute joint to a cart that moves along a frictionless
 * track. The pole starts upright; the goal is to keep it up by pushing the cart left or right.
 * This is Gymnasium's `CartPole-v1` (Barto, Sutton & Anderson, 1983), built as a Rapier world: a
 * 1 kg cart restricted to the x axis, a 0.1 kg, 1 m uniform rod on a revolute joint at the cart,
 * gravity 9.8 m/s², a push of ±10 N for 0.02 s per step.
 *
 * ## Action space
 * `Discrete(2)`: 0 pushes the cart to the left (−x) with 10 N, 1 pushes it to the right (+x).
 * Any other value (NaN, 2, 0.5) is an `InvalidActionError` naming it, also on the bare env.
 *
 * ## Observation space
 * `Box(4)`, float32, read back from the Rapier bodies after each step:
 *
 * | index | observation           | unit  | range (space bounds)  | episode ends outside |
 * |-------|-----------------------|-------|-----------------------|----------------------|
 * | 0     | cart position x       | m     | [−4.8, 4.8]           | [−2.4, 2.4]          |
 * | 1     | cart velocity ẋ       | m/s   | (−∞, ∞)               |                      |
 * | 2     | pole angle θ          | rad   | [−0.419, 0.419] (24°) | [−0.2095, 0.2095]    |
 * | 3     | pole angular velocity θ̇ | rad/s | (−∞, ∞)             |                      |
 *
 * θ is measured from upright, positive when the pole leans towards +x (Gymnasium's convention).
 * The bounds are Gymnasium's (which writes float32 max for ∞).
 *
 * ## Reward
 * +1 for every step taken, including the terminating one (Gymnasium's default). With
 * `suttonBartoReward: true`: 0 per step and −1 on the terminating step. After termination, further
 * steps give 0 (Gymnasium warns; so does nothing here).
 *
 * ## Starting state
 * All four variables uniform in [−0.05, 0.05], drawn from the env's Rng seeded by `reset({ seed })`.
 *
 * ## Episode end
 * - terminated: |x| > 2.4 m (the cart leaves the track) or |θ| > 12° (0.2095 rad);
 * - truncated: 500 steps (`maxEpisodeSteps`, applied by `make`); or a physics blow-up (a
 *   non-finite or runaway state), with `info.error = PHYSICS_ERROR`.
 *
 * ## How the physics matches Gymnasium
 * Gymnasium's equations (`gymnasium/envs/classic_control/cartpole.py`) are the exact dynamics of a
 * cart and a uniform rod of half-length l = 0.5 m (the 4/3 in `thetaacc` is the rod's moment of
 * inertia about the pivot, 4/3·m·l²), integrated with explicit Euler at τ = 0.02 s. Here:
 * - the cart is a dynamic body with only x translation enabled; the pole a free body (mass
 *   0.1 kg, centre 0.5 m from the pivot, inertia m·l²/3 about its centre) held by an impulse
 *   revolute joint. No colliders: nothing collides. (Locking the pole's out-of-plane axes on the
 *   body instead of leaving them to the joint made Rapier's solve inexact: 4e-3 relative error on
 *   θ̈ at θ = 0.1.)
 * - one Rapier step of τ with `numSolverIterations = 1`: Rapier's solver iterations are TGS
 *   sub-steps, so 1 gives one velocity update per step, as Gymnasium's integrator. For this one
 *   joint the velocity solve is exact: one step reproduces Gymnasium's ẍ and θ̈ to float32
 *   rounding.
 * - the impulse solver keeps the joint at the velocity level (J·v' = 0) and so leaves out the
 *   centripetal term (m·l·θ̇²·sin θ); the env supplies it as the joint's velocity bias (see
 *   `setVelocities`). Without it the errors below are 100–1000× larger (4e-3 rad/s on θ̇).
 * - positions are advanced by the env from Rapier's velocities with Gymnasium's integrator
 *   (`kinematicsIntegrator`: explicit Euler by default, or semi-implicit Euler), and the pole is
 *   placed on its joint: Rapier itself moves positions with the new velocities and a linearized
 *   rotation, and leaves the joint drifting apart by O(τ²).
 *
 * Measured over 50 steps from 50 seeded starts against Gymnasium's equations in float64 (test
 * `test/envs/classic/cartpole.test.ts`): largest error 1.2e-7 m on x, 2.8e-7 m/s on ẋ, 8.8e-7
 * rad on θ, 3.9e-6 rad/s on θ̇: float32 rounding of Rapier's state. Settings tried on the same
 * measure (θ̇ error): Rapier's default 4 solver iterations without the corrections: 0.15 rad/s;
 * 10 sub-steps of 0.002 s: 0.15 (sub-steps converge to the exact ODE, which Gymnasium's Euler
 * at τ = 0.02 is not); 1 iteration, no corrections: 6e-3; more internal PGS iterations: no
 * better. Multibody joints were not usable: rapier.js 0.21 resets a multibody joint's coordinate
 * to 0 on creation (no way to set a start state) and reports link velocities one step late.
 *
 * ## Arguments
 * `make('CartPole-v1', { options: { kinematicsIntegrator: 'semi-implicit euler', suttonBartoReward: true } })`.
 *
 * ## Version history
 * - v1: this version (Gymnasium's v1: 500 steps, reward threshold 475).
 */
import { z } from 'zod';
import { Box, Discrete } from '../../core/spaces.ts';
import { Rng } from '../../core/rng.ts';
import { InvalidActionError, UsageError } from '../../core/errors.ts';
import type { RenderFrame, SceneSpec } from '../../core/frame.ts';
import { RAPIER, type World } from '../physics/rapier.ts';
import { PHYSICS_ERROR, type Env, type Info, type ResetResult, type StepResult } from '../env.ts';
import { register } from '../specs.ts';
import { addLoad, planarAngle, planarAngularVelocity, setPlanarPose, setPlanarVelocity, planarFrame, type Body } from './planar-bodies.ts';

// Gymnasium's constants (cartpole.py, CartPoleEnv.__init__).
const GRAVITY = 9.8;
const CART_MASS_KG = 1.0;
const POLE_MASS_KG = 0.1;
/** Half the pole's length: the distance from the pivot to the pole's centre of mass. */
const POLE_HALF_LENGTH_M = 0.5;
const FORCE_MAG_N = 10.0;
const TAU_SECONDS = 0.02;
const THETA_THRESHOLD_RAD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD_M = 2.4;
/** Beyond these the state is a blow-up, not a trajectory (the task ends at |x| > 2.4 anyway). */
const MAX_ABS_POSITION_M = 1e3;
const MAX_ABS_SPEED = 1e6;

export const cartPoleOptions = z.object({
  kinematicsIntegrator: z
    .enum(['euler', 'semi-implicit euler'])
    .default('euler')
    .describe("position update after Rapier's velocity solve: Gymnasium's default explicit Euler, or semi-implicit Euler"),
  suttonBartoReward: z.boolean().default(false).describe('0 per step and −1 on termination instead of +1 per step'),
});
export type CartPoleOptions = z.infer<typeof cartPoleOptions>;

export class CartPoleEnv implements Env<Float32Array, number> {
  readonly id = 'CartPole-v1';
  readonly observationSpace = new Box(
    [-X_THRESHOLD_M * 2, -Infinity, -THETA_THRESHOLD_RAD * 2, -Infinity],
    [X_THRESHOLD_M * 2, Infinity, THETA_THRESHOLD_RAD * 2, Infinity],
  );
  readonly actionSpace = new Discrete(2);

  private readonly options: CartPoleOptions;
  private readonly rng = new Rng(0);
  private world: World | null = null;
  private cart!: Body;
  private pole!: Body;
  /** x, ẋ, θ, θ̇ as last read back from Rapier. */
  private readonly state = new Float64Array(4);
  private stepsBeyondTerminated: number | null = null;
  private blownUp = false;
  private timeSeconds = 0;
  private closed = false;
  // Scratch objects handed to Rapier, so a step allocates none of its own.
  private readonly readV = new RAPIER.Vector3(0, 0, 0);
  private readonly scene: SceneSpec = {
    bodies: [
      { name: 'track', shape: 'box', size: [X_THRESHOLD_M + 0.25, 0.01, 0.01], color: '#555555' },
      { name: 'cart', shape: 'box', size: [0.25, 0.15, 0.15], color: '#3b6fb6' },
      { name: 'pole', shape: 'capsule', size: [0.025, POLE_HALF_LENGTH_M], color: '#c8873a' },
    ],
  };

  constructor(options: Partial<CartPoleOptions> = {}) {
    this.options = cartPoleOptions.parse(options);
  }

  reset(options?: { seed?: number }): ResetResult<Float32Array> {
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    const s = this.state;
    for (let i = 0; i < 4; i++) s[i] = this.rng.uniform(-0.05, 0.05);
    // A fresh world each episode: nothing from the last episode (solver warm starts, sleeping
    // flags) can leak into this one, so a seed fixes the episode bit for bit.
    this.buildWorld();
    this.setState(s);
    this.stepsBeyondTerminated = null;
    this.blownUp = false;
    this.timeSeconds = 0;
    return { obs: this.observe(), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.world) throw new UsageError(`${this.id}: call reset() before step()`);
    const s = this.state;
    // Checked here too, not only by make()'s wrapper: any other value (NaN, 2, 0.5) used to be a
    // push to the left. Gymnasium's CartPole asserts the same.
    if (action !== 0 && action !== 1) throw new InvalidActionError(`${this.id}: action ${action} is not in ${this.actionSpace.toString()}: expected 0 (push left) or 1 (push right)`);
    if (this.blownUp) return { obs: this.observe(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR } };
    const x0 = s[0]!, xDot0 = s[1]!, theta0 = s[2]!, thetaDot0 = s[3]!;

    this.cart.resetForces(false);
    addLoad(this.cart, 'force', action === 1 ? FORCE_MAG_N : -FORCE_MAG_N, 0, 0);
    this.world.step();
    this.timeSeconds += TAU_SECONDS;

    // Velocities come from Rapier's solve; positions follow Gymnasium's integrator: explicit
    // Euler moves with the old velocities, semi-implicit with the new ones (as Rapier does, but
    // Rapier linearizes the rotation update, which costs 2e-5 rad a step at 3 rad/s).
    const xDot = this.cart.linvel(this.readV).x;
    const thetaDot = -planarAngularVelocity(this.pole);
    const explicit = this.options.kinematicsIntegrator === 'euler';
    const x = x0 + TAU_SECONDS * (explicit ? xDot0 : xDot);
    const theta = theta0 + TAU_SECONDS * (explicit ? thetaDot0 : thetaDot);
    this.placeBodies(x, theta);
    this.setVelocities(xDot, theta, thetaDot);
    this.readState();

    if (!this.stateIsSane()) {
      // Report the last good observation (a NaN one would poison value targets) until reset.
      s[0] = x0;
      s[1] = xDot0;
      s[2] = theta0;
      s[3] = thetaDot0;
      this.blownUp = true;
      return { obs: this.observe(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR } };
    }

    const terminated = s[0]! < -X_THRESHOLD_M || s[0]! > X_THRESHOLD_M || s[2]! < -THETA_THRESHOLD_RAD || s[2]! > THETA_THRESHOLD_RAD;
    let reward: number;
    if (!terminated) reward = this.options.suttonBartoReward ? 0 : 1;
    else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0;
      reward = this.options.suttonBartoReward ? -1 : 1;
    } else {
      this.stepsBeyondTerminated++;
      reward = 0;
    }
    const info: Info = {};
    return { obs: this.observe(), reward, terminated, truncated: false, info };
  }

  /**
   * Puts the system in state [x, ẋ, θ, θ̇] exactly (as exactly as float32 bodies hold it).
   * For tests comparing with reference equations, and for starting from a chosen state.
   */
  setState(state: ArrayLike<number>): void {
    if (!this.world) this.buildWorld();
    const x = state[0]!, xDot = state[1]!, theta = state[2]!, thetaDot = state[3]!;
    this.placeBodies(x, theta);
    this.setVelocities(xDot, theta, thetaDot);
    this.cart.resetForces(true);
    this.blownUp = false;
    this.readState();
  }

  /** The state [x, ẋ, θ, θ̇] as float64 (read back from Rapier). */
  getState(): Float64Array {
    return this.state.slice();
  }

  frame(): RenderFrame {
    return planarFrame(this.scene, this.world ? [this.cart, this.pole] : null, this.timeSeconds); // body 0: the track
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.world?.free();
    this.world = null;
  }

  private buildWorld(): void {
    this.world?.free();
    const world = new RAPIER.World({ x: 0, y: -GRAVITY, z: 0 });
    world.integrationParameters.dt = TAU_SECONDS;
    // One TGS sub-step: one velocity update per step, like Gymnasium's integrator (see the header).
    world.integrationParameters.numSolverIterations = 1;
    world.integrationParameters.numInternalPgsIterations = 1;
    const noRotation = { x: 0, y: 0, z: 0, w: 1 };
    const origin = { x: 0, y: 0, z: 0 };
    this.cart = world.createRigidBody(
      RAPIER.RigidBodyDesc.dynamic()
        .enabledTranslations(true, false, false)
        .lockRotations()
        .setCanSleep(false)
        .setAdditionalMassProperties(CART_MASS_KG, origin, { x: 1, y: 1, z: 1 }, noRotation),
    );
    // A uniform rod: inertia about its centre m·(2l)²/12 = m·l²/3.
    const poleInertia = (POLE_MASS_KG * POLE_HALF_LENGTH_M * POLE_HALF_LENGTH_M) / 3;
    this.pole = world.createRigidBody(
      RAPIER.RigidBodyDesc.dynamic()
        .setCanSleep(false)
        .setTranslation(0, POLE_HALF_LENGTH_M, 0)
        .setAdditionalMassProperties(POLE_MASS_KG, origin, { x: poleInertia, y: poleInertia, z: poleInertia }, noRotation),
    );
    const hinge = RAPIER.JointData.revolute(origin, { x: 0, y: -POLE_HALF_LENGTH_M, z: 0 }, { x: 0, y: 0, z: 1 });
    world.createImpulseJoint(hinge, this.cart, this.pole, true);
    this.world = world;
  }

  /** Cart at x; pole on its joint at angle θ (rotation −θ about z, since θ > 0 leans to +x). */
  private placeBodies(x: number, theta: number): void {
    setPlanarPose(this.cart, x, 0, 0);
    setPlanarPose(this.pole, x + POLE_HALF_LENGTH_M * Math.sin(theta), POLE_HALF_LENGTH_M * Math.cos(theta), -theta);
  }

  /**
   * Body velocities for generalized velocities ẋ, θ̇ at angle θ, plus the joint's centripetal
   * bias. An impulse solver keeps the joint together at the velocity level (J·v' = 0), which
   * leaves out the velocity-product term of the acceleration constraint (J·a = −J̇·v: the pole's
   * centre must accelerate towards the pivot at θ̇²·l). Giving the pole's centre an extra outward
   * velocity τ·θ̇²·l before the step makes the solver apply exactly that centripetal impulse (the
   * generalized velocities it returns are then those of the exact accelerations; the extra
   * radial velocity is replaced after the step). Without it, the pole loses speed at each
   * step (a relative 3/8·(τ·θ̇)² per step) and errors grow 10× (measured in the test).
   */
  private setVelocities(xDot: number, theta: number, thetaDot: number): void {
    setPlanarVelocity(this.cart, xDot, 0, 0);
    // ω × r, with r = l·(sin θ, cos θ) from the pivot to the pole's centre and ω = −θ̇ ẑ,
    // plus the centripetal bias τ·θ̇²·r.
    const s = Math.sin(theta), c = Math.cos(theta), l = POLE_HALF_LENGTH_M;
    const bias = TAU_SECONDS * thetaDot * thetaDot;
    setPlanarVelocity(this.pole, xDot + l * c * thetaDot + bias * l * s, -l * s * thetaDot + bias * l * c, -thetaDot);
  }

  private readState(): void {
    const s = this.state;
    s[0] = this.cart.translation(this.readV).x;
    s[1] = this.cart.linvel(this.readV).x;
    // θ > 0 leans to +x: the pole is turned by −θ about z.
    s[2] = -planarAngle(this.pole);
    s[3] = -planarAngularVelocity(this.pole);
  }

  private stateIsSane(): boolean {
    const s = this.state;
    if (!(Math.abs(s[0]!) <= MAX_ABS_POSITION_M)) return false; // also false for NaN
    return Math.abs(s[1]!) <= MAX_ABS_SPEED && Math.abs(s[2]!) <= MAX_ABS_POSITION_M && Math.abs(s[3]!) <= MAX_ABS_SPEED;
  }

  private observe(): Float32Array {
    const o = new Float32Array(4);
    o.set(this.state);
    return o;
  }
}

register({
  id: 'CartPole-v1',
  create: (options: CartPoleOptions) => new CartPoleEnv(options),
  options: cartPoleOptions,
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  description: 'keep a pole upright on a cart by pushing it left or right (Gymnasium CartPole-v1 on Rapier)',
  module: import.meta.url,
  family: 'classic control',
});
