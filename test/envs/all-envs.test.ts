/** checkEnv over every registered env of every room (Gymnasium's tests/envs/test_envs.py). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { make, registeredIds } from '../../src/envs/registry.ts';
import { checkEnv } from '../../src/envs/checker.ts';

const ids = registeredIds();

test('rooms register envs', () => {
  assert.ok(ids.length > 0);
});

for (const id of ids) {
  test(`checkEnv ${id}`, () => {
    checkEnv(make(id));
  });
}

test.run();
