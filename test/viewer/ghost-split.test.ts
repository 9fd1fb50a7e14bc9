import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gatherBodies, splitGhost } from '../../src/viewer/server/sources/ghost-split.ts';

const body = (name: string) => ({ name, shape: 'sphere' as const, size: [0.1], color: '#ffffff' });

test('bodies named ghost/… move to their own scene, parents remapped, names without the prefix', () => {
  const scene = { bodies: [body('root'), body('arm'), body('ghost/root'), body('ghost/arm')], parents: [-1, 0, -1, 2] };
  const s = splitGhost(scene);
  assert.equal(s.main.bodies.map((b) => b.name), ['root', 'arm']);
  assert.equal(s.main.parents, [-1, 0]);
  assert.equal(s.ghost!.bodies.map((b) => b.name), ['root', 'arm']);
  assert.equal(s.ghost!.parents, [-1, 0]);
  assert.equal(Array.from(s.ghostBodies), [2, 3]);
  const t = Float32Array.from({ length: 28 }, (_, i) => i);
  assert.equal(Array.from(gatherBodies(t, s.ghostBodies, new Float32Array(14))), Array.from(t.subarray(14)));
});

test('a scene without ghosts is returned as is (same object)', () => {
  const scene = { bodies: [body('a')] };
  const s = splitGhost(scene);
  assert.is(s.main, scene);
  assert.is(s.ghost, null);
});

test("an env's floor slab is left out; a small box stays", () => {
  const floor = { name: 'floor', shape: 'box' as const, size: [40, 0.001, 40], color: '#cfe0cf' };
  const crate = { name: 'crate', shape: 'box' as const, size: [0.5, 0.01, 0.5], color: '#cfe0cf' };
  const s = splitGhost({ bodies: [floor, body('torso'), crate], parents: [-1, -1, 1] });
  assert.equal(s.main.bodies.map((b) => b.name), ['torso', 'crate']);
  assert.equal(s.main.parents, [-1, 0]);
  assert.equal(Array.from(s.mainBodies), [1, 2]);
  assert.is(s.ghost, null);
});

test.run();
