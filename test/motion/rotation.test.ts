import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quatRotate } from '../../src/core/math.ts';
import {
  type Axis, quatAngleBetween, quatFromDeepMimicEuler, quatFromEuler, quatFromMatrix, quatFromTwoDirections, quatFromUnitVectors, quatToEuler, quatToMatrix,
} from '../../src/motion/rotation.ts';

const orders: [Axis, Axis, Axis][] = [['x', 'y', 'z'], ['x', 'z', 'y'], ['y', 'x', 'z'], ['y', 'z', 'x'], ['z', 'x', 'y'], ['z', 'y', 'x']];
const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tol, `${Array.from(a)} vs ${Array.from(b)}`);
};

test('Euler: intrinsic composition in the listed order (Zrotation Yrotation Xrotation → Rz·Ry·Rx)', () => {
  // Rz(90°)·Rx(90°) applied to +y: Rx takes +y to +z, Rz leaves +z alone.
  const q = quatFromEuler([0, 0, 0, 1], [Math.PI / 2, Math.PI / 2], ['z', 'x']);
  near(quatRotate([0, 0, 0], q, [0, 1, 0]), [0, 0, 1]);
  // …and +x: Rx leaves it, Rz takes it to +y.
  near(quatRotate([0, 0, 0], q, [1, 0, 0]), [0, 1, 0]);
});

test('Euler decomposition inverts composition for all six orders, including near gimbal lock', () => {
  for (const axes of orders) {
    for (const angles of [[0.3, -0.7, 1.2], [2.5, 0.4, -2.9], [-1, 1.5, 0.2], [0.4, Math.PI / 2, -0.3], [1, -Math.PI / 2 + 1e-12, 0.5]]) {
      const q = quatFromEuler([0, 0, 0, 1], angles, axes);
      const back = quatFromEuler([0, 0, 0, 1], quatToEuler([0, 0, 0], q, axes), axes);
      assert.ok(quatAngleBetween(q, back) < 1e-6, `${axes.join('')} ${angles}: ${quatAngleBetween(q, back)}`);
    }
  }
});

test('matrix round trip and DeepMimic AttachTheta (Rz·Ry·Rx)', () => {
  const q = quatFromEuler([0, 0, 0, 1], [0.3, -1.1, 2.0], ['y', 'x', 'z']);
  const m = quatToMatrix(new Array(9), q);
  assert.ok(quatAngleBetween(quatFromMatrix([0, 0, 0, 1], m), q) < 1e-7);
  const d = quatFromDeepMimicEuler([0, 0, 0, 1], 0.1, 0.2, 0.3);
  assert.ok(quatAngleBetween(d, quatFromEuler([0, 0, 0, 1], [0.3, 0.2, 0.1], ['z', 'y', 'x'])) < 1e-7);
});

test('rotations between directions', () => {
  const q = quatFromUnitVectors([0, 0, 0, 1], [0, -2, 0], [1, -1, 0]);
  near(quatRotate([0, 0, 0], q, [0, -1, 0]), [Math.SQRT1_2, -Math.SQRT1_2, 0]);
  const opposite = quatFromUnitVectors([0, 0, 0, 1], [0, 1, 0], [0, -1, 0]);
  near(quatRotate([0, 0, 0], opposite, [0, 1, 0]), [0, -1, 0]);
  // Primary exact, secondary as close as it can be.
  const r = quatFromTwoDirections([0, 0, 0, 1], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0.5, 1]);
  near(quatRotate([0, 0, 0], r, [0, 1, 0]), [1, 0, 0]);
  const s = quatRotate([0, 0, 0], r, [0, 0, 1]);
  near(s, [0, 0.5 / Math.hypot(0.5, 1), 1 / Math.hypot(0.5, 1)], 1e-9);
});

test.run();
