import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { episodeSecondsAt } from '../../../src/envs/imitation/curriculum.ts';

const schedule = { episodeSeconds: 20, startSeconds: 0.5, samples: 2_000_000 };

test('full length when not training (no sample count) or without a curriculum', () => {
  assert.is(episodeSecondsAt(schedule, null), 20);
  assert.is(episodeSecondsAt({ ...schedule, samples: 0 }, 0), 20);
});

test('0.5 s at the start, 20 s once the samples are in, linear between', () => {
  assert.is(episodeSecondsAt(schedule, 0), 0.5);
  assert.is(episodeSecondsAt(schedule, 1_000_000), 10.25);
  assert.is(episodeSecondsAt(schedule, 2_000_000), 20);
  assert.is(episodeSecondsAt(schedule, 9_000_000), 20);
});

test('a start longer than the episode is capped', () => {
  assert.is(episodeSecondsAt({ episodeSeconds: 2, startSeconds: 5, samples: 10 }, 0), 2);
});

test.run();
