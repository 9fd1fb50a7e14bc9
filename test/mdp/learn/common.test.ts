import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../../src/core/rng.ts';
import { Box, Discrete } from '../../../src/core/spaces.ts';
import { ValidationError } from '../../../src/core/errors.ts';
import {
  argmaxRandomTie,
  EpisodeBuffer,
  epsilonGreedyProbabilities,
  parseSchedule,
  resolveLearnOptions,
  tabularSizes,
} from '../../../src/mdp/learn/common.ts';

test('schedules: constant, 1/n, linear, exponential', () => {
  assert.is(parseSchedule(0.3, 'alpha').at(50, 9), 0.3);
  assert.is(parseSchedule('0.25', 'alpha').at(0, 1), 0.25);
  assert.is(parseSchedule('1/n', 'alpha').at(0, 4), 0.25);
  const lin = parseSchedule('linear:1:0.1:100', 'epsilon');
  assert.is(lin.at(0, 0), 1);
  assert.ok(Math.abs(lin.at(50, 0) - 0.55) < 1e-12);
  assert.is(lin.at(500, 0), 0.1);
  const exp = parseSchedule('exp:1:0.5:0.2', 'epsilon');
  assert.is(exp.at(1, 0), 0.5);
  assert.is(exp.at(10, 0), 0.2);
});

test('bad schedules and options name the field', () => {
  assert.throws(() => parseSchedule('fast', 'alpha'), (e: unknown) => e instanceof ValidationError && /alpha: not a schedule \(got 'fast'/.test((e as Error).message));
  assert.throws(() => parseSchedule(1.5, 'epsilon'), /epsilon: must be in \[0, 1\]/);
  assert.throws(() => parseSchedule('linear:2:0:10', 'epsilon'), /values must be in \[0, 1\]/);
  assert.throws(() => resolveLearnOptions({ episodes: 5, gamma: -1 }, 0.1), /gamma: the discount must be in \[0, 1\], got -1/);
  assert.throws(() => resolveLearnOptions({ episodes: 5, lambda: 0.9 } as never, 0.1), /lambda/);
  assert.is(resolveLearnOptions({ episodes: 5 }, '1/n').alpha.spec, '1/n');
});

test('ε-greedy probabilities split the greedy mass among tied maxima', () => {
  const out = epsilonGreedyProbabilities([1, 3, 3, 0], 0, 4, 0.2, new Float64Array(4));
  assert.equal(Array.from(out, (x) => +x.toFixed(12)), [0.05, 0.45, 0.45, 0.05]);
});

test('argmax breaks exact ties uniformly at random', () => {
  const rng = new Rng(1);
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) counts[argmaxRandomTie([2, 5, 5], 0, 3, rng)]!++;
  assert.is(counts[0], 0);
  assert.ok(Math.abs(counts[1]! - 1500) < 150 && Math.abs(counts[2]! - 1500) < 150);
});

test('episode buffers grow without losing data', () => {
  const b = new EpisodeBuffer();
  for (let t = 0; t < 1000; t++) b.push(t, t % 4, -t, 0.5);
  assert.is(b.length, 1000);
  assert.is(b.states[999], 999);
  assert.is(b.rewards[300], -300);
  b.clear();
  assert.is(b.length, 0);
});

test('tabular methods refuse continuous spaces with a hint', () => {
  const env = { id: 'Cont-v0', observationSpace: new Box(-1, 1, [2]), actionSpace: new Discrete(2), reset: () => ({ obs: 0, info: {} }), step: () => ({}) as never, close() {} };
  assert.throws(() => tabularSizes(env), /DiscretizedEnv/);
});

test.run();
