/**
 * What an imitation run is measured by, beyond its return (docs/deepmimic.md):
 *
 * - `pushTest`: the largest push on the pelvis, 0.2 s long, forward and sideways, that the
 *   run's greedy policy survives (DeepMimic's walk: 240 N forward, 300 N sideways, never trained
 *   with pushes). The policy walks from the clip's start for `preSeconds`, is pushed along its
 *   heading (forward) or to its right (sideways), and must not fall within `postSeconds` after.
 *   Bisection over the force between the largest force survived and the smallest that fells it.
 * - `compareTrackability`: a clip (a generated one, say) and the real clip it imitates, trained
 *   with the same budget, settings and seed, then evaluated alike: the normalized return each
 *   reaches and the fall rate, side by side. Alike means over the same horizon: a generated clip
 *   usually does not loop and ends its episodes where it ends, and an RSI start near its end
 *   would make a short episode that is easy to finish; so test episodes last 20 s or half the
 *   shorter non-looping clip, and start where the whole episode fits in the clip.
 *
 * Both work on runs of the imitation envs (`HumanoidImitate-v0`, `BipedImitate-v0`).
 */
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import '../envs/imitation/index.ts';
import { ImitationEnv } from '../envs/imitation/imitation-env.ts';
import { make } from '../envs/registry.ts';
import { Wrapper } from '../envs/wrappers/wrapper.ts';
import type { Agent } from '../agents/agent.ts';
import { evaluateAgent, loadRunAgent } from './evaluate.ts';
import { evaluationSeed } from './seeds.ts';
import { train, type TrainArgs, type TrainCallbacks } from './run.ts';

export interface PushOptions {
  /** Push length, seconds (DeepMimic: 0.2). */
  durationSeconds?: number;
  /** Seconds of walking before the push (default 2). */
  preSeconds?: number;
  /** Seconds the policy must stay up after the push starts (default 4). */
  postSeconds?: number;
  /** Upper end of the search, N (default 1000). */
  maxForceN?: number;
  /** Stop when the bracket is this narrow, N (default 5). */
  toleranceN?: number;
  backend?: string;
  /** Test the run's best evaluated checkpoint (<run>/best) instead of its last. */
  best?: boolean;
  /** Env options over the run's own (e.g. a run made before an option existed, tested without it). */
  envOptions?: Record<string, unknown>;
}

export interface PushTrial {
  forceN: number;
  survived: boolean;
  /** Seconds after the push started at which it fell (null: it did not). */
  fellAfterSeconds: number | null;
}

export interface PushSearch {
  direction: 'forward' | 'sideways';
  /** Largest force survived, N (0 when the policy falls even unpushed). */
  maxSurvivedN: number;
  /** Smallest force that made it fall, N (null: it survived `maxForceN`). */
  minFallN: number | null;
  trials: PushTrial[];
}

export interface PushReport {
  runDir: string;
  env: string;
  checkpoint: string;
  step: number;
  durationSeconds: number;
  preSeconds: number;
  postSeconds: number;
  /** The policy falls within pre + post seconds with no push at all (then both searches are 0). */
  fallsUnpushed: boolean;
  forward: PushSearch;
  sideways: PushSearch;
}

/** The imitation env under `make`'s wrappers, or a clear error. */
function imitationEnvOf(env: unknown, envId: string): ImitationEnv {
  const inner = env instanceof Wrapper ? env.unwrapped : env;
  if (!(inner instanceof ImitationEnv)) throw new UsageError(`the push test needs a run of an imitation env (HumanoidImitate-v0, BipedImitate-v0), not ${envId}`);
  return inner;
}

/**
 * One trial: the policy from the clip's start, a push of `forceN` along `direction` after
 * `preSeconds`; whether it stays up for `postSeconds`.
 */
function pushTrial(agent: Agent, envId: string, envOptions: Record<string, unknown>, direction: 'forward' | 'sideways', forceN: number, o: Required<Omit<PushOptions, 'backend' | 'best' | 'envOptions'>>): PushTrial {
  // Time 0 of the clip, full-length episodes; early termination tells the fall.
  const env = make(envId, { options: { ...envOptions, rsi: false, earlyTermination: true, episodeSeconds: o.preSeconds + o.postSeconds + 1 } });
  const sim = imitationEnvOf(env, envId);
  try {
    let { obs } = env.reset({ seed: 0 }) as { obs: Float32Array };
    const action = new Float32Array(sim.actionMap.size);
    const preSteps = Math.round(o.preSeconds * 30);
    const total = preSteps + Math.round(o.postSeconds * 30);
    for (let t = 0; t < total; t++) {
      if (t === preSteps && forceN > 0) {
        // Heading θ: the root's forward axis on the ground is (cos θ, 0, −sin θ), its right (sin θ, 0, cos θ).
        const p = sim.simState.pose;
        const x = p[3]!, y = p[4]!, z = p[5]!, w = p[6]!;
        const theta = Math.atan2(-2 * (x * z - y * w), 1 - 2 * (y * y + z * z));
        const [dx, dz] = direction === 'forward' ? [Math.cos(theta), -Math.sin(theta)] : [Math.sin(theta), Math.cos(theta)];
        sim.applyPush(forceN * dx, 0, forceN * dz, o.durationSeconds);
      }
      agent.act(obs, 1, action, true);
      const s = env.step(action) as { obs: Float32Array; terminated: boolean; truncated: boolean };
      obs = s.obs;
      if (s.terminated || (s.truncated && sim.hasFallen)) return { forceN, survived: false, fellAfterSeconds: (t + 1 - preSteps) / 30 };
      if (s.truncated) break;
    }
    return { forceN, survived: true, fellAfterSeconds: null };
  } finally {
    env.close();
  }
}

/** Bisection for the largest surviving force along one direction. */
export function searchPush(trial: (forceN: number) => PushTrial, direction: 'forward' | 'sideways', maxForceN: number, toleranceN: number): PushSearch {
  const trials: PushTrial[] = [];
  const run = (f: number) => {
    const r = trial(f);
    trials.push(r);
    return r.survived;
  };
  if (!run(maxForceN)) {
    let lo = 0, hi = maxForceN;
    while (hi - lo > toleranceN) {
      const mid = (lo + hi) / 2;
      if (run(mid)) lo = mid;
      else hi = mid;
    }
    return { direction, maxSurvivedN: lo, minFallN: hi, trials };
  }
  return { direction, maxSurvivedN: maxForceN, minFallN: null, trials };
}

/** The push test of a run's last checkpoint (with `best`: its best evaluated one). */
export async function pushTest(runDir: string, options: PushOptions = {}): Promise<PushReport> {
  const o = {
    durationSeconds: options.durationSeconds ?? 0.2,
    preSeconds: options.preSeconds ?? 2,
    postSeconds: options.postSeconds ?? 4,
    maxForceN: options.maxForceN ?? 1000,
    toleranceN: options.toleranceN ?? 5,
  };
  for (const [k, v] of Object.entries(o)) if (!(v > 0) || !Number.isFinite(v)) throw new UsageError(`push test: ${k} must be a positive number, got ${v}`);
  const run = await loadRunAgent(runDir, { backend: options.backend, best: options.best });
  try {
    const { env: envId } = run.config;
    const envOptions = { ...(run.config.envOptions ?? {}), ...(options.envOptions ?? {}) };
    imitationEnvOf(make(envId, { options: envOptions }), envId).close();
    const unpushed = pushTrial(run.agent, envId, envOptions, 'forward', 0, o);
    const none = (direction: 'forward' | 'sideways'): PushSearch => ({ direction, maxSurvivedN: 0, minFallN: 0, trials: [unpushed] });
    const search = (direction: 'forward' | 'sideways') =>
      unpushed.survived ? searchPush((f) => pushTrial(run.agent, envId, envOptions, direction, f, o), direction, o.maxForceN, o.toleranceN) : none(direction);
    return {
      runDir,
      env: envId,
      checkpoint: run.checkpoint,
      step: run.step,
      durationSeconds: o.durationSeconds,
      preSeconds: o.preSeconds,
      postSeconds: o.postSeconds,
      fallsUnpushed: !unpushed.survived,
      forward: search('forward'),
      sideways: search('sideways'),
    };
  } finally {
    run.close();
  }
}

// ------------------------------------------------------------------------ trackability

export interface TrackabilityArgs {
  /** The clip to judge (e.g. a generated DeepMimic file). */
  clip: string;
  /** The real clip it imitates (default: walk, or biped3d_walk on the biped). */
  against?: string;
  /** HumanoidImitate-v0 (default) or BipedImitate-v0. */
  env?: string;
  /** The same budget for both, env steps. */
  steps: number;
  seed?: number;
  /** Folder for the two runs (`<out>/clip`, `<out>/against`). */
  out: string;
  envOptions?: Record<string, unknown>;
  configFile?: string;
  set?: Record<string, unknown>;
  vectorEnv?: TrainArgs['vectorEnv'];
  /** Test episodes per clip (default 10). */
  episodes?: number;
  backend?: string;
}

export interface TrackabilityEntry {
  clip: string;
  runDir: string;
  steps: number;
  seconds: number;
  normalizedReturn: number;
  fallRate: number;
  poseErrorDeg: number;
  endEffectorErrorCm: number;
}

export interface TrackabilityReport {
  env: string;
  steps: number;
  seed: number;
  /**
   * Test-episode length, seconds: 20, or half the shorter clip that does not loop (such a clip
   * ends the episode where it ends); RSI starts are kept where the whole episode fits, so both
   * clips are judged over the same horizon.
   */
  testSeconds: number;
  clip: TrackabilityEntry;
  against: TrackabilityEntry;
  /** clip's normalized return over the real clip's (1: as trackable as the real one). */
  returnRatio: number;
}

/** Trains and evaluates the clip and the real clip alike; the figures side by side. */
export async function compareTrackability(args: TrackabilityArgs, callbacks: (which: 'clip' | 'against') => TrainCallbacks = () => ({})): Promise<TrackabilityReport> {
  const env = args.env ?? 'HumanoidImitate-v0';
  const against = args.against ?? (env === 'BipedImitate-v0' ? 'biped3d_walk' : 'walk');
  const seed = args.seed ?? 0;
  // Both clips load (before any budget is spent), and the common test horizon.
  const clips = [args.clip, against].map((clip) => {
    const e = make(env, { options: { ...(args.envOptions ?? {}), clip } });
    try {
      const r = imitationEnvOf(e, env).reference;
      return { loops: r.clip.loop === 'wrap', duration: r.durationSeconds };
    } finally {
      e.close();
    }
  });
  const testSeconds = Math.min(20, ...clips.filter((c) => !c.loops).map((c) => c.duration / 2));
  const one = async (which: 'clip' | 'against', clip: string, c: { loops: boolean; duration: number }): Promise<TrackabilityEntry> => {
    const result = await train(
      {
        env,
        agent: 'ppo',
        steps: args.steps,
        seed,
        envOptions: { ...(args.envOptions ?? {}), clip },
        configFile: args.configFile,
        set: args.set,
        out: join(args.out, which),
        vectorEnv: args.vectorEnv,
        backend: args.backend,
      },
      callbacks(which),
    );
    const run = await loadRunAgent(result.runDir, { backend: args.backend });
    let m: Record<string, number>;
    try {
      const testOptions = { ...(args.envOptions ?? {}), clip, episodeSeconds: testSeconds, ...(c.loops ? {} : { rsiLatestSeconds: c.duration - testSeconds }) };
      m = evaluateAgent(run.agent, env, testOptions, args.episodes ?? 10, evaluationSeed(seed)).metrics ?? {};
    } finally {
      run.close();
    }
    return {
      clip,
      runDir: result.runDir,
      steps: result.globalStep,
      seconds: result.seconds,
      normalizedReturn: m.normalized_return ?? NaN,
      fallRate: m.fall ?? NaN,
      poseErrorDeg: m.pose_error_deg ?? NaN,
      endEffectorErrorCm: m.end_effector_error_cm ?? NaN,
    };
  };
  const a = await one('clip', args.clip, clips[0]!);
  const b = await one('against', against, clips[1]!);
  return { env, steps: args.steps, seed, testSeconds, clip: a, against: b, returnRatio: a.normalizedReturn / b.normalizedReturn };
}
