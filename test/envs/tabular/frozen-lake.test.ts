import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make, spec } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { ValidationError } from '../../../src/core/errors.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';

const LEFT = 0;
const DOWN = 1;
const RIGHT = 2;
const UP = 3;

test("slippery moves: intended or perpendicular, 1/3 each, in Gymnasium's action order", () => {
  const { mdp } = makeMdp('FrozenLake-v1');
  assert.is(mdp.numStates, 16);
  // From the start (0,0) going down: down to 4, left bumps (stays at 0), right to 1.
  const t = mdp.transitions(0, DOWN).map(([p, s, r, d]) => [+p.toFixed(12), s, r, d]);
  assert.equal(t.sort((x, y) => (x[1] as number) - (y[1] as number)), [
    [+(1 / 3).toFixed(12), 0, 0, false],
    [+(1 / 3).toFixed(12), 1, 0, false],
    [+(1 / 3).toFixed(12), 4, 0, false],
  ]);
  // Up from the start: up and left both bump, so they merge to 2/3 on state 0.
  const up = mdp.transitions(0, UP);
  assert.is(up.length, 2);
  // Next to the goal (3,2) = 14, going right reaches 15 = G with reward 1, terminated.
  assert.ok(mdp.transitions(14, RIGHT).some(([p, s, r, d]) => Math.abs(p - 1 / 3) < 1e-12 && s === 15 && r === 1 && d));
  // Holes (5) and the goal (15) are absorbing.
  assert.equal(mdp.transitions(5, LEFT), [[1, 5, 0, true]]);
  assert.equal(mdp.transitions(15, UP), [[1, 15, 0, true]]);
});

test('is_slippery=false moves deterministically; 8×8 map and options from the command line', () => {
  const { mdp } = makeMdp('FrozenLake-v1', { is_slippery: 'false' });
  assert.equal(mdp.transitions(0, RIGHT), [[1, 1, 0, false]]);
  assert.equal(mdp.transitions(4, DOWN), [[1, 8, 0, false]]);
  assert.is(makeMdp('FrozenLake8x8-v1').mdp.numStates, 64);
  assert.is(makeMdp('FrozenLake-v1', { map_name: '8x8' }).mdp.numStates, 64);
  const custom = makeMdp('FrozenLake-v1', { desc: 'SH,FG', is_slippery: false });
  assert.equal(custom.mdp.transitions(2, RIGHT), [[1, 3, 1, true]]);
  assert.throws(() => makeMdp('FrozenLake-v1', { desc: 'SX,FG' }), (e: unknown) => e instanceof ValidationError && /desc/.test(e.message));
  assert.throws(() => makeMdp('FrozenLake-v1', { map_name: '5x5' }), /map_name/);
});

test('time limits and thresholds as Gymnasium (100 and 200 steps; 0.70 and 0.85)', () => {
  assert.is(spec('FrozenLake-v1').maxEpisodeSteps, 100);
  assert.is(spec('FrozenLake8x8-v1').maxEpisodeSteps, 200);
  assert.is(spec('FrozenLake-v1').rewardThreshold, 0.7);
  assert.is(spec('FrozenLake8x8-v1').rewardThreshold, 0.85);
  checkEnv(make('FrozenLake-v1'));
  checkEnv(make('FrozenLake8x8-v1'));
});

test('the env samples the model: slip frequencies near 1/3', () => {
  const env = make('FrozenLake-v1');
  const counts = new Map<number, number>();
  env.reset({ seed: 3 });
  const n = 3000;
  for (let i = 0; i < n; i++) {
    env.reset();
    const r = env.step(DOWN);
    counts.set(r.obs, (counts.get(r.obs) ?? 0) + 1);
    assert.ok(Math.abs((r.info.prob as number) - 1 / 3) < 1e-12);
  }
  for (const s of [0, 1, 4]) assert.ok(Math.abs(counts.get(s)! / n - 1 / 3) < 0.04, `state ${s}: ${counts.get(s)}`);
});

test.run();
