import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng, streamSeed } from '../../src/core/rng.ts';
import { agentSeed, evaluationSeed, segmentSeed } from '../../src/train/seeds.ts';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 10 }, () => a.nextUint32());
  const xb = Array.from({ length: 10 }, () => b.nextUint32());
  const xc = Array.from({ length: 10 }, () => c.nextUint32());
  assert.equal(xa, xb);
  assert.not.equal(xa, xc);
});

test('state saves and restores exactly, including the spare normal', () => {
  const r = new Rng(7);
  r.normal();
  const state = JSON.parse(JSON.stringify(r.getState()));
  const expected = [r.normal(), r.random(), r.int(10), r.normal()];
  const s = new Rng(0);
  s.setState(state);
  assert.equal([s.normal(), s.random(), s.int(10), s.normal()], expected);
});

test('uniform, int and normal have the right moments', () => {
  const r = new Rng(1);
  const n = 200_000;
  let sum = 0, sumSq = 0, nsum = 0, nsq = 0;
  const counts = new Array(6).fill(0);
  for (let i = 0; i < n; i++) {
    const u = r.random();
    assert.ok(u >= 0 && u < 1);
    sum += u; sumSq += u * u;
    counts[r.int(6)]++;
    const z = r.normal();
    nsum += z; nsq += z * z;
  }
  // Uniform[0,1): mean 1/2, variance 1/12; standard normal: mean 0, variance 1 (5-sigma bounds).
  assert.ok(Math.abs(sum / n - 0.5) < 0.005);
  assert.ok(Math.abs(sumSq / n - sum * sum / n / n - 1 / 12) < 0.003);
  assert.ok(Math.abs(nsum / n) < 0.012);
  assert.ok(Math.abs(nsq / n - 1) < 0.02);
  for (const c of counts) assert.ok(Math.abs(c / n - 1 / 6) < 0.005);
});

test('bad seeds and states are rejected', () => {
  assert.throws(() => new Rng(NaN), /seed/);
  assert.throws(() => new Rng(0).setState({ s: [1, 2, 3] as any, spareNormal: null }), /four uint32/);
  assert.throws(() => new Rng(0).int(0), /positive integer/);
});

test('named streams: deterministic, distinct per name, index and seed, in [0, 2^31); a run\'s agent never shares its envs\' stream', () => {
  assert.is(streamSeed(7, 'agent'), streamSeed(7, 'agent'));
  const seen = new Set<number>();
  for (const seed of [0, 1, 2, 2 ** 32, 2 ** 40 + 3]) {
    for (const name of ['agent', 'envs', 'evaluation']) {
      for (let k = 0; k < 50; k++) {
        const s = streamSeed(seed, name, k);
        assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 31, String(s));
        seen.add(s);
      }
    }
  }
  assert.is(seen.size, 5 * 3 * 50, 'no two (seed, name, index) share a stream seed');
  for (let seed = 0; seed < 100; seed++) {
    // Before streams, the agent's Rng and sub-env 0 were both seeded with the run's seed.
    assert.is.not(agentSeed(seed), segmentSeed(seed, 0));
    assert.is.not(new Rng(agentSeed(seed)).nextUint32(), new Rng(segmentSeed(seed, 0)).nextUint32());
    assert.is.not(evaluationSeed(seed), segmentSeed(seed, 0));
  }
  assert.throws(() => streamSeed(1.5, 'agent'), /safe integers/);
  assert.throws(() => streamSeed(1, 'envs', -1), /safe integers/);
});

test.run();
