import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError, UnknownIdError, UsageError } from '../../../src/core/errors.ts';
import { checkClipSkeleton, defaultCharacterFor, loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';

test('the two bundled characters with their gains (controller file; DeepLoco: the character file)', () => {
  const h = loadCharacter('humanoid3d');
  assert.is(h.skeleton.numJoints, 15);
  assert.is(h.gains.kp[h.skeleton.jointIndex('chest')], 1000);
  assert.is(h.gains.kd[h.skeleton.jointIndex('left_elbow')], 30);
  const b = loadCharacter('biped3d');
  assert.is(b.skeleton.numJoints, 8);
  assert.is(b.gains.kp[b.skeleton.jointIndex('right_hip')], 300);
  assert.is(loadCharacter('humanoid3d'), h, 'cached');
});

test('clips by short name, for the right character', () => {
  const h = loadCharacter('humanoid3d');
  assert.is(loadCharacterClip('walk', h.skeleton).numFrames, 39);
  assert.is(defaultCharacterFor('biped3d_walk'), 'biped3d');
  assert.is(defaultCharacterFor('run'), 'humanoid3d');
  assert.ok(loadCharacterClip('biped3d_walk', loadCharacter('biped3d').skeleton).numFrames > 1);
});

test('an unknown clip name lists the clips', () => {
  assert.throws(() => loadCharacterClip('moonwalk', loadCharacter('humanoid3d').skeleton), (e: Error) => e instanceof UnknownIdError && /moonwalk/.test(e.message) && /walk/.test(e.message));
});

test('a clip of another skeleton says so and names the character it fits', () => {
  const h = loadCharacter('humanoid3d').skeleton;
  assert.throws(
    () => loadCharacterClip('biped3d_walk', h),
    (e: Error) => e instanceof FileFormatError && /30 values per frame/.test(e.message) && /humanoid3d' needs 44/.test(e.message) && /fits biped3d/.test(e.message),
  );
  const bipedClip = loadCharacterClip('biped3d_walk', loadCharacter('biped3d').skeleton);
  assert.throws(() => checkClipSkeleton(bipedClip, h), (e: Error) => e instanceof UsageError && /skeleton 'biped3d_mocap'/.test(e.message));
});

test.run();
