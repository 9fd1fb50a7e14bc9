/**
 * Training shown live (`gymnast start`): the run trains in a worker thread (`train-worker.ts`), so
 * the page and its sockets stay responsive whatever the trainer does, and the trainer never waits
 * on the viewer. The worker posts metrics, episodes and checkpoints; frames of its training env
 * only while a page watches (a shared flag), at most 60 a second. The run folder is a temporary
 * one, removed when the display closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siblingModule, startWorker } from '../core/worker.ts';
import type { ViewerHub } from '../viewer/server/index.ts';
import { RunDisplay } from './run-display.ts';
import type { TrainJob, WorkerMessage } from './train-worker.ts';

/** What to train: env, agent, budget and checkpoint spacing. */
export type LiveTrainingJob = Omit<TrainJob, 'out' | 'watchFlag'>;

/** Trains `job` in a worker and shows it in the hub; `close()` stops the worker and removes its folder. */
export function trainLive(hub: ViewerHub, job: LiveTrainingJob, log: (line: string) => void = (l) => console.error(l)): { close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-start-'));
  const display = new RunDisplay(hub, job.env, job.agent, { steps: job.steps, seed: job.seed }, {}, log);
  const watchFlag = new SharedArrayBuffer(4);
  const watching = new Int32Array(watchFlag);
  const full: TrainJob = { ...job, out: join(dir, 'run'), watchFlag };
  const worker = startWorker(siblingModule(import.meta.url, 'train-worker'), { workerData: full });
  const flagTimer = setInterval(() => Atomics.store(watching, 0, display.channel.watched ? 1 : 0), 200);
  worker.on('message', (m: WorkerMessage) => {
    switch (m.t) {
      case 'start':
        display.runDir = m.runDir;
        return;
      case 'metrics':
        return display.metrics(m.step, m.values);
      case 'checkpoint':
        return display.checkpoint(m.path, m.step);
      case 'frame':
        return display.frame(m);
      case 'done':
        console.log(`training done: ${m.step} steps in ${m.seconds.toFixed(0)} s; the player keeps the final policy`);
        return;
      case 'error':
        log(`training failed: ${m.message}`);
        return;
    }
  });
  worker.on('error', (e) => log(`training worker failed: ${e.message}`));
  return {
    close: () => {
      clearInterval(flagTimer);
      void worker.terminate();
      display.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
