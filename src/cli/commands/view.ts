/**
 * `gymnast view` (the live viewer with the sources asked for) and `gymnast start` (what
 * `npm start` runs: the viewer on 127.0.0.1 with the shipped skills performing, each beside its
 * reference, and an agent learning CartPole live with its curves). The viewer room serves and
 * plays, the live room (`src/live`) trains in a worker, follows a run folder or plays a trained
 * policy; this file parses, wires sources to them, prints the URL and waits.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { collect, envOptions as envOptionsOf, requiredNumber } from '../args.ts';
import { registeredIds, spec } from '../../envs/registry.ts';
import { agentNames } from '../../agents/index.ts';
import { readRunConfig } from '../../train/run-config.ts';
import { resolveClipPath } from '../../motion/data-path.ts';
import { followRunFolder, playPolicy, runChannelId, trainLive } from '../../live/index.ts';
import { initBackend } from '../../nn/backend.ts';
import { shippedPolicies } from '../../train/shipped-policies.ts';
import {
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
  type EnvSourceOptions,
  type ViewerServer,
} from '../../viewer/server/index.ts';


/** What `start` trains: PPO with rl-baselines3-zoo's CartPole settings (return ~500 after 1e5 steps). */
const DEMO_TRAINING = { env: 'CartPole-v1', agent: 'ppo', steps: 100_000, seed: 0, checkpointEvery: 5000 };

interface ServeOptions {
  port?: string;
  host?: string;
  allowHost?: string[];
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
    .option('--allow-host <name>', 'another Host name the viewer answers to, e.g. a DNS name of this machine (repeatable; requests naming any other host are refused)', collect, [])
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
      if (run) spec(run.env);
      const envOptions = envOptionsOf(opts.option);
      const nothingAsked = opts.env.length === 0 && opts.clip.length === 0 && !run;
      const sources: EnvSourceOptions[] = nothingAsked ? availableShowcase() : opts.env.map((envId) => ({ envId, numEnvs, policy: opts.policy, seed, speed, envOptions }));
      const clips = nothingAsked ? availableShowcaseClips() : opts.clip.map((clip) => ({ clip, speed }));
      if (nothingAsked) console.log(`no --env, --run or --clip given: showing ${[...sources.map((s) => s.envId), ...clips.map((c) => c.clip)].join(', ') || 'nothing (no env with frames is registered)'}`);
      await serve(opts, (server) => {
        const parts: Closeable[] = [];
        if (run) parts.push(followRunFolder(server.hub, opts.run!, run));
        const envs = layoutEnvSources(server.hub, sources, (l) => console.error(l), run ? 1.7 : undefined);
        parts.push(...envs.players, ...addClipSources(server.hub, clips, envs.endZ));
        return parts;
      });
    });

  program
    .command('start')
    .description('the live demo (npm start): the viewer on 127.0.0.1 with the shipped skills performing beside their references, and PPO learning CartPole live')
    .option('--port <port>', `port (default ${DEFAULT_PORT}, the next free one if taken; 0 = any free port)`)
    .option('--headless', 'no browser needed: check that frames reach a WebSocket client, print a summary and exit (CI smoke)')
    .option('--seconds <n>', 'stop after this many seconds (default: until Ctrl-C; with --headless: at most 60, ending once every source has been seen)')
    .option('--no-train', 'skip the training run (only the shipped policies)')
    .action(async (opts: ServeOptions & { headless?: boolean; train: boolean }) => {
      if (opts.headless && opts.seconds === undefined) opts.seconds = '60';
      const training = opts.train && registeredIds().includes(DEMO_TRAINING.env) && agentNames().includes(DEMO_TRAINING.agent);
      const policies = shippedPolicies();
      const shown = [
        ...(training ? [`${DEMO_TRAINING.agent.toUpperCase()} learning ${DEMO_TRAINING.env}`] : []),
        ...policies.map((p) => `${basename(p)} (shipped policy)`),
      ];
      console.log(`gymnast start: ${shown.length > 0 ? shown.join(', ') : 'no shipped policy and no training: the page will be empty'}`);
      // The policies act with tfjs in this thread; the training run has its own worker.
      if (policies.length > 0) await initBackend('auto');
      await serve(
        { ...opts, host: DEFAULT_HOST },
        (server) => {
          const parts: Closeable[] = [];
          if (training) parts.push(trainLive(server.hub, DEMO_TRAINING));
          parts.push(...playShippedPolicies(server.hub, policies, training ? SKILLS_START_Z : 0));
          return parts;
        },
        opts.headless,
        // Done when every source has been seen, the training run's curves and env included.
        (p) => p.everyChannelSeen() && (!training || (p.counts.metrics.get(runChannelId(DEMO_TRAINING.env, DEMO_TRAINING.agent)) ?? 0) > 0),
      );
    });
}

/** The training run's channel sits at the origin and its latest checkpoint 1.2 m behind: the skills start after them. */
const SKILLS_START_Z = 3;
/** A character, its ghost 1 m to its side and room to sway: the lane of one shipped policy. */
const SKILL_LANE_M = 3;

/**
 * Every shipped policy performing in its own lane going away from the camera (towards −z), with
 * its reference drawn 1 m to its side. The policies run on the settings they were trained with.
 */
function playShippedPolicies(hub: ViewerServer['hub'], runDirs: readonly string[], startZ: number): Closeable[] {
  return runDirs.map((dir, k) =>
    playPolicy(hub, dir, {
      seed: k,
      offset: [0, 0, -(startZ + SKILL_LANE_M * k)],
      ghostOffsetZ: 1,
      log: (l) => console.error(l),
    }),
  );
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
  const server = await listen(host, opts.port, opts.allowHost);
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
async function listen(host: string, port: string | undefined, allowHosts?: string[]): Promise<ViewerServer> {
  if (port !== undefined) return startViewerServer({ host, allowHosts, port: requiredNumber('--port', port, { integer: true, min: 0, max: 65535 }) });
  for (let p = DEFAULT_PORT; ; p++) {
    try {
      return await startViewerServer({ host, allowHosts, port: p });
    } catch (e) {
      if (!(e instanceof UsageError && /in use/.test(e.message)) || p >= DEFAULT_PORT + 9) throw e;
    }
  }
}
