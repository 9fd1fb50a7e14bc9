/**
 * The `pipeline` vector env: worker threads that each own a slice of the sub-envs and the acting
 * policy, and collect whole rollouts on their own (agents/policy-rollouts.ts is the contract).
 *
 * Why: with `async` envs the trainer's thread runs the policy between every vector step and then
 * the PPO update while the workers wait, so on 2 cores about a third of the machine idles
 * (bench/training-throughput.ts measures it). Here the trainer starts rollout k + 1 with the policy
 * it had before update k, runs update k while the workers step, and takes the rollout when both
 * are done: PPO with one iteration of policy lag, its ratios against the policy that acted.
 *
 * Layout: the rollout arrays live in SharedArrayBuffers sized once (T × N rows); commands go through
 * a control word per worker (`Atomics.notify`/`wait`, as AsyncVectorEnv); the request (policy
 * weights, seed, sample count) and the rollout's infos travel on a MessageChannel read with
 * `receiveMessageOnPort`, so neither side needs its event loop.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { GymnastError, UsageError } from '../core/errors.ts';
import { siblingModule, startWorker } from '../core/worker.ts';
import { awaitReady, awaitWorker, CTRL_WORDS, signalWorkers } from '../core/worker-commands.ts';
import type { Space } from '../core/spaces.ts';
import { spec } from '../envs/registry.ts';
import { makeSubEnv } from '../envs/vector/sync-vector-env.ts';
import { actionDimOf, obsDimOf, type VectorEnvConfig } from '../envs/vector/vector-env.ts';
import { RolloutSourceEnv, type CollectedRollout, type RolloutRequest } from '../agents/policy-rollouts.ts';
import type { Info } from '../envs/env.ts';

export const CMD_RESET = 1;
export const CMD_ROLLOUT = 2;
export const CMD_CLOSE = 3;

export interface PoolShared {
  ctrl: SharedArrayBuffer; // Int32 × workers × CTRL_WORDS
  reset: SharedArrayBuffer; // Float64 × 2: seed, sample count
  resetObs: SharedArrayBuffer; // Float32 × N × obsDim
  obs: SharedArrayBuffer; // Float32 × (T + 1) × N × obsDim
  rawNextObs: SharedArrayBuffer; // Float32 × T × N × obsDim
  actions: SharedArrayBuffer; // Float32 × T × N × actionDim
  logprobs: SharedArrayBuffer; // Float32 × T × N
  rewards: SharedArrayBuffer; // Float64 × T × N
  terminated: SharedArrayBuffer; // Uint8 × T × N
  dones: SharedArrayBuffer; // Uint8 × T × N
  valid: SharedArrayBuffer; // Uint8 × T × N
}

export interface PoolWorkerInit {
  modules: string[];
  config: VectorEnvConfig;
  worker: number;
  start: number;
  count: number;
  numEnvs: number;
  /** This pool's sub-env 0 is sub-env `offset` of a larger vector env of `totalEnvs` (seeds and sample counts follow that one); 0 and numEnvs for a whole one. */
  offset: number;
  totalEnvs: number;
  numSteps: number;
  obsDim: number;
  actionDim: number;
  /** The tfjs backend the trainer runs (the policy gives the same numbers on the same backend). */
  backend: string;
  shared: PoolShared;
  port: MessagePort;
}

/** What a worker posts after each command: the rollout's infos, or the error that stopped it. */
export interface PoolWorkerReply {
  infos?: { t: number; env: number; info: Info }[];
  error?: { name: string; message: string };
}

export interface RolloutPoolOptions {
  /** Worker threads (default: min(numEnvs, available cores)). */
  workers?: number;
  /** tfjs backend name for the workers' policy (the trainer's). */
  backend: string;
  /** Give up on a worker that has not answered within this many ms (default 10 min: a rollout is long). */
  timeoutMs?: number;
  /**
   * The pool runs sub-envs `offset` … `offset + numEnvs − 1` of a vector env of `totalEnvs` (a
   * cluster actor's slot, src/cluster): their reset seeds, action streams and sample counts are
   * those sub-envs' in the whole, so the slices of K pools put side by side are the whole's rollout.
   */
  slice?: { offset: number; totalEnvs: number };
}

export class RolloutPool extends RolloutSourceEnv {
  private readonly ctrl: Int32Array;
  private readonly resetArgs: Float64Array;
  private readonly rollout: Omit<CollectedRollout, 'infos'>;
  private readonly resetObs: Float32Array;
  private running = false;
  private closed = false;

  private constructor(
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
    shared: PoolShared,
    numSteps: number,
    numEnvs: number,
    spaces: { obs: Space<any>; action: Space<any> },
    private readonly timeoutMs: number,
  ) {
    super("the pipeline vector env's workers", numEnvs, numSteps, spaces);
    this.ctrl = new Int32Array(shared.ctrl);
    this.resetArgs = new Float64Array(shared.reset);
    this.resetObs = new Float32Array(shared.resetObs);
    this.rollout = {
      obs: new Float32Array(shared.obs),
      rawNextObs: new Float32Array(shared.rawNextObs),
      actions: new Float32Array(shared.actions),
      logprobs: new Float32Array(shared.logprobs),
      rewards: new Float64Array(shared.rewards),
      terminated: new Uint8Array(shared.terminated),
      dones: new Uint8Array(shared.dones),
      valid: new Uint8Array(shared.valid),
    };
  }

  static async create(config: VectorEnvConfig, numSteps: number, options: RolloutPoolOptions): Promise<RolloutPool> {
    const s = spec(config.id);
    const probe = makeSubEnv(config);
    const spaces = { obs: probe.observationSpace, action: probe.actionSpace };
    probe.close();
    const n = config.numEnvs;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`numEnvs must be a positive integer, got ${n}`);
    if (!Number.isInteger(numSteps) || numSteps < 1) throw new RangeError(`numSteps must be a positive integer, got ${numSteps}`);
    const obsDim = obsDimOf(spaces.obs);
    const actionDim = actionDimOf(spaces.action);
    const rows = numSteps * n;
    const numWorkers = Math.max(1, Math.min(n, options.workers ?? availableParallelism()));
    const slice = options.slice ?? { offset: 0, totalEnvs: n };
    if (!Number.isInteger(slice.offset) || slice.offset < 0 || !Number.isInteger(slice.totalEnvs) || slice.offset + n > slice.totalEnvs) {
      throw new RangeError(`slice: sub-envs ${slice.offset}…${slice.offset + n - 1} are not inside a vector env of ${slice.totalEnvs}`);
    }
    const shared: PoolShared = {
      ctrl: new SharedArrayBuffer(4 * numWorkers * CTRL_WORDS),
      reset: new SharedArrayBuffer(16),
      resetObs: new SharedArrayBuffer(4 * n * obsDim),
      obs: new SharedArrayBuffer(4 * (rows + n) * obsDim),
      rawNextObs: new SharedArrayBuffer(4 * rows * obsDim),
      actions: new SharedArrayBuffer(4 * rows * actionDim),
      logprobs: new SharedArrayBuffer(4 * rows),
      rewards: new SharedArrayBuffer(8 * rows),
      terminated: new SharedArrayBuffer(rows),
      dones: new SharedArrayBuffer(rows),
      valid: new SharedArrayBuffer(rows),
    };
    const modules = [...new Set([s.module])];
    const workerModule = siblingModule(import.meta.url, 'rollout-worker');
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    let start = 0;
    for (let w = 0; w < numWorkers; w++) {
      const count = Math.floor(n / numWorkers) + (w < n % numWorkers ? 1 : 0);
      const channel = new MessageChannel();
      const init: PoolWorkerInit = { modules, config, worker: w, start, count, numEnvs: n, offset: slice.offset, totalEnvs: slice.totalEnvs, numSteps, obsDim, actionDim, backend: options.backend, shared, port: channel.port2 };
      start += count;
      const worker = startWorker(workerModule, { workerData: init, transferList: [channel.port2] }, modules);
      workers.push(worker);
      ports.push(channel.port1);
    }
    await awaitReady(workers, 'rollout worker', rebuildError);
    return new RolloutPool(workers, ports, shared, numSteps, n, spaces, options.timeoutMs ?? 600_000);
  }

  private signal(command: number): void {
    if (this.closed) throw new UsageError('RolloutPool: used after close()');
    signalWorkers(this.ctrl, this.workers.length, command);
  }

  /** Waits for every worker to finish its command; returns their replies in worker order. */
  private join(): PoolWorkerReply[] {
    const replies: PoolWorkerReply[] = [];
    let failure: Error | null = null;
    for (let w = 0; w < this.workers.length; w++) {
      awaitWorker(this.ctrl, w, this.timeoutMs, 'RolloutPool');
      const reply = (receiveMessageOnPort(this.ports[w]!)?.message ?? {}) as PoolWorkerReply;
      if (reply.error && !failure) failure = rebuildError(reply.error);
      replies.push(reply);
    }
    if (failure) throw failure;
    return replies;
  }

  resetAll(seed: number, sampleCount: number): Float32Array {
    if (this.running) throw new UsageError('RolloutPool: reset while a rollout is running');
    this.resetArgs[0] = seed;
    this.resetArgs[1] = sampleCount;
    this.signal(CMD_RESET);
    this.join();
    return this.resetObs.slice();
  }

  start(request: RolloutRequest): void {
    if (this.running) throw new UsageError('RolloutPool: a rollout is already running');
    for (const port of this.ports) port.postMessage(request);
    this.signal(CMD_ROLLOUT);
    this.running = true;
  }

  finish(): CollectedRollout {
    if (!this.running) throw new UsageError('RolloutPool: finish() without start()');
    this.running = false;
    const replies = this.join();
    const infos = replies.flatMap((r) => r.infos ?? []);
    infos.sort((a, b) => a.t - b.t || a.env - b.env);
    return { ...this.rollout, infos };
  }

  close(): void {
    if (this.closed) return;
    try {
      if (this.running) this.finish();
      this.signal(CMD_CLOSE);
      this.join();
    } finally {
      this.closed = true;
      for (const port of this.ports) port.close();
      for (const w of this.workers) void w.terminate();
    }
  }
}

/** A worker's `{ name, message }` as a GymnastError of that name (the message is the worker's). */
function rebuildError(e: { name: string; message: string }): Error {
  const err = new GymnastError(e.message);
  err.name = e.name;
  return err;
}
