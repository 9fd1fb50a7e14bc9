import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { FileFormatError } from '../../src/core/errors.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { parseCharacter, readCharacter } from '../../src/motion/deepmimic-character.ts';

const humanoidFile = dataPath('deepmimic', 'characters', 'humanoid3d.txt');
const bipedFile = dataPath('deeploco', 'characters', 'biped3d_mocap.txt');

test('humanoid3d: 15 joints, 45 kg, 34 DOF (28 actuated), as docs/deepmimic.md describes', () => {
  const s = readCharacter(humanoidFile);
  assert.is(s.name, 'humanoid3d');
  assert.is(s.numJoints, 15);
  assert.equal(
    s.joints.map((j) => j.name),
    ['root', 'chest', 'neck', 'right_hip', 'right_knee', 'right_ankle', 'right_shoulder', 'right_elbow', 'right_wrist',
      'left_hip', 'left_knee', 'left_ankle', 'left_shoulder', 'left_elbow', 'left_wrist'],
  );
  assert.is(s.massKg, 45);
  assert.is(s.dof(), 34);
  assert.is(s.dof(true), 28);
  const knee = s.joints[s.jointIndex('right_knee')]!;
  assert.is(knee.type, 'revolute');
  assert.is(knee.parent, s.jointIndex('right_hip'));
  assert.equal(knee.offset, [0, -0.421546, 0]);
  assert.equal(knee.limLow, [-3.14]);
  assert.equal(knee.limHigh, [0]);
  assert.is(knee.torqueLimitNm, 150);
  assert.is(s.joints[s.jointIndex('left_wrist')]!.type, 'fixed');
  assert.is(s.joints[0]!.type, 'root');
  assert.equal(s.joints.filter((j) => j.isEndEffector).map((j) => j.name), ['right_ankle', 'right_wrist', 'left_ankle', 'left_wrist']);
  assert.is(s.joints[s.jointIndex('chest')]!.diffWeight, 0.5);
  const foot = s.joints[s.jointIndex('right_ankle')]!.body!;
  assert.is(foot.shape, 'box');
  assert.equal(foot.attach, [0.045, -0.0225, 0]);
  assert.equal(foot.params, [0.177, 0.055, 0.09]);
  assert.is(s.joints[0]!.body!.shape, 'sphere');
  assert.equal(s.joints[0]!.attachRotation, [0, 0, 0, 1]);
  assert.ok(s.joints[0]!.body!.enableFallContact);
  assert.not.ok(foot.enableFallContact);
});

test('DeepLoco biped3d: 8 joints, 42 kg, boxes, no IDs in the file', () => {
  const s = readCharacter(bipedFile);
  assert.is(s.numJoints, 8);
  assert.is(s.massKg, 42);
  assert.is(s.dof(), 6 + 5 * 3 + 2);
  assert.ok(s.joints.every((j) => j.body!.shape === 'box'));
  assert.equal(s.children(0), [1, 2, 5]);
});

const base = readFileSync(humanoidFile, 'utf8');
function mutated(edit: (d: any) => void): string {
  const d = JSON.parse(base);
  edit(d);
  return JSON.stringify(d);
}
function expectError(text: string, where: RegExp, problem: RegExp) {
  try {
    parseCharacter(text, 'bad.txt');
  } catch (e) {
    assert.instance(e, FileFormatError);
    const err = e as FileFormatError;
    assert.is(err.file, 'bad.txt');
    assert.match(err.where, where);
    assert.match(err.problem, problem);
    assert.match(err.message, /^bad\.txt: /);
    return;
  }
  assert.unreachable('no error thrown');
}

test('a missing field names the joint and the field', () => {
  expectError(mutated((d) => delete d.Skeleton.Joints[4].AttachY), /^Skeleton\.Joints\[4\]\.AttachY$/, /missing/);
  expectError(mutated((d) => delete d.BodyDefs[2].Mass), /^BodyDefs\[2\]\.Mass$/, /missing/);
  expectError(mutated((d) => delete d.Skeleton), /^Skeleton$/, /missing/);
});

test('an unknown joint type or body shape is named with the allowed ones', () => {
  expectError(mutated((d) => (d.Skeleton.Joints[4].Type = 'hinge')), /Joints\[4\]\.Type/, /"hinge".*spherical.*revolute/);
  expectError(mutated((d) => (d.BodyDefs[4].Shape = 'cone')), /BodyDefs\[4\]\.Shape/, /"cone"/);
});

test('bad structure: parent after child, wrong body count, bad JSON, capsule without length', () => {
  expectError(mutated((d) => (d.Skeleton.Joints[3].Parent = 7)), /Joints\[3\]\.Parent/, /earlier joint/);
  expectError(mutated((d) => d.BodyDefs.pop()), /^BodyDefs$/, /14 bodies for 15 joints/);
  expectError(mutated((d) => delete d.BodyDefs[3].Param1), /BodyDefs\[3\]\.Param1/, /capsule/);
  expectError(mutated((d) => (d.Skeleton.Joints[2].Name = 'chest')), /Joints\[2\]\.Name/, /also the name of joint 1/);
  expectError(base.replace('"Parent": 0', '"Parent": 0,,'), /^line \d+ column \d+$/, /not valid JSON/);
});

test('a name of 100 000 characters is cut to 60 in the message (found by test/fuzz/deepmimic-character.test.ts)', () => {
  const long = 'x'.repeat(100_000);
  expectError(mutated((d) => (d.Skeleton.Joints[1].Name = d.Skeleton.Joints[2].Name = long)), /Joints\[2\]\.Name/, /^"x{56}\.\.\. is also the name of joint 1$/);
});

test('a file that does not exist is a FileFormatError naming it', () => {
  assert.throws(() => readCharacter('/nonexistent/x.txt'), (e: Error) => e instanceof FileFormatError && /x\.txt/.test(e.message));
});

test.run();
