import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mdpFromFunction, type Transition } from '../../../src/envs/tabular/model.ts';
import { TabularEnv } from '../../../src/envs/tabular/tabular-env.ts';
import type { TabularProblem } from '../../../src/envs/tabular/problem.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { UsageError } from '../../../src/core/errors.ts';

// From state 0: action 0 moves to 1 with probability 0.25 (reward 1) or stays (reward 0); state 1 ends everything.
const problem: TabularProblem = {
  id: 'Coin-v0',
  mdp: mdpFromFunction(2, 1, (s): Transition[] => (s === 1 ? [[1, 1, 0, true]] : [[0.75, 0, 0, false], [0.25, 1, 1, true]])),
  initial: Float64Array.of(1, 0),
  gamma: 1,
  actionNames: ['flip'],
};

test('steps sample the model: frequencies, rewards, flags and info.prob', () => {
  const env = new TabularEnv(problem);
  env.reset({ seed: 11 });
  let ends = 0;
  const n = 4000;
  for (let i = 0; i < n; i++) {
    env.reset();
    const r = env.step(0);
    if (r.terminated) {
      ends++;
      assert.is(r.obs, 1);
      assert.is(r.reward, 1);
      assert.is(r.info.prob, 0.25);
    } else assert.is(r.info.prob, 0.75);
  }
  assert.ok(Math.abs(ends / n - 0.25) < 0.03, `${ends / n}`);
});

test('same seed, same trajectory; checkEnv passes; setState and step-before-reset', () => {
  checkEnv(new TabularEnv(problem));
  const env = new TabularEnv(problem);
  assert.throws(() => env.step(0), (e: unknown) => e instanceof UsageError);
  env.reset({ seed: 0 });
  env.setState(1);
  assert.is(env.s, 1);
  assert.throws(() => env.setState(2), /setState\(2\)/);
  const frame = env.frame();
  assert.is(frame.transforms.length, frame.scene.bodies.length * 7);
});

test.run();
