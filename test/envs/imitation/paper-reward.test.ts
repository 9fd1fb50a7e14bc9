import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { PAPER_REWARD_WEIGHTS, PaperImitationReward } from '../../../src/envs/imitation/paper-reward.ts';
import { transformState } from './helpers.ts';

const skeleton = loadCharacter('humanoid3d').skeleton;
const ref = new ReferenceMotion(loadCharacterClip('walk', skeleton));
const reward = new PaperImitationReward(skeleton);

test("weights are the paper's and sum to 1", () => {
  // Peng et al. 2018, eq. 4: 0.65, 0.1, 0.15, 0.1.
  assert.equal({ ...PAPER_REWARD_WEIGHTS }, { pose: 0.65, velocity: 0.1, endEffector: 0.15, com: 0.1 });
});

test('1 on the reference; each term falls with its own error', () => {
  const a = ref.evaluate(0.5, ref.newState());
  assert.ok(Math.abs(reward.compute(a, a) - 1) < 1e-12);
  // The whole character 10 cm to the side: pose, velocities and end effectors (root-relative)
  // unchanged; the centre of mass off by 0.1 m: r_com = exp(−10 · 0.01).
  const shifted = transformState(a, [0, 0, 0, 1], [0, 0, 0.1]);
  reward.compute(shifted, a);
  assert.ok(Math.abs(reward.terms.com - Math.exp(-0.1)) < 1e-9, `com term ${reward.terms.com}`);
  assert.ok(reward.terms.pose > 1 - 1e-9 && reward.terms.endEffector > 1 - 1e-9);
  // Another time of the clip: every term below 1, and further away is worse.
  const b = ref.evaluate(0.6, ref.newState());
  const c = ref.evaluate(0.8, ref.newState());
  const rb = reward.compute(b, a);
  assert.ok(reward.terms.pose < 1 && reward.terms.velocity < 1 && reward.terms.endEffector < 1);
  assert.ok(reward.compute(c, a) < rb);
});

test.run();
