/**
 * SHA-256: the JavaScript implementation a browser page uses agrees with OpenSSL's (Node's
 * crypto) on every length around the padding boundaries, and on FIPS 180-2's examples.
 */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/core/rng.ts';
import { sha256Hex, sha256HexPortable } from '../../src/core/sha256.ts';

const enc = (s: string) => new TextEncoder().encode(s);

test("FIPS 180-2 appendix B's examples", () => {
  assert.is(sha256HexPortable(enc('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(sha256HexPortable(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  assert.is(sha256HexPortable(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('the portable and the OpenSSL hash agree on lengths 0..200 and on 1 MB', () => {
  const rng = new Rng(7);
  for (let n = 0; n <= 200; n++) {
    const bytes = new Uint8Array(n).map(() => rng.int(256));
    assert.is(sha256HexPortable(bytes), createHash('sha256').update(bytes).digest('hex'), `length ${n}`);
  }
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
  assert.is(sha256HexPortable(big), sha256Hex(big));
});

test.run();
