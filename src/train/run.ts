/**
 * A training run: resolve the config, pick the backend, build the vector env and the agent, train
 * in segments between checkpoints, write the run folder, and report through callbacks.
 *
 *   <out>/config.json        the resolved run: env, agent, steps, seed, backend, hyperparameters
 *   <out>/metrics.jsonl      CleanRL tags, one JSON object per line (see metrics.ts)
 *   <out>/checkpoints/…      atomic checkpoints (see src/nn/checkpoint.ts)
 *   <out>/best/…             with eval episodes: the checkpoint of the best mean eval return so
 *                            far (RL curves are not monotonic; `gymnast eval --best` tests it)
 *
 * Resuming is exact: at every checkpoint the training envs are reset with a seed derived from the
 * run seed and the checkpoint's index (`seeds.ts`), in the uninterrupted run as in the resumed one. Together
 * with the agent's checkpointed state (weights, optimizer, RNG, normalizers, replay buffer) a run
 * resumed from checkpoint k continues exactly as the run that was never stopped.
 */
import { join, resolve } from 'node:path';
import { FileFormatError, UsageError, ValidationError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import '../envs/index.ts';
import type { AnyEnv } from '../envs/env.ts';
import { make, resolveOptions, spec, type EnvOptions } from '../envs/registry.ts';
import { Wrapper } from '../envs/wrappers/wrapper.ts';
import { AsyncVectorEnv } from '../envs/vector/async-vector-env.ts';
import { SyncVectorEnv } from '../envs/vector/sync-vector-env.ts';
import type { VectorEnv, VectorEnvConfig } from '../envs/vector/vector-env.ts';
import type { PolicyRollouts } from '../agents/policy-rollouts.ts';
import type { RenderFrame } from '../core/frame.ts';
import { initBackend, type BackendInfo } from '../nn/backend.ts';
import { latestCheckpoint, readCheckpoint, restoreFrom, writeCheckpoint } from '../nn/checkpoint.ts';
import { claimRunFolder, lockRunFolder, resumeCheckpoint, runHyperparameters, writeRunConfig } from '../nn/run-folder.ts';
import { agentDefinition } from '../agents/index.ts';
import type { Agent, EpisodeReport } from '../agents/agent.ts';
import { resolveAgentConfig } from './config.ts';
import { agentSeed, evaluationSeed, segmentSeed } from './seeds.ts';
import { readRunConfig, type RunConfig, type RunFolderArgs } from './run-config.ts';
import { readYamlMapping } from '../core/settings.ts';
import { MetricsLog, prefixed } from './metrics.ts';
import { evaluateAgent, type EvalResult } from './evaluate.ts';
import { RolloutPool } from './rollout-pool.ts';
import { CriticThread } from './critic-thread.ts';

/** An agent's run: steps are env steps (default 100000), checkpoints at least 1000 apart by default, folder runs/<env>-<agent>-<seed>. */
export interface TrainArgs extends RunFolderArgs {
  env: string;
  agent: string;
  /** Env options (`--option key=value`). */
  envOptions?: EnvOptions;
  /** Greedy-policy episodes evaluated at each checkpoint (0: none), reported as eval/… metrics. */
  evalEpisodes?: number;
  /**
   * `sync` (default): the sub-envs step one after another in this thread; `async`: spread over
   * worker threads (AsyncVectorEnv), one per core. Same numbers either way; `onFrame` needs `sync`.
   * `pipeline` (PPO): worker threads that also run the acting policy and collect whole rollouts
   * while the update runs (rollout-pool.ts): other numbers than sync/async (one iteration of policy
   * lag), deterministic for a seed, and faster where the update would leave cores idle.
   */
  vectorEnv?: VectorEnvKind;
  /**
   * Threads the update runs on (default 1). PPO with 2 runs the value half of every minibatch in a
   * worker beside the policy half (critic-thread.ts): the same numbers, bit for bit, in less time
   * where a core would otherwise wait (the update is most of an imitation iteration on 2 cores).
   */
  updateThreads?: number;
  /**
   * Where a `pipeline` run's rollouts come from instead of this machine's worker threads (a
   * cluster's actors, src/cluster): called once with the vector env's config, the rollout length
   * and the backend. Nothing of it is recorded in the run folder.
   */
  rolloutSource?: RolloutSource;
}

export type RolloutSource = (config: VectorEnvConfig, numSteps: number, backend: string) => Promise<PolicyRollouts & VectorEnv>;

export type VectorEnvKind = 'sync' | 'async' | 'pipeline';
export type { RunConfig } from './run-config.ts';

export interface CheckpointInfo {
  step: number;
  path: string;
  eval?: EvalResult;
  /** True when this checkpoint's eval return is the best so far (copied to <run>/best). */
  best?: boolean;
}

export interface TrainCallbacks {
  onStart?(info: { runDir: string; config: RunConfig; backend: BackendInfo; resumedFrom: number | null }): void;
  onMetrics?(step: number, values: Record<string, number>): void;
  onEpisode?(episode: EpisodeReport): void;
  onCheckpoint?(info: CheckpointInfo): void;
  /** For the viewer: the render frame of training env 0 after every `frameEvery`-th vector step. */
  onFrame?(frame: RenderFrame): void;
  /** Vector steps between frames (default 1). */
  frameEvery?: number;
  /** Asked before a frame is built: false skips it (nobody is watching, or too soon). Default: always. */
  wantsFrame?(): boolean;
}

export interface TrainResult {
  runDir: string;
  config: RunConfig;
  globalStep: number;
  lastCheckpoint: string;
  seconds: number;
}

const VERSION = '0.1.0';

export { segmentSeed } from './seeds.ts';

export async function train(args: TrainArgs, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const { runDir, config, resumeFrom } = args.resume ? loadRun(args) : newRun(args);
  // One trainer per run folder at a time (nn/run-folder.ts).
  const lock = lockRunFolder(runDir);
  try {
    const def = agentDefinition(config.agent);
    const backend = await initBackend(args.backend ?? (args.resume ? config.backend.name || 'auto' : 'auto'));
    config.backend = { requested: backend.requested, name: backend.name, simd: backend.simd, threads: backend.threads };
    const hp = runHyperparameters(def.schema, runDir, config.config);
    // A new run records its config; a resumed one rewrites it only to record a new --steps.
    if (!args.resume || args.steps !== undefined) writeRunConfig(runDir, config);

    const envSpec = spec(config.env);
    const numEnvs = (hp as { numEnvs?: number }).numEnvs ?? 1;
    const vecConfig = { id: config.env, numEnvs, options: config.envOptions };
    let agent: Agent | null = null;
    let env: VectorEnv;
    let rollouts: (PolicyRollouts & VectorEnv) | undefined;
    if (config.vectorEnv === 'pipeline') {
      if (!def.pipelined) throw new UsageError(`agent '${def.name}' cannot train on the pipeline vector env (it steps envs one vector step at a time): use --vector-env sync or async`);
      const numSteps = (hp as { numSteps: number }).numSteps;
      env = rollouts = args.rolloutSource ? await args.rolloutSource(vecConfig, numSteps, backend.name) : await RolloutPool.create(vecConfig, numSteps, { backend: backend.name });
    } else {
      if (args.rolloutSource) throw new UsageError(`rollouts collected elsewhere (a cluster's actors) need the pipeline vector env; this run uses '${config.vectorEnv}'`);
      const vec = config.vectorEnv === 'async' ? await AsyncVectorEnv.create(vecConfig) : new SyncVectorEnv(vecConfig);
      env = tapTraining(vec, () => agent?.globalStep ?? 0, callbacks);
    }
    const updateThreads = config.updateThreads ?? 1;
    if (updateThreads > 1 && !def.splitUpdate) throw new UsageError(`agent '${def.name}' runs its update on one thread: leave out --update-threads`);
    const criticThread = updateThreads > 1 ? await CriticThread.start(backend.name) : null;
    const metrics = new MetricsLog(join(runDir, 'metrics.jsonl'));
    if (!resumeFrom) metrics.truncateAfter(-1); // a folder stopped before its first checkpoint starts over
    try {
      const problem = def.supports(env.singleObservationSpace, env.singleActionSpace);
      if (problem) throw new UsageError(`agent '${def.name}' cannot train on ${envSpec.id}: ${problem}`);
      const seconds = () => (performance.now() - t0) / 1000;
      agent = def.create(
        {
          env,
          rollouts,
          criticThread: criticThread ? (...a) => criticThread.attach(...a) : undefined,
          rng: new Rng(agentSeed(config.seed)),
          totalSteps: config.steps,
          report: {
            metrics: (step, values) => {
              metrics.write(step, seconds(), values);
              callbacks.onMetrics?.(step, values);
            },
            episode: (e) => {
              metrics.write(e.step, seconds(), { 'charts/episodic_return': e.return, 'charts/episodic_length': e.length, ...prefixed('charts/', e.metrics) });
              callbacks.onEpisode?.(e);
            },
          },
        },
        hp,
      );

      const checkpointsDir = join(runDir, 'checkpoints');
      const bestDir = join(runDir, 'best');
      let bestEvalReturn = resumeFrom ? bestEvalReturnIn(bestDir) : -Infinity;
      let segment = 0;
      let lastCheckpoint = '';
      if (resumeFrom) {
        const data = readCheckpoint(resumeFrom);
        restoreFrom(resumeFrom, () => agent!.restore(data, resumeFrom));
        segment = Number((data.state.runner as { segment?: number } | undefined)?.segment ?? NaN);
        if (!Number.isInteger(segment)) throw new FileFormatError(join(resumeFrom, 'state.json'), 'runner.segment', 'missing');
        metrics.truncateAfter(agent.globalStep);
        lastCheckpoint = resumeFrom;
      }
      callbacks.onStart?.({ runDir, config, backend, resumedFrom: resumeFrom ? agent.globalStep : null });

      agent.resetEnvs(segmentSeed(config.seed, segment));
      while (agent.globalStep < config.steps) {
        const boundary = Math.min(config.steps, (Math.floor(agent.globalStep / config.checkpointEvery) + 1) * config.checkpointEvery);
        await agent.train(boundary);
        segment++;
        const data = agent.checkpoint();
        const runner = { segment, seconds: seconds() };
        data.state.runner = runner;
        const name = `step-${String(agent.globalStep).padStart(9, '0')}`;
        lastCheckpoint = writeCheckpoint(checkpointsDir, name, agent.globalStep, data);
        const info: CheckpointInfo = { step: agent.globalStep, path: lastCheckpoint };
        if (config.evalEpisodes > 0) {
          info.eval = evaluateAgent(agent, config.env, config.envOptions, config.evalEpisodes, evaluationSeed(config.seed));
          metrics.write(agent.globalStep, seconds(), { 'eval/mean_return': info.eval.mean_return, 'eval/std_return': info.eval.std_return, ...prefixed('eval/', info.eval.metrics) });
          if (info.eval.mean_return > bestEvalReturn) {
            bestEvalReturn = info.eval.mean_return;
            // The same checkpoint, plus the return that made it the best (read back on resume).
            data.state.runner = { ...runner, evalReturn: bestEvalReturn };
            writeCheckpoint(bestDir, name, agent.globalStep, data, 1);
            info.best = true;
          }
        }
        callbacks.onCheckpoint?.(info);
        if (agent.globalStep < config.steps) agent.resetEnvs(segmentSeed(config.seed, segment));
      }
      return { runDir, config, globalStep: agent.globalStep, lastCheckpoint, seconds: seconds() };
    } finally {
      agent?.dispose();
      criticThread?.close();
      env.close();
    }
  } finally {
    lock.release();
  }
}

/** The eval return of the best checkpoint kept in `bestDir` (none yet: -Infinity), so a resumed run keeps comparing with it. */
function bestEvalReturnIn(bestDir: string): number {
  const best = latestCheckpoint(bestDir);
  if (!best) return -Infinity;
  const value = (readCheckpoint(best).state.runner as { evalReturn?: unknown } | undefined)?.evalReturn;
  if (typeof value !== 'number') throw new FileFormatError(join(best, 'state.json'), 'runner.evalReturn', `expected a number, got ${JSON.stringify(value)}`);
  return value;
}


/**
 * The vector env as the agent sees it: before every reset and step the sub-envs get the agent's
 * sample count (`setSampleCount`, for curricula: a function of the count, so a resumed run
 * continues on the same schedule), and with `onFrame` (sync envs only) env 0's render frame is
 * sent every `frameEvery` steps, when `wantsFrame` agrees (a humanoid's frame is worth skipping).
 */
function tapTraining(vec: SyncVectorEnv | AsyncVectorEnv, sampleCount: () => number, callbacks: TrainCallbacks): VectorEnv {
  const { onFrame, wantsFrame } = callbacks;
  const every = callbacks.frameEvery ?? 1;
  const first = onFrame && vec instanceof SyncVectorEnv ? vec.envs[0]! : null;
  let steps = 0;
  return {
    numEnvs: vec.numEnvs,
    obsDim: vec.obsDim,
    actionDim: vec.actionDim,
    get singleObservationSpace() {
      return vec.singleObservationSpace;
    },
    get singleActionSpace() {
      return vec.singleActionSpace;
    },
    reset: (options) => {
      vec.setSampleCount(sampleCount());
      return vec.reset(options);
    },
    step: (actions) => {
      vec.setSampleCount(sampleCount());
      const r = vec.step(actions);
      if (first?.frame && ++steps % every === 0 && (wantsFrame?.() ?? true)) onFrame!(first.frame());
      return r;
    },
    close: () => vec.close(),
  };
}

/**
 * The env options a new run records: every option with its default filled in (the schema's, then
 * the env's own), so that a default changed later leaves the run's env as it was trained.
 */
function recordedOptions(envId: string, given: EnvOptions | undefined, env: AnyEnv): EnvOptions {
  const inner = env instanceof Wrapper ? env.unwrapped : env;
  return { ...resolveOptions(spec(envId), given), ...(inner.resolvedOptions?.() ?? {}) };
}

function newRun(args: TrainArgs): { runDir: string; config: RunConfig; resumeFrom: null } {
  const def = agentDefinition(args.agent);
  spec(args.env); // unknown env id → UnknownIdError before anything is written
  const steps = args.steps ?? 100_000;
  const seed = args.seed ?? 0;
  for (const [name, v] of [['steps', steps], ['seed', seed]] as const) {
    if (!Number.isSafeInteger(v) || v < (name === 'steps' ? 1 : 0)) throw new ValidationError('train arguments', [{ path: name, message: `must be a ${name === 'steps' ? 'positive' : 'non-negative'} integer, got ${v}` }]);
  }
  const file = args.configFile ? { name: args.configFile, values: readYamlMapping(args.configFile, 'hyperparameter names to values') } : undefined;
  const hp = resolveAgentConfig(def, { envId: args.env, file, overrides: args.set });
  // Check the env options and the agent's fit with the spaces before creating the run folder.
  const probe = make(args.env, { options: args.envOptions });
  let envOptions: EnvOptions;
  try {
    const problem = def.supports(probe.observationSpace, probe.actionSpace);
    if (problem) throw new UsageError(`agent '${def.name}' cannot train on ${args.env}: ${problem}`);
    envOptions = recordedOptions(args.env, args.envOptions, probe);
  } finally {
    probe.close();
  }
  const checkpointEvery = args.checkpointEvery ?? Math.max(1000, Math.ceil(steps / 10));
  if (!Number.isSafeInteger(checkpointEvery) || checkpointEvery < 1) throw new ValidationError('train arguments', [{ path: 'checkpointEvery', message: `must be a positive integer, got ${checkpointEvery}` }]);
  const runDir = claimRunFolder(args.out ?? join('runs', `${args.env}-${def.name}-${seed}`));
  const config: RunConfig = {
    gymnast: VERSION,
    env: args.env,
    envOptions,
    agent: def.name,
    steps,
    seed,
    checkpointEvery,
    evalEpisodes: args.evalEpisodes ?? 0,
    vectorEnv: args.vectorEnv ?? 'sync',
    updateThreads: args.updateThreads ?? 1,
    backend: { requested: args.backend ?? 'auto', name: '' },
    config: hp as Record<string, unknown>,
  };
  return { runDir, config, resumeFrom: null };
}

function loadRun(args: TrainArgs): { runDir: string; config: RunConfig; resumeFrom: string } {
  const runDir = resolve(args.resume!);
  const config = readRunConfig(runDir);
  if (args.steps !== undefined) config.steps = args.steps;
  if (args.vectorEnv !== undefined) config.vectorEnv = args.vectorEnv;
  if (args.updateThreads !== undefined) config.updateThreads = args.updateThreads;
  return { runDir, config, resumeFrom: resumeCheckpoint(args.resume!) };
}
