/**
 * Synchronous value-iteration sweeps spread over worker threads: each worker owns a range of
 * states (split so the ranges hold about as many transitions each), reads the values of the last
 * sweep and writes the new ones, all in SharedArrayBuffers, so nothing is copied per sweep. The
 * kernel is `optimalitySweep`, the same function the single-threaded sweep runs, so results are
 * bit-identical to `valueIteration(…, { inPlace: false })`.
 *
 * Worth it for large models (the benchmark's million states); for the textbook problems a sweep
 * takes microseconds and a message round trip costs more.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { siblingModule, startWorker } from '../../core/worker.ts';
import type { TabularMdp, TabularMdpArrays } from '../../envs/tabular/model.ts';
import { greedyPolicy } from '../policy.ts';
import { resolveDpOptions, type DpOptionsInput, type DpResult } from './options.ts';

/** What a sweep worker receives: the model and both value buffers as shared memory, and its states. */
export interface SweepWorkerInit {
  numStates: number;
  numActions: number;
  offsets: SharedArrayBuffer;
  next: SharedArrayBuffer;
  prob: SharedArrayBuffer;
  reward: SharedArrayBuffer;
  terminal: SharedArrayBuffer;
  values: [SharedArrayBuffer, SharedArrayBuffer];
  first: number;
  end: number;
}

/** A typed array backed by shared memory: the array itself if it already is, else a shared copy. */
function shared<T extends Int32Array | Float64Array | Uint8Array>(a: T): T {
  // The workers get each array's whole buffer and read it from byte 0: an array already in shared
  // memory is used in place only when it is all of its buffer (a view into part of one is copied).
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

export class ParallelSweeper {
  /** Values of the last sweep (`current`) and the buffer the next sweep writes. */
  private readonly buffers: [Float64Array, Float64Array];
  private current = 0;

  private constructor(
    private readonly workers: Worker[],
    buffers: [Float64Array, Float64Array],
  ) {
    this.buffers = buffers;
  }

  /** Starts `numWorkers` threads (default: the cores available). Arrays not in shared memory are copied once. */
  static async create(mdp: TabularMdpArrays, numWorkers = availableParallelism()): Promise<ParallelSweeper> {
    const arrays = {
      offsets: shared(mdp.offsets),
      next: shared(mdp.next),
      prob: shared(mdp.prob),
      reward: shared(mdp.reward),
      terminal: shared(mdp.terminal),
    };
    const values: [Float64Array, Float64Array] = [
      new Float64Array(new SharedArrayBuffer(8 * mdp.numStates)),
      new Float64Array(new SharedArrayBuffer(8 * mdp.numStates)),
    ];
    // Split the states so each worker gets about the same number of transitions.
    const n = Math.max(1, Math.min(numWorkers, mdp.numStates));
    const total = mdp.offsets[mdp.numStates * mdp.numActions]!;
    const bounds = [0];
    for (let w = 1, s = 0; w < n; w++) {
      while (s < mdp.numStates && mdp.offsets[s * mdp.numActions]! < (total * w) / n) s++;
      bounds.push(s);
    }
    bounds.push(mdp.numStates);
    const workerModule = siblingModule(import.meta.url, 'sweep-worker');
    const workers = bounds.slice(0, -1).map((first, w) => {
      const init: SweepWorkerInit = {
        numStates: mdp.numStates,
        numActions: mdp.numActions,
        offsets: arrays.offsets.buffer as SharedArrayBuffer,
        next: arrays.next.buffer as SharedArrayBuffer,
        prob: arrays.prob.buffer as SharedArrayBuffer,
        reward: arrays.reward.buffer as SharedArrayBuffer,
        terminal: arrays.terminal.buffer as SharedArrayBuffer,
        values: [values[0].buffer as SharedArrayBuffer, values[1].buffer as SharedArrayBuffer],
        first,
        end: bounds[w + 1]!,
      };
      return startWorker(workerModule, { workerData: init });
    });
    // Wait until every worker has loaded its module and says it is ready.
    await Promise.all(workers.map((w) => reply(w)));
    return new ParallelSweeper(workers, values);
  }

  get numWorkers(): number {
    return this.workers.length;
  }

  /** The values after the last sweep (a view on shared memory: copy it to keep it). */
  get values(): Float64Array {
    return this.buffers[this.current]!;
  }

  /** Sets the values the next sweep starts from. */
  setValues(v: ArrayLike<number>): void {
    this.buffers[this.current]!.set(v);
  }

  /** One synchronous Bellman optimality sweep on all workers; returns the largest change. */
  async sweep(gamma: number): Promise<number> {
    const deltas = await Promise.all(this.workers.map((w) => reply(w, { gamma, from: this.current })));
    this.current = 1 - this.current;
    return Math.max(...deltas);
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function reply(worker: Worker, message?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: number) => {
      worker.off('error', onError);
      resolve(m);
    };
    const onError = (e: Error) => {
      worker.off('message', onMessage);
      reject(e);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    if (message !== undefined) worker.postMessage(message);
  });
}

/** Value iteration with synchronous sweeps on worker threads; the same numbers as `valueIteration(…, { inPlace: false })`. */
export async function parallelValueIteration(mdp: TabularMdp, options: DpOptionsInput, numWorkers?: number): Promise<DpResult> {
  const o = resolveDpOptions({ ...options, inPlace: false });
  const sweeper = await ParallelSweeper.create(mdp, numWorkers);
  try {
    let sweeps = 0;
    let delta = Infinity;
    while (sweeps < o.maxSweeps && !(delta < o.theta)) {
      delta = await sweeper.sweep(o.gamma);
      sweeps++;
    }
    const values = Float64Array.from(sweeper.values);
    return { values, policy: greedyPolicy(mdp, values, o.gamma, o.tieTolerance), sweeps, backups: sweeps * mdp.numStates, delta, converged: delta < o.theta };
  } finally {
    await sweeper.close();
  }
}
