import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quatFromAxisAngle } from '../../../src/core/math.ts';
import { quatAngleAt, quatConjMulAt, quatMulAt, rotateAt } from '../../../src/envs/character/character-state.ts';

test('quatAngleAt keeps its digits at small angles and ignores the sign of q', () => {
  for (const angle of [1e-7, 1e-4, 0.3, 2.9]) {
    const a = quatFromAxisAngle(new Float64Array(4), [0.3, -1, 0.2], 0.7);
    const d = quatFromAxisAngle(new Float64Array(4), [1, 2, 3], angle);
    const b = new Float64Array(4);
    quatMulAt(b, 0, a, 0, d, 0);
    assert.ok(Math.abs(quatAngleAt(a, 0, b, 0) - angle) < 1e-12 * Math.max(1, angle) + 1e-15, `angle ${angle}`);
    const neg = b.map((x) => -x);
    assert.ok(Math.abs(quatAngleAt(a, 0, neg, 0) - angle) < 1e-12);
  }
});

test('conj(a)·b undoes a, and rotateAt with inverse undoes rotateAt', () => {
  const a = quatFromAxisAngle(new Float64Array(4), [1, 1, 0], 1.1);
  const b = quatFromAxisAngle(new Float64Array(4), [0, 1, 2], -0.4);
  const ab = new Float64Array(4), back = new Float64Array(4);
  quatMulAt(ab, 0, a, 0, b, 0);
  quatConjMulAt(back, 0, a, 0, ab, 0);
  assert.ok(quatAngleAt(back, 0, b, 0) < 1e-12);
  const v = new Float64Array(3), w = new Float64Array(3);
  rotateAt(v, 0, a, 0, 0.2, -0.5, 1.5);
  rotateAt(w, 0, a, 0, v[0]!, v[1]!, v[2]!, true);
  assert.ok(Math.abs(w[0]! - 0.2) < 1e-12 && Math.abs(w[1]! + 0.5) < 1e-12 && Math.abs(w[2]! - 1.5) < 1e-12);
});

test.run();
