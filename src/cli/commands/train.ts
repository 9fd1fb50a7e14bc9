/**
 * `gymnast train`, `gymnast eval` and `gymnast agents`: thin wrappers over src/train.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import { describeBackend } from '../../nn/backend.ts';
import { agentDefinition, agentNames } from '../../agents/index.ts';
import { train } from '../../train/run.ts';
import { evaluateRun } from '../../train/evaluate.ts';
import { describeSchema } from '../../train/config.ts';
import { TrainProgress } from '../../train/progress.ts';
import { collect, envOptions, integerFlag, oneOf, overrides } from '../args.ts';
import { clusterFlags } from './cluster.ts';

export function register(program: Command): void {
  const trainCommand = program
    .command('train')
    .description('train an agent on an env; writes a run folder (config.json, metrics.jsonl, checkpoints/)')
    .option('--env <id>', 'registered env id, e.g. CartPole-v1')
    .option('--agent <name>', `agent: ${agentNames().join(', ')}`)
    .option('--steps <n>', 'env steps to train for (default 100000)')
    .option('--seed <s>', 'seed (default 0)')
    .option('--config <file>', 'YAML/JSON file of hyperparameters')
    .option('--set <key=value>', 'hyperparameter override (repeatable), e.g. --set learningRate=3e-4', collect, [])
    .option('--option <key=value>', 'env option (repeatable)', collect, [])
    .option('--out <dir>', 'run folder (default runs/<env>-<agent>-<seed>)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, wasm or cpu (default auto)')
    .option('--checkpoint-every <n>', 'env steps between checkpoints (default a tenth of the run)')
    .option('--eval-episodes <n>', 'greedy episodes evaluated at each checkpoint (default 0)')
    .option('--vector-env <kind>', 'sync (default: sub-envs in this thread), async (worker threads, one per core) or pipeline (ppo: workers run the policy and collect rollouts while the update runs)')
    .option('--update-threads <n>', 'threads of the update: 1 (default) or 2 (ppo: the value half beside the policy half, the same numbers; for imitation-sized networks)')
    .option('--json', 'print the result as JSON on stdout')
    .option('--cluster <url>', 'learn from actors on a NATS JetStream server, nats://HOST:PORT (ppo; implies --vector-env pipeline; start actors with gymnast actor)')
    .option('--cluster-mode <mode>', 'deterministic (default: fixed slots, the same weights as a local pipeline run) or elastic (actors come and go)')
    .option('--cluster-slots <k>', 'actor slots: the envs (numEnvs) split into k equal slots (default 2)')
    .option('--max-lag <n>', 'elastic: use batches up to n policy versions old (default 1)');
  clusterFlags(trainCommand, false)
    .action(async (opts: Record<string, any>) => {
      if (!opts.resume && (!opts.env || !opts.agent)) {
        throw new ValidationError('command line', [
          ...(!opts.env ? [{ path: '--env', message: 'required (or --resume DIR)' }] : []),
          ...(!opts.agent ? [{ path: '--agent', message: `required: one of ${agentNames().join(', ')}` }] : []),
        ]);
      }
      const progress: { bar: TrainProgress | null } = { bar: null };
      const result = await train(
        {
          env: opts.env,
          agent: opts.agent,
          steps: integerFlag('--steps', opts.steps, 1),
          seed: integerFlag('--seed', opts.seed, 0),
          configFile: opts.config,
          set: overrides(opts.set),
          envOptions: envOptions(opts.option),
          out: opts.out,
          resume: opts.resume,
          backend: opts.backend,
          checkpointEvery: integerFlag('--checkpoint-every', opts.checkpointEvery, 1),
          evalEpisodes: integerFlag('--eval-episodes', opts.evalEpisodes, 0),
          vectorEnv: opts.vectorEnv === undefined ? (opts.cluster && !opts.resume ? 'pipeline' : undefined) : oneOf('--vector-env', opts.vectorEnv, ['sync', 'async', 'pipeline'] as const),
          updateThreads: opts.updateThreads === undefined ? undefined : oneOf('--update-threads', opts.updateThreads, ['1', '2'] as const) === '2' ? 2 : 1,
          rolloutSource: opts.cluster ? await clusterSource(opts) : undefined,
        },
        {
          onStart: ({ runDir, config, backend, resumedFrom }) => {
            console.error(`backend: ${describeBackend(backend)}`);
            console.error(`${resumedFrom === null ? 'training' : `resuming at step ${resumedFrom}:`} ${config.agent} on ${config.env}, ${config.steps} steps, seed ${config.seed} → ${runDir}`);
            progress.bar = new TrainProgress(config.steps);
            progress.bar.start(resumedFrom ?? 0);
          },
          onMetrics: (step, values) => progress.bar?.metrics(step, values),
          onEpisode: (e) => progress.bar?.episode(e),
          onCheckpoint: (c) => progress.bar?.log(`checkpoint at step ${c.step}${c.eval ? `: eval mean return ${c.eval.mean_return.toFixed(1)} ± ${c.eval.std_return.toFixed(1)}` : ''} → ${c.path}`),
        },
      ).finally(() => progress.bar?.stop());
      if (opts.json) console.log(JSON.stringify({ runDir: result.runDir, steps: result.globalStep, seconds: result.seconds, checkpoint: result.lastCheckpoint, backend: result.config.backend }));
      else console.error(`done: ${result.globalStep} steps in ${result.seconds.toFixed(1)} s; run folder ${result.runDir}`);
    });

  program
    .command('eval <dir>')
    .description("evaluate a run's last (or --best) checkpoint with the greedy (argmax / mean) policy")
    .option('--episodes <n>', 'episodes', '10')
    .option('--seed <s>', 'seed of the evaluation episodes')
    .option('--backend <name>', 'tfjs backend (default: the one the run used)')
    .option('--option <key=value>', "env option over the run's own (repeatable), e.g. --option rsi=true", collect, [])
    .option('--best', 'the checkpoint with the best eval return during training (runs trained with --eval-episodes)')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { episodes: string; seed?: string; backend?: string; option: string[]; best?: boolean; json?: boolean }) => {
      const r = await evaluateRun(dir, { episodes: integerFlag('--episodes', opts.episodes, 1)!, seed: integerFlag('--seed', opts.seed, 0), backend: opts.backend, envOptions: envOptions(opts.option), best: opts.best });
      const out = { mean_return: r.mean_return, std_return: r.std_return, episodes: r.episodes, mean_length: r.mean_length, step: r.step, checkpoint: r.checkpoint, ...(r.metrics ? { metrics: r.metrics } : {}) };
      if (opts.json) console.log(JSON.stringify(out));
      else {
        console.log(`mean_return ${r.mean_return.toFixed(2)}`);
        console.log(`std_return ${r.std_return.toFixed(2)}`);
        console.log(`episodes ${r.episodes}`);
        // What the env measured per episode (imitation: normalized_return, fall, pose_error_deg, …), mean over episodes.
        for (const [k, v] of Object.entries(r.metrics ?? {})) console.log(`${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`);
        console.log(`(checkpoint ${r.checkpoint}, step ${r.step})`);
      }
    });

  program
    .command('agents [name]')
    .description('list the agents, or the hyperparameters of one (name, default, description)')
    .option('--json', 'print JSON')
    .action((name: string | undefined, opts: { json?: boolean }) => {
      if (!name) {
        const list = agentNames().map((n) => ({ name: n, description: agentDefinition(n).description, tunedFor: Object.keys(agentDefinition(n).envDefaults) }));
        if (opts.json) console.log(JSON.stringify(list));
        else for (const a of list) console.log(`${a.name.padEnd(10)} ${a.description}${a.tunedFor.length ? ` (tuned defaults: ${a.tunedFor.join(', ')})` : ''}`);
        return;
      }
      const def = agentDefinition(name);
      const rows = describeSchema(def.schema);
      if (opts.json) console.log(JSON.stringify({ name: def.name, hyperparameters: rows, envDefaults: def.envDefaults }));
      else for (const r of rows) console.log(`${r.name.padEnd(24)} ${JSON.stringify(r.default).padEnd(10)} ${r.description}`);
    });
}

/** `--cluster …`: the learner's rollouts come from NATS actors (src/cluster/learner.ts), loaded only then. */
async function clusterSource(opts: Record<string, any>) {
  const { clusterOptions } = await import('../../cluster/connect.ts');
  const { clusterRolloutSource } = await import('../../cluster/learner.ts');
  return clusterRolloutSource({
    cluster: clusterOptions(opts),
    mode: opts.clusterMode === undefined ? 'deterministic' : oneOf('--cluster-mode', opts.clusterMode, ['deterministic', 'elastic'] as const),
    slots: integerFlag('--cluster-slots', opts.clusterSlots, 1) ?? 2,
    maxLag: integerFlag('--max-lag', opts.maxLag, 0),
  });
}
