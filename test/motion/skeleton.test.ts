import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnknownIdError, UsageError } from '../../src/core/errors.ts';
import { makeJoint, Skeleton } from '../../src/motion/skeleton.ts';

const arm = () => [
  makeJoint('root', 'root', -1, [0, 0, 0]),
  makeJoint('shoulder', 'spherical', 0, [0, 1, 0]),
  makeJoint('elbow', 'revolute', 1, [0, -0.3, 0]),
  makeJoint('hand', 'fixed', 2, [0, -0.25, 0]),
];

test('lookups, children, DOF', () => {
  const s = new Skeleton('arm', arm());
  assert.is(s.jointIndex('elbow'), 2);
  assert.is(s.indexOf('nope'), -1);
  assert.throws(() => s.jointIndex('nope'), (e: Error) => e instanceof UnknownIdError && /shoulder, elbow/.test(e.message));
  assert.equal(s.children(0), [1]);
  assert.equal(Array.from(s.parents), [-1, 0, 1, 2]);
  assert.is(s.dof(), 6 + 3 + 1);
  assert.is(s.dof(true), 4);
  assert.not.ok(s.hasBodies);
});

test('rejects a skeleton whose parents are out of order, whose root is not first, or with repeated names', () => {
  const j = arm();
  j[1]!.parent = 2;
  assert.throws(() => new Skeleton('x', j), (e: Error) => e instanceof UsageError && /parents must come before/.test(e.message));
  const k = arm();
  k[0]!.type = 'spherical';
  assert.throws(() => new Skeleton('x', k), /must be the root/);
  const m = arm();
  m[3]!.name = 'elbow';
  assert.throws(() => new Skeleton('x', m), /used twice/);
});

test.run();
