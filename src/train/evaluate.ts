/**
 * Evaluation: the greedy policy (argmax Q, or the policy's mode/mean) for a number of episodes on
 * fresh copies of the env, seeded so that evaluation is repeatable. Episodes run side by side in a
 * vector env so the network is called on batches.
 */
import { UsageError, ValidationError } from '../core/errors.ts';
import { joinPath as join } from '../core/paths.ts';
import { Rng } from '../core/rng.ts';
import '../envs/registry.ts';
import { SyncVectorEnv } from '../envs/vector/sync-vector-env.ts';
import type { EnvOptions } from '../envs/registry.ts';
import { initBackend } from '../nn/backend.ts';
import { latestCheckpoint, readCheckpoint, restoreFrom } from '../nn/checkpoint.ts';
import { runHyperparameters } from '../nn/run-folder.ts';
import { readRunConfig, type RunConfig } from './run-config.ts';
import { agentSeed, evaluationSeed } from './seeds.ts';
import { agentDefinition } from '../agents/index.ts';
import type { Agent } from '../agents/agent.ts';

export interface EvalResult {
  mean_return: number;
  std_return: number;
  episodes: number;
  mean_length: number;
  returns: number[];
  /**
   * Means over the episodes of what the env measured in each (`info.episodeMetrics` at an
   * episode's last step, e.g. an imitation env's normalized return and fall rate); absent when the
   * env reports nothing.
   */
  metrics?: Record<string, number>;
}

export function evaluateAgent(agent: Agent, envId: string, envOptions: EnvOptions, episodes: number, seed: number): EvalResult {
  const returns: number[] = [];
  const lengths: number[] = [];
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  let round = 0;
  while (returns.length < episodes) {
    const n = Math.min(16, episodes - returns.length);
    const env = new SyncVectorEnv({ id: envId, numEnvs: n, options: envOptions, recordEpisodeStatistics: false });
    try {
      let { obs } = env.reset({ seed: seed + round * 16 });
      const actions = new Float32Array(n * env.actionDim);
      const ret = new Float64Array(n);
      const len = new Int32Array(n);
      const done = new Uint8Array(n);
      let remaining = n;
      // An env without a time limit could run forever: stop episodes at a million steps.
      for (let t = 0; remaining > 0 && t < 1_000_000; t++) {
        agent.act(obs, n, actions, true);
        const step = env.step(actions);
        for (let i = 0; i < n; i++) {
          if (done[i]) continue;
          ret[i]! += step.rewards[i]!;
          len[i]!++;
          if (step.terminated[i] || step.truncated[i]) {
            done[i] = 1;
            remaining--;
            const m = step.infos[i]!.episodeMetrics as Record<string, number> | undefined;
            if (m) {
              for (const [k, v] of Object.entries(m)) {
                sums[k] = (sums[k] ?? 0) + v;
                counts[k] = (counts[k] ?? 0) + 1;
              }
            }
          }
        }
        obs = step.obs;
      }
      returns.push(...ret);
      lengths.push(...len);
    } finally {
      env.close();
    }
    round++;
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  const result: EvalResult = { mean_return: mean, std_return: std, episodes: returns.length, mean_length: lengths.reduce((a, b) => a + b, 0) / lengths.length, returns };
  if (Object.keys(sums).length > 0) result.metrics = Object.fromEntries(Object.keys(sums).map((k) => [k, sums[k]! / counts[k]!]));
  return result;
}

/**
 * Evaluates the last checkpoint of a run folder (`gymnast eval DIR`; with `best`, the checkpoint of
 * the best eval return during training, `gymnast eval --best DIR`): rebuilds the agent from
 * config.json, loads the checkpoint, runs the greedy policy on the run's env with its options,
 * overridden by `envOptions`.
 */
export async function evaluateRun(runDir: string, opts: { episodes: number; seed?: number; backend?: string; envOptions?: EnvOptions; best?: boolean }): Promise<EvalResult & { checkpoint: string; step: number }> {
  if (!Number.isInteger(opts.episodes) || opts.episodes < 1) throw new ValidationError('eval arguments', [{ path: 'episodes', message: `must be a positive integer, got ${opts.episodes}` }]);
  const run = await loadRunAgent(runDir, opts);
  try {
    const { config } = run;
    // `envOptions` override the run's own (e.g. an ablation trained without RSI, tested with it).
    const envOptions = { ...(config.envOptions ?? {}), ...(opts.envOptions ?? {}) };
    const result = evaluateAgent(run.agent, config.env, envOptions, opts.episodes, opts.seed ?? evaluationSeed(config.seed));
    return { ...result, checkpoint: run.checkpoint, step: run.step };
  } finally {
    run.close();
  }
}

/** A run's agent restored from its last (or best) checkpoint, with what config.json says. */
export interface RunAgent {
  agent: Agent;
  config: RunConfig;
  checkpoint: string;
  /** The checkpoint's env step. */
  step: number;
  /** Frees the agent and the envs it was built with. */
  close(): void;
}

/**
 * Rebuilds a run's agent from config.json and loads its last checkpoint (for eval and the like),
 * or with `best` the one kept in <run>/best (the best eval return during training).
 */
export async function loadRunAgent(runDir: string, opts: { backend?: string; best?: boolean } = {}): Promise<RunAgent> {
  const config = readRunConfig(runDir);
  await initBackend(opts.backend ?? (config.backend.name || 'auto'));
  const checkpoint = latestCheckpoint(join(runDir, opts.best ? 'best' : 'checkpoints'));
  if (!checkpoint) throw new UsageError(opts.best ? `${runDir}: no best checkpoint (the run keeps one only when trained with --eval-episodes)` : `${runDir}: the run has no checkpoint yet`);
  const { agent, step, close } = buildRunAgent(runDir, config, checkpoint);
  return { agent, config, checkpoint, step, close };
}

/**
 * The agent's greedy action for one observation, in the form an env's `step` takes (a number for a
 * Discrete space, else a fresh array): what the players of the viewer, the site and `record` act with.
 */
export function greedyActor(agent: Agent, env: { actionDim: number; singleActionSpace: { kind: string } }): (obs: Float32Array) => number | Float32Array {
  const out = new Float32Array(env.actionDim);
  const discrete = env.singleActionSpace.kind === 'discrete';
  return (obs) => {
    agent.act(obs, 1, out, true);
    return discrete ? out[0]! : out.slice();
  };
}

/**
 * The agent of a run's config, on a vector env of its own, with the weights of `checkpoint`: what
 * `eval` tests and what the viewer's player acts with.
 */
export function buildRunAgent(runDir: string, config: RunConfig, checkpoint: string): { agent: Agent; env: SyncVectorEnv; step: number; close(): void } {
  const def = agentDefinition(config.agent);
  const hp = runHyperparameters(def.schema, runDir, config.config);
  const data = readCheckpoint(checkpoint);
  const numEnvs = (hp as { numEnvs?: number }).numEnvs ?? 1;
  const env = new SyncVectorEnv({ id: config.env, numEnvs, options: config.envOptions, recordEpisodeStatistics: false });
  const agent = def.create({ env, rng: new Rng(agentSeed(config.seed)), totalSteps: config.steps, report: { metrics() {}, episode() {} } }, hp);
  const close = () => {
    agent.dispose();
    env.close();
  };
  try {
    restoreFrom(checkpoint, () => agent.restore(data, checkpoint));
  } catch (e) {
    close();
    throw e;
  }
  return { agent, env, step: data.step, close };
}

