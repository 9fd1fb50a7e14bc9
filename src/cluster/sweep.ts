/**
 * Sweeps over a cluster: `gymnast sweep spec.yaml --cluster …` expands seeds × settings into run
 * specs on a JetStream work-queue stream; `gymnast worker --cluster …` takes one at a time, trains
 * it through `train()` (src/train/run.ts, the same code as `gymnast train`) and stores the run
 * folder (in the job's object store, or under a folder the user names); `gymnast sweep status` and
 * `gymnast sweep results` read the runs' records from a key-value bucket.
 *
 * A worker holds its message while it trains (it tells JetStream it is still working); a worker
 * that dies stops doing so, the acknowledgement deadline passes, the run goes back to the queue
 * and the next worker resumes it from its last stored checkpoint (`train --resume`).
 *
 * The spec file:
 *
 *   name: cartpole-lr           # letters, digits, - and _
 *   env: CartPole-v1
 *   agent: ppo
 *   steps: 20000
 *   seeds: [0, 1, 2]            # or seeds: 3 (0, 1, 2)
 *   grid: { learningRate: [1e-3, 3e-4] }   # every combination; or `list:` of settings
 *   set: { numEnvs: 4 }         # hyperparameters every run shares
 *   options: {}                 # env options
 *   checkpointEvery: 2000
 *   evalEpisodes: 0
 *   vectorEnv: sync
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JsMsg } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { GymnastError, ValidationError } from '../core/errors.ts';
import { readYamlMapping } from '../core/settings.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { train } from '../train/run.ts';
import { readMetrics } from '../train/metrics.ts';
import { JS_TIMEOUT_MS, connectCluster, describeCluster, type ClusterOptions } from './connect.ts';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const settings = z.record(z.string(), z.unknown());

export const sweepSchema = z
  .object({
    name: z.string().regex(NAME, 'letters, digits, - and _ (at most 64)').describe('the sweep’s name'),
    env: z.string().describe('registered env id'),
    agent: z.string().describe('agent name'),
    steps: z.number().int().min(1).describe('env steps per run'),
    seeds: z.union([z.number().int().min(1).max(1000), z.array(z.number().int().min(0)).min(1).max(1000)]).default([0]).describe('a list of seeds, or n for 0 … n − 1'),
    grid: z.record(z.string(), z.array(z.unknown()).min(1)).optional().describe('hyperparameters → values: every combination'),
    list: z.array(settings).min(1).optional().describe('a list of hyperparameter settings (instead of grid)'),
    set: settings.default({}).describe('hyperparameters every run shares'),
    options: settings.default({}).describe('env options'),
    checkpointEvery: z.number().int().min(1).optional().describe('env steps between checkpoints (default a tenth of the run)'),
    evalEpisodes: z.number().int().min(0).default(0).describe('greedy episodes evaluated at each checkpoint'),
    vectorEnv: z.enum(['sync', 'async', 'pipeline']).default('sync').describe('each run’s vector env'),
  })
  .strict()
  .refine((s) => !(s.grid && s.list), { message: 'grid or list, not both' });

export type SweepSpec = z.output<typeof sweepSchema>;

/** One run of a sweep: what a worker needs to train it. */
export interface RunSpec {
  sweep: string;
  id: string;
  env: string;
  agent: string;
  steps: number;
  seed: number;
  settings: Record<string, unknown>;
  set: Record<string, unknown>;
  options: Record<string, unknown>;
  checkpointEvery?: number;
  evalEpisodes: number;
  vectorEnv: 'sync' | 'async' | 'pipeline';
}

/** A run's record in the sweep's bucket. */
export interface RunRecord {
  id: string;
  seed: number;
  settings: Record<string, unknown>;
  status: 'queued' | 'running' | 'done' | 'failed';
  step: number;
  steps: number;
  worker?: string;
  /** Times this run was started (more than 1: a worker died and another resumed it). */
  attempts: number;
  resumedFrom?: number;
  error?: string;
  results?: Record<string, number>;
}

export function readSweepSpec(file: string): SweepSpec {
  return parseSweepSpec(readYamlMapping(file, 'a sweep'), file);
}

export function parseSweepSpec(values: unknown, source = 'sweep spec'): SweepSpec {
  const r = sweepSchema.safeParse(values);
  if (!r.success) throw new ValidationError(source, r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

/** Seeds × settings, in a fixed order (settings outer, seeds inner); ids `<name>-<index>`. */
export function expandSweep(s: SweepSpec): RunSpec[] {
  const seeds = typeof s.seeds === 'number' ? Array.from({ length: s.seeds }, (_, i) => i) : s.seeds;
  let combos: Record<string, unknown>[] = [{}];
  if (s.list) combos = s.list;
  else if (s.grid) for (const [k, values] of Object.entries(s.grid)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  const runs: RunSpec[] = [];
  for (const settings of combos) {
    for (const seed of seeds) {
      runs.push({
        sweep: s.name,
        id: `${s.name}-${runs.length}`,
        env: s.env,
        agent: s.agent,
        steps: s.steps,
        seed,
        settings,
        set: { ...s.set, ...settings },
        options: s.options,
        checkpointEvery: s.checkpointEvery,
        evalEpisodes: s.evalEpisodes,
        vectorEnv: s.vectorEnv,
      });
    }
  }
  if (runs.length > 10_000) throw new ValidationError('sweep', [{ path: 'grid', message: `${runs.length} runs; at most 10000` }]);
  return runs;
}

// ---------------------------------------------------------------- names

const STREAM = 'GYMNAST-SWEEPS';
const SUBJECT = 'gymnast.sweeps.runs';
const CONSUMER = 'workers';
const RECORDS = 'gymnast-sweeps';
const FOLDERS = 'gymnast-sweep-runs';
const recordKey = (sweep: string, id: string) => `${sweep}.${id}`;

async function open(nc: NatsConnection) {
  const js = jetstream(nc, { timeout: JS_TIMEOUT_MS });
  const kvm = new Kvm(js);
  return { js, records: await kvm.create(RECORDS, { history: 1 }), folders: await new Objm(js).create(FOLDERS) };
}

async function putRecord(kv: KV, sweep: string, r: RunRecord): Promise<void> {
  await kv.put(recordKey(sweep, r.id), JSON.stringify(r));
}

async function getRecord(kv: KV, sweep: string, id: string): Promise<RunRecord | null> {
  const e = await kv.get(recordKey(sweep, id));
  return e && e.operation === 'PUT' ? (JSON.parse(e.string()) as RunRecord) : null;
}

// ---------------------------------------------------------------- submit

/**
 * Puts every run of the sweep on the queue (a run already recorded is not queued again: submitting
 * twice is harmless). `ackWaitSeconds`: how long a silent worker keeps a run before it goes back.
 */
export async function submitSweep(cluster: ClusterOptions, spec: SweepSpec, ackWaitSeconds = 60): Promise<RunSpec[]> {
  const runs = expandSweep(spec);
  const nc = await connectCluster(cluster, 'gymnast sweep');
  try {
    const { js, records } = await open(nc);
    const jsm = await jetstreamManager(nc, { timeout: JS_TIMEOUT_MS });
    try {
      await jsm.streams.info(STREAM);
    } catch {
      await jsm.streams.add({ name: STREAM, subjects: [SUBJECT], retention: RetentionPolicy.Workqueue, storage: StorageType.File, duplicate_window: 120 * 1e9 });
    }
    const consumer = { durable_name: CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: ackWaitSeconds * 1e9, max_ack_pending: 10_000 };
    try {
      await jsm.consumers.info(STREAM, CONSUMER);
      await jsm.consumers.update(STREAM, CONSUMER, { ack_wait: consumer.ack_wait });
    } catch {
      await jsm.consumers.add(STREAM, consumer);
    }
    const queued: RunSpec[] = [];
    for (const run of runs) {
      if (await getRecord(records, spec.name, run.id)) continue;
      await putRecord(records, spec.name, { id: run.id, seed: run.seed, settings: run.settings, status: 'queued', step: 0, steps: run.steps, attempts: 0 });
      await js.publish(SUBJECT, JSON.stringify(run), { msgID: `${spec.name}:${run.id}` });
      queued.push(run);
    }
    return queued;
  } finally {
    await nc.drain();
  }
}

// ---------------------------------------------------------------- status and results

export async function sweepRecords(cluster: ClusterOptions, sweep: string): Promise<RunRecord[]> {
  const nc = await connectCluster(cluster, 'gymnast sweep status');
  try {
    const { records } = await open(nc);
    const out: RunRecord[] = [];
    const keys = await records.keys(`${sweep}.>`);
    for await (const k of keys) {
      const r = await getRecord(records, sweep, k.slice(sweep.length + 1));
      if (r) out.push(r);
    }
    if (out.length === 0) throw new GymnastError(`no sweep named '${sweep}' on ${describeCluster(cluster)}`);
    const index = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));
    return out.sort((a, b) => index(a.id) - index(b.id));
  } finally {
    await nc.drain();
  }
}

// ---------------------------------------------------------------- the worker

export interface WorkerOptions {
  cluster: ClusterOptions;
  /** Keep run folders under this folder (<store>/<sweep>/<id>) instead of the object store. */
  store?: string;
  /** Leave after this many seconds without work (default: never). */
  idleExitSeconds?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export async function runWorker(o: WorkerOptions): Promise<void> {
  const log = o.log ?? ((line: string) => console.error(line));
  const workerId = `${hostname()}-${process.pid}`;
  const nc = await connectCluster(o.cluster, `gymnast worker ${workerId}`);
  log(`worker ${workerId}: connected to ${describeCluster(o.cluster)}`);
  try {
    const { js, records, folders } = await open(nc);
    let idleSince = Date.now();
    while (!o.signal?.aborted) {
      let msg: JsMsg | null = null;
      try {
        const consumer = await js.consumers.get(STREAM, CONSUMER);
        msg = await consumer.next({ expires: 2000 });
      } catch {
        await new Promise((r) => setTimeout(r, 1000)); // no sweep submitted yet
      }
      if (!msg) {
        if (o.idleExitSeconds !== undefined && Date.now() - idleSince > o.idleExitSeconds * 1000) {
          log(`worker ${workerId}: no work for ${o.idleExitSeconds} s, leaving`);
          return;
        }
        continue;
      }
      await work(msg, { records, folders, workerId, log, store: o.store });
      idleSince = Date.now();
    }
  } finally {
    await nc.drain().catch(() => {});
  }
}

async function work(msg: JsMsg, c: { records: KV; folders: ObjectStore; workerId: string; log: (line: string) => void; store?: string }): Promise<void> {
  let run: RunSpec;
  try {
    run = JSON.parse(new TextDecoder().decode(msg.data)) as RunSpec;
    if (!NAME.test(run.sweep) || !NAME.test(run.id)) throw new Error('bad names');
  } catch {
    c.log(`worker ${c.workerId}: dropped a message that is not a run spec`);
    msg.term();
    return;
  }
  // Tell JetStream the run is in hand, every second (acknowledgement deadlines are longer), so the
  // deadline passes only for a dead (or frozen) worker.
  const keepAlive = setInterval(() => msg.working(), 1000);
  const prefix = `${run.sweep}/${run.id}/`;
  const dir = c.store ? join(c.store, run.sweep, run.id) : join(tmpdir(), `gymnast-worker-${process.pid}`, run.sweep, run.id);
  const record = (await getRecord(c.records, run.sweep, run.id)) ?? { id: run.id, seed: run.seed, settings: run.settings, status: 'queued', step: 0, steps: run.steps, attempts: 0 };
  try {
    if (record.status === 'done') {
      msg.ack();
      return;
    }
    if (!c.store) {
      rmSync(dir, { recursive: true, force: true });
      await download(c.folders, prefix, dir);
    }
    const resume = existsSync(join(dir, 'checkpoints', 'latest.json'));
    const resumedFrom = resume ? (JSON.parse(readFileSync(join(dir, 'checkpoints', 'latest.json'), 'utf8')).step as number) : undefined;
    c.log(`worker ${c.workerId}: ${resume ? `resuming ${run.id} from step ${resumedFrom}` : `training ${run.id}`} (${run.agent} on ${run.env}, seed ${run.seed}${Object.keys(run.settings).length ? `, ${JSON.stringify(run.settings)}` : ''})`);
    Object.assign(record, { status: 'running', worker: c.workerId, attempts: record.attempts + 1, ...(resume ? { resumedFrom, step: resumedFrom } : {}) });
    await putRecord(c.records, run.sweep, record);
    // Each checkpoint's folder is read while training waits in the callback (the trainer deletes
    // old checkpoints later), and stored in the background; the first failure is kept for the end.
    let uploads = Promise.resolve();
    let uploadError: unknown = null;
    const result = await train(
      resume
        ? { env: run.env, agent: run.agent, resume: dir }
        : { env: run.env, agent: run.agent, steps: run.steps, seed: run.seed, set: run.set, envOptions: run.options as never, checkpointEvery: run.checkpointEvery, evalEpisodes: run.evalEpisodes, vectorEnv: run.vectorEnv, out: dir },
      {
        onCheckpoint: (info) => {
          const step = info.step;
          const files = c.store ? null : snapshot(dir);
          uploads = uploads
            .then(async () => {
              if (files) await upload(c.folders, prefix, files);
              record.step = step;
              await putRecord(c.records, run.sweep, record);
              c.log(`worker ${c.workerId}: stored ${run.id} at step ${step}`);
            })
            .catch((e) => void (uploadError ??= e));
        },
      },
    );
    await uploads;
    if (uploadError) throw uploadError;
    Object.assign(record, { status: 'done', step: result.globalStep, results: summary(dir, result.seconds) });
    await putRecord(c.records, run.sweep, record);
    msg.ack();
    c.log(`worker ${c.workerId}: ${run.id} done at step ${result.globalStep}`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    Object.assign(record, { status: 'failed', error: message });
    await putRecord(c.records, run.sweep, record).catch(() => {});
    // Bad input does not get better on another worker: the run is not redelivered.
    msg.term(message.slice(0, 200));
    c.log(`worker ${c.workerId}: ${run.id} failed: ${message}`);
  } finally {
    clearInterval(keepAlive);
    if (!c.store) rmSync(dir, { recursive: true, force: true });
  }
}

/** The final metrics of a run folder: the mean return of its last 20 episodes, the last evaluation, steps and seconds. */
function summary(dir: string, seconds: number): Record<string, number> {
  const rows = readMetrics(join(dir, 'metrics.jsonl'));
  const returns = rows.map((r) => r['charts/episodic_return']).filter((v): v is number => typeof v === 'number');
  const last = returns.slice(-20);
  const out: Record<string, number> = { seconds: Math.round(seconds * 10) / 10, episodes: returns.length };
  if (last.length) out['charts/episodic_return'] = last.reduce((a, v) => a + v, 0) / last.length;
  const evals = rows.filter((r) => typeof r['eval/mean_return'] === 'number');
  if (evals.length) out['eval/mean_return'] = evals[evals.length - 1]!['eval/mean_return']!;
  return out;
}

// ---------------------------------------------------------------- run folders in the object store

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The run folder's files (relative path → bytes), without the lock file and unfinished checkpoints. */
function snapshot(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const f of filesUnder(dir)) {
    const rel = relative(dir, f);
    if (rel !== 'run.lock' && !rel.includes('.tmp')) files.set(rel, readFileSync(f));
  }
  return files;
}

/**
 * A run folder's snapshot into the store under `prefix`: checkpoint files first,
 * `checkpoints/latest.json` last (it names a checkpoint whose files are all there), then the
 * objects of checkpoints that are gone.
 */
async function upload(store: ObjectStore, prefix: string, files: Map<string, Uint8Array>): Promise<void> {
  const names = [...files.keys()];
  const isLatest = (f: string) => f.endsWith('latest.json');
  for (const f of [...names.filter((f) => !isLatest(f)), ...names.filter(isLatest)]) {
    await store.putBlob({ name: prefix + f }, files.get(f)!);
  }
  const keep = new Set(names.map((f) => prefix + f));
  for (const info of await store.list()) {
    if (info.name.startsWith(prefix) && !keep.has(info.name)) await store.delete(info.name);
  }
}

async function download(store: ObjectStore, prefix: string, dir: string): Promise<void> {
  for (const info of await store.list()) {
    if (!info.name.startsWith(prefix)) continue;
    const bytes = await store.getBlob(info.name);
    if (!bytes) continue;
    const file = join(dir, info.name.slice(prefix.length));
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, bytes);
  }
}

/** A run folder of a finished sweep run, copied out of the store into `dir`. */
export async function fetchRunFolder(cluster: ClusterOptions, sweep: string, id: string, dir: string): Promise<void> {
  const nc = await connectCluster(cluster, 'gymnast sweep fetch');
  try {
    const { folders } = await open(nc);
    await download(folders, `${sweep}/${id}/`, dir);
  } finally {
    await nc.drain();
  }
}
