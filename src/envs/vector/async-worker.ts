/**
 * A worker of AsyncVectorEnv: imports the modules that register the env, runs a SyncVectorEnv
 * over its slice of sub-envs, and answers commands through shared memory (see
 * async-vector-env.ts for the layout).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveCommands } from '../../core/worker-commands.ts';
import {
  CMD_CLOSE,
  CMD_RESET,
  CMD_STEP,
  ERROR_BYTES,
  INFO_BYTES,
  type WorkerInit,
} from './async-vector-env.ts';
import { SyncVectorEnv, makeSubEnv } from './sync-vector-env.ts';
import type { Info } from '../env.ts';

const init = workerData as WorkerInit;
const { shared, start, count, obsDim, actionDim } = init;
const ctrl = new Int32Array(shared.ctrl);
const seeds = new Float64Array(shared.seeds);
const obs = new Float32Array(shared.obs);
const actions = new Float32Array(shared.actions);
const rewards = new Float64Array(shared.rewards);
const terminated = new Uint8Array(shared.terminated);
const truncated = new Uint8Array(shared.truncated);
const infoLengths = new Int32Array(shared.infoLengths);
const infoBytes = new Uint8Array(shared.infoBytes);
const errorBytes = new Uint8Array(shared.errorBytes);
const sampleCount = new Float64Array(shared.sampleCount);
let lastSampleCount = NaN;
const encoder = new TextEncoder();

function errorJson(e: unknown): { name: string; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message };
}

function writeInfos(infos: Info[]): void {
  for (let j = 0; j < count; j++) {
    const i = start + j;
    const info = infos[j]!;
    let len = 0;
    for (const _ in info) {
      const region = infoBytes.subarray(i * INFO_BYTES, (i + 1) * INFO_BYTES);
      let r = encoder.encodeInto(JSON.stringify(info), region);
      if (r.read !== undefined && r.written >= INFO_BYTES) r = encoder.encodeInto('{"infoTooLarge":true}', region);
      len = r.written;
      break;
    }
    infoLengths[i] = len;
  }
}

let venv: SyncVectorEnv;
try {
  for (const m of init.modules) await import(m);
  venv = new SyncVectorEnv(Array.from({ length: count }, () => makeSubEnv(init.config)));
  parentPort!.postMessage({ ready: true });
} catch (e) {
  parentPort!.postMessage({ ready: false, error: errorJson(e) });
  process.exit(1);
}

const localActions = new Float32Array(count * actionDim);
serveCommands(
  ctrl,
  init.worker,
  (command) => {
    try {
      const samples = sampleCount[0]!;
      if (!Number.isNaN(samples) && samples !== lastSampleCount) {
        venv.setSampleCount(samples);
        lastSampleCount = samples;
      }
      if (command === CMD_RESET) {
        const seed = seeds[init.worker]!;
        const r = venv.reset(Number.isNaN(seed) ? {} : { seed: seed + start });
        obs.set(r.obs, start * obsDim);
        rewards.fill(0, start, start + count);
        terminated.fill(0, start, start + count);
        truncated.fill(0, start, start + count);
        writeInfos(r.infos);
      } else if (command === CMD_STEP) {
        localActions.set(actions.subarray(start * actionDim, (start + count) * actionDim));
        const r = venv.step(localActions);
        obs.set(r.obs, start * obsDim);
        rewards.set(r.rewards, start);
        terminated.set(r.terminated, start);
        truncated.set(r.truncated, start);
        writeInfos(r.infos);
      } else if (command === CMD_CLOSE) {
        venv.close();
      }
      return 0;
    } catch (e) {
      errorBytes.fill(0, init.worker * ERROR_BYTES, (init.worker + 1) * ERROR_BYTES);
      encoder.encodeInto(JSON.stringify(errorJson(e)), errorBytes.subarray(init.worker * ERROR_BYTES, (init.worker + 1) * ERROR_BYTES - 1));
      return 1;
    }
  },
  (command) => command === CMD_CLOSE,
);
