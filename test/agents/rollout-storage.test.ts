import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/core/errors.ts';
import { RolloutStorage } from '../../src/agents/rollout-storage.ts';

test('sizes: T × n per step, n for what carries over; obs and actions times their widths', () => {
  const r = new RolloutStorage(5, 3, 4, 2);
  assert.equal([r.obs.length, r.actions.length, r.logprobs.length, r.rewards.length, r.dones.length, r.advantages.length], [60, 30, 15, 15, 15, 15]);
  assert.equal([r.nextObs.length, r.nextResetPending.length, r.envActions.length], [12, 3, 6]);
});

test('a storage too large for memory is one clear error naming the settings, before anything is allocated', () => {
  assert.throws(
    () => new RolloutStorage(1_000_000_000, 8, 4, 1),
    (e: unknown) => e instanceof UsageError && /numSteps 1000000000 × numEnvs 8 × 13 per step/.test((e as Error).message) && /lower numSteps or numEnvs/.test((e as Error).message),
  );
});

test.run();
