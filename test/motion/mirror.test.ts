import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { mirror, mirrorPairs } from '../../src/motion/mirror.ts';
import { makeJoint, Skeleton } from '../../src/motion/skeleton.ts';

const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
const walk = readDeepMimicMotion(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'), humanoid);

test('humanoid3d partners: left/right joints swap, the spine keeps itself', () => {
  const p = mirrorPairs(humanoid);
  const name = (i: number) => humanoid.joints[i]!.name;
  assert.is(name(p[humanoid.jointIndex('right_knee')]!), 'left_knee');
  assert.is(name(p[humanoid.jointIndex('left_wrist')]!), 'right_wrist');
  assert.is(name(p[humanoid.jointIndex('chest')]!), 'chest');
  assert.is(name(p[0]!), 'root');
});

test('CMU names: LHipJoint/RHipJoint, LeftUpLeg/RightUpLeg, lhand/rhand; lowerback stays', () => {
  const names = ['Hips', 'LHipJoint', 'LeftUpLeg', 'RHipJoint', 'RightUpLeg', 'lowerback', 'lhand', 'rhand'];
  const s = new Skeleton('cmu', names.map((n, i) => makeJoint(n, i === 0 ? 'root' : 'spherical', i === 0 ? -1 : 0, [0, 0, 0])));
  const p = Array.from(mirrorPairs(s)).map((i) => names[i]);
  assert.equal(p, ['Hips', 'RHipJoint', 'RightUpLeg', 'LHipJoint', 'LeftUpLeg', 'lowerback', 'rhand', 'lhand']);
});

test('mirrored walk: each left joint is where the right one was, reflected across z', () => {
  const m = mirror(walk);
  const a = new Kinematics(walk), b = new Kinematics(m);
  const p = mirrorPairs(humanoid);
  let worst = 0;
  for (const f of [0, 7, 19, 38]) {
    a.atFrame(f);
    b.atFrame(f);
    for (let j = 0; j < humanoid.numJoints; j++) {
      const src = a.jointPosition(p[j]!), dst = b.jointPosition(j);
      worst = Math.max(worst, Math.abs(dst[0] - src[0]), Math.abs(dst[1] - src[1]), Math.abs(dst[2] + src[2]));
    }
  }
  assert.ok(worst < 1e-12, `worst ${worst}`);
  // Knees still bend backwards (revolute angle about z kept).
  const rk = humanoid.jointIndex('right_knee'), lk = humanoid.jointIndex('left_knee');
  assert.ok(Math.abs(m.jointAngle(5, rk) - walk.jointAngle(5, lk)) < 1e-12);
});

test('mirroring twice gives the clip back', () => {
  const back = mirror(mirror(walk));
  for (let i = 0; i < walk.frames.length; i++) assert.is(back.frames[i], walk.frames[i]);
});

test.run();
