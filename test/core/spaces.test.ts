import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Box, Discrete } from '../../src/core/spaces.ts';

test('Box samples inside its bounds and is reproducible from a seed', () => {
  const box = new Box([-1, 0, -Infinity], [1, Infinity, Infinity]);
  box.seed(3);
  const a = Array.from({ length: 50 }, () => box.sample());
  box.seed(3);
  const b = Array.from({ length: 50 }, () => box.sample());
  assert.equal(a, b);
  for (const x of a) assert.ok(box.contains(x));
});

test('Box.contains checks type, length and bounds, and explain says why', () => {
  const box = new Box(-2, 2, [2]);
  assert.ok(box.contains(new Float32Array([0, 2])));
  assert.not.ok(box.contains(new Float32Array([0, 2.5])));
  assert.not.ok(box.contains([0, 0]));
  assert.not.ok(box.contains(new Float32Array([0, NaN])));
  assert.match(box.explain(new Float32Array([0, 3]))!, /element 1 is 3, outside \[-2, 2\]/);
  assert.match(box.explain(new Float32Array(3))!, /expected length 2/);
  assert.is(box.toString(), 'Box(-2, 2, [2], float32)');
});

test('Box rejects malformed bounds', () => {
  assert.throws(() => new Box([1], [0]), /bound 0/);
  assert.throws(() => new Box(0, 1), /shape/);
  assert.throws(() => new Box([0, 0], [1]), /high has 1 values/);
});

test('Discrete samples every value with a start offset', () => {
  const d = new Discrete(3, 5);
  d.seed(0);
  const seen = new Set<number>();
  for (let i = 0; i < 100; i++) seen.add(d.sample());
  assert.equal([...seen].sort(), [5, 6, 7]);
  assert.ok(d.contains(7));
  assert.not.ok(d.contains(8));
  assert.not.ok(d.contains(5.5));
  assert.match(d.explain(9)!, /\[5, 7\], got 9/);
});

test.run();
