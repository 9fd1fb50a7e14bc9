/**
 * The tracking test: how well the simulated character follows a clip under PD control alone,
 * before any learning (docs/deepmimic.md: "check the PD tracking of the reference before
 * training anything").
 *
 * (a) Root held: the root body is kinematic on the reference root, the joints track the
 *     reference from its first frame; mean and max angle error per joint (angle of the
 *     quaternion difference; revolute: the angle difference).
 * (b) Root free: from the reference state at random phases (RSI), how long the character stays
 *     up (until a fall body touches the ground, or `seconds`). This is the baseline the imitation
 *     policy must beat.
 * (c) Virtual root force: root free but pulled toward the reference root by a spring-damper
 *     (`SimCharacter.enableVirtualRoot`); the mean and max force and torque it applies measure
 *     how physical the clip is for this character (0 for a perfectly physical clip tracked
 *     perfectly; about the body weight, 441 N, if the character had to be carried).
 */
import { Rng } from '../../core/rng.ts';
import type { MotionClip } from '../../motion/clip.ts';
import { type CharacterAssets, checkClipSkeleton } from './assets.ts';
import { CharacterState, quatAngleAt } from './character-state.ts';
import { FallDetector, type FallRule } from './fall.ts';
import { PdTracker } from './pd-tracker.ts';
import { ReferenceMotion } from './reference.ts';
import { DEFAULT_PGS_ITERATIONS, DEFAULT_SOLVER_ITERATIONS, type JointKind, type PdMode, SimCharacter, type VirtualRootGains } from './sim-character.ts';

export interface TrackingOptions {
  /** Physics steps per second (default 600). */
  physicsHz?: number;
  /** Seconds per run (default 10: long enough to cover several cycles of every shipped clip). */
  seconds?: number;
  /** Random starts for the root-free run (default 10). */
  trials?: number;
  seed?: number;
  pdMode?: PdMode;
  jointKind?: JointKind;
  solverIterations?: number;
  pgsIterations?: number;
  velocityTarget?: boolean;
  fallRule?: FallRule;
  virtualGains?: VirtualRootGains;
}

/**
 * Virtual root gains: a 2 Hz, critically damped spring for a 45 kg body in translation, and a
 * matching one in rotation (about 4 kg·m² of whole-body inertia). Stiff enough to keep every
 * shipped locomotion clip up, soft enough that the force it needs stays readable.
 */
export const DEFAULT_VIRTUAL_GAINS: VirtualRootGains = { kpForce: 7000, kdForce: 1100, kpTorque: 630, kdTorque: 100 };

export interface JointError {
  joint: string;
  type: string;
  meanErrorRad: number;
  maxErrorRad: number;
}

export interface TrialResult {
  startSeconds: number;
  secondsUp: number;
  fell: boolean;
  /** The body that touched the ground, if it fell. */
  fallBody: string | null;
}

export interface TrackingReport {
  clip: string;
  character: string;
  physicsHz: number;
  solverIterations: number;
  pgsIterations: number;
  controlHz: number;
  seconds: number;
  pdMode: PdMode;
  jointKind: JointKind;
  rootHeld: { joints: JointError[]; meanErrorRad: number };
  rootFree: { trials: TrialResult[]; meanSecondsUp: number; minSecondsUp: number; fellCount: number };
  virtualForce: {
    meanForceN: number;
    maxForceN: number;
    meanTorqueNm: number;
    maxTorqueNm: number;
    /** Mean force over the body weight (m·g). */
    meanForceOverWeight: number;
    secondsUp: number;
    fell: boolean;
  };
}

interface Setup {
  sim: SimCharacter;
  tracker: PdTracker;
  reference: ReferenceMotion;
  fall: FallDetector;
}

function setup(assets: CharacterAssets, clip: MotionClip, o: Required<Omit<TrackingOptions, 'solverIterations' | 'pgsIterations'>> & { solverIterations?: number; pgsIterations?: number }): Setup {
  const sim = new SimCharacter(assets.skeleton, assets.gains, {
    physicsHz: o.physicsHz,
    pdMode: o.pdMode,
    jointKind: o.jointKind,
    solverIterations: o.solverIterations,
    pgsIterations: o.pgsIterations,
  });
  const reference = new ReferenceMotion(clip);
  const tracker = new PdTracker(sim, reference, { velocityTarget: o.velocityTarget });
  return { sim, tracker, reference, fall: new FallDetector(assets.skeleton, o.fallRule) };
}

/** Runs (a), (b) and (c) on one clip. Deterministic for a given seed. */
export function trackingTest(assets: CharacterAssets, clip: MotionClip, options: TrackingOptions = {}): TrackingReport {
  checkClipSkeleton(clip, assets.skeleton);
  const o = {
    physicsHz: options.physicsHz ?? 600,
    seconds: options.seconds ?? 10,
    trials: options.trials ?? 10,
    seed: options.seed ?? 0,
    pdMode: options.pdMode ?? 'motors',
    jointKind: options.jointKind ?? 'impulse',
    solverIterations: options.solverIterations,
    pgsIterations: options.pgsIterations,
    velocityTarget: options.velocityTarget ?? true,
    fallRule: options.fallRule ?? 'nonFoot',
    virtualGains: options.virtualGains ?? DEFAULT_VIRTUAL_GAINS,
  };
  return {
    clip: clip.name,
    character: assets.skeleton.name,
    physicsHz: o.physicsHz,
    solverIterations: o.solverIterations ?? DEFAULT_SOLVER_ITERATIONS,
    pgsIterations: o.pgsIterations ?? DEFAULT_PGS_ITERATIONS,
    controlHz: 30,
    seconds: o.seconds,
    pdMode: o.pdMode,
    jointKind: o.jointKind,
    rootHeld: rootHeld(assets, clip, o),
    rootFree: rootFree(assets, clip, o),
    virtualForce: virtualForce(assets, clip, o),
  };
}

type Resolved = Parameters<typeof setup>[2];

/** (a) Root held on the reference: angle error per joint, sampled after every control step. */
export function rootHeld(assets: CharacterAssets, clip: MotionClip, o: Resolved): TrackingReport['rootHeld'] {
  const { sim, tracker, reference } = setup(assets, clip, o);
  try {
    const skeleton = assets.skeleton;
    const n = skeleton.numJoints;
    const simState = new CharacterState(skeleton), refState = new CharacterState(skeleton);
    const sum = new Float64Array(n), max = new Float64Array(n);
    sim.setRootKinematic(true);
    tracker.reset(0);
    const steps = Math.max(1, Math.round(o.seconds * tracker.controlHz));
    for (let k = 0; k < steps; k++) {
      tracker.step(null, 'kinematic');
      sim.readState(simState);
      reference.evaluate(tracker.timeSeconds, refState);
      for (let j = 1; j < n; j++) {
        const e = quatAngleAt(simState.pose, 3 + 4 * j, refState.pose, 3 + 4 * j);
        sum[j] += e;
        if (e > max[j]!) max[j] = e;
      }
    }
    const joints: JointError[] = [];
    let total = 0;
    for (let j = 1; j < n; j++) {
      const joint = skeleton.joints[j]!;
      if (joint.type === 'fixed') continue;
      const mean = sum[j]! / steps;
      total += mean;
      joints.push({ joint: joint.name, type: joint.type, meanErrorRad: mean, maxErrorRad: max[j]! });
    }
    return { joints, meanErrorRad: total / joints.length };
  } finally {
    sim.close();
  }
}

/** (b) Root free from the reference state at `trials` random phases: time until a fall. */
export function rootFree(assets: CharacterAssets, clip: MotionClip, o: Resolved): TrackingReport['rootFree'] {
  const { sim, tracker, reference, fall } = setup(assets, clip, o);
  try {
    const rng = new Rng(o.seed);
    const trials: TrialResult[] = [];
    const steps = Math.max(1, Math.round(o.seconds * tracker.controlHz));
    for (let i = 0; i < o.trials; i++) {
      const start = rng.uniform(0, reference.durationSeconds);
      tracker.reset(start);
      let fallBody = -1, k = 0;
      for (; k < steps && fallBody < 0; k++) {
        tracker.step(null, 'free');
        fallBody = fall.touchingBody(sim);
      }
      trials.push({
        startSeconds: start,
        secondsUp: fallBody >= 0 ? k / tracker.controlHz : o.seconds,
        fell: fallBody >= 0,
        fallBody: fallBody >= 0 ? assets.skeleton.joints[fallBody]!.name : null,
      });
    }
    const ups = trials.map((t) => t.secondsUp);
    return {
      trials,
      meanSecondsUp: ups.reduce((a, b) => a + b, 0) / ups.length,
      minSecondsUp: Math.min(...ups),
      fellCount: trials.filter((t) => t.fell).length,
    };
  } finally {
    sim.close();
  }
}

/** (c) Root free with the virtual root force from the clip's start: the force it takes. */
export function virtualForce(assets: CharacterAssets, clip: MotionClip, o: Resolved): TrackingReport['virtualForce'] {
  const { sim, tracker, fall } = setup(assets, clip, o);
  try {
    tracker.reset(0);
    sim.enableVirtualRoot(o.virtualGains);
    const steps = Math.max(1, Math.round(o.seconds * tracker.controlHz));
    let fellAt = -1;
    for (let k = 0; k < steps; k++) {
      tracker.step(null, 'virtual');
      if (fellAt < 0 && fall.hasFallen(sim)) fellAt = k + 1;
    }
    const w = tracker.wrenchStats;
    const weight = assets.skeleton.massKg * 9.8;
    return {
      meanForceN: w.forceSum / w.count,
      maxForceN: w.forceMax,
      meanTorqueNm: w.torqueSum / w.count,
      maxTorqueNm: w.torqueMax,
      meanForceOverWeight: w.forceSum / w.count / weight,
      secondsUp: fellAt >= 0 ? fellAt / tracker.controlHz : o.seconds,
      fell: fellAt >= 0,
    };
  } finally {
    sim.close();
  }
}
