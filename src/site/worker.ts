/**
 * A Web Worker of the static site: one job (a shipped policy performing, or PPO learning in the
 * page), its env and network in this thread, and a viewer hub whose one client is the page. What
 * the hub would write to a WebSocket is posted to the page instead, so the page draws it with the
 * viewer's own code.
 *
 * Files come from the site over HTTP (core/files.ts), the networks run on tfjs's WASM backend with
 * its `.wasm` files from the site's `tfjs-wasm/`.
 */
// First: queues the page's messages while the imports below set up their WebAssembly.
import { receiveMessages } from './worker-inbox.ts';
import '../envs/registry.ts';
import { agentDefinition } from '../agents/index.ts';
import { FetchedFiles, useFiles } from '../core/files.ts';
import { Rng } from '../core/rng.ts';
import { make } from '../envs/registry.ts';
import { SyncVectorEnv } from '../envs/vector/sync-vector-env.ts';
import { describeBackend, initBackend, setWasmFolder } from '../nn/backend.ts';
import { resolveAgentConfig } from '../train/config.ts';
import { greedyActor } from '../train/evaluate.ts';
import { agentSeed } from '../train/seeds.ts';
import { playPolicy as playPolicyIn } from '../live/policy-player.ts';
import type { ClientConnection } from '../viewer/server/client-connection.ts';
import { ViewerHub } from '../viewer/server/hub.ts';
import { EnvPlayer, type PlayedEpisode } from '../viewer/server/sources/env-player.ts';
import type { Policy } from '../viewer/server/sources/policies.ts';
import type { FromWorker, JobStatus, PolicyJob, ToWorker, TrainJob, TrajectoryJob } from './messages.ts';
import { policyTrajectoryHash } from './trajectory.ts';

const scope = globalThis as unknown as { postMessage(message: FromWorker, transfer?: Transferable[]): void };

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

// The page reads everything: no buffer limits or rate limits between two threads of one page.
const hub = new ViewerHub({ softBufferBytes: Infinity, hardBufferBytes: Infinity, stallMs: Infinity, maxMessagesPerSecond: Infinity }, (line) => console.warn(line));
let client: ClientConnection | null = null;
let status: JobStatus | null = null;

receiveMessages((ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'client') {
    if (client) hub.receive(client, msg.text, false);
    return;
  }
  start(msg.job, msg.base, msg.speed).catch((e: unknown) => post({ type: 'failed', message: e instanceof Error ? e.message : String(e) }));
});

async function start(job: PolicyJob | TrainJob | TrajectoryJob, base: string, speed: number): Promise<void> {
  if (job.kind !== 'train') useFiles(await FetchedFiles.load(base, job.files));
  setWasmFolder(`${base}tfjs-wasm/`);
  const backend = describeBackend(await initBackend('wasm'));
  if (job.kind === 'trajectory') {
    post({ type: 'trajectory', result: policyTrajectoryHash(job.run, job.seed, job.steps) });
    return;
  }
  status = { id: job.id, kind: job.kind, simulatedSeconds: 0, episodes: [], backend };
  client = hub.addClient({
    readyState: 1,
    bufferedAmount: 0,
    send(data) {
      if (typeof data === 'string') post({ type: 'text', text: data });
      else {
        const copy = data.slice();
        post({ type: 'frame', data: copy.buffer }, [copy.buffer]);
      }
    },
    close() {},
    terminate() {},
  });
  const player = job.kind === 'policy' ? playPolicy(job, speed) : await train(job, speed);
  const report = () => {
    status!.simulatedSeconds = player.simulatedSeconds;
    post({ type: 'status', status: status! });
  };
  report();
  setInterval(report, 500);
}

function recordEpisode(e: PlayedEpisode): void {
  const normalized = e.metrics.normalized_return;
  status!.episodes.push({ return: e.return, length: e.length, terminated: e.terminated, ...(typeof normalized === 'number' ? { normalizedReturn: normalized } : {}) });
  if (status!.episodes.length > 200) status!.episodes.shift();
}

/** The greedy policy of a run folder's latest checkpoint, acting in its env as it was trained. */
function playPolicy(job: PolicyJob, speed: number): EnvPlayer {
  return playPolicyIn(hub, job.run, {
    id: `policy:${job.id}`,
    title: job.title,
    seed: job.seed,
    speed,
    offset: job.offset,
    meta: { backend: status!.backend ?? '' },
    onEpisode: recordEpisode,
    log: (line) => console.warn(line),
  }).player;
}

/**
 * PPO learning from scratch, one iteration at a time with a yield between them, so the player
 * beside it (the agent's greedy policy as it is now) and the page's curves stay live.
 */
async function train(job: TrainJob, speed: number): Promise<EnvPlayer> {
  const def = agentDefinition(job.agent);
  const hp = resolveAgentConfig(def, { envId: job.env });
  const env = new SyncVectorEnv({ id: job.env, numEnvs: (hp as { numEnvs: number }).numEnvs, options: {}, recordEpisodeStatistics: true });
  const run = hub.channel({
    id: `run:${job.id}`,
    title: job.title,
    kind: 'run',
    scene: { bodies: [] },
    offset: job.offset,
    meta: { env: job.env, agent: job.agent, seed: job.seed, where: 'this page (Web Worker, tfjs WASM)' },
  });
  const returns: number[] = [];
  status!.trainReturns = returns;
  status!.trainSteps = 0;
  const agent = def.create(
    {
      env,
      rng: new Rng(agentSeed(job.seed)),
      totalSteps: job.steps,
      report: {
        metrics: (step, values) => run.metrics(step, values),
        episode: (e) => {
          returns.push(e.return);
          run.metrics(e.step, { 'charts/episodic_return': e.return, 'charts/episodic_length': e.length });
        },
      },
    },
    hp,
  );
  agent.resetEnvs(job.seed);
  const policy: Policy = greedyActor(agent, env);
  const player = new EnvPlayer(hub, make(job.env), {
    id: `policy:${job.id}`,
    title: `${job.title} · greedy policy now`,
    policy,
    seed: job.seed,
    speed,
    offset: [job.offset[0], job.offset[1], job.offset[2] - 1.2],
    meta: { agent: job.agent, policy: 'the learning agent, greedy' },
    onEpisode: recordEpisode,
    log: (line) => console.warn(line),
  }).start();
  void (async () => {
    while (agent.globalStep < job.steps) {
      await agent.train(agent.globalStep + 1); // one iteration
      status!.trainSteps = agent.globalStep;
      await new Promise((r) => setTimeout(r, 0));
    }
  })().catch((e: unknown) => post({ type: 'failed', message: `training stopped: ${e instanceof Error ? e.message : String(e)}` }));
  return player;
}
