import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { CharacterState } from '../../../src/envs/character/character-state.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { ImitationReward } from '../../../src/envs/character/reward.ts';
import { SimCharacter } from '../../../src/envs/character/sim-character.ts';

const human = loadCharacter('humanoid3d');
const ref = new ReferenceMotion(loadCharacterClip('walk', human.skeleton));
const reward = new ImitationReward(human.skeleton);

test('joint weights are DiffWeight / 4.8 (docs/deepmimic.md: root 0.208, chest 0.104, wrists 0)', () => {
  const w = reward.jointWeights;
  assert.ok(Math.abs(w[0]! - 1 / 4.8) < 1e-12);
  assert.ok(Math.abs(w[human.skeleton.jointIndex('chest')]! - 0.5 / 4.8) < 1e-12);
  assert.is(w[human.skeleton.jointIndex('left_wrist')], 0);
  assert.equal(Array.from(reward.endEffectors, (j) => human.skeleton.joints[j]!.name), ['right_ankle', 'right_wrist', 'left_ankle', 'left_wrist']);
});

test('the simulated character set exactly to the reference earns ≈ 1', () => {
  const sim = new SimCharacter(human.skeleton, human.gains, { physicsHz: 600 });
  try {
    const a = ref.evaluate(0.7, ref.newState());
    sim.setState(a);
    const s = sim.readState(new CharacterState(human.skeleton));
    const r = reward.compute(s, a);
    assert.ok(r > 0.999 && r <= 1 + 1e-12, `reward ${r}`);
    assert.ok(Math.abs(reward.compute(a, a) - 1) < 1e-12);
  } finally {
    sim.close();
  }
});

test('the reward falls as the character moves away from the reference', () => {
  const a = ref.evaluate(0.3, ref.newState());
  const b = ref.newState();
  let last = 1.0000001;
  for (const dt of [0, 0.03, 0.1, 0.2, 0.4]) {
    const r = reward.compute(ref.evaluate(0.3 + dt, b), a);
    assert.ok(r < last, `dt ${dt}: ${r} not below ${last}`);
    last = r;
  }
  // Every term falls when the root is displaced (and only the root and end-effector terms move).
  let prev = 1.0000001;
  for (const dx of [0, 0.05, 0.2, 0.5]) {
    b.copyFrom(a);
    b.pose[0] += dx;
    for (let j = 0; j < b.numJoints; j++) b.jointPos[3 * j] += dx;
    const r = reward.compute(b, a);
    assert.ok(r < prev, `dx ${dx}`);
    prev = r;
  }
  assert.ok(reward.terms.pose === 1 && reward.terms.root < 1);
});

test('weights are configurable and keep the reward in [0, 1]', () => {
  const poseOnly = new ImitationReward(human.skeleton, { pose: 1, velocity: 0, endEffector: 0, root: 0, com: 0 });
  const a = ref.evaluate(0.3, ref.newState());
  const b = ref.evaluate(0.5, ref.newState());
  const r = poseOnly.compute(b, a);
  assert.ok(Math.abs(r - poseOnly.terms.pose) < 1e-15 && r > 0 && r < 1);
});

test.run();
