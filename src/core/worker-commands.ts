/**
 * Commands to worker threads through shared memory, the one protocol of the async vector env and
 * the rollout pool: each worker has four Int32 control words, [command sequence, done sequence,
 * command, status]. The caller writes the command, bumps the sequence and notifies; the worker,
 * blocked in `Atomics.wait`, runs it and stores the sequence as done. Both sides stay synchronous
 * (no event loop needed), which is what lets a trainer step envs or run an update between the two.
 */
import type { Worker } from 'node:worker_threads';

export const CTRL_WORDS = 4;

/** Gives every one of `workers` workers `command`. */
export function signalWorkers(ctrl: Int32Array, workers: number, command: number): void {
  for (let w = 0; w < workers; w++) {
    const b = w * CTRL_WORDS;
    ctrl[b + 2] = command;
    Atomics.add(ctrl, b, 1);
    Atomics.notify(ctrl, b);
  }
}

/** Blocks until worker `w` has done its last command; returns its status word (0: fine). */
export function awaitWorker(ctrl: Int32Array, w: number, timeoutMs: number, what: string): number {
  const b = w * CTRL_WORDS;
  const seq = Atomics.load(ctrl, b);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = Atomics.load(ctrl, b + 1);
    if (done === seq) return ctrl[b + 3]!;
    if (Date.now() > deadline) throw new Error(`${what}: worker ${w} did not answer within ${timeoutMs} ms`);
    Atomics.wait(ctrl, b + 1, done, 1000);
  }
}

/**
 * The worker's side, forever: waits for a command, runs `handle` (which returns its status word),
 * marks it done. Returns after a command for which `last(command)` is true has been answered.
 */
export function serveCommands(ctrl: Int32Array, worker: number, handle: (command: number) => number, last: (command: number) => boolean): void {
  const base = worker * CTRL_WORDS;
  let lastSeq = 0;
  for (;;) {
    Atomics.wait(ctrl, base, lastSeq);
    const seq = Atomics.load(ctrl, base);
    if (seq === lastSeq) continue;
    lastSeq = seq;
    const command = ctrl[base + 2]!;
    ctrl[base + 3] = handle(command);
    Atomics.store(ctrl, base + 1, seq);
    Atomics.notify(ctrl, base + 1);
    if (last(command)) return;
  }
}

/**
 * Waits for each worker's first message, `{ ready: true }` or `{ ready: false, error }`; on any
 * failure terminates them all and throws (the error rebuilt by `rebuild`). Afterwards the workers
 * no longer keep the process alive, and their errors travel by the protocol, not as events.
 */
export async function awaitReady(workers: Worker[], what: string, rebuild: (e: { name: string; message: string }) => Error): Promise<void> {
  const ready = workers.map(
    (worker, w) =>
      new Promise<void>((resolve, reject) => {
        worker.once('message', (m: { ready?: boolean; error?: { name: string; message: string } }) => {
          if (m.ready) resolve();
          else reject(rebuild(m.error ?? { name: 'Error', message: `${what} failed to start` }));
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`${what} ${w} exited with code ${code} while starting`)));
      }),
  );
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  for (const w of workers) {
    w.removeAllListeners('exit');
    w.removeAllListeners('error');
    w.on('error', () => {});
    w.unref();
  }
}
