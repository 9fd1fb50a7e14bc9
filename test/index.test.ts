/**
 * The package's main entry alone (`import … from 'gymnast'`, here src/index.ts) knows every env id
 * and builds each: no other import is needed first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { make, registeredIds } from '../src/index.ts';

// The ids gymnast ships (README "Environments").
const SHIPPED = [
  'Acrobot-v1', 'Ant-v1', 'BipedImitate-v0', 'Blackjack-v1', 'CartPole-v1', 'CliffWalking-v0', 'FrozenLake-v1', 'FrozenLake8x8-v1', 'Gambler-v0',
  'GridWorld4x4-v0', 'GridWorld5x5-v0', 'HumanoidImitate-v0', 'HumanoidTrack-v0', 'Pendulum-v1', 'RandomWalk19-v0', 'RandomWalk5-v0', 'Taxi-v3', 'WindyGridworld-v0',
];

test("import from 'gymnast' registers every shipped id, and each one builds, resets and steps", () => {
  assert.equal(registeredIds(), SHIPPED);
  for (const id of registeredIds()) {
    const env = make(id);
    try {
      env.actionSpace.seed(0);
      const { obs } = env.reset({ seed: 0 });
      assert.ok(env.observationSpace.contains(obs), `${id}: reset's observation is in the space`);
      const r = env.step(env.actionSpace.sample());
      assert.ok(Number.isFinite(r.reward), `${id}: a finite reward`);
    } finally {
      env.close();
    }
  }
});

test.run();
