import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmpiricalModel } from '../../src/mdp/empirical.ts';

test('counts become maximum-likelihood probabilities and mean rewards', () => {
  const m = new EmpiricalModel(3, 2);
  m.record(0, 1, 1, 1, false);
  m.record(0, 1, 3, 1, false);
  m.record(0, 1, 0, 2, true);
  m.record(1, 0, -1, 0, false);
  assert.is(m.numSamples, 4);
  assert.is(m.visitedPairs, 2);
  assert.is(m.counts[0 * 2 + 1], 3);
  const mdp = m.toMdp();
  const t = mdp.transitions(0, 1);
  assert.equal(t.map(([p, s2, r, done]) => [+p.toFixed(12), s2, r, done]), [
    [+(2 / 3).toFixed(12), 1, 2, false],
    [+(1 / 3).toFixed(12), 2, 0, true],
  ]);
  assert.equal(mdp.transitions(1, 0), [[1, 0, -1, false]]);
});

test('unvisited pairs get the stand-in row: by default the episode ends there with reward 0', () => {
  const m = new EmpiricalModel(2, 2);
  m.record(0, 0, 1, 1, false);
  const mdp = m.toMdp();
  assert.equal(mdp.transitions(0, 1), [[1, 0, 0, true]]);
  assert.equal(mdp.transitions(1, 1), [[1, 1, 0, true]]);
  const optimistic = m.toMdp({ unvisited: { reward: 5, terminal: false } });
  assert.equal(optimistic.transitions(1, 0), [[1, 1, 5, false]]);
});

test('minCount treats rarely seen pairs as unvisited', () => {
  const m = new EmpiricalModel(2, 1);
  m.record(0, 0, 1, 1, false);
  m.record(1, 0, 1, 0, false);
  m.record(1, 0, 1, 0, false);
  const mdp = m.toMdp({ minCount: 2 });
  assert.equal(mdp.transitions(0, 0), [[1, 0, 0, true]]);
  assert.equal(mdp.transitions(1, 0), [[1, 0, 1, false]]);
});

test('out-of-range records are refused with the values named', () => {
  const m = new EmpiricalModel(2, 2);
  assert.throws(() => m.record(0, 2, 0, 1, false), /a=2/);
  assert.throws(() => m.record(0, 0, NaN, 1, false), /reward NaN/);
});

test.run();
