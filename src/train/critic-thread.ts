/**
 * A second thread for PPO's update (`--update-threads 2`): the value half of every minibatch
 * (agents/critic-update.ts) runs in a worker while the trainer's thread runs the policy half.
 *
 * Why: the update is most of a training iteration's time on 2 cores (two MLPs' forward and
 * backward passes, single-threaded WASM), and its two halves are independent but for the gradient
 * norm. The worker computes the critic's gradient as soon as it has the epoch's minibatch order;
 * the trainer, after its own gradient, sends its sum of squares and gets back the global one and
 * the value loss; both then scale and step. The numbers are those of one thread, bit for bit.
 *
 * Protocol: one request at a time, each answered. Control words [request sequence, reply
 * sequence, command, status] with `Atomics.wait`/`notify` (both sides stay synchronous, as the
 * async vector env's), scalars in a Float64 block, the rollout's arrays, the critic's weights and
 * Adam moments in SharedArrayBuffers sized once. An error in the worker is posted on a
 * MessagePort, read with `receiveMessageOnPort`, and thrown here by the request that meets it.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { GymnastError } from '../core/errors.ts';
import { siblingModule, startWorker } from '../core/worker.ts';
import { awaitReady } from '../core/worker-commands.ts';
import type { Mlp, MlpSpec } from '../nn/mlp.ts';
import { assignArray, type Adam } from '../nn/optim.ts';
import type { CriticUpdate, ValueLossSettings, ValueTargets } from '../agents/critic-update.ts';

export const CMD_INIT = 1;
export const CMD_BEGIN = 2;
export const CMD_EPOCH = 3;
export const CMD_SQUARES = 4;
export const CMD_END = 5;
export const CMD_CLOSE = 6;

/** Scalars of a request and its reply (Float64 slots). */
export const ARG0 = 0;
export const ARG1 = 1;
export const OUT0 = 2;
export const OUT1 = 3;

export interface CriticWorkerData {
  backend: string;
  ctrl: SharedArrayBuffer; // Int32 × 4
  nums: SharedArrayBuffer; // Float64 × 4
  port: MessagePort;
}

/** What CMD_INIT carries on the port. */
export interface CriticInit {
  spec: MlpSpec;
  name: string;
  loss: ValueLossSettings & { maxGradNorm: number };
  adam: { lr: number; beta1: number; beta2: number; eps: number };
  rows: number;
  shared: { obs: SharedArrayBuffer; returns: SharedArrayBuffer; values: SharedArrayBuffer; order: SharedArrayBuffer; weights: SharedArrayBuffer; m: SharedArrayBuffer; v: SharedArrayBuffer };
}

/** A value half that would wait longer than this for the worker gives up (one minibatch takes milliseconds). */
const TIMEOUT_MS = 5 * 60_000;

export class CriticThread {
  private readonly ctrl: Int32Array;
  private readonly nums: Float64Array;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    ctrl: SharedArrayBuffer,
    nums: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(ctrl);
    this.nums = new Float64Array(nums);
  }

  /** Starts the worker on the trainer's tfjs backend (the same kernels give the same numbers). */
  static async start(backend: string): Promise<CriticThread> {
    const ctrl = new SharedArrayBuffer(4 * 4);
    const nums = new SharedArrayBuffer(8 * 4);
    const { port1, port2 } = new MessageChannel();
    const data: CriticWorkerData = { backend, ctrl, nums, port: port2 };
    const worker = startWorker(siblingModule(import.meta.url, 'critic-worker'), { workerData: data, transferList: [port2] });
    await awaitReady([worker], 'update thread', (e) => Object.assign(new GymnastError(`update thread: ${e.message}`), { name: e.name }));
    return new CriticThread(worker, port1, ctrl, nums);
  }

  /** The value half for this critic and its optimizer (PPO calls it once, when built). */
  attach(critic: Mlp, optimizer: Adam, loss: ValueLossSettings & { maxGradNorm: number }, rows: number): CriticUpdate {
    return new ThreadedCriticUpdate(this, critic, optimizer, loss, rows);
  }

  /** Sends a request and waits for its reply; throws the worker's error if it had one. */
  request(command: number, arg0 = 0, arg1 = 0, payload?: unknown): void {
    if (this.closed) throw new GymnastError('update thread: used after close');
    const { ctrl, nums } = this;
    if (payload !== undefined) this.port.postMessage(payload);
    nums[ARG0] = arg0;
    nums[ARG1] = arg1;
    ctrl[2] = command;
    const seq = Atomics.add(ctrl, 0, 1) + 1;
    Atomics.notify(ctrl, 0);
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(ctrl, 1);
      if (done === seq) break;
      if (Date.now() > deadline) throw new GymnastError(`update thread: no answer within ${TIMEOUT_MS / 1000} s`);
      Atomics.wait(ctrl, 1, done, 1000);
    }
    if (ctrl[3] !== 0) {
      const m = receiveMessageOnPort(this.port)?.message as { error?: { name: string; message: string } } | undefined;
      const e = m?.error ?? { name: 'Error', message: 'failed without a message' };
      throw Object.assign(new GymnastError(`update thread: ${e.message}`), { name: e.name });
    }
  }

  /** A reply's scalars. */
  out(i: number): number {
    return this.nums[i]!;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.request(CMD_CLOSE);
    } catch {
      // a worker that failed is terminated below all the same
    }
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}

/** The trainer's side of the value half: copies in, requests, copies back. */
class ThreadedCriticUpdate implements CriticUpdate {
  private readonly obs: Float32Array;
  private readonly returns: Float32Array;
  private readonly values: Float32Array;
  private readonly order: Int32Array;
  private readonly weights: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  /** [offset, length] of each critic parameter in the weights and moments blocks. */
  private readonly layout: [number, number][];

  constructor(
    private readonly thread: CriticThread,
    private readonly critic: Mlp,
    private readonly optimizer: Adam,
    loss: ValueLossSettings & { maxGradNorm: number },
    private readonly rows: number,
  ) {
    let size = 0;
    this.layout = critic.params.map((p) => {
      const at: [number, number] = [size, p.variable.size];
      size += p.variable.size;
      return at;
    });
    const shared: CriticInit['shared'] = {
      obs: new SharedArrayBuffer(4 * rows * critic.inputSize),
      returns: new SharedArrayBuffer(4 * rows),
      values: new SharedArrayBuffer(4 * rows),
      order: new SharedArrayBuffer(4 * rows),
      weights: new SharedArrayBuffer(4 * size),
      m: new SharedArrayBuffer(4 * size),
      v: new SharedArrayBuffer(4 * size),
    };
    this.obs = new Float32Array(shared.obs);
    this.returns = new Float32Array(shared.returns);
    this.values = new Float32Array(shared.values);
    this.order = new Int32Array(shared.order);
    this.weights = new Float32Array(shared.weights);
    this.m = new Float32Array(shared.m);
    this.v = new Float32Array(shared.v);
    const init: CriticInit = {
      spec: critic.spec,
      name: critic.name,
      loss,
      adam: { lr: optimizer.lr, beta1: optimizer.beta1, beta2: optimizer.beta2, eps: optimizer.eps },
      rows,
      shared,
    };
    thread.request(CMD_INIT, 0, 0, init);
  }

  begin(data: ValueTargets, rows: number, lr: number): void {
    if (rows !== this.rows) throw new RangeError(`update thread: ${rows} rows, built for ${this.rows}`);
    this.optimizer.lr = lr;
    this.obs.set(data.obs.subarray(0, this.obs.length));
    this.returns.set(data.returns.subarray(0, rows));
    this.values.set(data.values.subarray(0, rows));
    const state = this.optimizer.getState();
    this.critic.params.forEach((p, i) => {
      const at = this.layout[i]![0];
      this.weights.set(p.variable.dataSync() as Float32Array, at);
      this.m.set(state.slots[`${p.name}/m`]!, at);
      this.v.set(state.slots[`${p.name}/v`]!, at);
    });
    this.thread.request(CMD_BEGIN, lr, state.step);
  }

  epoch(indices: readonly number[], mbSize: number): void {
    for (let i = 0; i < indices.length; i++) this.order[i] = indices[i]!;
    this.thread.request(CMD_EPOCH, mbSize, indices.length);
  }

  exchange(start: number, policySquares: number): { squares: number; valueLoss: number } {
    this.thread.request(CMD_SQUARES, policySquares, start);
    return { squares: this.thread.out(OUT0), valueLoss: this.thread.out(OUT1) };
  }

  /** The worker steps by itself once it has answered `exchange`. */
  step(): void {}

  end(): void {
    this.thread.request(CMD_END);
    const slots: Record<string, Float32Array> = {};
    this.critic.params.forEach((p, i) => {
      const [at, n] = this.layout[i]!;
      // A copy: a tensor made from a view of shared memory may keep the view (the cpu backend does).
      assignArray(p.variable, this.weights.slice(at, at + n));
      slots[`${p.name}/m`] = this.m.subarray(at, at + n);
      slots[`${p.name}/v`] = this.v.subarray(at, at + n);
    });
    this.optimizer.setState({ kind: 'adam', step: this.thread.out(OUT0), lr: this.optimizer.lr, slots });
  }

  close(): void {}
}
