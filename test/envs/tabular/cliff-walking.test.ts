import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make, spec } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { CLIFF_GOAL, CLIFF_START } from '../../../src/envs/tabular/cliff-walking.ts';

const UP = 0;
const RIGHT = 1;
const DOWN = 2;

test("CliffWalking: start 36, goal 47, −1 a step, −100 and back to the start on the cliff (Gymnasium's P)", () => {
  const { mdp, initial } = makeMdp('CliffWalking-v0');
  assert.is(CLIFF_START, 36);
  assert.is(CLIFF_GOAL, 47);
  assert.is(initial[36], 1);
  assert.equal(mdp.transitions(36, RIGHT), [[1, 36, -100, false]]);
  assert.equal(mdp.transitions(36, UP), [[1, 24, -1, false]]);
  assert.equal(mdp.transitions(25, DOWN), [[1, 36, -100, false]]);
  assert.equal(mdp.transitions(35, DOWN), [[1, 47, -1, true]]);
  assert.equal(mdp.transitions(0, UP), [[1, 0, -1, false]]);
  assert.is(spec('CliffWalking-v0').maxEpisodeSteps, undefined);
});

test('is_slippery spreads a move over the intended and perpendicular directions', () => {
  const { mdp } = makeMdp('CliffWalking-v0', { is_slippery: 'true' });
  const t = mdp.transitions(24, RIGHT);
  // Right from (2,0): right to 25, up to 12, down into the cliff? (3,0) is the start, not the cliff.
  assert.equal(t.map(([, s]) => s).sort((a, b) => a - b), [12, 25, 36]);
  checkEnv(make('CliffWalking-v0'));
});

test('walking the safe edge of the cliff takes 13 steps', () => {
  const env = make('CliffWalking-v0');
  let { obs } = env.reset({ seed: 0 });
  const path = [UP, ...Array(11).fill(RIGHT), DOWN];
  let ret = 0;
  for (const a of path) {
    const r = env.step(a);
    ret += r.reward;
    obs = r.obs;
    if (r.terminated) break;
  }
  assert.is(obs, 47);
  assert.is(ret, -13);
});

test.run();
