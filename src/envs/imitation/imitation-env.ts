/**
 * # HumanoidImitate-v0, BipedImitate-v0
 *
 * Motion imitation as in DeepMimic (Peng et al. 2018): a simulated character learns to play a
 * motion clip. `HumanoidImitate-v0` is DeepMimic's humanoid (15 joints, 45 kg; default clip
 * `walk`), `BipedImitate-v0` DeepLoco's lower-body biped (8 joints, 42 kg; its walk
 * `biped3d_walk`), a cheaper target. The simulation, the reference motion, DeepMimic's
 * observation, reward and fall detection are the character room's (`../character/`); this file
 * adds the control interface, the episode rules and the imitation metrics.
 *
 * ## Action space
 * `Box(-1, 1, [28])` (humanoid) / `[17]` (biped): PD targets, an exponential map per spherical
 * joint and an angle per revolute joint, in joint order, normalized to the joint ranges
 * (`action-map.ts`). The policy acts at 30 Hz; the physics runs `physicsHz / 30` substeps per
 * action, the PD (Rapier joint motors, solved implicitly like DeepMimic's stable PD) holding the
 * target. `actions: 'residual'`: the target is the reference pose turned by
 * `residualScaleRad` · action instead (the reference velocity as damping target).
 *
 * ## Observation space
 * `Box(2 + 13·B + refFrames·(1 + 7·B))`: 197 for the humanoid, 106 for the biped (B bodies): the
 * character in its heading frame and the phase (`../character/observation.ts`), then the next
 * `refFrames` reference frames (`observation.ts`).
 *
 * ## Reward
 * In [0, 1] per step, 0 once the character has fallen. `reward: 'released'` (default): DeepMimic's
 * released code, five terms (pose, velocity, end effectors, root, centre of mass;
 * `../character/reward.ts`); `'paper'`: the paper's four (`paper-reward.ts`). `info.rewardTerms`
 * has the terms of every step.
 *
 * ## Reference root
 * `syncRootPos: true` (default; DeepMimic's `sync_char_root_pos`, on in its released walk and
 * run arguments): each time a looping clip starts a new cycle, the reference is moved along the
 * ground so that its root is over the character's (x, z). The root term then measures the drift
 * of one cycle, which the policy can correct, not the drift of the whole episode, which its
 * observation (heading frame, no world position) cannot see. `false`: the reference keeps the
 * clip's world path from the starting state.
 *
 * `steadyRoot` (default on for looping biped clips, else off): the reference root advances at
 * the clip's mean speed along its cycle (`../../motion/steady-root.ts`): DeepLoco's biped walk
 * jumps its root 24 cm forward at each foot strike.
 *
 * ## Starting state
 * `rsi: true` (reference-state initialization): a time drawn uniformly over the clip from the
 * env's Rng (seeded by `reset({ seed })`), the character set to the reference pose and
 * velocities there. `rsi: false`: time 0.
 *
 * ## Episode end
 * - terminated: `earlyTermination` and a body other than the feet touches the ground.
 * - truncated: the episode's length (`episodeSeconds`, 20 s = 600 steps, DeepMimic's test
 *   episodes; shorter while a curriculum runs, see `curriculum.ts` and `setSampleCount`); the end
 *   of a clip that does not loop; a physics blow-up (a non-finite action, or a non-finite or
 *   runaway state after the physics step: reward 0, `info.error = PHYSICS_ERROR`, `info.blowUp`
 *   naming what went non-finite).
 * At the last step `info.episodeMetrics` has `normalized_return` (return over the best possible,
 *  one per step the episode could have run, as the paper's), `fall` (0 or 1), `pose_error_deg`
 * (mean angle between simulated and reference local joint rotations, actuated joints, until a
 * fall), `end_effector_error_cm` (mean distance between simulated and reference end effectors
 * relative to the root), the mean reward terms and `episode_seconds`.
 *
 * ## Rendering
 * `frame()`: the simulated bodies and the reference as ghost bodies (`ghost/<joint>`).
 *
 * ## Arguments
 * `make('BipedImitate-v0', { options: { rsi: false, reward: 'paper' } })`; schema below.
 *
 * ## Version history
 * - v0: first version; `syncRootPos` and `steadyRoot` added while the env was still being built
 *   (issue #8), on by default: runs made before them evaluate differently unless given
 *   `--option syncRootPos=false --option steadyRoot=false`.
 */
import { z } from 'zod';
import { UsageError } from '../../core/errors.ts';
import type { RenderFrame, SceneSpec } from '../../core/frame.ts';
import { Rng } from '../../core/rng.ts';
import { Box } from '../../core/spaces.ts';
import type { Skeleton } from '../../motion/skeleton.ts';
import { withSteadyRootPace } from '../../motion/steady-root.ts';
import { PHYSICS_ERROR, type Env, type Info, type ResetResult, type StepResult } from '../env.ts';
import { loadCharacter } from '../character/assets.ts';
import { CharacterState, quatAngleAt, translateOnGround } from '../character/character-state.ts';
import { FallDetector } from '../character/fall.ts';
import { blowUpCause, buildScene, nonFiniteAction, writeCharacterTransforms } from '../character/humanoid-track.ts';
import { headingAngle } from '../character/observation.ts';
import { ReferenceMotion } from '../character/reference.ts';
import { ImitationReward, type RewardTerms } from '../character/reward.ts';
import { DEFAULT_SOLVER_ITERATIONS, type JointGains, SimCharacter } from '../character/sim-character.ts';
import { PdActionMap } from './action-map.ts';
import { loadImitationClip } from './clip-source.ts';
import { episodeSecondsAt, type EpisodeSchedule } from './curriculum.ts';
import { buildImitationObservation, imitationObservationSize } from './observation.ts';
import { PaperImitationReward, rootRelative } from './paper-reward.ts';

/** Policy rate, Hz (DeepMimic, MimicKit). */
export const CONTROL_HZ = 30;

export const imitationOptions = z.object({
  clip: z.string().min(1).optional().describe('clip name (walk, run, …, biped3d_walk) or path of a DeepMimic motion file or CMU BVH file; default: walk (humanoid), biped3d_walk (biped)'),
  physicsHz: z.number().int().min(30).max(2400).default(120).describe('physics steps per second, a multiple of 30 (MimicKit: 120; DeepMimic: 1200)'),
  solverIterations: z.number().int().min(1).max(16).default(DEFAULT_SOLVER_ITERATIONS).describe('Rapier solver iterations per physics step'),
  actions: z.enum(['pd', 'residual']).default('pd').describe("pd: PD targets normalized to the joint ranges; residual: a turn of the reference pose"),
  residualScaleRad: z.number().positive().default(0.5).describe("radians per action unit with actions: 'residual'"),
  reward: z.enum(['released', 'paper']).default('released').describe("released: DeepMimic's code (5 terms); paper: the paper's 4 terms"),
  steadyRoot: z.boolean().optional().describe("move the reference root forward at the clip's mean speed (a looping clip; default: on for looping biped clips, as DeepLoco's walk jumps its root 24 cm at each foot strike)"),
  syncRootPos: z.boolean().default(true).describe("at each new cycle of a looping clip move the reference's root over the character's on the ground (DeepMimic's sync_char_root_pos)"),
  rsi: z.boolean().default(true).describe('reference-state initialization at a random time (else time 0)'),
  rsiLatestSeconds: z.number().min(0).optional().describe('latest RSI start time, seconds (default: anywhere in the clip)'),
  earlyTermination: z.boolean().default(true).describe('end the episode when a body other than the feet touches the ground'),
  fallRule: z.enum(['nonFoot', 'flagged']).default('nonFoot').describe("fall bodies: all but the feet, or the character file's EnableFallContact bodies"),
  episodeSeconds: z.number().positive().max(3600).default(20).describe('episode length, seconds (test episodes: 20)'),
  curriculumStartSeconds: z.number().positive().default(0.5).describe('first training-episode length, seconds'),
  curriculumSamples: z.number().min(0).default(2_000_000).describe('trainer samples over which training episodes grow to episodeSeconds (0: no curriculum)'),
  refFrames: z.number().int().min(0).max(8).default(0).describe('next reference frames added to the observation'),
  ghost: z.boolean().default(true).describe('draw the reference as ghost bodies in frame()'),
  ghostOffsetZ: z.number().default(0).describe('sideways offset of the ghost, metres'),
});
export type ImitationOptions = z.infer<typeof imitationOptions>;

export type ImitationCharacter = 'humanoid3d' | 'biped3d';

const RAD_TO_DEG = 180 / Math.PI;

export class ImitationEnv implements Env<Float32Array, Float32Array> {
  readonly id: string;
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  /** The options with every default settled, the clip's and `steadyRoot`'s too. */
  readonly options: ImitationOptions;
  readonly skeleton: Skeleton;
  readonly reference: ReferenceMotion;
  readonly actionMap: PdActionMap;
  readonly reward: ImitationReward | PaperImitationReward;
  readonly fall: FallDetector;
  readonly substeps: number;
  /** The simulated character; rebuilt by every reset (a fresh Rapier world keeps seeds bit-exact). */
  sim: SimCharacter;
  /** Simulated and reference states after the last reset or step. */
  readonly simState: CharacterState;
  readonly refState: CharacterState;

  private readonly rng = new Rng(0);
  private readonly gains: JointGains;
  private readonly schedule: EpisodeSchedule;
  private readonly futureRefs: CharacterState[];
  private readonly endEffectors: Int32Array;
  private readonly target: Float64Array;
  private readonly targetState: CharacterState;
  private readonly obs: Float32Array;
  private readonly scene: SceneSpec;
  private readonly transforms: Float32Array;
  private readonly scratchQ = new Float64Array(4);
  private readonly pa = new Float64Array(3);
  private readonly pb = new Float64Array(3);
  private sampleCount: number | null = null;
  private timeSeconds = 0;
  /** Where the reference is moved along the ground (syncRootPos), metres. */
  private refShiftX = 0;
  private refShiftZ = 0;
  /** The clip cycle has just wrapped: the next observe() moves the reference root to the character's. */
  private syncPending = false;
  private started = false;
  private closed = false;
  /** What blew up (the episode is over until reset), or null. */
  private blownUp: string | null = null;
  private fallen = false;
  private steps = 0;
  private maxSteps = 0;
  /** Steps the episode could run at most (its length, or up to the end of a clip that does not loop). */
  private potentialSteps = 0;
  private episodeReturn = 0;
  private trackedSteps = 0;
  private poseErrorSum = 0;
  private endErrorSum = 0;
  private readonly termSums = { pose: 0, velocity: 0, endEffector: 0, root: 0, com: 0 };
  private pushForce = new Float64Array(3);
  private pushSecondsLeft = 0;

  constructor(id: string, character: ImitationCharacter, options: Partial<ImitationOptions> = {}) {
    const o = imitationOptions.parse(options);
    this.id = id;
    if (o.physicsHz % CONTROL_HZ !== 0) throw new UsageError(`${id}: physicsHz ${o.physicsHz} must be a multiple of the ${CONTROL_HZ} Hz control rate`);
    this.substeps = o.physicsHz / CONTROL_HZ;
    const assets = loadCharacter(character);
    this.skeleton = assets.skeleton;
    this.gains = assets.gains;
    const clipArg = o.clip ?? (character === 'biped3d' ? 'biped3d_walk' : 'walk');
    const clip = loadImitationClip(clipArg, this.skeleton);
    // The default evens out looping biped clips only (a clip that does not loop has no cycle pace).
    const steady = o.steadyRoot ?? (character === 'biped3d' && clip.loop === 'wrap');
    this.reference = new ReferenceMotion(steady ? withSteadyRootPace(clip) : clip);
    this.options = { ...o, clip: clipArg, steadyRoot: steady };
    this.sim = this.buildSim();
    this.actionMap = new PdActionMap(this.skeleton, this.sim.actuated);
    this.reward = o.reward === 'paper' ? new PaperImitationReward(this.skeleton) : new ImitationReward(this.skeleton);
    this.fall = new FallDetector(this.skeleton, o.fallRule);
    this.schedule = { episodeSeconds: o.episodeSeconds, startSeconds: o.curriculumStartSeconds, samples: o.curriculumSamples };
    this.simState = new CharacterState(this.skeleton);
    this.refState = new CharacterState(this.skeleton);
    this.targetState = new CharacterState(this.skeleton);
    this.endEffectors = Int32Array.from(this.skeleton.joints.flatMap((j, i) => (j.isEndEffector ? [i] : [])));
    this.futureRefs = Array.from({ length: o.refFrames }, () => new CharacterState(this.skeleton));
    this.target = new Float64Array(3 + 4 * this.skeleton.numJoints);
    this.obs = new Float32Array(imitationObservationSize(this.skeleton.numJoints, o.refFrames));
    this.observationSpace = new Box(-Infinity, Infinity, [this.obs.length]);
    this.actionSpace = new Box(-1, 1, [this.actionMap.size]);
    this.scene = buildScene(this.skeleton, o.ghost);
    this.transforms = new Float32Array(this.scene.bodies.length * 7);
  }

  private buildSim(): SimCharacter {
    const o = this.options;
    return new SimCharacter(this.skeleton, this.gains, { physicsHz: o.physicsHz, solverIterations: o.solverIterations });
  }

  /**
   * The trainer's sample count (env steps over all sub-envs so far), for the episode-length
   * curriculum; takes effect at the next reset. Never called: full-length (test) episodes.
   */
  setSampleCount(count: number): void {
    this.sampleCount = count;
  }

  resolvedOptions(): ImitationOptions {
    return { ...this.options };
  }

  /** Length of the episodes that start now, seconds. */
  get episodeSeconds(): number {
    return episodeSecondsAt(this.schedule, this.sampleCount);
  }

  /** Seconds since the clip's start (the reference time). */
  get clipTimeSeconds(): number {
    return this.timeSeconds;
  }

  /** Whether the character has touched the ground with a fall body this episode. */
  get hasFallen(): boolean {
    return this.fallen;
  }

  reset(options?: { seed?: number }): ResetResult<Float32Array> {
    if (this.closed) throw new UsageError(`${this.id}: reset() after close()`);
    if (options?.seed !== undefined) this.rng.seed(options.seed);
    const duration = this.reference.durationSeconds;
    const start = this.options.rsi ? this.rng.uniform(0, Math.min(duration, this.options.rsiLatestSeconds ?? duration)) : 0;
    // A seeded reset builds a fresh world: Rapier keeps contact and solver caches (warm starts)
    // across steps, so only a fresh world makes the same seed and actions give the same results
    // bit for bit. Unseeded resets (autoresets) reuse the world, which saves the 2–3 ms a world
    // costs to build (a short training episode is 15 steps of about 1 ms); what follows is still
    // a function of the seed and the actions since the seeded reset.
    // After a blow-up the solver caches may hold NaNs: a fresh world too.
    if (options?.seed !== undefined || this.blownUp) {
      this.sim.close();
      this.sim = this.buildSim();
    }
    this.timeSeconds = start;
    this.refShiftX = 0;
    this.refShiftZ = 0;
    this.syncPending = false;
    this.reference.evaluate(start, this.targetState);
    this.sim.setState(this.targetState);
    this.sim.setTarget(this.targetState.pose, null);
    this.maxSteps = Math.max(1, Math.round(this.episodeSeconds * CONTROL_HZ));
    this.potentialSteps = this.maxSteps;
    if (this.reference.clip.loop !== 'wrap') this.potentialSteps = Math.max(1, Math.min(this.maxSteps, Math.floor((duration - start) * CONTROL_HZ + 1e-9)));
    this.steps = 0;
    this.started = true;
    this.blownUp = null;
    this.fallen = false;
    this.episodeReturn = 0;
    this.trackedSteps = 0;
    this.poseErrorSum = 0;
    this.endErrorSum = 0;
    const ts = this.termSums;
    ts.pose = 0; ts.velocity = 0; ts.endEffector = 0; ts.root = 0; ts.com = 0;
    this.pushSecondsLeft = 0;
    this.observe();
    return { obs: this.obs.slice(), info: { timeSeconds: start, phase: this.reference.phase(start), episodeSeconds: this.maxSteps / CONTROL_HZ } };
  }

  /**
   * Pushes the root body (pelvis) with a constant world force (N) for `seconds`, from the next
   * step on (the push test).
   */
  applyPush(fx: number, fy: number, fz: number, seconds: number): void {
    this.pushForce[0] = fx; this.pushForce[1] = fy; this.pushForce[2] = fz;
    this.pushSecondsLeft = seconds;
  }

  step(action: Float32Array): StepResult<Float32Array> {
    if (!this.started) throw new UsageError(`${this.id}: call reset() before step()`);
    if (this.blownUp) return { obs: this.obs.slice(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR, blowUp: this.blownUp } };
    // make()'s action check refuses these; the env itself (unwrapped, or behind a wrapper that
    // passes NaN on) ends the episode instead of feeding NaN to the PD targets, where Rapier
    // left the character frozen and the reward high.
    const badAction = nonFiniteAction(action);
    if (badAction) return this.blowUp(badAction);
    this.setPdTarget(action);
    const dt = this.sim.dtSeconds;
    for (let s = 0; s < this.substeps; s++) {
      if (this.pushSecondsLeft > 0) {
        const f = this.pushForce;
        this.sim.pushRoot(f[0]!, f[1]!, f[2]!, 0, 0, 0);
        this.pushSecondsLeft -= dt;
        if (this.pushSecondsLeft <= 1e-9) this.sim.pushRoot(0, 0, 0, 0, 0, 0);
      }
      this.sim.stepPhysics();
    }
    const cycleBefore = this.reference.cycle(this.timeSeconds);
    this.timeSeconds += this.substeps * dt;
    this.syncPending = this.options.syncRootPos && this.reference.clip.loop === 'wrap' && this.reference.cycle(this.timeSeconds) > cycleBefore;
    this.steps++;
    const cause = this.observe();
    if (cause) return this.blowUp(cause);
    const o = this.options;
    const fallBody = o.earlyTermination || !this.fallen ? this.fall.touchingBody(this.sim) : -1;
    if (fallBody >= 0) this.fallen = true;
    const terminated = o.earlyTermination && fallBody >= 0;
    let reward = 0;
    const r = this.reward;
    if (!this.fallen) {
      reward = r.compute(this.simState, this.refState);
      this.track();
    }
    this.episodeReturn += reward;
    const t: RewardTerms = r.terms;
    const ts = this.termSums;
    if (!this.fallen) { ts.pose += t.pose; ts.velocity += t.velocity; ts.endEffector += t.endEffector; ts.root += t.root; ts.com += t.com; }
    const truncated = !terminated && this.steps >= this.potentialSteps;
    const info: Info = {
      timeSeconds: this.timeSeconds,
      phase: this.reference.phase(this.timeSeconds),
      rewardTerms: this.fallen
        ? { pose: 0, velocity: 0, endEffector: 0, root: 0, com: 0 }
        : { pose: t.pose, velocity: t.velocity, endEffector: t.endEffector, root: t.root, com: t.com },
    };
    if (fallBody >= 0) info.fallBody = this.skeleton.joints[fallBody]!.name;
    if (terminated || truncated) info.episodeMetrics = this.episodeMetrics();
    return { obs: this.obs.slice(), reward, terminated, truncated, info };
  }

  /** The PD target of this control step from the action. */
  private setPdTarget(action: ArrayLike<number>): void {
    if (this.options.actions === 'pd') {
      this.actionMap.targetPose(action, this.target);
      this.sim.setTarget(this.target, null);
      return;
    }
    // Residual: the reference at the middle of the step, turned by the action, with the
    // reference velocity as damping target (as the character room's PD tracker).
    const ref = this.reference.evaluate(this.timeSeconds + 0.5 / CONTROL_HZ, this.targetState);
    this.actionMap.residualPose(action, this.options.residualScaleRad, ref.pose);
    this.sim.setTarget(ref.pose, ref.jointVel);
  }

  /** Adds this step's pose and end-effector errors to the episode's sums. */
  private track(): void {
    const s = this.simState, r = this.refState;
    const joints = this.actionMap.joints;
    let pose = 0;
    for (let i = 0; i < joints.length; i++) {
      const j = joints[i]!;
      pose += quatAngleAt(s.pose, 3 + 4 * j, r.pose, 3 + 4 * j);
    }
    this.poseErrorSum += joints.length ? pose / joints.length : 0;
    const ends = this.endEffectors;
    if (ends.length) {
      const hs = headingAngle(s.pose, 3), hr = headingAngle(r.pose, 3);
      let sum = 0;
      for (let e = 0; e < ends.length; e++) {
        rootRelative(s, ends[e]!, hs, this.scratchQ, this.pa);
        rootRelative(r, ends[e]!, hr, this.scratchQ, this.pb);
        sum += Math.hypot(this.pa[0]! - this.pb[0]!, this.pa[1]! - this.pb[1]!, this.pa[2]! - this.pb[2]!);
      }
      this.endErrorSum += sum / ends.length;
    }
    this.trackedSteps++;
  }

  private episodeMetrics(): Record<string, number> {
    const k = Math.max(1, this.trackedSteps);
    const ts = this.termSums;
    return {
      normalized_return: this.episodeReturn / this.potentialSteps,
      fall: this.fallen ? 1 : 0,
      pose_error_deg: (this.poseErrorSum / k) * RAD_TO_DEG,
      end_effector_error_cm: (this.endErrorSum / k) * 100,
      reward_pose: ts.pose / k,
      reward_velocity: ts.velocity / k,
      reward_end_effector: ts.endEffector / k,
      reward_root: ts.root / k,
      reward_com: ts.com / k,
      episode_seconds: this.steps / CONTROL_HZ,
    };
  }

  /** Reads the character and the reference now, builds the observation; what blew up, or null. */
  private observe(): string | null {
    const t = this.timeSeconds;
    this.sim.readState(this.simState);
    const ref = this.refState;
    this.reference.evaluate(t, ref);
    if (this.syncPending) {
      this.syncPending = false;
      this.refShiftX = this.simState.pose[0]! - ref.pose[0]!;
      this.refShiftZ = this.simState.pose[2]! - ref.pose[2]!;
    }
    translateOnGround(ref, this.refShiftX, this.refShiftZ);
    for (let k = 0; k < this.futureRefs.length; k++) {
      const future = this.reference.evaluate(t + (k + 1) / CONTROL_HZ, this.futureRefs[k]!);
      translateOnGround(future, this.refShiftX, this.refShiftZ);
    }
    buildImitationObservation(this.simState, this.reference.phase(t), this.futureRefs, this.obs);
    return blowUpCause(this.simState, this.obs);
  }

  /** Ends the episode on a blow-up: `info.blowUp` says what went non-finite; every step until reset repeats it. */
  private blowUp(cause: string): StepResult<Float32Array> {
    this.blownUp = cause;
    return { obs: this.obs.slice(), reward: 0, terminated: false, truncated: true, info: { error: PHYSICS_ERROR, blowUp: cause, episodeMetrics: this.episodeMetrics() } };
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
