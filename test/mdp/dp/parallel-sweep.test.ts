import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { parallelValueIteration, ParallelSweeper, type SweepWorkerInit } from '../../../src/mdp/dp/parallel-sweep.ts';
import { optimalitySweep, valueIteration } from '../../../src/mdp/dp/value-iteration.ts';
import { mdpFromFunction, type TabularMdpArrays } from '../../../src/envs/tabular/model.ts';
import workerThreads, { type Worker } from 'node:worker_threads';
import { syncBuiltinESMExports } from 'node:module';

test('sweeps on two workers give bit-identical values to single-threaded synchronous value iteration', async () => {
  for (const id of ['GridWorld5x5-v0', 'FrozenLake8x8-v1', 'Taxi-v3']) {
    const { mdp, gamma } = makeMdp(id);
    const one = valueIteration(mdp, { gamma, inPlace: false });
    const two = await parallelValueIteration(mdp, { gamma }, 2);
    assert.is(two.sweeps, one.sweeps, id);
    assert.equal(Array.from(two.values), Array.from(one.values), id);
    assert.equal(Array.from(two.policy), Array.from(one.policy), id);
  }
});

test('the sweeper splits states across workers and keeps its buffers in shared memory', async () => {
  const { mdp } = makeMdp('Blackjack-v1');
  const sweeper = await ParallelSweeper.create(mdp, 3);
  try {
    assert.is(sweeper.numWorkers, 3);
    assert.ok(sweeper.values.buffer instanceof SharedArrayBuffer);
    const reference = new Float64Array(mdp.numStates);
    const next = new Float64Array(mdp.numStates);
    const delta = await sweeper.sweep(1);
    const expectedDelta = optimalitySweep(mdp, 1, reference, next);
    assert.is(delta, expectedDelta);
    assert.equal(Array.from(sweeper.values), Array.from(next));
  } finally {
    await sweeper.close();
  }
});

/**
 * Runs `body` with node:worker_threads' Worker replaced by a subclass that records each worker
 * and the workerData it was started with (syncBuiltinESMExports carries the swap to the ESM
 * binding that src/core/worker.ts imports), then puts the real Worker back.
 */
async function recordingWorkers<T>(body: (started: { worker: Worker; init: SweepWorkerInit }[]) => Promise<T>): Promise<T> {
  const Real = workerThreads.Worker;
  const started: { worker: Worker; init: SweepWorkerInit }[] = [];
  class Recording extends Real {
    constructor(...args: ConstructorParameters<typeof Real>) {
      super(...args);
      started.push({ worker: this, init: args[1]?.workerData as SweepWorkerInit });
    }
  }
  (workerThreads as { Worker: typeof Real }).Worker = Recording;
  syncBuiltinESMExports();
  try {
    return await body(started);
  } finally {
    (workerThreads as { Worker: typeof Real }).Worker = Real;
    syncBuiltinESMExports();
  }
}

// 6 states, 2 actions. State 0: each action has 3 outcomes; state 2: 2 per action; the others 1
// per action. Transitions per state: 6, 2, 4, 2, 2, 2 (18 in all); the rewards are arbitrary.
const uneven = () =>
  mdpFromFunction(6, 2, (s, a) => {
    if (s === 0) return [[0.5, 1, a, false], [0.25, 2, 1, false], [0.25, 3, 2, true]];
    if (s === 2) return [[0.5, 4, a + 1, false], [0.5, 5, -1, false]];
    return [[1, (s + 1) % 6, s - a, s === 5]];
  });

test('the states are split so each worker gets the same share of transitions, and no listener is left behind', async () => {
  // The transitions before each state: 0, 6, 8, 12, 14, 16 (18 in all). Worker w of 3 starts at the
  // first state with at least w · 18 / 3 = 6w transitions before it: state 1 (6), state 3 (12). So
  // the ranges are [0, 1), [1, 3), [3, 6), 6 transitions each (an even split by states would be 2, 2, 2).
  await recordingWorkers(async (started) => {
    const mdp = uneven();
    const sweeper = await ParallelSweeper.create(mdp, 3);
    try {
      assert.equal(started.map((w) => [w.init.first, w.init.end]), [[0, 1], [1, 3], [3, 6]]);
      await sweeper.sweep(0.9);
      await sweeper.sweep(0.9);
      // Each reply removes both of its listeners, whichever fires.
      for (const { worker } of started) assert.equal([worker.listenerCount('message'), worker.listenerCount('error')], [0, 0]);
    } finally {
      await sweeper.close();
    }
  });
});

test('model arrays that are views into a larger ordinary buffer are copied to shared memory with their offsets; setValues sets the start of the next sweep', async () => {
  // Like a binary model file read whole: an 8-byte header, then the five arrays end to end.
  const mdp = uneven();
  const parts = [mdp.offsets, mdp.next, mdp.prob, mdp.reward, mdp.terminal];
  const size = (n: number) => Math.ceil(n / 8) * 8;
  const file = new ArrayBuffer(8 + parts.reduce((n, p) => n + size(p.byteLength), 0));
  new Uint8Array(file).fill(0xff, 0, 8);
  let at = 8;
  const view = <T extends Int32Array | Float64Array | Uint8Array>(p: T): T => {
    const v = new (p.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(file, at, p.length);
    v.set(p as never);
    at += size(p.byteLength);
    return v;
  };
  const packed: TabularMdpArrays = { numStates: 6, numActions: 2, offsets: view(mdp.offsets), next: view(mdp.next), prob: view(mdp.prob), reward: view(mdp.reward), terminal: view(mdp.terminal) };
  assert.ok(packed.prob.byteOffset > 0 && !(packed.prob.buffer instanceof SharedArrayBuffer));
  const sweeper = await ParallelSweeper.create(packed, 1);
  try {
    const start = Float64Array.of(3, -1, 2, 0.5, 7, -4);
    sweeper.setValues(start);
    assert.equal(Array.from(sweeper.values), Array.from(start));
    const expected = new Float64Array(6);
    const expectedDelta = optimalitySweep(mdp, 0.9, start, expected);
    assert.is(await sweeper.sweep(0.9), expectedDelta);
    assert.equal(Array.from(sweeper.values), Array.from(expected));
  } finally {
    await sweeper.close();
  }
});

test('a model already in shared memory is used in place, not copied: a reward changed after create shows in the next sweep', async () => {
  const mdp = uneven();
  const inShared = <T extends Int32Array | Float64Array | Uint8Array>(p: T): T => {
    const v = new (p.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(p.byteLength));
    v.set(p as never);
    return v;
  };
  const model: TabularMdpArrays = { numStates: 6, numActions: 2, offsets: inShared(mdp.offsets), next: inShared(mdp.next), prob: inShared(mdp.prob), reward: inShared(mdp.reward), terminal: inShared(mdp.terminal) };
  const sweeper = await ParallelSweeper.create(model, 1);
  try {
    for (let j = 0; j < model.reward.length; j++) model.reward[j]! += 10;
    const expected = new Float64Array(6);
    optimalitySweep(model, 0.9, new Float64Array(6), expected);
    await sweeper.sweep(0.9);
    assert.equal(Array.from(sweeper.values), Array.from(expected));
    // Every value is 10 more than before the change (one sweep from v = 0: q = expected reward).
    const before = new Float64Array(6);
    optimalitySweep(mdp, 0.9, new Float64Array(6), before);
    for (let s = 0; s < 6; s++) assert.ok(Math.abs(expected[s]! - before[s]! - 10) < 1e-12);
  } finally {
    await sweeper.close();
  }
});

test('a model whose arrays are views into part of a SharedArrayBuffer is read at their offsets (bug: the workers read from byte 0)', async () => {
  // The bug found by mutation testing (issue 20): such a view was passed through as it was, and the
  // workers read its buffer from the start, so a reward view at byte 8 read the 8 bytes before it.
  const mdp = uneven();
  const sharedView = <T extends Int32Array | Float64Array | Uint8Array>(p: T): T => {
    const buffer = new SharedArrayBuffer(p.byteLength + 16);
    // Zero bytes before the array: read from byte 0, the offsets and rewards come out shifted.
    const v = new (p.constructor as new (b: SharedArrayBuffer, o: number, n: number) => T)(buffer, 8, p.length);
    v.set(p as never);
    return v;
  };
  const model: TabularMdpArrays = { numStates: 6, numActions: 2, offsets: sharedView(mdp.offsets), next: sharedView(mdp.next), prob: sharedView(mdp.prob), reward: sharedView(mdp.reward), terminal: sharedView(mdp.terminal) };
  const sweeper = await ParallelSweeper.create(model, 2);
  try {
    const expected = new Float64Array(6);
    const expectedDelta = optimalitySweep(mdp, 0.9, new Float64Array(6), expected);
    assert.is(await sweeper.sweep(0.9), expectedDelta);
    assert.equal(Array.from(sweeper.values), Array.from(expected));
  } finally {
    await sweeper.close();
  }
});

test('a worker that fails while starting makes create reject with its error and leaves no listener', async () => {
  // Offsets that decrease: the worker's gather buffer would have −1 entries, and the typed array
  // constructor throws a RangeError in the worker. (A TabularMdp would refuse such offsets; the
  // sweeper takes bare arrays.) The timer only turns a hang into a failure.
  const broken: TabularMdpArrays = { numStates: 1, numActions: 1, offsets: Int32Array.of(0, -1), next: new Int32Array(0), prob: new Float64Array(0), reward: new Float64Array(0), terminal: new Uint8Array(0) };
  await recordingWorkers(async (started) => {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('create neither resolved nor rejected within 60 s')), 60_000);
    });
    try {
      await Promise.race([ParallelSweeper.create(broken, 1), hang]).then(
        () => assert.unreachable('create resolved'),
        (e: unknown) => assert.match(String(e), /RangeError: Invalid typed array length: -1/),
      );
    } finally {
      clearTimeout(timer);
    }
    assert.is(started.length, 1);
    assert.equal([started[0]!.worker.listenerCount('message'), started[0]!.worker.listenerCount('error')], [0, 0]);
  });
});

// Two states, γ = 0.5. State 0 ends with reward 1; state 1 moves to state 0 with reward 0.
// Synchronous sweeps from v = 0: sweep 1 gives v = (1, 0), change 1; sweep 2 gives (1, 0.5),
// change 0.5; sweep 3 changes nothing.
const twoStep = () => mdpFromFunction(2, 1, (s) => (s === 0 ? [[1, 0, 1, true]] : [[1, 0, 0, false]]));

test('the stopping rule: sweeps go on while the change is not below θ, and maxSweeps ends them unconverged', async () => {
  // θ = 0.5: sweep 2's change 0.5 is not below θ, so sweep 3 runs and converges.
  // (One worker: how the states are split is checked above.)
  const r = await parallelValueIteration(twoStep(), { gamma: 0.5, theta: 0.5 }, 1);
  assert.equal([r.sweeps, r.backups, r.delta, r.converged], [3, 6, 0, true]);
  assert.equal(Array.from(r.values), [1, 0.5]);
  // maxSweeps 2: stopped with change 0.5 = θ, not below it: not converged.
  const capped = await parallelValueIteration(twoStep(), { gamma: 0.5, theta: 0.5, maxSweeps: 2 }, 1);
  assert.equal([capped.sweeps, capped.backups, capped.delta, capped.converged], [2, 4, 0.5, false]);
});

test.run();
