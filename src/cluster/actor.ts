/**
 * An actor (`gymnast actor --cluster URL`): on any machine, it reads the learner's job spec, claims
 * a slot (a lease in a key-value bucket with a TTL), runs the slot's sub-envs and the acting policy
 * in a rollout pool over its cores (train/rollout-pool.ts, the same code as a local pipeline run),
 * and publishes each finished block as a batch on the job's work-queue stream, tagged with the
 * policy version, its id, its slot and its batch counter.
 *
 * Deterministic mode: one batch per command, with the command's seeds; the pool is the slot's slice
 * of the whole vector env (`slice`), so its block is exactly that slice of a local rollout.
 * Elastic mode: batches one after another with the newest command's policy, at most N/W a version
 * (enough to fill one rollout alone), each with a seed of its own from the command's seed, the
 * slot and the count.
 *
 * A new command from another learner (a restarted one) is followed; a spec of another shape (a
 * new run) makes the actor claim a slot and build its pool again. Runs until `signal` aborts.
 */
import { hostname } from 'node:os';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { streamSeed } from '../core/rng.ts';
import { FileFormatError } from '../core/errors.ts';
import '../envs/index.ts';
import { RolloutPool } from '../train/rollout-pool.ts';
import { JS_TIMEOUT_MS, connectCluster, describeCluster, jobNames, type ClusterOptions } from './connect.ts';
import { chunk, decodeCommand, encodeBatch, PROTOCOL, type RolloutCommand } from './wire.ts';

export interface ActorOptions {
  cluster: ClusterOptions;
  /** Worker threads of the actor's rollout pool (default: one per core, at most the slot's envs). */
  threads?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** The learner's job spec (learner-bridge.ts writes it to the job's KV bucket under `spec`). */
export interface JobSpec {
  protocol: number;
  job: string;
  learner: string;
  mode: 'deterministic' | 'elastic';
  env: string;
  options: Record<string, unknown>;
  maxEpisodeSteps?: number;
  numEnvs: number;
  slots: number;
  width: number;
  numSteps: number;
  obsDim: number;
  actionDim: number;
  backend: string;
  maxLag: number;
  leaseMs: number;
}

/** The fields that decide an actor's pool and slot: when they change, the actor starts over. */
function shapeKey(s: JobSpec): string {
  return JSON.stringify([s.mode, s.env, s.options, s.maxEpisodeSteps, s.numEnvs, s.slots, s.width, s.numSteps, s.backend]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runActor(o: ActorOptions): Promise<void> {
  const log = o.log ?? ((line: string) => console.error(line));
  const actorId = `${hostname()}-${process.pid}-${Date.now().toString(36)}`;
  const names = jobNames(o.cluster.job);
  const nc = await connectCluster(o.cluster, `gymnast actor ${actorId}`);
  const aborted = () => o.signal?.aborted ?? false;
  log(`actor ${actorId}: connected to ${describeCluster(o.cluster)}`);
  try {
    const js = jetstream(nc, { timeout: JS_TIMEOUT_MS });
    const kvm = new Kvm(js);
    const kv = await waitFor(() => kvm.open(names.kv), aborted);
    if (!kv) return;
    let spec = await waitForSpec(kv, aborted, log);
    if (!spec) return;
    const slots = await waitFor(() => kvm.open(names.slots), aborted);
    const store = await waitFor(() => new Objm(js).open(names.policy), aborted);
    if (!slots || !store) return;
    const changes = watchCommands(store);
    try {
      let batchNo = 0;
      while (spec && !aborted()) {
        const session = await serveSpec({ nc, js, kv, slots, store, changes, spec, actorId, names, options: o, log, batchNo, aborted });
        batchNo = session.batchNo;
        spec = session.next;
      }
    } finally {
      changes.stop();
    }
  } finally {
    await nc.drain().catch(() => {});
  }
}

/** Resolves `open` (a bucket or store the learner creates) once it exists; null when aborted first. */
async function waitFor<T>(open: () => Promise<T>, aborted: () => boolean): Promise<T | null> {
  for (;;) {
    try {
      return await open();
    } catch {
      if (aborted()) return null;
      await sleep(500);
    }
  }
}

async function readSpec(kv: KV): Promise<JobSpec | null> {
  const e = await kv.get('spec');
  if (!e || e.operation !== 'PUT') return null;
  const spec = JSON.parse(e.string()) as JobSpec;
  if (spec.protocol !== PROTOCOL) throw new FileFormatError(`job ${spec.job} spec`, 'protocol', `the learner speaks protocol ${spec.protocol}, this actor ${PROTOCOL}: run the same gymnast version on both`);
  return spec;
}

async function waitForSpec(kv: KV, aborted: () => boolean, log: (line: string) => void): Promise<JobSpec | null> {
  let said = false;
  for (;;) {
    // Before the learner's first start the bucket's stream does not exist yet: the same as no spec.
    const spec = await readSpec(kv).catch((e) => {
      if (e instanceof FileFormatError) throw e;
      return null;
    });
    if (spec) return spec;
    if (aborted()) return null;
    if (!said) log('waiting for a learner to publish its job');
    said = true;
    await sleep(500);
  }
}

/** Wakes the actor when the command object changes (and every second regardless). */
function watchCommands(store: ObjectStore) {
  let wake: () => void = () => {};
  let changed = false; // a change seen while nobody waited: the next wait returns at once
  let stopped = false;
  let iter: { stop(): void } | null = null;
  void store.watch({ includeHistory: false }).then(async (it) => {
    iter = it;
    if (stopped) it.stop();
    for await (const _ of it) {
      changed = true;
      wake();
    }
  }).catch(() => {});
  return {
    next: () => new Promise<void>((resolve) => {
      if (changed) {
        changed = false;
        return resolve();
      }
      const timer = setTimeout(resolve, 1000);
      wake = () => {
        changed = false;
        clearTimeout(timer);
        resolve();
      };
    }),
    stop: () => {
      stopped = true;
      iter?.stop();
    },
  };
}

interface Session {
  nc: NatsConnection;
  js: JetStreamClient;
  kv: KV;
  slots: KV;
  store: ObjectStore;
  changes: ReturnType<typeof watchCommands>;
  spec: JobSpec;
  actorId: string;
  names: ReturnType<typeof jobNames>;
  options: ActorOptions;
  log: (line: string) => void;
  batchNo: number;
  aborted: () => boolean;
}

/** Serves one spec: claims a slot, builds the pool, collects until aborted or the job's shape changes; returns the new spec (null: aborted). */
async function serveSpec(s: Session): Promise<{ next: JobSpec | null; batchNo: number }> {
  const { spec, log, actorId } = s;
  const slot = await claimSlot(s);
  if (slot === null) return { next: null, batchNo: s.batchNo };
  const W = spec.width;
  const offset = slot * W;
  const pool = await RolloutPool.create({ id: spec.env, numEnvs: W, options: spec.options, maxEpisodeSteps: spec.maxEpisodeSteps }, spec.numSteps, {
    backend: spec.backend,
    workers: s.options.threads,
    slice: { offset, totalEnvs: Math.max(spec.numEnvs, offset + W) },
  });
  log(`actor ${actorId}: slot ${slot} of job ${spec.job} (${spec.mode}): ${spec.env}, sub-envs ${offset} to ${offset + W - 1}, ${spec.numSteps} steps a batch`);
  const renew = setInterval(() => void s.slots.put(`slot.${slot}`, actorId).catch(() => {}), Math.max(1000, spec.leaseMs / 3));
  let batchNo = s.batchNo;
  let done = 0; // deterministic: the last version collected
  let resetId = -1;
  let atVersion = 0, madeAtVersion = 0; // elastic
  const perVersion = Math.ceil(spec.numEnvs / W);
  try {
    for (;;) {
      if (s.aborted()) return { next: null, batchNo };
      const command = await latestCommand(s.store);
      if (command && command.learner !== spec.learner) {
        // Another learner: a restarted one (same shape, carry on) or a new run (start over).
        const now = await readSpec(s.kv);
        if (now && now.learner === command.learner) {
          if (shapeKey(now) !== shapeKey(spec)) return { next: now, batchNo };
          spec.learner = now.learner;
          log(`actor ${actorId}: following learner ${now.learner}`);
        }
      }
      const usable = command && command.learner === spec.learner;
      const wanted = usable && (spec.mode === 'deterministic' ? command.version > done : command.version !== atVersion || madeAtVersion < perVersion);
      if (!wanted) {
        await s.changes.next();
        continue;
      }
      let fresh = false;
      if (command.reset.id !== resetId) {
        pool.resetAll(command.reset.seed, command.reset.sampleCount);
        fresh = command.reset.id !== command.version;
        resetId = command.reset.id;
      }
      let seed = command.seed;
      if (spec.mode === 'elastic') {
        if (command.version !== atVersion) (atVersion = command.version), (madeAtVersion = 0);
        seed = streamSeed(command.seed, 'elastic', slot * 4096 + (madeAtVersion % 4096));
        madeAtVersion++;
      }
      pool.start({ policy: command.policy, seed, sampleCount: command.sampleCount });
      const rollout = pool.finish();
      const bytes = encodeBatch(
        {
          protocol: PROTOCOL,
          version: command.version,
          actor: actorId,
          slot,
          batch: batchNo,
          env: spec.env,
          T: spec.numSteps,
          width: W,
          obsDim: spec.obsDim,
          actionDim: spec.actionDim,
          hasRaw: command.policy.obsNorm !== null,
          fresh: spec.mode === 'deterministic' && fresh,
          infos: rollout.infos,
        },
        rollout,
      );
      await publishBatch(s, `${actorId}:${batchNo}`, bytes);
      batchNo++;
      done = command.version;
      void s.slots.put(`slot.${slot}`, actorId).catch(() => {});
    }
  } finally {
    clearInterval(renew);
    pool.close();
    await s.slots.delete(`slot.${slot}`).catch(() => {});
  }
}

/** The first free slot (deterministic: 0 … K − 1, waiting while all are held; elastic: any index). */
async function claimSlot(s: Session): Promise<number | null> {
  const limit = s.spec.mode === 'deterministic' ? s.spec.slots : 4096;
  let said = false;
  for (;;) {
    for (let k = 0; k < limit; k++) {
      try {
        await s.slots.create(`slot.${k}`, s.actorId);
        return k;
      } catch {
        // held by another actor
      }
    }
    if (s.aborted()) return null;
    if (!said) s.log(`actor ${s.actorId}: all ${limit} slots of job ${s.spec.job} are held; waiting for one to free (leases last ${s.spec.leaseMs} ms)`);
    said = true;
    await sleep(1000);
  }
}

/** The command object as last read, by its NUID (a new put has a new one): read again only when it changed. */
const lastRead = new WeakMap<ObjectStore, { nuid: string; command: RolloutCommand | null }>();

async function latestCommand(store: ObjectStore): Promise<RolloutCommand | null> {
  const info = await store.info('command').catch(() => null);
  if (!info || info.deleted) return null;
  const cached = lastRead.get(store);
  if (cached?.nuid === info.nuid) return cached.command;
  const bytes = await store.getBlob('command').catch(() => null);
  const c = bytes ? decodeCommand(bytes) : null;
  const command = c === null || typeof c === 'string' ? null : c;
  lastRead.set(store, { nuid: info.nuid, command });
  return command;
}

/** A batch as chunks on the job's stream; each chunk's message id lets JetStream drop a repeated publish. */
async function publishBatch(s: Session, id: string, bytes: Uint8Array): Promise<void> {
  const parts = chunk(bytes);
  for (let i = 0; i < parts.length; i++) {
    const h = headers();
    h.set('Gymnast-Batch', id);
    h.set('Gymnast-Chunk', `${i}/${parts.length}`);
    await s.js.publish(s.names.rolloutSubject, parts[i]!, { msgID: `${id}:${i}`, headers: h });
  }
}
