import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRANSFORM_STRIDE } from '../../src/core/frame.ts';
import { readBvh } from '../../src/motion/bvh.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { ClipRenderer, clipRenderFrame, transformPoint } from '../../src/motion/render.ts';

const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
const walk = readDeepMimicMotion(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'), humanoid);

test('DeepMimic character: one body per body def, sized by the Param rules, placed by FK', () => {
  const a = clipRenderFrame(walk, 0.5);
  const b = clipRenderFrame(walk, 0.6);
  assert.is(a.scene, b.scene, 'same scene object on every call');
  assert.is(a.scene.bodies.length, 15);
  const byName = new Map(a.scene.bodies.map((s) => [s.name, s]));
  // humanoid3d.txt: root sphere Param0 0.18; thigh capsule 0.11 × 0.3; foot box 0.177 × 0.055 × 0.09.
  assert.equal(byName.get('root'), { name: 'root', shape: 'sphere', size: [0.09], color: '#788caf' });
  assert.equal(byName.get('right_hip')!.size, [0.055, 0.15]);
  assert.equal(byName.get('right_ankle')!.size.map((v) => +v.toFixed(6)), [0.0885, 0.0275, 0.045]);
  assert.equal(a.scene.parents, Array.from(humanoid.parents));
  assert.is(a.transforms.length, 15 * TRANSFORM_STRIDE);
  assert.is(a.time, 0.5);
  const bodies = new Kinematics(walk).atTime(0.5).bodies();
  for (let i = 0; i < bodies.length; i++) assert.ok(Math.abs(a.transforms[i]! - bodies[i]!) < 1e-6);
});

test('BVH skeleton: a capsule per bone whose ends sit on the two joints', () => {
  const clip = readBvh(dataPath('bvh', 'cmu131', 'scaled_131_01.bvh'));
  const r = new ClipRenderer(clip);
  const zeroLength = clip.skeleton.joints.filter((j, i) => i > 0 && Math.hypot(...j.offset) < 1e-9).length;
  assert.is(r.scene.bodies.length, clip.skeleton.numJoints - 1 - zeroLength);
  assert.ok(r.scene.bodies.every((b) => b.shape === 'capsule' && b.size[0]! > 0.01 && b.size[0]! < 0.06));
  const f = r.frame(2.0);
  const k = new Kinematics(clip).atTime(2.0);
  let worst = 0;
  r.scene.bodies.forEach((b, i) => {
    const [pn, cn] = b.name.split('-') as [string, string];
    const half = b.size[1]! + b.size[0]!;
    const top = transformPoint(f.transforms, i, [0, half, 0]);
    const bottom = transformPoint(f.transforms, i, [0, -half, 0]);
    const pc = k.jointPosition(clip.skeleton.jointIndex(cn)), pp = k.jointPosition(clip.skeleton.jointIndex(pn));
    worst = Math.max(worst, ...top.map((v, c) => Math.abs(v - pc[c]!)), ...bottom.map((v, c) => Math.abs(v - pp[c]!)));
  });
  assert.ok(worst < 1e-4, `capsule ends off the joints by ${worst}`);
  // Parents: the shin hangs from the thigh.
  const idx = (n: string) => r.scene.bodies.findIndex((b) => b.name === n);
  assert.is(r.scene.parents![idx('LeftKnee-LeftAnkle')], idx('LeftHip-LeftKnee'));
});

test.run();
