import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { make, registeredIds } from '../../src/envs/registry.ts';
import { hasHeuristic, makePolicy } from '../../src/viewer/server/sources/policies.ts';
import { UsageError } from '../../src/core/errors.ts';

function returns(id: string, policyName: string, seeds: number): number[] {
  const env = make(id);
  const policy = makePolicy(policyName, id, env);
  env.actionSpace.seed(0);
  const out: number[] = [];
  for (let s = 0; s < seeds; s++) {
    let { obs } = env.reset({ seed: s });
    let total = 0;
    for (;;) {
      const r = env.step(policy(obs));
      total += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    out.push(total);
  }
  env.close();
  return out;
}

test('the CartPole controller balances the pole for the full 500 steps', () => {
  assert.ok(registeredIds().includes('CartPole-v1'), 'CartPole-v1 is a shipped env: its absence is a failure, not a pass');
  assert.equal(returns('CartPole-v1', 'heuristic', 3), [500, 500, 500]);
});

test('the Pendulum controller swings up and holds: far above the random policy', () => {
  assert.ok(registeredIds().includes('Pendulum-v1'), 'Pendulum-v1 is a shipped env: its absence is a failure, not a pass');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const heuristic = mean(returns('Pendulum-v1', 'heuristic', 3));
  const random = mean(returns('Pendulum-v1', 'random', 3));
  // Gymnasium's random policy averages about −1200; a swing-up controller is above −400.
  assert.ok(heuristic > -400, `heuristic mean return ${heuristic}`);
  assert.ok(heuristic > random + 500, `heuristic ${heuristic} vs random ${random}`);
});

test('heuristic falls back to random where there is none; an unknown policy is a usage error', () => {
  assert.ok(registeredIds().includes('CartPole-v1'), 'CartPole-v1 is a shipped env: its absence is a failure, not a pass');
  assert.ok(hasHeuristic('CartPole-v1'));
  assert.not.ok(hasHeuristic('Nope-v0'));
  const env = make('CartPole-v1');
  const p = makePolicy('heuristic', 'Unknown-v9', env);
  const a = p(new Float32Array(4));
  assert.ok(a === 0 || a === 1);
  assert.throws(() => makePolicy('clever', 'CartPole-v1', env), (e: Error) => e instanceof UsageError && /random or heuristic/.test(e.message));
  env.close();
});

test.run();
