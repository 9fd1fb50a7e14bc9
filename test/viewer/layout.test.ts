import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { footprint, sideBySide } from '../../src/viewer/server/sources/layout.ts';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≉ ${b}`);

test('footprint: a long box along x is wide in x and thin in z; rotated 90° about y, the other way', () => {
  const scene = { bodies: [{ name: 'track', shape: 'box' as const, size: [2, 0.1, 0.2], color: '#000000' }] };
  const fp = footprint({ scene, transforms: Float32Array.of(0, 0, 0, 0, 0, 0, 1), time: 0 });
  close(fp.halfX, 2);
  close(fp.halfZ, 0.2);
  const s = Math.SQRT1_2;
  const turned = footprint({ scene, transforms: Float32Array.of(1, 0, 0, 0, s, 0, s), time: 0 });
  close(turned.halfX, 1.2);
  close(turned.halfZ, 2);
});

test('footprint: a capsule lying along x reaches half length + radius', () => {
  const scene = { bodies: [{ name: 'c', shape: 'capsule' as const, size: [0.1, 0.5], color: '#000000' }] };
  const s = Math.SQRT1_2; // 90° about z: local y onto −x
  const fp = footprint({ scene, transforms: Float32Array.of(0, 1, 0, 0, 0, s, s), time: 0 });
  close(fp.halfX, 0.6);
  close(fp.halfZ, 0.1);
});

test('footprint leaves out a floor slab', () => {
  const scene = {
    bodies: [
      { name: 'floor', shape: 'box' as const, size: [40, 0.001, 40], color: '#000000' },
      { name: 'torso', shape: 'sphere' as const, size: [0.25], color: '#000000' },
    ],
  };
  const fp = footprint({ scene, transforms: Float32Array.of(0, 0, 0, 0, 0, 0, 1, 0, 0.7, 0, 0, 0, 0, 1), time: 0 });
  close(fp.halfX, 0.25);
  close(fp.halfZ, 0.25);
});

test('side by side: centred rows along z, spaced by the footprint, wrapping after perRow', () => {
  const offsets = sideBySide(3, { halfX: 2, halfZ: 0.25 });
  assert.equal(offsets.map((o) => o[2]), [-1, 0, 1]);
  const many = sideBySide(10, { halfX: 2, halfZ: 0.25 }, { perRow: 8 });
  assert.is(new Set(many.map((o) => o[0])).size, 2);
  assert.ok(many.every((o) => Math.abs(Math.abs(o[0]) - 2.25) < 1e-9));
  assert.equal(sideBySide(2, { halfX: 0.1, halfZ: 0.1 }, { minSpacingM: 3 }).map((o) => o[2]), [-1.5, 1.5]);
});

test.run();
