/**
 * The learner's NATS side, in a worker thread of its own (learner.ts is the main thread's side):
 * it publishes the job's spec and each rollout command (the acting policy with its version) to
 * JetStream, takes the actors' batches from the job's work-queue stream, refuses the ones that do
 * not fit (with a log line), and hands the main thread a whole T × N rollout.
 *
 * Logs go straight to stderr (fd 2): the main thread may be blocked in `finish()` and could not
 * forward a worker's console output until the rollout is done.
 */
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { CollectedRollout } from '../agents/policy-rollouts.ts';
import { JS_TIMEOUT_MS, connectCluster, jobNames } from './connect.ts';
import type { BridgeCommand, BridgeInit, BridgeReply } from './learner.ts';
import { Assembler, decodeBatch, decodeCommand, encodeCommand, PROTOCOL, type Batch, type RolloutCommand, type SegmentReset } from './wire.ts';

const init = workerData as BridgeInit;
const ctrl = new Int32Array(init.ctrl);
const names = jobNames(init.cluster.job);
const T = init.numSteps;
const N = init.config.numEnvs;
const W = init.width;
const K = init.slots;
const learnerId = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
const trace = Boolean(process.env.GYMNAST_CLUSTER_TRACE);

function log(line: string): void {
  writeSync(2, `cluster: ${line}${trace ? ` (${new Date().toISOString().slice(11, 23)})` : ''}\n`);
}

function errorJson(e: unknown): { name: string; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message };
}

/** The answer to command `seq`: posted on the port, then the done word set (the main thread reads the port when it wakes). */
function reply(seq: number, r: BridgeReply, transfer: ArrayBuffer[] = []): void {
  init.port.postMessage(r, transfer);
  Atomics.store(ctrl, 1, seq);
  Atomics.notify(ctrl, 1);
}

/** The rollout being collected: its command, and what has arrived for it. */
interface Round {
  seq: number;
  command: RolloutCommand;
  /** Deterministic: slot → batch. */
  slots: Map<number, Batch>;
  since: number;
}

let nc: NatsConnection;
let store: ObjectStore;
let messages: ConsumerMessages | null = null;
let version = 0;
let reset: SegmentReset | null = null;
let round: Round | null = null;
/** The newest command sent (the current round's, or the last one's between rounds). */
let lastCommand: RolloutCommand | null = null;
/** Elastic: batches accepted and not used yet, in arrival order. */
let waiting: Batch[] = [];
/** Every batch identity (actor:batch) ever used or queued: none is counted twice. */
const seen = new Set<string>();
const assembler = new Assembler();
let closing = false;

async function setUp(): Promise<void> {
  nc = await connectCluster(init.cluster, `gymnast learner ${learnerId}`);
  const js = jetstream(nc, { timeout: JS_TIMEOUT_MS });
  const jsm = await jetstreamManager(nc, { timeout: JS_TIMEOUT_MS });
  const kvm = new Kvm(js);
  const kv = await kvm.create(names.kv, { history: 1 });
  await kvm.create(names.slots, { history: 1, ttl: init.leaseMs });
  store = await new Objm(js).create(names.policy);
  // The version continues from the job's last command, so a resumed learner's commands are new to every actor.
  const last = await store.getBlob('command');
  if (last) {
    const c = decodeCommand(last);
    if (typeof c !== 'string') version = c.version;
  }
  try {
    await jsm.streams.info(names.rolloutStream);
  } catch {
    await jsm.streams.add({
      name: names.rolloutStream,
      subjects: [names.rolloutSubject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_age: 3600 * 1e9,
      duplicate_window: 120 * 1e9,
    });
  }
  await jsm.consumers.add(names.rolloutStream, {
    durable_name: 'learner',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: 60 * 1e9,
    max_ack_pending: 4096,
  });
  const { config } = init;
  const spec = {
    protocol: PROTOCOL,
    job: init.cluster.job,
    learner: learnerId,
    mode: init.mode,
    env: config.id,
    options: config.options ?? {},
    maxEpisodeSteps: config.maxEpisodeSteps,
    numEnvs: N,
    slots: K,
    width: W,
    numSteps: T,
    obsDim: init.obsDim,
    actionDim: init.actionDim,
    backend: init.backend,
    maxLag: init.maxLag,
    leaseMs: init.leaseMs,
  };
  await kv.put('spec', JSON.stringify(spec));
  log(`learner ${learnerId}: ${init.mode} mode, ${config.id}, ${N} envs in ${K} slots of ${W}, ${T} steps a rollout, policy versions from ${version + 1}`);
  const consumer = await js.consumers.get(names.rolloutStream, 'learner');
  messages = await consumer.consume({ max_messages: 256 });
  void (async () => {
    for await (const m of messages!) onMessage(m);
  })().catch((e) => {
    if (!closing) log(`the rollout stream stopped: ${errorJson(e).message}`);
  });
  setInterval(() => {
    for (const id of assembler.expire(300_000)) log(`dropped the chunks of batch ${id}: its last chunk never came`);
    if (round && Date.now() - round.since > 10_000) {
      round.since = Date.now();
      if (init.mode === 'deterministic') {
        const missing = Array.from({ length: K }, (_, s) => s).filter((s) => !round!.slots.has(s));
        log(`waiting for slot${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of version ${round.command.version} (start an actor: gymnast actor --cluster … --job ${init.cluster.job})`);
      } else log(`waiting for batches of version ≥ ${round.command.version - init.maxLag}: ${waiting.length} of ${N / W} (start an actor: gymnast actor --cluster … --job ${init.cluster.job})`);
    }
  }, 2000).unref();
}

// ---------------------------------------------------------------- batches in

function onMessage(m: JsMsg): void {
  // Acknowledged at once: a batch is the learner's as soon as it is here (a killed learner's
  // batches are stale for the next one anyway).
  m.ack();
  const id = m.headers?.get('Gymnast-Batch') ?? `seq ${m.seq}`;
  const [index, count] = (m.headers?.get('Gymnast-Chunk') ?? '0/1').split('/').map(Number);
  const bytes = assembler.add(id, index!, count!, m.data);
  if (!bytes) return;
  const hasRaw = lastCommand ? lastCommand.policy.obsNorm !== null : undefined;
  const batch = decodeBatch(bytes, { env: init.config.id, T, width: W, obsDim: init.obsDim, actionDim: init.actionDim, hasRaw });
  if (typeof batch === 'string') return refuse(id, batch);
  if (!lastCommand) return refuse(id, `policy version ${batch.header.version}: this learner has not asked for a rollout yet`);
  accept(id, batch);
}

function refuse(id: string, reason: string): void {
  log(`refused batch ${id}: ${reason}`);
}

function accept(id: string, batch: Batch): void {
  const h = batch.header;
  const key = `${h.actor}:${h.batch}`;
  if (seen.has(key)) return refuse(id, `batch ${h.batch} of actor ${h.actor} was counted already`);
  const current = round?.command.version ?? version;
  if (init.mode === 'deterministic') {
    if (h.version !== current) return refuse(id, `policy version ${h.version}, the learner waits for version ${current}`);
    if (!round) return refuse(id, 'no rollout is being collected');
    if (h.slot < 0 || h.slot >= K) return refuse(id, `slot ${h.slot}, this job has slots 0 to ${K - 1}`);
    if (round.slots.has(h.slot)) return refuse(id, `a second batch for slot ${h.slot} of version ${h.version} (from actor ${h.actor})`);
    if (h.fresh) log(`slot ${h.slot} (actor ${h.actor}) joined in the middle of a segment and reset its envs: from here to the next checkpoint this run is not bit-exact with a local one`);
    seen.add(key);
    round.slots.set(h.slot, batch);
    if (trace) log(`took batch ${key} version ${h.version} slot ${h.slot}`);
  } else {
    if (h.version > current || h.version < current - init.maxLag) return refuse(id, `policy version ${h.version}, the learner takes ${current - init.maxLag} to ${current}`);
    seen.add(key);
    waiting.push(batch);
  }
  tryComplete();
}

function tryComplete(): void {
  if (!round) return;
  const r = round;
  let parts: Batch[];
  if (init.mode === 'deterministic') {
    if (r.slots.size < K) return;
    parts = Array.from({ length: K }, (_, s) => r.slots.get(s)!);
  } else {
    const v = r.command.version;
    const stale = waiting.filter((b) => b.header.version < v - init.maxLag);
    for (const b of stale) log(`dropped batch ${b.header.actor}:${b.header.batch}: version ${b.header.version} is more than ${init.maxLag} behind ${v}`);
    waiting = waiting.filter((b) => b.header.version >= v - init.maxLag);
    if (waiting.length < N / W) return;
    parts = waiting.splice(0, N / W);
    if (trace) for (const b of parts) log(`took batch ${b.header.actor}:${b.header.batch} version ${b.header.version} into version ${v}`);
  }
  round = null;
  const rollout = assemble(parts);
  reply(r.seq, { rollout }, [rollout.obs, rollout.rawNextObs, rollout.actions, rollout.logprobs, rollout.rewards, rollout.terminated, rollout.dones, rollout.valid].map((a) => a.buffer as ArrayBuffer));
}

/** The batches side by side: batch j holds sub-envs jW … jW + W − 1 of every row. */
function assemble(parts: Batch[]): CollectedRollout {
  const { obsDim, actionDim } = init;
  const out: CollectedRollout = {
    obs: new Float32Array((T + 1) * N * obsDim),
    rawNextObs: new Float32Array(T * N * obsDim),
    actions: new Float32Array(T * N * actionDim),
    logprobs: new Float32Array(T * N),
    rewards: new Float64Array(T * N),
    terminated: new Uint8Array(T * N),
    dones: new Uint8Array(T * N),
    valid: new Uint8Array(T * N),
    infos: [],
  };
  parts.forEach((b, j) => {
    const r = b.rollout;
    const c = j * W;
    for (let t = 0; t <= T; t++) {
      out.obs.set(r.obs.subarray(t * W * obsDim, (t + 1) * W * obsDim), (t * N + c) * obsDim);
      if (t === T) break;
      out.rawNextObs.set(r.rawNextObs.subarray(t * W * obsDim, (t + 1) * W * obsDim), (t * N + c) * obsDim);
      out.actions.set(r.actions.subarray(t * W * actionDim, (t + 1) * W * actionDim), (t * N + c) * actionDim);
      for (const [to, from] of [[out.logprobs, r.logprobs], [out.rewards, r.rewards], [out.terminated, r.terminated], [out.dones, r.dones], [out.valid, r.valid]] as const) {
        (to as Float32Array).set((from as Float32Array).subarray(t * W, (t + 1) * W), t * N + c);
      }
    }
    for (const i of r.infos) out.infos.push({ t: i.t, env: c + i.env, info: i.info });
  });
  out.infos.sort((a, b) => a.t - b.t || a.env - b.env);
  return out;
}

// ---------------------------------------------------------------- commands from the main thread

async function onCommand(c: BridgeCommand): Promise<void> {
  if (c.kind === 'close') {
    closing = true;
    round = null;
    try {
      await messages?.close();
      await nc.drain();
    } catch {
      // closing anyway
    }
    return reply(c.seq, {});
  }
  version++;
  if (c.reset) reset = { id: version, seed: c.reset.seed, sampleCount: c.reset.sampleCount };
  if (!reset) throw new Error('a rollout was asked for before any reset');
  const command: RolloutCommand = { protocol: PROTOCOL, version, learner: learnerId, seed: c.request.seed, sampleCount: c.request.sampleCount, reset, policy: c.request.policy };
  round = { seq: c.seq, command, slots: new Map(), since: Date.now() };
  lastCommand = command;
  await store.putBlob({ name: 'command' }, encodeCommand(command));
  tryComplete();
}

parentPort!.on('message', (c: BridgeCommand) => {
  onCommand(c).catch((e) => reply(c.seq, { error: errorJson(e) }));
});

try {
  await setUp();
  parentPort!.postMessage({ ready: true });
} catch (e) {
  parentPort!.postMessage({ ready: false, error: errorJson(e) });
}
