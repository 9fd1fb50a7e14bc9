import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../../src/core/errors.ts';
import { StateAggregation } from '../../../src/mdp/discretize/state-aggregation.ts';

const grid = new StateAggregation({ names: ['a', 'b'], low: [0, -1], high: [1, 1], bins: [2, 4] });

test('cells are numbered row-major, the last feature fastest; outside values clip to the edge bins', () => {
  assert.is(grid.numStates, 8);
  assert.is(grid.index(Float32Array.of(0.1, -0.9)), 0);
  assert.is(grid.index(Float32Array.of(0.1, 0.9)), 3);
  assert.is(grid.index(Float32Array.of(0.9, -0.9)), 4);
  assert.is(grid.index(Float32Array.of(0.9, 0.1)), 6);
  assert.is(grid.index(Float32Array.of(-5, -5)), 0);
  assert.is(grid.index(Float32Array.of(5, 5)), 7);
  assert.equal(grid.center(6), [0.75, 0.25]);
});

test('features map the observation before binning', () => {
  const angle = new StateAggregation({
    names: ['θ'],
    low: [-Math.PI],
    high: [Math.PI],
    bins: [4],
    features: (obs, out) => {
      out[0] = Math.atan2(obs[1]!, obs[0]!);
    },
  });
  assert.is(angle.index(Float32Array.of(1, 0)), 2);
  assert.is(angle.index(Float32Array.of(-1, -0.01)), 0);
});

test('malformed specs are one error listing each problem', () => {
  try {
    new StateAggregation({ names: ['a', 'b'], low: [0, 1], high: [1, 1], bins: [0, 2] });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, /bins\.0: a: bins must be a positive integer, got 0/);
    assert.match((e as Error).message, /low\.1: b: low 1 must be below high 1/);
  }
});

test.run();
