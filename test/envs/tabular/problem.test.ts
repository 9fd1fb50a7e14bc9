import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { UnknownIdError } from '../../../src/core/errors.ts';
import { allSpecs } from '../../../src/envs/registry.ts';
import { makeMdp, tabularIds } from '../../../src/envs/tabular/problem.ts';

const IDS = [
  'Blackjack-v1',
  'CliffWalking-v0',
  'FrozenLake-v1',
  'FrozenLake8x8-v1',
  'Gambler-v0',
  'GridWorld4x4-v0',
  'GridWorld5x5-v0',
  'RandomWalk19-v0',
  'RandomWalk5-v0',
  'Taxi-v3',
  'WindyGridworld-v0',
];

test('every tabular problem is registered as an MDP and as a tabular env', () => {
  assert.equal(tabularIds(), IDS);
  const tabularEnvs = allSpecs().filter((s) => s.family === 'tabular').map((s) => s.id);
  for (const id of IDS) assert.ok(tabularEnvs.includes(id), id);
});

test('each start distribution sums to 1 and has one action name per action', () => {
  for (const id of IDS) {
    const p = makeMdp(id);
    assert.is(p.id, id);
    const total = p.initial.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-12, `${id}: ${total}`);
    assert.is(p.actionNames.length, p.mdp.numActions, id);
    assert.ok(p.gamma >= 0 && p.gamma <= 1);
  }
});

test('an unknown MDP id is one clear error listing the known ids', () => {
  try {
    makeMdp('FrozenPond-v1');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UnknownIdError);
    assert.match((e as Error).message, /unknown MDP 'FrozenPond-v1'/);
    assert.match((e as Error).message, /FrozenLake-v1/);
  }
});

test('bad options are reported with their names', () => {
  assert.throws(() => makeMdp('FrozenLake-v1', { slippery: 'true' }), /slippery/);
  assert.throws(() => makeMdp('Taxi-v3', { rainy: 1 }), /Taxi-v3 takes no options/);
});

test.run();
