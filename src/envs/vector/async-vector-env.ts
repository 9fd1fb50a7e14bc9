/**
 * Steps N sub-envs spread over worker threads (Gymnasium's `AsyncVectorEnv`), each worker owning
 * a contiguous slice of sub-envs (so one Rapier world per sub-env lives in its worker).
 *
 * Observations, actions, rewards and flags live in SharedArrayBuffers; a step is a write of the
 * actions, an `Atomics.notify` per worker and an `Atomics.wait` for each to finish, so `step` is
 * synchronous like `SyncVectorEnv.step` and gives the same numbers (each worker runs a
 * SyncVectorEnv over its slice, with sub-env i seeded seed + i). Infos travel as JSON in a
 * fixed-size shared region per sub-env, only when non-empty.
 *
 * Build it with `await AsyncVectorEnv.create(config)`: workers import the modules that
 * registered the env id (recorded in its spec), which takes a moment.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import * as errors from '../../core/errors.ts';
import { siblingModule, startWorker } from '../../core/worker.ts';
import { awaitReady, awaitWorker, CTRL_WORDS, signalWorkers } from '../../core/worker-commands.ts';
import type { Space } from '../../core/spaces.ts';
import type { Info } from '../env.ts';
import { allSpecs, spec } from '../registry.ts';
import { makeSubEnv } from './sync-vector-env.ts';
import {
  actionDimOf,
  obsDimOf,
  type VectorEnv,
  type VectorEnvConfig,
  type VectorResetResult,
  type VectorStepResult,
} from './vector-env.ts';

export const CMD_RESET = 1;
export const CMD_STEP = 2;
export const CMD_CLOSE = 3;
export const INFO_BYTES = 4096;
export const ERROR_BYTES = 2048;

export interface SharedLayout {
  ctrl: SharedArrayBuffer; // Int32 × workers × CTRL_WORDS
  seeds: SharedArrayBuffer; // Float64 × workers (NaN = no seed)
  obs: SharedArrayBuffer; // Float32 × N × obsDim
  actions: SharedArrayBuffer; // Float32 × N × actionDim
  rewards: SharedArrayBuffer; // Float64 × N
  terminated: SharedArrayBuffer; // Uint8 × N
  truncated: SharedArrayBuffer; // Uint8 × N
  infoLengths: SharedArrayBuffer; // Int32 × N
  infoBytes: SharedArrayBuffer; // Uint8 × N × INFO_BYTES
  errorBytes: SharedArrayBuffer; // Uint8 × workers × ERROR_BYTES (JSON { name, message })
  sampleCount: SharedArrayBuffer; // Float64 × 1: the trainer's sample count (NaN = never set), read by workers before each command
}

export interface WorkerInit {
  modules: string[];
  config: VectorEnvConfig;
  worker: number;
  start: number;
  count: number;
  obsDim: number;
  actionDim: number;
  shared: SharedLayout;
}

export interface AsyncVectorEnvOptions {
  /** Worker threads (default: min(numEnvs, available cores)). */
  workers?: number;
  /** Extra modules each worker imports before making envs (e.g. a user's env registrations). */
  modules?: string[];
  /** Give up on a worker that has not answered within this many ms (default 120 s). */
  timeoutMs?: number;
}

const decoder = new TextDecoder();

export class AsyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly singleObservationSpace: Space<any>;
  readonly singleActionSpace: Space<any>;
  private readonly ctrl: Int32Array;
  private readonly seeds: Float64Array;
  private readonly obs: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infoLengths: Int32Array;
  private readonly infoBytes: Uint8Array;
  private readonly errorBytes: Uint8Array;
  private readonly sampleCount: Float64Array;
  private readonly infos: Info[];
  private closed = false;

  private constructor(
    private readonly workers: Worker[],
    shared: SharedLayout,
    numEnvs: number,
    obsDim: number,
    actionDim: number,
    spaces: { obs: Space<any>; action: Space<any> },
    private readonly timeoutMs: number,
  ) {
    this.numEnvs = numEnvs;
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    this.singleObservationSpace = spaces.obs;
    this.singleActionSpace = spaces.action;
    this.ctrl = new Int32Array(shared.ctrl);
    this.seeds = new Float64Array(shared.seeds);
    this.obs = new Float32Array(shared.obs);
    this.actions = new Float32Array(shared.actions);
    this.rewards = new Float64Array(shared.rewards);
    this.terminated = new Uint8Array(shared.terminated);
    this.truncated = new Uint8Array(shared.truncated);
    this.infoLengths = new Int32Array(shared.infoLengths);
    this.infoBytes = new Uint8Array(shared.infoBytes);
    this.errorBytes = new Uint8Array(shared.errorBytes);
    this.sampleCount = new Float64Array(shared.sampleCount);
    this.infos = Array.from({ length: numEnvs }, () => ({}));
  }

  static async create(config: VectorEnvConfig, options: AsyncVectorEnvOptions = {}): Promise<AsyncVectorEnv> {
    const s = spec(config.id);
    // Build one sub-env here to learn the spaces (and fail early on bad options).
    const probe = makeSubEnv(config);
    const obsSpace = probe.observationSpace;
    const actionSpace = probe.actionSpace;
    probe.close();
    const n = config.numEnvs;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`numEnvs must be a positive integer, got ${n}`);
    const obsDim = obsDimOf(obsSpace);
    const actionDim = actionDimOf(actionSpace);
    const numWorkers = Math.max(1, Math.min(n, options.workers ?? availableParallelism()));
    const shared: SharedLayout = {
      ctrl: new SharedArrayBuffer(4 * numWorkers * CTRL_WORDS),
      seeds: new SharedArrayBuffer(8 * numWorkers),
      obs: new SharedArrayBuffer(4 * n * obsDim),
      actions: new SharedArrayBuffer(4 * n * actionDim),
      rewards: new SharedArrayBuffer(8 * n),
      terminated: new SharedArrayBuffer(n),
      truncated: new SharedArrayBuffer(n),
      infoLengths: new SharedArrayBuffer(4 * n),
      infoBytes: new SharedArrayBuffer(n * INFO_BYTES),
      errorBytes: new SharedArrayBuffer(numWorkers * ERROR_BYTES),
      sampleCount: new SharedArrayBuffer(8),
    };
    new Float64Array(shared.sampleCount)[0] = NaN;
    const ctrl = new Int32Array(shared.ctrl);
    for (let w = 0; w < numWorkers; w++) ctrl[w * CTRL_WORDS + 1] = -1; // not ready
    const modules = [...new Set([s.module, ...(options.modules ?? [])])];
    const workerModule = siblingModule(import.meta.url, 'async-worker');
    const workers: Worker[] = [];
    let start = 0;
    for (let w = 0; w < numWorkers; w++) {
      const count = Math.floor(n / numWorkers) + (w < n % numWorkers ? 1 : 0);
      const init: WorkerInit = { modules, config, worker: w, start, count, obsDim, actionDim, shared };
      start += count;
      workers.push(startWorker(workerModule, { workerData: init }, modules));
    }
    await awaitReady(workers, 'vector env worker', rebuildError);
    return new AsyncVectorEnv(workers, shared, n, obsDim, actionDim, { obs: obsSpace, action: actionSpace }, options.timeoutMs ?? 120_000);
  }

  /** Ids a worker could make: those registered in this process (for error messages). */
  static knownIds(): string[] {
    return allSpecs().map((x) => x.id);
  }

  private run(command: number): void {
    if (this.closed) throw new errors.UsageError('AsyncVectorEnv: used after close()');
    const W = this.workers.length;
    signalWorkers(this.ctrl, W, command);
    let failure: Error | null = null;
    for (let w = 0; w < W; w++) {
      if (awaitWorker(this.ctrl, w, this.timeoutMs, 'AsyncVectorEnv') !== 0 && !failure) {
        const bytes = this.errorBytes.subarray(w * ERROR_BYTES, (w + 1) * ERROR_BYTES);
        const end = bytes.indexOf(0);
        failure = rebuildError(JSON.parse(decoder.decode(bytes.slice(0, end < 0 ? ERROR_BYTES : end))));
      }
    }
    if (failure) throw failure;
  }

  private readInfos(): Info[] {
    for (let i = 0; i < this.numEnvs; i++) {
      const len = this.infoLengths[i]!;
      this.infos[i] = len === 0 ? {} : JSON.parse(decoder.decode(this.infoBytes.slice(i * INFO_BYTES, i * INFO_BYTES + len)));
    }
    return this.infos;
  }

  reset(options: { seed?: number } = {}): VectorResetResult {
    this.seeds.fill(options.seed === undefined ? NaN : options.seed);
    this.run(CMD_RESET);
    return { obs: this.obs, infos: this.readInfos() };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    if (actions.length !== this.numEnvs * this.actionDim) {
      throw new RangeError(`vector step: expected ${this.numEnvs * this.actionDim} action values (${this.numEnvs} envs × ${this.actionDim}), got ${actions.length}`);
    }
    this.actions.set(actions);
    this.run(CMD_STEP);
    return { obs: this.obs, rewards: this.rewards, terminated: this.terminated, truncated: this.truncated, infos: this.readInfos() };
  }

  /** Workers hand it to their sub-envs before the next reset or step (no message of its own). */
  setSampleCount(count: number): void {
    this.sampleCount[0] = count;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.run(CMD_CLOSE);
    } finally {
      this.closed = true;
      for (const w of this.workers) void w.terminate();
    }
  }
}

/** Turns a worker's `{ name, message }` back into the same error class where it is one of ours. */
function rebuildError(e: { name: string; message: string }): Error {
  const Cls = (errors as Record<string, unknown>)[e.name];
  if (typeof Cls === 'function' && e.name !== 'UnknownIdError' && e.name !== 'ValidationError' && e.name !== 'FileFormatError') {
    return new (Cls as new (m: string) => Error)(e.message);
  }
  const err = new errors.GymnastError(e.message);
  err.name = e.name;
  return err;
}
