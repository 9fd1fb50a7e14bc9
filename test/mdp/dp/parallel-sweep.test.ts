import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { parallelValueIteration, ParallelSweeper } from '../../../src/mdp/dp/parallel-sweep.ts';
import { optimalitySweep, valueIteration } from '../../../src/mdp/dp/value-iteration.ts';

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

test.run();
