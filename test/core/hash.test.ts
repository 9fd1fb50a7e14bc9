import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BitHash } from '../../src/core/hash.ts';

test('equal inputs hash equal; one bit of difference changes the hash', () => {
  const a = new BitHash().numbers([1, 2, 3.5]).hex();
  assert.is(new BitHash().numbers([1, 2, 3.5]).hex(), a);
  assert.is.not(new BitHash().numbers([1, 2, 3.5000000000000004]).hex(), a);
  assert.is.not(new BitHash().numbers([0]).hex(), new BitHash().numbers([-0]).hex());
});

test('both halves stay well mixed over long inputs (no bits stuck at zero)', () => {
  const h = new BitHash();
  let orLow = 0;
  for (let i = 0; i < 2000; i++) {
    h.number(i * 0.37);
    orLow |= parseInt(h.hex().slice(12), 16);
  }
  assert.is(orLow, 0xffff);
  assert.is(h.hex().length, 16);
});

test.run();
