/**
 * # HumanoidTrack-v0
 *
 * The DeepMimic humanoid (or DeepLoco's biped) in Rapier, playing a motion clip under PD
 * control: each control step (30 Hz) the PD target is the reference pose of the clip, plus the
 * action as a residual. With a zero action this is the PD-tracking policy of the tracking test
 * (`gymnast motion track`); an imitation agent learns the residual. Observation, reward, early
 * termination and reference-state initialization are DeepMimic's, ready for imitation learning.
 *
 * ## Why both this and HumanoidImitate-v0
 * HumanoidImitate-v0 / BipedImitate-v0 are the learning task as DeepMimic runs it: the episode
 * curriculum, the reference root synced to the character, the steady root, per-episode metrics,
 * the tested defaults. This env is the physics and control bench under it: it exposes what those
 * keep fixed, so a build choice can be measured before anything learns. Any character file
 * (`character`), the PD implementation (`pdMode`: Rapier's joint motors, our stable-PD torques, or
 * explicit PD torques), the solver's PGS sweeps (`pgsIterations`), the damping target
 * (`velocityTarget`), and each reward term's weight (the same choices the tracking test,
 * `gymnast motion track`, measures without an env). `npm run bench -- humanoid` times its full env
 * step, and the viewer plays it with a zero residual as the clip under PD control.
 *
 * ## Action space
 * `Box(-1, 1, [28])` for humanoid3d (`[17]` for biped3d): one number per actuated degree of
 * freedom in joint order, a rotation vector (3) per spherical joint and an angle (1) per
 * revolute joint, multiplied by `residualScaleRad` (default 0.5 rad). The PD target of joint j is
 * reference_j · exp(residual_j). Zero: follow the reference. `residualScaleRad: 0` ignores the
 * action.
 *
 * ## Observation space
 * `Box(197)` float32 for humanoid3d (`2 + 13 × bodies`): root height, then per body its position
 * relative to the root, rotation, linear and angular velocity in the heading frame, then the
 * phase. Table in `observation.ts`.
 *
 * ## Reward
 * DeepMimic's imitation reward (released code's weights, configurable), in [0, 1]; 0 on the step
 * the character falls. Terms in `reward.ts`; `info.rewardTerms` has the five terms.
 *
 * ## Starting state
 * Reference-state initialization: a time drawn uniformly over the clip (`randomStart`, default
 * true; else time 0) from the env's Rng seeded by `reset({ seed })`, and the character set to the
 * reference pose and velocities there.
 *
 * ## Episode end
 * - terminated: a body other than the feet touches the ground (`fallRule: 'nonFoot'`, the
 *   paper's rule; `'flagged'` uses the file's EnableFallContact bodies); off with
 *   `earlyTermination: false`. A `none`-loop clip also ends when it runs out.
 * - truncated: 600 steps (20 s, DeepMimic's test episodes; `maxEpisodeSteps`, applied by `make`),
 *   or a physics blow-up (a non-finite action, or a non-finite or runaway state after the
 *   physics step), with reward 0, `info.error = PHYSICS_ERROR` and `info.blowUp` naming what went
 *   non-finite (`action [3] = NaN`, `joint velocities [7] = Infinity`).
 *
 * ## Rendering
 * `frame()` has the simulated bodies (named after their joints) and, with `ghost: true`, the
 * reference as a second set of bodies named `ghost/<joint>`, offset by `ghostOffsetZ` metres.
 *
 * ## Arguments
 * `make('HumanoidTrack-v0', { options: { clip: 'run', physicsHz: 1200 } })`; see the schema below.
 *
 * ## Version history
 * - v0: first version.
 */
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import type { BodySpec, RenderFrame, SceneSpec } from '../../core/frame.ts';
import { Rng } from '../../core/rng.ts';
import { Box } from '../../core/spaces.ts';
import type { Skeleton } from '../../motion/skeleton.ts';
import { PHYSICS_ERROR, type Env, type Info, type ResetResult, type StepResult } from '../env.ts';
import { defaultCharacterFor, loadCharacter, loadCharacterClip } from './assets.ts';
import { CharacterState } from './character-state.ts';
import { FallDetector } from './fall.ts';
import { buildObservation, observationSize } from './observation.ts';
import { PdTracker } from './pd-tracker.ts';
import { ReferenceMotion } from './reference.ts';
import { ImitationReward } from './reward.ts';
import { DEFAULT_PGS_ITERATIONS, DEFAULT_SOLVER_ITERATIONS, type JointGains, SimCharacter } from './sim-character.ts';

export const humanoidTrackOptions = z.object({
  clip: z.string().min(1).default('walk').describe('clip name (walk, run, jog, …, biped3d_walk) or path of a DeepMimic motion file'),
  character: z.string().optional().describe('humanoid3d, biped3d or a character-file path; default: biped3d for biped3d_* clips, else humanoid3d'),
  physicsHz: z.number().int().min(30).max(2400).default(600).describe('physics steps per second, a multiple of 30 (DeepMimic: 1200; 120 works)'),
  solverIterations: z.number().int().min(1).max(16).default(DEFAULT_SOLVER_ITERATIONS).describe("Rapier solver iterations (TGS sub-steps) per physics step (Rapier's own default is 4)"),
  pgsIterations: z.number().int().min(1).max(16).default(DEFAULT_PGS_ITERATIONS).describe("Rapier's internal PGS sweeps per solver iteration (Rapier's own default is 1)"),
  pdMode: z.enum(['motors', 'torques', 'explicit']).default('motors').describe("PD: Rapier joint motors, our stable-PD torques, or explicit PD torques"),
  velocityTarget: z.boolean().default(true).describe('damp toward the reference joint velocities (DeepMimic damps toward 0)'),
  residualScaleRad: z.number().min(0).default(0.5).describe('radians per action unit; 0 ignores the action'),
  randomStart: z.boolean().default(true).describe('reference-state initialization at a random time (else time 0)'),
  earlyTermination: z.boolean().default(true).describe('end the episode when a fall body touches the ground'),
  fallRule: z.enum(['nonFoot', 'flagged']).default('nonFoot').describe("fall bodies: all but the feet, or the character file's EnableFallContact bodies"),
  poseWeight: z.number().min(0).default(0.5),
  velocityWeight: z.number().min(0).default(0.05),
  endEffectorWeight: z.number().min(0).default(0.15),
  rootWeight: z.number().min(0).default(0.2),
  comWeight: z.number().min(0).default(0.1),
  ghost: z.boolean().default(true).describe('draw the reference as ghost bodies in frame()'),
  ghostOffsetZ: z.number().default(0).describe('sideways offset of the ghost, metres'),
});
export type HumanoidTrackOptions = z.infer<typeof humanoidTrackOptions>;

export class HumanoidTrackEnv implements Env<Float32Array, Float32Array> {
  readonly id = 'HumanoidTrack-v0';
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly options: HumanoidTrackOptions;
  readonly skeleton: Skeleton;
  readonly reference: ReferenceMotion;
  /** The simulated character; rebuilt by every reset (a fresh Rapier world keeps reset({ seed }) bit-exact). */
  sim: SimCharacter;
  tracker: PdTracker;
  readonly reward: ImitationReward;
  readonly fall: FallDetector;
  /** Simulated and reference states after the last reset or step. */
  readonly simState: CharacterState;
  readonly refState: CharacterState;

  private readonly rng = new Rng(0);
  private readonly gains: JointGains;
  private readonly obs: Float32Array;
  private readonly residual: Float32Array;
  private readonly scene: SceneSpec;
  private readonly transforms: Float32Array;
  private started = false;
  /** What blew up (the episode is over until reset), or null. */
  private blownUp: string | null = null;
  private fallen = false;
  private startSeconds = 0;
  private closed = false;

  constructor(options: Partial<HumanoidTrackOptions> = {}) {
    const o = humanoidTrackOptions.parse(options);
    this.options = o;
    const assets = loadCharacter(o.character ?? defaultCharacterFor(o.clip));
    this.skeleton = assets.skeleton;
    const clip = loadCharacterClip(o.clip, this.skeleton);
    if (o.physicsHz % 30 !== 0) throw new UsageError(`${this.id}: physicsHz ${o.physicsHz} must be a multiple of the 30 Hz control rate`);
    this.reference = new ReferenceMotion(clip);
    this.gains = assets.gains;
    this.sim = this.buildSim();
    this.tracker = new PdTracker(this.sim, this.reference, { velocityTarget: o.velocityTarget });
    this.reward = new ImitationReward(this.skeleton, {
      pose: o.poseWeight, velocity: o.velocityWeight, endEffector: o.endEffectorWeight, root: o.rootWeight, com: o.comWeight,
    });
    this.fall = new FallDetector(this.skeleton, o.fallRule);
    this.simState = new CharacterState(this.skeleton);
    this.refState = new CharacterState(this.skeleton);
    const n = this.skeleton.numJoints;
    this.obs = new Float32Array(observationSize(n));
    this.observationSpace = new Box(-Infinity, Infinity, [this.obs.length]);
    this.actionSpace = new Box(-1, 1, [this.tracker.residualSize]);
    this.residual = new Float32Array(this.tracker.residualSize);
    this.scene = buildScene(this.skeleton, o.ghost);
    this.transforms = new Float32Array(this.scene.bodies.length * 7);
  }

  private buildSim(): SimCharacter {
    const o = this.options;
    return new SimCharacter(this.skeleton, this.gains, { physicsHz: o.physicsHz, pdMode: o.pdMode, solverIterations: o.solverIterations, pgsIterations: o.pgsIterations });
  }

  /** Seconds since the clip's start (the reference time). */
  get timeSeconds(): number {
    return this.tracker.timeSeconds;
  }

  reset(options?: { seed?: number }): ResetResult<Float32Array> {
    if (this.closed) throw new UsageError(`${this.id}: reset() after close()`);
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    const start = this.options.randomStart ? this.rng.uniform(0, this.reference.durationSeconds) : 0;
    this.startSeconds = start;
    // A fresh world: Rapier keeps contact and solver caches (warm starts) across steps, so
    // reusing the world would make the same seed and actions give slightly different results.
    this.sim.close();
    this.sim = this.buildSim();
    this.tracker = new PdTracker(this.sim, this.reference, { velocityTarget: this.options.velocityTarget });
    this.tracker.reset(start);
    this.started = true;
    this.blownUp = null;
    this.fallen = false;
    this.observe();
    return { obs: this.obs.slice(), info: { timeSeconds: start, phase: this.reference.phase(start) } };
  }

  step(action: Float32Array): StepResult<Float32Array> {
    if (!this.started) throw new UsageError(`${this.id}: call reset() before step()`);
    if (this.blownUp) return this.blowUp(this.blownUp);
    // make()'s action check refuses these; the env itself (unwrapped, or behind a wrapper that
    // passes NaN on) ends the episode instead of feeding NaN to the PD targets.
    const badAction = nonFiniteAction(action);
    if (badAction) return this.blowUp(badAction);
    const scale = this.options.residualScaleRad;
    let residual: Float32Array | null = null;
    if (scale > 0) {
      for (let i = 0; i < this.residual.length; i++) this.residual[i] = action[i]! * scale;
      residual = this.residual;
    }
    this.tracker.step(residual, 'free');
    const cause = this.observe();
    if (cause) return this.blowUp(cause);
    const fallBody = this.options.earlyTermination || !this.fallen ? this.fall.touchingBody(this.sim) : -1;
    if (fallBody >= 0) this.fallen = true;
    const fell = this.options.earlyTermination && fallBody >= 0;
    const clipOver = this.reference.clip.loop !== 'wrap' && this.timeSeconds >= this.startSeconds + this.reference.durationSeconds;
    const reward = this.fallen ? 0 : this.reward.compute(this.simState, this.refState);
    const t = this.reward.terms;
    const info: Info = {
      timeSeconds: this.timeSeconds,
      phase: this.reference.phase(this.timeSeconds),
      rewardTerms: { pose: t.pose, velocity: t.velocity, endEffector: t.endEffector, root: t.root, com: t.com },
    };
    if (fallBody >= 0) info.fallBody = this.skeleton.joints[fallBody]!.name;
    return { obs: this.obs.slice(), reward, terminated: fell || clipOver, truncated: false, info };
  }

  /** Reads the character and the reference at the current time, builds the observation; what blew up, or null. */
  private observe(): string | null {
    const t = this.timeSeconds;
    this.sim.readState(this.simState);
    this.reference.evaluate(t, this.refState);
    buildObservation(this.simState, this.reference.phase(t), this.obs);
    return blowUpCause(this.simState, this.obs);
  }

  /** Ends the episode on a blow-up (and every step after it until reset): `info.blowUp` says what went non-finite. */
  private blowUp(cause: string): StepResult<Float32Array> {
    this.blownUp = cause;
    return { obs: this.obs.slice(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR, blowUp: cause } };
  }

  frame(): RenderFrame {
    writeCharacterTransforms(this.transforms, this.simState, this.options.ghost ? this.refState : null, this.options.ghostOffsetZ);
    return { scene: this.scene, transforms: this.transforms.slice(), time: this.timeSeconds };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sim.close();
  }
}

/** Bodies as the character file defines them; the ghost copies them in another colour. */
export function buildScene(skeleton: Skeleton, ghost: boolean): SceneSpec {
  const hex = (c: readonly number[]) => `#${c.slice(0, 3).map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0')).join('')}`;
  const spec = (name: string, j: number, color: string): BodySpec => {
    const b = skeleton.joints[j]!.body!;
    const [p0, p1, p2] = b.params;
    if (b.shape === 'sphere') return { name, shape: 'sphere', size: [p0 / 2], color };
    if (b.shape === 'capsule') return { name, shape: 'capsule', size: [p0 / 2, p1 / 2], color };
    return { name, shape: 'box', size: [p0 / 2, p1 / 2, p2 / 2], color };
  };
  const bodies = skeleton.joints.map((j, i) => spec(j.name, i, hex(j.body!.color)));
  const parents = skeleton.joints.map((j) => j.parent);
  if (ghost) {
    skeleton.joints.forEach((j, i) => bodies.push(spec(`ghost/${j.name}`, i, '#e8a33d')));
    const n = skeleton.numJoints;
    skeleton.joints.forEach((j) => parents.push(j.parent < 0 ? -1 : j.parent + n));
  }
  return { bodies, parents };
}

/**
 * Writes the character's bodies (7 numbers each: position, xyzw rotation) into `transforms`,
 * then the ghost's, offset sideways by `ghostOffsetZ` metres, when there is one (the layout of
 * `buildScene`).
 */
export function writeCharacterTransforms(transforms: Float32Array, character: CharacterState, ghost: CharacterState | null, ghostOffsetZ: number): void {
  const n = character.skeleton.numJoints;
  for (let j = 0; j < n; j++) writeBody(transforms, j, character, j, 0);
  if (ghost) for (let j = 0; j < n; j++) writeBody(transforms, n + j, ghost, j, ghostOffsetZ);
}

/** Body `j` of `s` into slot `b` of `transforms`, moved `dz` metres along z. */
function writeBody(transforms: Float32Array, b: number, s: CharacterState, j: number, dz: number): void {
  transforms[7 * b] = s.bodyPos[3 * j]!;
  transforms[7 * b + 1] = s.bodyPos[3 * j + 1]!;
  transforms[7 * b + 2] = s.bodyPos[3 * j + 2]! + dz;
  for (let k = 0; k < 4; k++) transforms[7 * b + 3 + k] = s.bodyRot[4 * j + k]!;
}

/** Beyond this the state is a blow-up, not motion. */
const MAX_ABS_POSITION_M = 1e4;

/**
 * Why the physics has blown up, in words (`root position [0] = NaN`, `observation [12] =
 * Infinity`), or null while the state is physical: the root far beyond any motion, a non-finite
 * number in the state read from the simulation or in the observation built from it.
 */
export function blowUpCause(state: CharacterState, obs: Float32Array): string | null {
  const p = state.pose;
  for (let i = 0; i < 3; i++) {
    if (!(Math.abs(p[i]!) < MAX_ABS_POSITION_M)) return `root position [${i}] = ${p[i]}${Number.isFinite(p[i]!) ? ` (beyond ${MAX_ABS_POSITION_M} m)` : ''}`;
  }
  const parts: [string, ArrayLike<number>][] = [
    ['pose', state.pose], ['joint velocities', state.jointVel], ['body positions', state.bodyPos], ['body rotations', state.bodyRot],
    ['body linear velocities', state.bodyLinVel], ['body angular velocities', state.bodyAngVel], ['observation', obs],
  ];
  for (const [name, values] of parts) {
    const i = firstNonFinite(values);
    if (i >= 0) return `${name} [${i}] = ${values[i]}`;
  }
  return null;
}

/** A non-finite action, in words (`action [3] = NaN`), or null: fed to the PD targets it would be a blow-up of its own. */
export function nonFiniteAction(action: ArrayLike<number>): string | null {
  const i = firstNonFinite(action);
  return i < 0 ? null : `action [${i}] = ${action[i]}`;
}

function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}
