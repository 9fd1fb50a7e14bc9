/**
 * The training worker of `trainLive`: runs `train()` on the job in its workerData and posts what
 * the trainer's callbacks report. Frames only while the shared flag says a page watches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RenderFrame, SceneSpec } from '../core/frame.ts';
import { train } from '../train/run.ts';

export interface TrainJob {
  env: string;
  agent: string;
  steps: number;
  seed: number;
  checkpointEvery: number;
  out: string;
  /** Int32Array[1]: 1 while a page watches the training env. */
  watchFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { t: 'start'; runDir: string }
  | { t: 'metrics'; step: number; values: Record<string, number> }
  | { t: 'checkpoint'; step: number; path: string }
  | { t: 'frame'; transforms: Float32Array; time: number; scene?: SceneSpec }
  | { t: 'done'; step: number; seconds: number }
  | { t: 'error'; message: string };

async function trainInWorker(job: TrainJob): Promise<void> {
  const port = parentPort!;
  const post = (m: WorkerMessage) => port.postMessage(m);
  const watching = new Int32Array(job.watchFlag);
  let lastFrameMs = -Infinity;
  let lastScene: unknown = null;
  try {
    const result = await train(
      { env: job.env, agent: job.agent, steps: job.steps, seed: job.seed, out: job.out, checkpointEvery: job.checkpointEvery },
      {
        onStart: (info) => post({ t: 'start', runDir: info.runDir }),
        onMetrics: (step, values) => post({ t: 'metrics', step, values }),
        onEpisode: (e) => post({ t: 'metrics', step: e.step, values: { 'charts/episodic_return': e.return, 'charts/episodic_length': e.length } }),
        onCheckpoint: (info) => post({ t: 'checkpoint', step: info.step, path: info.path }),
        // Nobody watching: one atomic load, no frame built. Watched: at most 60 frames a second.
        wantsFrame: () => Atomics.load(watching, 0) !== 0 && performance.now() - lastFrameMs >= 1000 / 60,
        onFrame: (frame: RenderFrame) => {
          if (!frame || !(frame.transforms instanceof Float32Array) || typeof frame.time !== 'number') return;
          lastFrameMs = performance.now();
          post({ t: 'frame', transforms: frame.transforms.slice(), time: frame.time, scene: frame.scene !== lastScene ? frame.scene : undefined });
          lastScene = frame.scene;
        },
      },
    );
    post({ t: 'done', step: result.globalStep, seconds: result.seconds });
  } catch (e) {
    post({ t: 'error', message: (e as Error).message });
  }
}

if (parentPort) await trainInWorker(workerData as TrainJob);
