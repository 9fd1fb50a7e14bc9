import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { DiscretizedEnv } from '../../../src/mdp/discretize/discretized-env.ts';
import { presetAggregation } from '../../../src/mdp/discretize/presets.ts';

test('CartPole-v1 as cells: Discrete spaces, the cell of the real observation, checkEnv passes', () => {
  const aggregation = presetAggregation('CartPole-v1');
  const env = new DiscretizedEnv(make('CartPole-v1'), aggregation);
  assert.is(env.observationSpace.n, 3 * 3 * 6 * 6);
  assert.is(env.actionSpace.n, 2);
  const { obs } = env.reset({ seed: 0 });
  assert.is(obs, aggregation.index(env.lastObservation));
  const r = env.step(1);
  assert.is(r.obs, aggregation.index(env.lastObservation));
  assert.is(r.reward, 1);
  env.close();
  checkEnv(new DiscretizedEnv(make('CartPole-v1'), aggregation));
});

test("Pendulum-v1's torque becomes evenly spaced levels, ends included", () => {
  const env = new DiscretizedEnv(make('Pendulum-v1'), presetAggregation('Pendulum-v1'), { actionLevels: 5 });
  assert.is(env.actionSpace.n, 5);
  assert.equal(env.actionTable!.map((a) => a[0]), [-2, -1, 0, 1, 2]);
  env.reset({ seed: 0 });
  const r = env.step(4);
  assert.ok(Number.isInteger(r.obs) && r.obs >= 0 && r.obs < 21 * 21);
  env.close();
});

test('presets: bins can be overridden; a wrong count or an unknown env is one clear error', () => {
  assert.is(presetAggregation('CartPole-v1', [1, 1, 8, 8]).numStates, 64);
  assert.is(presetAggregation('Acrobot-v1').numStates, 6 * 6 * 5 * 5);
  assert.throws(() => presetAggregation('CartPole-v1', [3, 3]), /give 4 numbers, got 2/);
  assert.throws(() => presetAggregation('Taxi-v3'), /no preset for 'Taxi-v3'/);
  assert.throws(() => new DiscretizedEnv(make('Taxi-v3'), presetAggregation('CartPole-v1')), /needs a Box observation space/);
});

test.run();
