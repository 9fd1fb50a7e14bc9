import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Assembler, chunk, decodeBatch, decodeCommand, encodeBatch, encodeCommand, PROTOCOL, type BatchHeader, type RolloutCommand } from '../../src/cluster/wire.ts';
import type { CollectedRollout } from '../../src/agents/policy-rollouts.ts';

const T = 3, W = 2, OBS = 2, ACT = 1;
const shape = { env: 'Toy-v0', T, width: W, obsDim: OBS, actionDim: ACT };
const header = (over: Partial<BatchHeader> = {}): BatchHeader => ({ protocol: PROTOCOL, version: 4, actor: 'a', slot: 1, batch: 9, env: 'Toy-v0', T, width: W, obsDim: OBS, actionDim: ACT, hasRaw: false, fresh: false, infos: [{ t: 2, env: 1, info: { episode: { r: 1.5, l: 3 } } }], ...over });
function rollout(raw = false): CollectedRollout {
  const n = T * W;
  return {
    obs: Float32Array.from({ length: (n + W) * OBS }, (_, i) => i / 7),
    rawNextObs: raw ? Float32Array.from({ length: n * OBS }, (_, i) => -i) : new Float32Array(0),
    actions: Float32Array.from({ length: n * ACT }, (_, i) => i - 2.5),
    logprobs: Float32Array.from({ length: n }, (_, i) => -i / 3),
    rewards: Float64Array.from({ length: n }, (_, i) => Math.PI * i),
    terminated: Uint8Array.from({ length: n }, (_, i) => (i === 5 ? 1 : 0)),
    dones: Uint8Array.from({ length: n }, (_, i) => (i >= 4 ? 1 : 0)),
    valid: Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 1)),
    infos: [],
  };
}

test('a batch round-trips exactly; without raw observations they are the next rows of obs', () => {
  const r = rollout();
  const b = decodeBatch(encodeBatch(header(), r), shape);
  if (typeof b === 'string') throw new Error(b);
  for (const k of ['obs', 'actions', 'logprobs', 'rewards', 'terminated', 'dones', 'valid'] as const) assert.equal(Array.from(b.rollout[k]), Array.from(r[k]), k);
  assert.equal(Array.from(b.rollout.rawNextObs), Array.from(r.obs.subarray(W * OBS)));
  assert.equal(b.rollout.infos, header().infos);
  const withRaw = decodeBatch(encodeBatch(header({ hasRaw: true }), rollout(true)), { ...shape, hasRaw: true });
  if (typeof withRaw === 'string') throw new Error(withRaw);
  assert.equal(Array.from(withRaw.rollout.rawNextObs), Array.from(rollout(true).rawNextObs));
});

test('a batch that does not fit is refused with the reason, never thrown', () => {
  const r = rollout();
  const bad: [Uint8Array, RegExp][] = [
    [encodeBatch(header({ env: 'Other-v0' }), r), /env "Other-v0", this run trains Toy-v0/],
    [encodeBatch(header({ obsDim: 3 }), r), /obsDim 3, expected 2/],
    [encodeBatch(header({ protocol: 99 }), r), /protocol 99/],
    [encodeBatch(header(), r).subarray(0, -8), /bytes, a 3 × 2 batch has/],
    [encodeBatch(header(), r).subarray(0, 40), /a header of \d+ bytes in a message of 40/],
    [encodeBatch(header({ infos: [{ t: 7, env: 0, info: {} }] }), r), /an info outside the batch/],
    [encodeBatch(header(), { ...r, rewards: Float64Array.of(0, 0, NaN, 0, 0, 0) }), /rewards\[2\] is NaN/],
    [encodeBatch(header(), { ...r, valid: Uint8Array.of(1, 1, 2, 1, 1, 1) }), /valid\[2\] is 2/],
    [encodeBatch(header({ hasRaw: true }), rollout(true)), /raw observations sent, expected none/],
    [new TextEncoder().encode('garbage!'), /header/],
    [new Uint8Array(2), /too short/],
  ];
  for (const [bytes, reason] of bad) {
    const got = decodeBatch(bytes, { ...shape, hasRaw: false });
    assert.type(got, 'string');
    assert.match(got as string, reason);
  }
});

test('a command round-trips: weights, obs normalization (float64 exactly), seeds, reset', () => {
  const c: RolloutCommand = {
    protocol: PROTOCOL, version: 12, learner: 'l', seed: 4294967295, sampleCount: 1e9, reset: { id: 10, seed: 3, sampleCount: 640 },
    policy: { sizes: [2, 4, 1], activation: 'tanh', head: 'gaussian', weights: [Float32Array.of(0.1, -2, 3e-8), Float32Array.of(), Float32Array.of(-0.5)], obsNorm: { mean: Float64Array.of(0.1 + 0.2, -1e-300), var: Float64Array.of(1 / 3, 2), clip: 10 } },
  };
  const d = decodeCommand(encodeCommand(c));
  if (typeof d === 'string') throw new Error(d);
  assert.equal({ ...d, policy: { ...d.policy, weights: d.policy.weights.map((w) => Array.from(w)), obsNorm: { ...d.policy.obsNorm!, mean: Array.from(d.policy.obsNorm!.mean), var: Array.from(d.policy.obsNorm!.var) } } },
    { ...c, policy: { ...c.policy, weights: c.policy.weights.map((w) => Array.from(w)), obsNorm: { ...c.policy.obsNorm!, mean: Array.from(c.policy.obsNorm!.mean), var: Array.from(c.policy.obsNorm!.var) } } });
  assert.match(decodeCommand(encodeCommand({ ...c, protocol: 2 })) as string, /protocol 2/);
  assert.match(decodeCommand(encodeCommand(c).subarray(0, 60)) as string, /bytes|header/);
});

test('chunks reassemble in any order, once; an abandoned message expires', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  const parts = chunk(bytes, 300);
  assert.is(parts.length, 4);
  const a = new Assembler();
  assert.is(a.add('x', 2, 4, parts[2]!), null);
  assert.is(a.add('x', 0, 4, parts[0]!), null);
  assert.is(a.add('x', 0, 4, parts[0]!), null, 'a repeated chunk counts once');
  assert.is(a.add('x', 3, 4, parts[3]!), null);
  assert.equal(Array.from(a.add('x', 1, 4, parts[1]!)!), Array.from(bytes));
  assert.is(a.add('y', 0, 2, parts[0]!, 0), null);
  assert.equal(a.expire(1000, 5000), ['y']);
  assert.is(a.add('z', 5, 4, parts[0]!), null, 'a chunk index outside the count is ignored');
  assert.is(chunk(new Uint8Array(0)).length, 1);
});

test.run();
