import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make } from '../../../src/envs/registry.ts';
import { expectedSarsa, qLearning, sarsa } from '../../../src/mdp/learn/td-control.ts';
import { ValidationError } from '../../../src/core/errors.ts';

const mean = (a: ArrayLike<number>, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s / (to - from);
};

/** Mean online return of episodes 400–499 over seeds 0 … runs − 1 (ε = 0.1, α = 0.5, as Example 6.6). */
function cliffReturn(learn: typeof sarsa, runs: number): number {
  let total = 0;
  for (let seed = 0; seed < runs; seed++) total += mean(learn(make('CliffWalking-v0'), { episodes: 500, alpha: 0.5, epsilon: 0.1, seed }).returns, 400, 500);
  return total / runs;
}

test('cliff walking: SARSA settles near −25 (safe path), Q-learning near −50 (edge path, falls) (Example 6.6, Figure 6.4)', () => {
  const s = cliffReturn(sarsa, 5);
  const q = cliffReturn(qLearning, 5);
  assert.ok(s > -32 && s < -18, `SARSA ${s}`);
  assert.ok(q > -60 && q < -40, `Q-learning ${q}`);
  // Expected SARSA does at least as well online as SARSA here (Figure 6.3 of the book's §6.6).
  assert.ok(cliffReturn(expectedSarsa, 5) > s - 3);
});

test("cliff walking: Q-learning's greedy policy is the optimal 13-step path along the edge", () => {
  const r = qLearning(make('CliffWalking-v0'), { episodes: 500, alpha: 0.5, epsilon: 0.1, seed: 0 });
  const env = make('CliffWalking-v0');
  let { obs } = env.reset({ seed: 0 });
  let steps = 0;
  let ret = 0;
  for (;;) {
    const step = env.step(r.policy[obs]!);
    steps++;
    ret += step.reward;
    obs = step.obs;
    if (step.terminated || steps > 100) break;
  }
  assert.is(steps, 13);
  assert.is(ret, -13);
});

test('windy gridworld: SARSA episodes shrink toward the 15-step shortest path; Q-learning finds it (Example 6.5)', () => {
  for (let seed = 0; seed < 3; seed++) {
    const s = sarsa(make('WindyGridworld-v0'), { episodes: 500, alpha: 0.5, epsilon: 0.1, seed });
    // Figure 6.3: with ε-greedy exploration the episodes stay a few steps above 15 (about 17 in the book).
    const late = mean(s.lengths, 450, 500);
    assert.ok(late >= 15 && late < 25, `SARSA late episode length ${late}`);
    assert.ok(s.lengths[0]! > 100, 'the first episode wanders');
    const q = qLearning(make('WindyGridworld-v0'), { episodes: 500, alpha: 0.5, epsilon: 0.1, seed });
    const env = make('WindyGridworld-v0');
    let { obs } = env.reset({ seed });
    let steps = 0;
    for (;;) {
      const step = env.step(q.policy[obs]!);
      steps++;
      obs = step.obs;
      if (step.terminated || steps > 100) break;
    }
    assert.is(steps, 15, `seed ${seed}`);
  }
});

test('deterministic from the seed; the learning curve has one return per episode', () => {
  const a = sarsa(make('FrozenLake-v1'), { episodes: 200, seed: 5 });
  const b = sarsa(make('FrozenLake-v1'), { episodes: 200, seed: 5 });
  assert.equal(Array.from(a.returns), Array.from(b.returns));
  assert.is(a.returns.length, 200);
  assert.is(a.steps, a.lengths.reduce((x, y) => x + y, 0));
});

test('bad options are one clear error each', () => {
  assert.throws(() => sarsa(make('FrozenLake-v1'), { episodes: 10, gamma: 1.2 }), (e: unknown) => e instanceof ValidationError && /gamma: the discount must be in \[0, 1\], got 1\.2/.test((e as Error).message));
  assert.throws(() => sarsa(make('FrozenLake-v1'), { episodes: 10, epsilon: 'often' }), /epsilon: not a schedule/);
  assert.throws(() => sarsa(make('FrozenLake-v1'), { episodes: 0 }), /episodes/);
  assert.throws(() => sarsa(make('GridWorld4x4-v0'), { episodes: 10, alpha: 2 }), /alpha: must be in \[0, 1\]/);
});

test.run();
