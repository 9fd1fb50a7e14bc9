/**
 * The trained biped walk shipped in policies/biped-walk (PPO, 5 M samples, seed 1; README "Motion
 * imitation"). Over 128 test episodes it scores normalized return 0.886 with 1 fall (`gymnast eval
 * policies/biped-walk --episodes 128`, default evaluation seeds, measured 2026-12-07 with the
 * end-effector scale of DeepMimic's released code; 0.903 before that correction). This checks that it still walks:
 * a change to the biped's physics, observation, action map or reward that breaks the trained
 * policy fails here, not in a user's hands. Greedy actions and seeded starts make it exact.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/envs/imitation/index.ts';
import { evaluateRun } from '../../src/train/evaluate.ts';

const run = new URL('../../policies/biped-walk', import.meta.url).pathname;

test('the shipped biped policy walks 20 s test episodes from random phases without a fall', async () => {
  const r = await evaluateRun(run, { episodes: 4 });
  assert.is(r.step, 5_001_216);
  assert.is(r.metrics!.fall, 0, 'no falls');
  assert.is(r.metrics!.episode_seconds, 20);
  // 0.908 over 128 episodes; a walking episode scores 0.88–0.92.
  assert.ok(r.metrics!.normalized_return! > 0.85, `normalized return ${r.metrics!.normalized_return}`);
  assert.ok(r.metrics!.pose_error_deg! < 14, `pose error ${r.metrics!.pose_error_deg}°`);
});

test.run();
