import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter } from '../../../src/envs/character/assets.ts';
import { bodiesFromJoints, CharacterState } from '../../../src/envs/character/character-state.ts';
import { FallDetector, fallBodies } from '../../../src/envs/character/fall.ts';
import { SimCharacter } from '../../../src/envs/character/sim-character.ts';
import { forwardKinematics } from '../../../src/motion/kinematics.ts';

const human = loadCharacter('humanoid3d');
const s = human.skeleton;
const names = (idx: Int32Array) => Array.from(idx, (j) => s.joints[j]!.name);

/** A still state: root at rootY with root rotation (about z by rootAngle) and the given knee angle. */
function still(rootY: number, rootAngleZ = 0, kneeRad = 0): CharacterState {
  const st = new CharacterState(s);
  const p = st.pose;
  for (let j = 0; j < s.numJoints; j++) p[6 + 4 * j] = 1;
  p[1] = rootY;
  p[5] = Math.sin(rootAngleZ / 2);
  p[6] = Math.cos(rootAngleZ / 2);
  for (const knee of ['right_knee', 'left_knee']) {
    const j = s.jointIndex(knee);
    p[5 + 4 * j] = Math.sin(kneeRad / 2);
    p[6 + 4 * j] = Math.cos(kneeRad / 2);
  }
  forwardKinematics(s, p, st.jointPos, st.jointRot);
  bodiesFromJoints(st, new Float64Array(3 * s.numJoints), new Float64Array(3 * s.numJoints));
  return st;
}

/** Puts the character in a state, runs one physics step (contacts are found during a step). */
function touching(st: CharacterState, rule: 'nonFoot' | 'flagged'): { fallBody: string | null; feet: boolean } {
  const sim = new SimCharacter(s, human.gains, { physicsHz: 600 });
  try {
    sim.setState(st);
    sim.setTarget(st.pose);
    sim.stepPhysics();
    const j = new FallDetector(s, rule).touchingBody(sim);
    return { fallBody: j >= 0 ? s.joints[j]!.name : null, feet: sim.touchesGround(s.jointIndex('right_ankle')) && sim.touchesGround(s.jointIndex('left_ankle')) };
  } finally {
    sim.close();
  }
}

// Leg length hip → ankle and the foot box below the ankle (0.0225 + 0.055 / 2), from humanoid3d.txt.
const LEG = 0.421546 + 0.40987;
const FOOT = 0.0225 + 0.0275;

test('fall bodies: all but the feet (paper), or the EnableFallContact flags (released code)', () => {
  assert.equal(names(fallBodies(s, 'nonFoot')).sort(), s.joints.map((j) => j.name).filter((n) => !/ankle/.test(n)).sort());
  assert.equal(names(fallBodies(s, 'flagged')), ['root', 'chest', 'neck']);
});

test('standing on its feet is not a fall, though the feet touch the ground', () => {
  const r = touching(still(LEG + FOOT - 0.001), 'nonFoot');
  assert.ok(r.feet, 'both feet touch the ground');
  assert.is(r.fallBody, null);
});

test('kneeling: the shins touch the ground, a fall under the paper rule but not under the file flags', () => {
  // Knees bent −90°: thighs vertical, shins horizontal behind, resting on the ground (shin radius 0.05).
  const kneel = still(0.421546 + 0.05 - 0.001, 0, -Math.PI / 2);
  const paper = touching(kneel, 'nonFoot');
  assert.ok(paper.fallBody === 'right_knee' || paper.fallBody === 'left_knee', `fall body ${paper.fallBody}`);
  assert.is(touching(kneel, 'flagged').fallBody, null);
});

test('lying on its back is a fall under both rules', () => {
  const lying = still(0.1, Math.PI / 2);
  assert.ok(touching(lying, 'nonFoot').fallBody !== null);
  assert.ok(touching(lying, 'flagged').fallBody !== null);
});

test.run();
