/**
 * The learner's side of a cluster run: `PolicyRollouts` (agents/policy-rollouts.ts) whose sub-env
 * slices are NATS actors instead of this machine's worker threads. PPO's pipelined loop drives it
 * exactly as it drives the rollout pool (train/rollout-pool.ts), through `train()` in
 * src/train/run.ts (`rolloutSource`): same run folder, checkpoints and `--resume`.
 *
 * The NATS connection lives in a worker thread (learner-bridge.ts) with its own event loop, so
 * batches arrive while the update runs here; `finish()` blocks on a shared word as the pool does.
 *
 * Modes:
 * - deterministic: K slots of N/K sub-envs; slot k holds sub-envs kw … kw + w − 1 of the whole,
 *   with their seeds. The learner waits for every slot's batch of the current version and lays
 *   them side by side, so a cluster run gives the same weights, bit for bit, as a local
 *   `--vector-env pipeline` run with the same total envs and seed.
 * - elastic: actors come and go; each batch is w sub-envs × T steps acted with the newest policy
 *   it knew; the learner fills its N columns with the batches that arrive, of the current version
 *   or up to `maxLag` older (their log-probabilities are the behaviour policy's, which is what
 *   PPO's ratio needs). A killed actor loses only the batch it had not published.
 *
 * Resets: `resetAll` answers with observations it computes here on one local copy of the env
 * (sub-env i reset with seed + i, as each actor will do), and the next command carries the reset
 * to the actors, so neither side waits for the other to reset.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { GymnastError, UsageError } from '../core/errors.ts';
import { siblingModule, startWorker } from '../core/worker.ts';
import { awaitReady } from '../core/worker-commands.ts';
import { SyncVectorEnv } from '../envs/vector/sync-vector-env.ts';
import type { VectorEnvConfig } from '../envs/vector/vector-env.ts';
import { RolloutSourceEnv, type CollectedRollout, type RolloutRequest } from '../agents/policy-rollouts.ts';
import type { RolloutSource } from '../train/run.ts';
import type { ClusterOptions } from './connect.ts';

export type ClusterMode = 'deterministic' | 'elastic';

export interface LearnerOptions {
  cluster: ClusterOptions;
  mode: ClusterMode;
  /** Deterministic: the number of actor slots K (N/K sub-envs each). Elastic: N/K is the width of a batch. */
  slots: number;
  /** Elastic: batches up to this many versions older than the current one are used (default 1). */
  maxLag?: number;
  /** How long an actor's claim on a slot lasts without renewal, ms (default 60 000). */
  leaseMs?: number;
}

/** What the bridge thread is told at start (learner-bridge.ts). */
export interface BridgeInit {
  cluster: ClusterOptions;
  mode: ClusterMode;
  slots: number;
  width: number;
  maxLag: number;
  leaseMs: number;
  config: VectorEnvConfig;
  numSteps: number;
  obsDim: number;
  actionDim: number;
  backend: string;
  ctrl: SharedArrayBuffer;
  port: MessagePort;
}

/** Main thread → bridge. */
export type BridgeCommand =
  | { kind: 'rollout'; seq: number; request: RolloutRequest; reset: { seed: number; sampleCount: number } | null }
  | { kind: 'close'; seq: number };

/** Bridge → main thread, posted before the done word is set. */
export interface BridgeReply {
  rollout?: CollectedRollout;
  error?: { name: string; message: string };
}

/** The `rolloutSource` of `train()` for a cluster run. */
export function clusterRolloutSource(options: LearnerOptions): RolloutSource {
  return (config, numSteps, backend) => ClusterRollouts.create(config, numSteps, backend, options);
}

export class ClusterRollouts extends RolloutSourceEnv {
  private readonly ctrl: Int32Array;
  private seq = 0;
  private running = false;
  private closed = false;
  private pendingReset: { seed: number; sampleCount: number } | null = null;
  /** Rollouts taken, ms blocked in finish() waiting for actors, ms from the first start() to the last finish(). */
  private readonly timing = { rollouts: 0, waitMs: 0, firstStart: 0, lastFinish: 0 };

  private constructor(
    private readonly bridge: Worker,
    private readonly port: MessagePort,
    ctrl: SharedArrayBuffer,
    private readonly probe: SyncVectorEnv,
    numEnvs: number,
    numSteps: number,
  ) {
    super("a cluster's actors", numEnvs, numSteps, { obs: probe.singleObservationSpace, action: probe.singleActionSpace });
    this.ctrl = new Int32Array(ctrl);
  }

  static async create(config: VectorEnvConfig, numSteps: number, backend: string, options: LearnerOptions): Promise<ClusterRollouts> {
    const n = config.numEnvs;
    const k = options.slots;
    if (!Number.isInteger(k) || k < 1 || n % k !== 0) throw new UsageError(`--cluster-slots ${k}: the run's ${n} envs (numEnvs) must split into equal slots`);
    const maxLag = options.maxLag ?? 1;
    if (!Number.isInteger(maxLag) || maxLag < 0) throw new UsageError(`--max-lag ${maxLag}: expected a non-negative integer`);
    // One local copy of the env: its spaces, and the observations of every reset (sub-env i with seed + i).
    const probe = new SyncVectorEnv({ ...config, numEnvs: 1 });
    const ctrl = new SharedArrayBuffer(8);
    const channel = new MessageChannel();
    const init: BridgeInit = {
      cluster: options.cluster,
      mode: options.mode,
      slots: k,
      width: n / k,
      maxLag,
      leaseMs: options.leaseMs ?? 60_000,
      config,
      numSteps,
      obsDim: probe.obsDim,
      actionDim: probe.actionDim,
      backend,
      ctrl,
      port: channel.port2,
    };
    const bridge = startWorker(siblingModule(import.meta.url, 'learner-bridge'), { workerData: init, transferList: [channel.port2] });
    try {
      await awaitReady([bridge], 'cluster bridge', rebuildError);
    } catch (e) {
      probe.close();
      throw e;
    }
    return new ClusterRollouts(bridge, channel.port1, ctrl, probe, n, numSteps);
  }

  resetAll(seed: number, sampleCount: number): Float32Array {
    if (this.running) throw new UsageError('cluster rollouts: reset while a rollout is running');
    const out = new Float32Array(this.numEnvs * this.obsDim);
    this.probe.setSampleCount(sampleCount);
    for (let i = 0; i < this.numEnvs; i++) out.set(this.probe.reset({ seed: seed + i }).obs, i * this.obsDim);
    this.pendingReset = { seed, sampleCount };
    return out;
  }

  private send(command: BridgeCommand): void {
    if (this.closed) throw new UsageError('cluster rollouts: used after close()');
    this.bridge.postMessage(command);
  }

  /** Blocks until the bridge has answered command `seq` (it always answers: errors come as replies). */
  private await(seq: number, timeoutMs = Infinity): BridgeReply {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.ctrl, 1);
      if (done === seq) break;
      if (Date.now() > deadline) throw new GymnastError(`cluster rollouts: the bridge did not answer within ${timeoutMs} ms`);
      Atomics.wait(this.ctrl, 1, done, 1000);
    }
    const reply = (receiveMessageOnPort(this.port)?.message ?? {}) as BridgeReply;
    if (reply.error) throw rebuildError(reply.error);
    return reply;
  }

  start(request: RolloutRequest): void {
    if (this.running) throw new UsageError('cluster rollouts: a rollout is already running');
    if (this.timing.firstStart === 0) this.timing.firstStart = performance.now();
    this.send({ kind: 'rollout', seq: ++this.seq, request, reset: this.pendingReset });
    this.pendingReset = null;
    this.running = true;
  }

  finish(): CollectedRollout {
    if (!this.running) throw new UsageError('cluster rollouts: finish() without start()');
    this.running = false;
    const t0 = performance.now();
    const reply = this.await(this.seq);
    this.timing.lastFinish = performance.now();
    this.timing.waitMs += this.timing.lastFinish - t0;
    this.timing.rollouts++;
    if (!reply.rollout) throw new GymnastError('cluster rollouts: the bridge answered without a rollout');
    return reply.rollout;
  }

  /** How the learner spent its time: waiting for actors, and the rest (the updates, and resets at checkpoints). */
  get stats(): { rollouts: number; waitMs: number; busyMs: number } {
    const t = this.timing;
    return { rollouts: t.rollouts, waitMs: t.waitMs, busyMs: Math.max(0, t.lastFinish - t.firstStart - t.waitMs) };
  }

  close(): void {
    if (this.closed) return;
    const { rollouts, waitMs, busyMs } = this.stats;
    if (rollouts > 0) console.error(`cluster: ${rollouts} rollouts; ${(waitMs / rollouts).toFixed(1)} ms a rollout waiting for actors, ${(busyMs / rollouts).toFixed(1)} ms updating`);
    try {
      // A rollout still running is abandoned: the actors' batches for it are refused as stale later.
      this.running = false;
      this.send({ kind: 'close', seq: ++this.seq });
      this.await(this.seq, 15_000);
    } finally {
      this.closed = true;
      this.port.close();
      void this.bridge.terminate();
      this.probe.close();
    }
  }
}

function rebuildError(e: { name: string; message: string }): Error {
  const err = new GymnastError(e.message);
  err.name = e.name;
  return err;
}
