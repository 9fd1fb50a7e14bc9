/**
 * `gymnast view` (the live viewer with the sources asked for) and `gymnast start` (what
 * `npm start` runs: the viewer on 127.0.0.1 with an agent learning CartPole live, plus the other
 * envs that exist). The viewer room serves and plays; this file parses, wires sources to it,
 * prints the URL and waits.
 *
 * Training is wired here, since the viewer's server may not import src/train or src/agents:
 * - `start` trains in a worker thread (this same file is the worker's entry: see the end), so the
 *   page and its sockets stay responsive whatever the trainer does, and the trainer never waits
 *   on the viewer. The worker's callbacks post metrics, episodes and checkpoints; frames of the
 *   training env only while a page watches (a shared flag), at most 60 a second.
 * - `view --run DIR` follows a run folder written by `gymnast train` (its metrics.jsonl and
 *   checkpoints), so a run in another terminal can be watched, during or after training.
 * Either way, a player beside the run replays the latest checkpoint's greedy policy in real time:
 * the agent's behaviour, checkpoint after checkpoint, at a speed a person can watch.
 */
import type { Command } from 'commander';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { FileFormatError, UsageError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { startWorker } from '../../core/worker.ts';
import { collect, envOptions as envOptionsOf, requiredNumber } from '../args.ts';
import type { RenderFrame, SceneSpec } from '../../core/frame.ts';
import { make, registeredIds, spec } from '../../envs/registry.ts';
import { SyncVectorEnv } from '../../envs/vector/sync-vector-env.ts';
import { agentDefinition, agentNames, type Agent } from '../../agents/index.ts';
import { latestCheckpoint, readCheckpoint } from '../../nn/checkpoint.ts';
import { initBackend } from '../../nn/backend.ts';
import { train } from '../../train/run.ts';
import { resolveClipPath } from '../../motion/data-path.ts';
import {
  EnvPlayer,
  DEFAULT_HOST,
  DEFAULT_PORT,
  POLICY_NAMES,
  Probe,
  addClipSources,
  availableShowcase,
  availableShowcaseClips,
  layoutEnvSources,
  isLoopbackHost,
  startViewerServer,
  type Channel,
  type EnvSourceOptions,
  type Policy,
  type ViewerHub,
  type ViewerServer,
} from '../../viewer/server/index.ts';
import '../rooms.ts';


/** What `start` trains: PPO with rl-baselines3-zoo's CartPole settings (return ~500 after 1e5 steps). */
const DEMO_TRAINING = { env: 'CartPole-v1', agent: 'ppo', steps: 100_000, seed: 0, checkpointEvery: 5000 };

interface ServeOptions {
  port?: string;
  host?: string;
  seconds?: string;
}

interface ViewOptions extends ServeOptions {
  env: string[];
  numEnvs: string;
  policy: string;
  seed: string;
  speed: string;
  option: string[];
  clip: string[];
  run?: string;
}

/** Anything a scene is made of that must be stopped at exit. */
interface Closeable {
  close(): void;
}

export function register(program: Command): void {
  program
    .command('view')
    .description('live viewer: serve the three.js page and stream envs, runs and clips to it over a WebSocket')
    .option('--port <port>', `port (default ${DEFAULT_PORT}, the next free one if taken; 0 = any free port)`)
    .option('--host <host>', `interface to listen on (default ${DEFAULT_HOST}; anything else exposes the viewer to the network)`)
    .option('--env <id>', 'show a rollout of this registered env (repeatable)', collect, [])
    .option('--num-envs <n>', 'copies of each env, side by side, seeds seed … seed+n−1 (a vector env)', '1')
    .option('--policy <name>', `who acts: ${POLICY_NAMES.join(' or ')} (a hand-written controller where one exists, else random)`, 'heuristic')
    .option('--seed <s>', 'seed', '0')
    .option('--speed <x>', 'playback speed relative to real time', '1')
    .option('--option <key=value>', 'env option (repeatable)', collect, [])
    .option('--run <dir>', 'follow a run folder written by `gymnast train`: its curves, and its latest checkpoint playing')
    .option('--clip <file>', 'play a motion clip kinematically: a .bvh or DeepMimic file, or a bundled name like walk (repeatable)', collect, [])
    .option('--seconds <n>', 'stop after this many seconds (default: run until Ctrl-C)')
    .action(async (opts: ViewOptions) => {
      const numEnvs = requiredNumber('--num-envs', opts.numEnvs, { integer: true, min: 1, max: 64 });
      const seed = requiredNumber('--seed', opts.seed, { integer: true, min: 0, max: 2 ** 31 - 1 });
      const speed = requiredNumber('--speed', opts.speed, { min: 1 / 64, max: 64 });
      if (!POLICY_NAMES.includes(opts.policy as never)) throw new UsageError(`--policy must be ${POLICY_NAMES.join(' or ')}, got '${opts.policy}'`);
      for (const id of opts.env) spec(id); // unknown ids fail before the server starts
      for (const c of opts.clip) resolveClipPath(c);
      const run = opts.run === undefined ? undefined : readRunConfig(opts.run);
      const envOptions = envOptionsOf(opts.option);
      const nothingAsked = opts.env.length === 0 && opts.clip.length === 0 && !run;
      const sources: EnvSourceOptions[] = nothingAsked ? availableShowcase() : opts.env.map((envId) => ({ envId, numEnvs, policy: opts.policy, seed, speed, envOptions }));
      const clips = nothingAsked ? availableShowcaseClips() : opts.clip.map((clip) => ({ clip, speed }));
      if (nothingAsked) console.log(`no --env, --run or --clip given: showing ${[...sources.map((s) => s.envId), ...clips.map((c) => c.clip)].join(', ') || 'nothing (no env with frames is registered)'}`);
      await serve(opts, (server) => {
        const parts: Closeable[] = [];
        if (run) parts.push(watchRunFolder(server.hub, opts.run!, run));
        const envs = layoutEnvSources(server.hub, sources, (l) => console.error(l), run ? 1.7 : undefined);
        parts.push(...envs.players, ...addClipSources(server.hub, clips, envs.endZ));
        return parts;
      });
    });

  program
    .command('start')
    .description('the live demo (npm start): the viewer on 127.0.0.1, an agent learning CartPole live, and the other envs')
    .option('--port <port>', `port (default ${DEFAULT_PORT}, the next free one if taken; 0 = any free port)`)
    .option('--headless', 'no browser needed: check that frames reach a WebSocket client, print a summary and exit (CI smoke)')
    .option('--seconds <n>', 'stop after this many seconds (default: until Ctrl-C; with --headless: at most 60, ending once every source has been seen)')
    .option('--no-train', 'skip the training run (only the rollouts)')
    .action(async (opts: ServeOptions & { headless?: boolean; train: boolean }) => {
      if (opts.headless && opts.seconds === undefined) opts.seconds = '60';
      const training = opts.train && registeredIds().includes(DEMO_TRAINING.env) && agentNames().includes(DEMO_TRAINING.agent);
      const sources = availableShowcase();
      const clips = availableShowcaseClips();
      const shown = [
        ...(training ? [`${DEMO_TRAINING.agent.toUpperCase()} learning ${DEMO_TRAINING.env}`] : []),
        ...sources.map((s) => `${s.envId} (${s.policy})`),
        ...clips.map((c) => `the ${c.clip} clip`),
      ];
      console.log(`gymnast start: ${shown.length > 0 ? shown.join(', ') : 'no env with frames is registered yet: the page will be empty'}`);
      await serve(
        { ...opts, host: DEFAULT_HOST },
        (server) => {
          const parts: Closeable[] = [];
          if (training) parts.push(trainLive(server.hub, DEMO_TRAINING));
          const envs = layoutEnvSources(server.hub, sources, (l) => console.error(l), training ? 1.7 : undefined);
          parts.push(...envs.players, ...addClipSources(server.hub, clips, envs.endZ));
          return parts;
        },
        opts.headless,
        // Done when every source has been seen, the training run's curves and env included.
        (p) => p.everyChannelSeen() && (!training || (p.counts.metrics.get(runChannelId(DEMO_TRAINING.env, DEMO_TRAINING.agent)) ?? 0) > 0),
      );
    });
}

/**
 * Starts the server, adds the sources, prints the URL and waits for Ctrl-C or `--seconds`.
 * Headless: a probe client connects and the run fails unless frames reach it; it ends as soon as
 * `headlessDone(probe)` holds (every source seen), `--seconds` being the most it waits.
 */
async function serve(
  opts: ServeOptions,
  addSources: (server: ViewerServer) => Closeable[],
  headless = false,
  headlessDone: (probe: Probe) => boolean = (p) => p.everyChannelSeen(),
): Promise<void> {
  const host = opts.host ?? DEFAULT_HOST;
  const seconds = opts.seconds === undefined ? undefined : requiredNumber('--seconds', opts.seconds, { min: 0, max: 1e7 });
  if (!isLoopbackHost(host)) {
    console.error(`warning: listening on ${host}: anyone who can reach this machine on that interface can watch (there is no authentication)`);
  }
  const server = await listen(host, opts.port);
  let parts: Closeable[] = [];
  let probe: Probe | undefined;
  const t0 = performance.now();
  let stop = () => {};
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (seconds !== undefined) deadline = setTimeout(stop, seconds * 1000);
  });
  let poll: ReturnType<typeof setInterval> | undefined;
  let complete = false;
  try {
    parts = addSources(server);
    console.log(`gymnast viewer: ${server.url}${seconds === undefined ? '  (Ctrl-C to stop)' : ''}`);
    if (headless) {
      const p = (probe = new Probe(server.url));
      await p.open();
      poll = setInterval(() => {
        // A second more once everything is seen, so the counts say something about rates too.
        if (!complete && headlessDone(p)) (complete = true), setTimeout(stop, 1000);
      }, 250);
    }
    await stopped;
  } finally {
    clearInterval(poll);
    clearTimeout(deadline);
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    for (const p of parts) p.close();
    probe?.close();
    await server.close();
  }
  if (probe) {
    const frames = probe.totalFrames();
    const per = [...probe.counts.frames.entries()].map(([id, n]) => `${id} ${n}`).join(', ');
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`headless check (${secs} s): ${probe.counts.channels.size} channels, ${frames} frames (${per || 'none'}), ${probe.counts.metricPoints} metric points, ${probe.counts.invalid} invalid messages`);
    if (parts.length > 0 && (frames === 0 || probe.counts.invalid > 0)) {
      throw new UsageError('headless check failed: the scene published no frames a client could read');
    }
    if (!complete) console.log('headless check: not every source was seen before --seconds ran out');
  }
}

/** Listens on the given port, or on 8080 and the next nine if the port was not given. */
async function listen(host: string, port: string | undefined): Promise<ViewerServer> {
  if (port !== undefined) return startViewerServer({ host, port: requiredNumber('--port', port, { integer: true, min: 0, max: 65535 }) });
  for (let p = DEFAULT_PORT; ; p++) {
    try {
      return await startViewerServer({ host, port: p });
    } catch (e) {
      if (!(e instanceof UsageError && /in use/.test(e.message)) || p >= DEFAULT_PORT + 9) throw e;
    }
  }
}

// -------------------------------------------------------------------------------------------
// A training run in the page: its curves, its training env (when the trainer sends frames), and
// a player running its latest checkpoint.

interface RunConfigFile {
  env: string;
  agent: string;
  seed?: number;
  steps?: number;
  envOptions?: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** What the page shows of one run; fed by the training worker or by a run folder. */
class RunDisplay {
  readonly channel: Channel;
  readonly player: EnvPlayer;
  private policyAgent: { agent: Agent; env: SyncVectorEnv } | null = null;
  private loading = Promise.resolve();
  runDir: string | null = null;

  constructor(
    private readonly hub: ViewerHub,
    readonly envId: string,
    readonly agentName: string,
    meta: Record<string, string | number>,
    /** The run's env options (a policy trained with them plays with them: e.g. an imitation env's clip and action mode). */
    envOptions: Record<string, unknown> = {},
  ) {
    const title = `${agentName.toUpperCase()} on ${envId}`;
    // The training env's bodies are known once the trainer sends a frame; until then, none.
    this.channel = hub.channel({
      id: runChannelId(envId, agentName),
      title: `${title} · training env 0`,
      kind: 'run',
      scene: { bodies: [] },
      offset: [0, 0, 0],
      meta: { env: envId, agent: agentName, ...meta },
    });
    this.player = new EnvPlayer(hub, make(envId, { options: envOptions }), {
      id: `policy:${envId}/${agentName}`,
      title: `${title} · latest checkpoint`,
      offset: [0, 0, -1.2],
      meta: { agent: agentName, policy: 'random (no checkpoint yet)' },
      log: (l) => console.error(l),
    }).start();
  }

  metrics(step: number, values: Record<string, number>): void {
    this.channel.metrics(step, values);
  }

  frame(frame: { scene?: SceneSpec; transforms: Float32Array; time: number }): void {
    this.channel.publish(frame);
  }

  /** Loads a checkpoint into the player (one at a time; a newer one waits for the last). */
  checkpoint(path: string, step: number): void {
    this.loading = this.loading.then(() => this.load(path, step)).catch((e) => console.error(`viewer: cannot load checkpoint ${path}: ${(e as Error).message}`));
  }

  private async load(path: string, step: number): Promise<void> {
    if (!this.runDir) return;
    const config = readRunConfig(this.runDir);
    const def = agentDefinition(config.agent);
    await initBackend('auto');
    const hp = def.schema.parse(config.config);
    const env = new SyncVectorEnv({ id: config.env, numEnvs: (hp as { numEnvs?: number }).numEnvs ?? 1, options: config.envOptions ?? {}, recordEpisodeStatistics: false });
    const agent = def.create({ env, rng: new Rng(config.seed ?? 0), totalSteps: config.steps ?? 1, report: { metrics() {}, episode() {} } }, hp);
    agent.restore(readCheckpoint(path), path);
    const out = new Float32Array(env.actionDim);
    const discrete = env.singleActionSpace.kind === 'discrete';
    const policy: Policy = (obs: Float32Array) => {
      agent.act(obs, 1, out, true);
      return discrete ? out[0]! : out.slice();
    };
    this.player.setPolicy(policy, { policy: `greedy, checkpoint at step ${step}` });
    this.disposeAgent();
    this.policyAgent = { agent, env };
  }

  private disposeAgent(): void {
    this.policyAgent?.agent.dispose();
    this.policyAgent?.env.close();
    this.policyAgent = null;
  }

  close(): void {
    this.player.close();
    this.channel.close();
    this.disposeAgent();
  }
}

function runChannelId(envId: string, agent: string): string {
  return `run:${envId}/${agent}`;
}

function readRunConfig(runDir: string): RunConfigFile {
  const file = join(runDir, 'config.json');
  if (!existsSync(file)) throw new UsageError(`${runDir}: no config.json there; is it a run folder written by gymnast train?`);
  let config: RunConfigFile;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as RunConfigFile;
  } catch (e) {
    throw new FileFormatError(file, 'JSON', `cannot be parsed: ${(e as Error).message}`);
  }
  if (typeof config.env !== 'string' || typeof config.agent !== 'string') throw new FileFormatError(file, 'env/agent', 'missing');
  spec(config.env);
  return config;
}

/** `view --run DIR`: follows metrics.jsonl as it grows and loads each new checkpoint. */
function watchRunFolder(hub: ViewerHub, runDir: string, config: RunConfigFile): Closeable {
  const display = new RunDisplay(hub, config.env, config.agent, { run: runDir, seed: config.seed ?? 0 }, config.envOptions ?? {});
  display.runDir = runDir;
  const metricsFile = join(runDir, 'metrics.jsonl');
  let offset = 0;
  let partial = '';
  let lastCheckpoint: string | null = null;
  const poll = () => {
    if (existsSync(metricsFile)) {
      const fd = openSync(metricsFile, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size < offset) offset = 0; // truncated by a resume: read again
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          readSync(fd, buf, 0, buf.length, offset);
          offset = size;
          const lines = (partial + buf.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line.trim()) continue;
            try {
              const { step, time: _time, ...values } = JSON.parse(line) as Record<string, number>;
              if (typeof step === 'number') display.metrics(step, values);
            } catch {
              // a line being written: skipped, the file is append-only
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    }
    const latest = latestCheckpoint(join(runDir, 'checkpoints'));
    if (latest && latest !== lastCheckpoint) {
      lastCheckpoint = latest;
      const step = Number(/step-0*(\d+)/.exec(latest)?.[1] ?? NaN);
      display.checkpoint(latest, step);
    }
  };
  poll();
  const timer = setInterval(poll, 1000);
  return { close: () => (clearInterval(timer), display.close()) };
}

// -------------------------------------------------------------------------------------------
// Training in a worker thread

interface TrainJob {
  env: string;
  agent: string;
  steps: number;
  seed: number;
  checkpointEvery: number;
  out: string;
  /** Int32Array[1]: 1 while a page watches the training env. */
  watchFlag: SharedArrayBuffer;
}

type WorkerMessage =
  | { t: 'start'; runDir: string }
  | { t: 'metrics'; step: number; values: Record<string, number> }
  | { t: 'checkpoint'; step: number; path: string }
  | { t: 'frame'; transforms: Float32Array; time: number; scene?: SceneSpec }
  | { t: 'done'; step: number; seconds: number }
  | { t: 'error'; message: string };

const WORKER_KEY = 'gymnastViewTrain';

/** `start`: trains `job` in a worker and shows it; the run folder is a temporary one, removed at exit. */
function trainLive(hub: ViewerHub, job: Omit<TrainJob, 'out' | 'watchFlag'>): Closeable {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-start-'));
  const display = new RunDisplay(hub, job.env, job.agent, { steps: job.steps, seed: job.seed });
  const watchFlag = new SharedArrayBuffer(4);
  const watching = new Int32Array(watchFlag);
  const full: TrainJob = { ...job, out: join(dir, 'run'), watchFlag };
  // This file again, in a worker: it sees WORKER_KEY in its workerData and trains.
  const worker = startWorker(new URL(import.meta.url), { workerData: { [WORKER_KEY]: full } });
  const flagTimer = setInterval(() => Atomics.store(watching, 0, display.channel.watched ? 1 : 0), 200);
  worker.on('message', (m: WorkerMessage) => {
    switch (m.t) {
      case 'start':
        display.runDir = m.runDir;
        return;
      case 'metrics':
        return display.metrics(m.step, m.values);
      case 'checkpoint':
        return display.checkpoint(m.path, m.step);
      case 'frame':
        return display.frame(m);
      case 'done':
        console.log(`training done: ${m.step} steps in ${m.seconds.toFixed(0)} s; the player keeps the final policy`);
        return;
      case 'error':
        console.error(`training failed: ${m.message}`);
        return;
    }
  });
  worker.on('error', (e) => console.error(`training worker failed: ${e.message}`));
  return {
    close: () => {
      clearInterval(flagTimer);
      void worker.terminate();
      display.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The worker's side: runs `train()` and posts what its callbacks report. */
async function trainInWorker(job: TrainJob): Promise<void> {
  const port = parentPort!;
  const post = (m: WorkerMessage) => port.postMessage(m);
  const watching = new Int32Array(job.watchFlag);
  let lastFrameMs = -Infinity;
  let lastScene: unknown = null;
  try {
    const result = await train(
      { env: job.env, agent: job.agent, steps: job.steps, seed: job.seed, out: job.out, checkpointEvery: job.checkpointEvery },
      {
        onStart: (info) => post({ t: 'start', runDir: info.runDir }),
        onMetrics: (step, values) => post({ t: 'metrics', step, values }),
        onEpisode: (e) => post({ t: 'metrics', step: e.step, values: { 'charts/episodic_return': e.return, 'charts/episodic_length': e.length } }),
        onCheckpoint: (info) => post({ t: 'checkpoint', step: info.step, path: info.path }),
        // Nobody watching: one atomic load, no frame built. Watched: at most 60 frames a second.
        wantsFrame: () => Atomics.load(watching, 0) !== 0 && performance.now() - lastFrameMs >= 1000 / 60,
        onFrame: (f: unknown) => {
          const now = performance.now();
          const frame = f as RenderFrame;
          if (!frame || !(frame.transforms instanceof Float32Array) || typeof frame.time !== 'number') return;
          lastFrameMs = now;
          post({ t: 'frame', transforms: frame.transforms.slice(), time: frame.time, scene: frame.scene !== lastScene ? frame.scene : undefined });
          lastScene = frame.scene;
        },
      },
    );
    post({ t: 'done', step: result.globalStep, seconds: result.seconds });
  } catch (e) {
    post({ t: 'error', message: (e as Error).message });
  }
}

// This file is also the training worker's entry (see trainLive).
if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_KEY]) {
  await trainInWorker((workerData as Record<string, TrainJob>)[WORKER_KEY]!);
}
