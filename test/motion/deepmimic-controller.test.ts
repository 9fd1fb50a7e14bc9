import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError } from '../../src/core/errors.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { parseController, pdGainsForSkeleton, readController } from '../../src/motion/deepmimic-controller.ts';

test('humanoid3d_ctrl: 30 Hz and the gains listed in docs/deepmimic.md', () => {
  const c = readController(dataPath('deepmimic', 'controllers', 'humanoid3d_ctrl.txt'));
  assert.is(c.updateRateHz, 30);
  const s = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
  const { kp, kd } = pdGainsForSkeleton(s, c.pd!);
  // docs/deepmimic.md: chest 1000/100, neck 100/10, hips 500/50, knees 500/50, ankles 400/40, shoulders 400/40, elbows 300/30.
  const expected: Record<string, [number, number]> = {
    root: [0, 0], chest: [1000, 100], neck: [100, 10], right_hip: [500, 50], right_knee: [500, 50], right_ankle: [400, 40],
    right_shoulder: [400, 40], right_elbow: [300, 30], right_wrist: [0, 0], left_hip: [500, 50], left_elbow: [300, 30],
  };
  for (const [name, [p, d]] of Object.entries(expected)) {
    assert.is(kp[s.jointIndex(name)], p, name);
    assert.is(kd[s.jointIndex(name)], d, name);
  }
});

test('DeepLoco: the step controller lists motions; the biped gains come from its character file', () => {
  const step = readController(dataPath('deeploco', 'controllers', 'biped3D', 'biped3d_mocap_step_ctrl0.txt'));
  assert.is(step.pd, null);
  assert.is(step.motionFiles.length, 50);
  const file = dataPath('deeploco', 'characters', 'biped3d_mocap.txt');
  const c = readController(file);
  const s = readCharacter(file);
  const { kp, kd } = pdGainsForSkeleton(s, c.pd!);
  assert.equal(Array.from(kp), [0, 1000, 300, 300, 100, 300, 300, 100]);
  assert.equal(Array.from(kd), [0, 100, 30, 30, 10, 30, 30, 10]);
});

test('bad controller files name the field', () => {
  assert.throws(() => parseController('{"UpdateRate": 30}', 'c.txt'), (e: Error) => e instanceof FileFormatError && /c\.txt: PDControllers: missing/.test(e.message));
  assert.throws(
    () => parseController('{"PDControllers": [{"Name": "chest", "Kp": -1, "Kd": 0}]}', 'c.txt'),
    (e: Error) => e instanceof FileFormatError && /PDControllers\[0\]\.Kp/.test(e.message),
  );
  const s = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
  const c = parseController('{"PDControllers": [{"Name": "tail", "Kp": 1, "Kd": 0}]}', 'c.txt');
  assert.throws(() => pdGainsForSkeleton(s, c.pd!, 'c.txt'), /c\.txt: PDControllers\[0\]\.Name: "tail" is not a joint/);
});

test.run();
