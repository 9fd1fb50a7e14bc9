import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchPush } from '../../src/train/imitation.ts';

const threshold = (limitN: number) => (forceN: number) => ({ forceN, survived: forceN <= limitN, fellAfterSeconds: forceN <= limitN ? null : 1 });

test('bisection brackets the largest force survived within the tolerance', () => {
  const s = searchPush(threshold(237), 'forward', 1000, 5);
  assert.ok(s.maxSurvivedN <= 237 && 237 < s.minFallN!, `[${s.maxSurvivedN}, ${s.minFallN}]`);
  assert.ok(s.minFallN! - s.maxSurvivedN <= 5);
  // log2(1000 / 5) ≈ 7.6: the top, then 8 halvings.
  assert.is(s.trials.length, 9);
  assert.is(s.trials[0]!.forceN, 1000);
});

test('a policy that survives the largest force: no fall bound', () => {
  const s = searchPush(threshold(5000), 'sideways', 1000, 5);
  assert.equal([s.direction, s.maxSurvivedN, s.minFallN, s.trials.length], ['sideways', 1000, null, 1]);
});

test('a policy that falls at any force above 0 ends at 0', () => {
  const s = searchPush(threshold(0), 'forward', 1000, 50);
  assert.is(s.maxSurvivedN, 0);
  assert.ok(s.minFallN! <= 50);
});

test.run();
