/**
 * The worker of critic-thread.ts: a copy of the trainer's critic and its Adam, running the value
 * half of each PPO minibatch (agents/critic-update.ts's CriticLearner, the code the trainer runs
 * when it has one thread). Requests arrive on the control words; CMD_INIT's settings on the port.
 */
import { receiveMessageOnPort, workerData, parentPort } from 'node:worker_threads';
import { Rng } from '../core/rng.ts';
import { initBackend } from '../nn/backend.ts';
import { Mlp } from '../nn/mlp.ts';
import { Adam, assignArray, clipFactor } from '../nn/optim.ts';
import { CriticLearner, type ValueTargets } from '../agents/critic-update.ts';
import { ARG0, ARG1, CMD_BEGIN, CMD_CLOSE, CMD_END, CMD_EPOCH, CMD_INIT, CMD_SQUARES, OUT0, OUT1, type CriticInit, type CriticWorkerData } from './critic-thread.ts';

const { backend, port } = workerData as CriticWorkerData;
const ctrl = new Int32Array((workerData as CriticWorkerData).ctrl);
const nums = new Float64Array((workerData as CriticWorkerData).nums);

function errorJson(e: unknown): { name: string; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message };
}

try {
  await initBackend(backend);
  parentPort!.postMessage({ ready: true });
} catch (e) {
  parentPort!.postMessage({ ready: false, error: errorJson(e) });
  process.exit(1);
}

/** What CMD_INIT builds. */
interface Session {
  init: CriticInit;
  learner: CriticLearner;
  data: ValueTargets;
  order: Int32Array;
  weights: Float32Array;
  m: Float32Array;
  v: Float32Array;
  layout: [number, number][];
}
let session: Session | null = null;
/** The epoch in progress: its minibatch size, its length, and the start of the minibatch whose gradient is ready. */
let epoch = { mbSize: 0, length: 0, next: -1, valueLoss: 0 };
/** An error met after a request was answered (computing a gradient ahead): the next request reports it. */
let pending: unknown = null;

function build(init: CriticInit): Session {
  session?.learner.critic.dispose();
  const critic = new Mlp(init.name, init.spec, new Rng(0));
  const optimizer = new Adam(critic.params, init.adam);
  let size = 0;
  const layout = critic.params.map((p): [number, number] => {
    const at = size;
    size += p.variable.size;
    return [at, p.variable.size];
  });
  const weights = new Float32Array(init.shared.weights);
  if (weights.length !== size) throw new RangeError(`the critic has ${size} weights, the shared block ${weights.length}`);
  return {
    init,
    learner: new CriticLearner(critic, optimizer, init.loss),
    data: { obs: new Float32Array(init.shared.obs), returns: new Float32Array(init.shared.returns), values: new Float32Array(init.shared.values) },
    order: new Int32Array(init.shared.order),
    weights,
    m: new Float32Array(init.shared.m),
    v: new Float32Array(init.shared.v),
    layout,
  };
}

/** The gradient of the minibatch at `start`, if the epoch has one there. */
function computeAhead(s: Session, start: number): void {
  epoch.next = start + epoch.mbSize <= epoch.length ? start : -1;
  if (epoch.next < 0) return;
  try {
    epoch.valueLoss = s.learner.gradients(s.data, s.order, start, epoch.mbSize);
  } catch (e) {
    pending = e;
  }
}

function need(): Session {
  if (!session) throw new Error('request before CMD_INIT');
  return session;
}

/** Answers one request; returns what to do after the reply (a gradient to compute ahead), if anything. */
function handle(command: number): (() => void) | null {
  if (pending) {
    const e = pending;
    pending = null;
    throw e;
  }
  switch (command) {
    case CMD_INIT: {
      const msg = receiveMessageOnPort(port);
      if (!msg) throw new Error('CMD_INIT without its settings on the port');
      session = build(msg.message as CriticInit);
      return null;
    }
    case CMD_BEGIN: {
      const s = need();
      const slots: Record<string, Float32Array> = {};
      s.learner.critic.params.forEach((p, i) => {
        const [at, n] = s.layout[i]!;
        assignArray(p.variable, s.weights.slice(at, at + n));
        slots[`${p.name}/m`] = s.m.subarray(at, at + n);
        slots[`${p.name}/v`] = s.v.subarray(at, at + n);
      });
      s.learner.optimizer.setState({ kind: 'adam', step: nums[ARG1]!, lr: nums[ARG0]!, slots });
      return null;
    }
    case CMD_EPOCH: {
      const s = need();
      epoch = { mbSize: nums[ARG0]!, length: nums[ARG1]!, next: -1, valueLoss: 0 };
      return () => computeAhead(s, 0);
    }
    case CMD_SQUARES: {
      const s = need();
      const start = nums[ARG1]!;
      if (start !== epoch.next) throw new Error(`asked for the minibatch at ${start}, the gradient ready is at ${epoch.next}`);
      const squares = s.learner.addSquares(nums[ARG0]!);
      nums[OUT0] = squares;
      nums[OUT1] = epoch.valueLoss;
      return () => {
        try {
          s.learner.step(clipFactor(squares, s.init.loss.maxGradNorm));
        } catch (e) {
          pending = e;
          return;
        }
        computeAhead(s, start + epoch.mbSize);
      };
    }
    case CMD_END: {
      const s = need();
      const state = s.learner.optimizer.getState();
      s.learner.critic.params.forEach((p, i) => {
        const at = s.layout[i]![0];
        s.weights.set(p.variable.dataSync() as Float32Array, at);
        s.m.set(state.slots[`${p.name}/m`]!, at);
        s.v.set(state.slots[`${p.name}/v`]!, at);
      });
      nums[OUT0] = state.step;
      return null;
    }
    case CMD_CLOSE:
      return null;
    default:
      throw new Error(`unknown command ${command}`);
  }
}

let lastSeq = 0;
for (;;) {
  Atomics.wait(ctrl, 0, lastSeq);
  const seq = Atomics.load(ctrl, 0);
  if (seq === lastSeq) continue;
  lastSeq = seq;
  const command = ctrl[2]!;
  let after: (() => void) | null = null;
  try {
    after = handle(command);
    ctrl[3] = 0;
  } catch (e) {
    port.postMessage({ error: errorJson(e) });
    ctrl[3] = 1;
  }
  Atomics.store(ctrl, 1, seq);
  Atomics.notify(ctrl, 1);
  if (command === CMD_CLOSE) break;
  after?.();
}
(session as Session | null)?.learner.critic.dispose();
port.close();
