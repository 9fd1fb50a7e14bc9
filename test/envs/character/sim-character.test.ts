import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../../src/core/errors.ts';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { CharacterState, quatAngleAt } from '../../../src/envs/character/character-state.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { SimCharacter } from '../../../src/envs/character/sim-character.ts';
import { makeJoint, Skeleton } from '../../../src/motion/skeleton.ts';

const human = loadCharacter('humanoid3d');

test('humanoid3d in Rapier: 13 rigid bodies (wrists welded), 45 kg, the file masses', () => {
  const sim = new SimCharacter(human.skeleton, human.gains, { physicsHz: 600 });
  try {
    assert.is(sim.links.length, 13);
    const total = sim.links.reduce((m, rb) => m + rb.mass(), 0);
    assert.ok(Math.abs(total - 45) < 1e-4, `total mass ${total}`);
    // The forearm link carries the elbow body (1 kg) and the welded wrist sphere (0.5 kg).
    const elbow = human.skeleton.jointIndex('right_elbow');
    assert.ok(Math.abs(sim.links[sim.linkOf[elbow]!]!.mass() - 1.5) < 1e-5);
    assert.is(sim.actuated.length, 12);
  } finally {
    sim.close();
  }
});

test('setState then readState gives the reference state back (float32 precision)', () => {
  const clip = loadCharacterClip('walk', human.skeleton);
  const ref = new ReferenceMotion(clip);
  const a = ref.evaluate(0.4, ref.newState());
  const sim = new SimCharacter(human.skeleton, human.gains, { physicsHz: 600 });
  try {
    sim.setState(a);
    const b = sim.readState(new CharacterState(human.skeleton));
    const maxDiff = (x: Float64Array, y: Float64Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
    assert.ok(maxDiff(a.bodyPos, b.bodyPos) < 1e-5, 'body positions');
    assert.ok(maxDiff(a.jointPos, b.jointPos) < 1e-5, 'joint positions');
    assert.ok(maxDiff(a.bodyLinVel, b.bodyLinVel) < 1e-4, 'body velocities');
    assert.ok(maxDiff(a.jointVel, b.jointVel) < 1e-3, 'joint velocities');
    assert.ok(maxDiff(a.com, b.com) < 1e-5, 'centre of mass');
    for (let j = 0; j < human.skeleton.numJoints; j++) assert.ok(quatAngleAt(a.pose, 3 + 4 * j, b.pose, 3 + 4 * j) < 2e-3, `joint ${j} rotation`);
  } finally {
    sim.close();
  }
});

test('the motors hold a revolute joint at its target with the documented sign (knee bends to negative angles)', () => {
  const s = human.skeleton;
  const sim = new SimCharacter(s, human.gains, { physicsHz: 600 });
  try {
    sim.world.gravity = { x: 0, y: 0, z: 0 };
    const st = new CharacterState(s);
    // Rest pose high in the air, root held.
    const clip = loadCharacterClip('walk', s);
    const ref = new ReferenceMotion(clip);
    ref.evaluate(0, st);
    for (let j = 0; j < s.numJoints; j++) st.bodyPos[3 * j + 1] += 1; // off the ground
    const pose = new Float64Array(st.pose.length);
    for (let j = 0; j < s.numJoints; j++) pose[6 + 4 * j] = 1;
    const knee = s.jointIndex('right_knee');
    pose[3 + 4 * knee + 2] = Math.sin(-0.6 / 2);
    pose[3 + 4 * knee + 3] = Math.cos(-0.6 / 2);
    sim.setState(st);
    sim.setRootKinematic(true);
    sim.setTarget(pose);
    for (let i = 0; i < 600; i++) sim.stepPhysics();
    sim.readState(st);
    const angle = 2 * Math.atan2(st.pose[3 + 4 * knee + 2]!, st.pose[3 + 4 * knee + 3]!);
    assert.ok(Math.abs(angle + 0.6) < 0.02, `knee angle ${angle}`);
  } finally {
    sim.close();
  }
});

test('bad configurations fail clearly', () => {
  assert.throws(() => new SimCharacter(human.skeleton, human.gains, { physicsHz: 600, jointKind: 'multibody', pdMode: 'motors' }), (e: Error) => e instanceof UsageError && /no motors/.test(e.message));
  const bare = new Skeleton('bare', [makeJoint('root', 'root', -1, [0, 0, 0]), makeJoint('a', 'spherical', 0, [0, 1, 0])]);
  const g = { kp: new Float64Array(2), kd: new Float64Array(2) };
  assert.throws(() => new SimCharacter(bare, g, { physicsHz: 600 }), (e: Error) => e instanceof UsageError && /no body/.test(e.message));
});

test.run();
