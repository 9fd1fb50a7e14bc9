/**
 * `gymnast view` (the live viewer with the sources asked for) and `gymnast start` (what
 * `npm start` runs: the viewer on 127.0.0.1 with the default scene). The viewer room does the
 * work; this file parses, wires sources to the server, prints the URL and waits.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseOptionPairs, spec } from '../../envs/registry.ts';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  POLICY_NAMES,
  Probe,
  addEnvSources,
  availableShowcase,
  isLoopbackHost,
  startViewerServer,
  type EnvPlayer,
  type EnvSourceOptions,
  type ViewerServer,
} from '../../viewer/server/index.ts';
import '../rooms.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

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
}

export function register(program: Command): void {
  program
    .command('view')
    .description('live viewer: serve the three.js page and stream envs (and clips) to it over a WebSocket')
    .option('--port <port>', `port (default ${DEFAULT_PORT}, the next free one if taken; 0 = any free port)`)
    .option('--host <host>', `interface to listen on (default ${DEFAULT_HOST}; anything else exposes the viewer to the network)`)
    .option('--env <id>', 'show a rollout of this registered env (repeatable)', collect, [])
    .option('--num-envs <n>', 'copies of each env, side by side, seeds seed … seed+n−1 (a vector env)', '1')
    .option('--policy <name>', `who acts: ${POLICY_NAMES.join(' or ')} (a hand-written controller where one exists, else random)`, 'heuristic')
    .option('--seed <s>', 'seed', '0')
    .option('--speed <x>', 'playback speed relative to real time', '1')
    .option('--option <key=value>', 'env option (repeatable)', collect, [])
    .option('--clip <file>', 'play a motion clip kinematically (repeatable)', collect, [])
    .option('--seconds <n>', 'stop after this many seconds (default: run until Ctrl-C)')
    .action(async (opts: ViewOptions) => {
      const numEnvs = parseIntIn('--num-envs', opts.numEnvs, 1, 64);
      const seed = parseIntIn('--seed', opts.seed, 0, 2 ** 31 - 1);
      const speed = parseNumberIn('--speed', opts.speed, 1 / 64, 64);
      if (!POLICY_NAMES.includes(opts.policy as never)) throw new UsageError(`--policy must be ${POLICY_NAMES.join(' or ')}, got '${opts.policy}'`);
      if (opts.clip.length > 0) throw new UsageError('--clip: playing motion clips needs the motion room\'s frame function, which has not landed yet');
      for (const id of opts.env) spec(id); // unknown ids fail before the server starts
      const envOptions = parseOptionPairs(opts.option);
      const sources: EnvSourceOptions[] =
        opts.env.length > 0
          ? opts.env.map((envId) => ({ envId, numEnvs, policy: opts.policy, seed, speed, envOptions }))
          : availableShowcase();
      if (opts.env.length === 0) console.log(`no --env or --clip given: showing ${sources.map((s) => s.envId).join(', ') || 'nothing (no env with frames is registered)'}`);
      await serve(opts, (server) => addEnvSources(server.hub, sources, (l) => console.error(l)));
    });

  program
    .command('start')
    .description('the live demo (npm start): the viewer on 127.0.0.1 with the default scene')
    .option('--port <port>', `port (default ${DEFAULT_PORT}, the next free one if taken; 0 = any free port)`)
    .option('--headless', 'no browser needed: check that frames reach a WebSocket client, print a summary and exit (CI smoke)')
    .option('--seconds <n>', 'stop after this many seconds (default: until Ctrl-C; 5 with --headless)')
    .action(async (opts: ServeOptions & { headless?: boolean }) => {
      if (opts.headless && opts.seconds === undefined) opts.seconds = '5';
      const sources = availableShowcase();
      console.log(`gymnast start: ${sources.length > 0 ? `showing ${sources.map((s) => `${s.envId} (${s.policy})`).join(', ')}` : 'no env with frames is registered yet: the page will be empty'}`);
      await serve({ ...opts, host: DEFAULT_HOST }, (server) => addEnvSources(server.hub, sources, (l) => console.error(l)), opts.headless);
    });
}

/**
 * Starts the server, adds the sources, prints the URL and waits for Ctrl-C or `--seconds`.
 * Headless: a probe client connects and the run fails unless frames reach it.
 */
async function serve(opts: ServeOptions, addSources: (server: ViewerServer) => EnvPlayer[], headless = false): Promise<void> {
  const host = opts.host ?? DEFAULT_HOST;
  const seconds = opts.seconds === undefined ? undefined : parseNumberIn('--seconds', opts.seconds, 0, 1e7);
  if (!isLoopbackHost(host)) {
    console.error(`warning: listening on ${host}: anyone who can reach this machine on that interface can watch (there is no authentication)`);
  }
  const server = await listen(host, opts.port);
  let players: EnvPlayer[] = [];
  let probe: Probe | undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (seconds !== undefined) setTimeout(stop, seconds * 1000);
  });
  try {
    players = addSources(server);
    console.log(`gymnast viewer: ${server.url}${seconds === undefined ? '  (Ctrl-C to stop)' : ''}`);
    if (headless) {
      probe = new Probe(server.url);
      await probe.open();
    }
    await stopped;
  } finally {
    for (const p of players) p.close();
    probe?.close();
    await server.close();
  }
  if (probe) {
    const frames = probe.totalFrames();
    const per = [...probe.counts.frames.entries()].map(([id, n]) => `${id} ${n}`).join(', ');
    console.log(`headless check: ${probe.counts.channels.size} channels, ${frames} frames received (${per || 'none'}), ${probe.counts.invalid} invalid messages`);
    if (players.length > 0 && (frames === 0 || probe.counts.invalid > 0)) {
      throw new UsageError('headless check failed: the scene published no frames a client could read');
    }
  }
}

/** Listens on the given port, or on 8080 and the next nine if the port was not given. */
async function listen(host: string, port: string | undefined): Promise<ViewerServer> {
  if (port !== undefined) return startViewerServer({ host, port: parseIntIn('--port', port, 0, 65535) });
  for (let p = DEFAULT_PORT; ; p++) {
    try {
      return await startViewerServer({ host, port: p });
    } catch (e) {
      if (!(e instanceof UsageError && /in use/.test(e.message)) || p >= DEFAULT_PORT + 9) throw e;
    }
  }
}

function parseIntIn(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got '${value}'`);
  return n;
}

function parseNumberIn(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} must be a number in [${min}, ${max}], got '${value}'`);
  return n;
}

