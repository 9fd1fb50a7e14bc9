/**
 * A worker of ParallelSweeper: runs `optimalitySweep` over its range of states on shared memory,
 * one sweep per message `{ gamma, from }` (from: which value buffer holds the last sweep), and
 * answers with the largest change in its range.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SweepWorkerInit } from './parallel-sweep.ts';
import { optimalitySweep } from './value-iteration.ts';

const init = workerData as SweepWorkerInit;
const mdp = {
  numStates: init.numStates,
  numActions: init.numActions,
  offsets: new Int32Array(init.offsets),
  next: new Int32Array(init.next),
  prob: new Float64Array(init.prob),
  reward: new Float64Array(init.reward),
  terminal: new Uint8Array(init.terminal),
};
const values = [new Float64Array(init.values[0]), new Float64Array(init.values[1])] as const;
// This worker's own gather buffer: one double per transition of its states.
const scratch = new Float64Array(mdp.offsets[init.end * init.numActions]! - mdp.offsets[init.first * init.numActions]!);

parentPort!.on('message', ({ gamma, from }: { gamma: number; from: 0 | 1 }) => {
  parentPort!.postMessage(optimalitySweep(mdp, gamma, values[from], values[1 - from]!, init.first, init.end, scratch));
});
parentPort!.postMessage(0);
