/**
 * Motion imitation through the real CLI on a tiny budget: train the biped with PPO (async vector
 * env, the imitation settings file), eval with the imitation metrics, the push test, and the
 * answers to bad clips.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint } from '../../../src/nn/checkpoint.ts';

const root = new URL('../../..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'gymnast-cli-imitation-'));
const run = join(tmp, 'biped');

function gymnast(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/gymnast.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('train --env BipedImitate-v0 --agent ppo --steps 2000 (imitation settings, async envs), then eval and push', async () => {
  const t = await gymnast(
    'train', '--env', 'BipedImitate-v0', '--agent', 'ppo', '--steps', '2000', '--seed', '3', '--out', run,
    '--config', 'scenarios/imitation/ppo.yaml', '--set', 'numEnvs=4', '--set', 'numSteps=250', '--set', 'hidden=[32, 32]',
    '--vector-env', 'async', '--checkpoint-every', '1000', '--option', 'curriculumSamples=1000',
  );
  assert.is(t.code, 0, t.stderr);
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.equal([config.env, config.agent, config.vectorEnv, config.config.gamma, config.config.learnStd], ['BipedImitate-v0', 'ppo', 'async', 0.95, true]);
  // The env options are recorded with their defaults settled (the schema's, then the env's own:
  // the default clip and steadyRoot, on for a looping biped clip), so later defaults leave the run as it was.
  assert.equal(
    [config.envOptions.curriculumSamples, config.envOptions.clip, config.envOptions.steadyRoot, config.envOptions.syncRootPos, config.envOptions.physicsHz, config.envOptions.actions],
    [1000, 'biped3d_walk', true, true, 120, 'pd'],
  );
  assert.ok(latestCheckpoint(join(run, 'checkpoints')));
  // Training episodes log the env's per-episode metrics next to the return.
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
  assert.match(metrics, /"charts\/normalized_return"/);
  assert.match(metrics, /"charts\/reward_pose"/);

  const e = await gymnast('eval', run, '--episodes', '1', '--json');
  assert.is(e.code, 0, e.stderr);
  const ev = JSON.parse(e.stdout);
  for (const k of ['normalized_return', 'fall', 'pose_error_deg', 'end_effector_error_cm']) assert.type(ev.metrics[k], 'number', k);
  // One test episode of the looping walk can run 20 s = 600 control steps (imitation-env.ts's
  // episodeSeconds default, 30 Hz): normalized_return is the return over those 600 (reward ≤ 1 a step).
  assert.ok(Math.abs(ev.metrics.normalized_return - ev.mean_return / 600) < 1e-9, `normalized_return ${ev.metrics.normalized_return}, return ${ev.mean_return}`);
  // One episode: fall is that episode's 0 or 1, and an episode that fell ended before 20 s.
  assert.ok(ev.metrics.fall === 0 || ev.metrics.fall === 1, `fall ${ev.metrics.fall}`);
  assert.is(ev.metrics.fall === 1, ev.metrics.episode_seconds < 20, `fall ${ev.metrics.fall} after ${ev.metrics.episode_seconds} s`);

  const p = await gymnast('push', run, '--json', '--pre', '0.3', '--post', '0.5', '--max-force', '200', '--tolerance', '100');
  assert.is(p.code, 0, p.stderr);
  const push = JSON.parse(p.stdout);
  assert.equal([push.env, push.durationSeconds], ['BipedImitate-v0', 0.2]);
  for (const dir of ['forward', 'sideways'] as const) {
    assert.is(push[dir].direction, dir);
    // The bisection's bracket: the largest force survived and the smallest that felled it are
    // forces actually tried with those outcomes, at most --tolerance (100 N) apart; or 200 N
    // (--max-force) survived, or it fell unpushed and both are 0.
    const { maxSurvivedN, minFallN, trials } = push[dir] as { maxSurvivedN: number; minFallN: number | null; trials: { forceN: number; survived: boolean }[] };
    const tried = (f: number, survived: boolean) => trials.some((t) => t.forceN === f && t.survived === survived);
    if (push.fallsUnpushed) assert.equal([maxSurvivedN, minFallN], [0, 0]);
    else if (minFallN === null) assert.ok(maxSurvivedN === 200 && tried(200, true), `${dir}: ${JSON.stringify(push[dir])}`);
    else {
      assert.ok(tried(minFallN, false) && (maxSurvivedN === 0 || tried(maxSurvivedN, true)), `${dir}: ${JSON.stringify(push[dir])}`);
      assert.ok(minFallN > maxSurvivedN && minFallN - maxSurvivedN <= 100, `${dir}: bracket [${maxSurvivedN}, ${minFallN}]`);
    }
  }
  // `--option` reaches the push test's env: a bad value is refused by name.
  const bad = await gymnast('push', run, '--option', 'syncRootPos=maybe');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /syncRootPos/);
});

test('bad clips: one message naming the problem, exit code 2', async () => {
  const [unknown, other] = await Promise.all([
    gymnast('train', '--env', 'HumanoidImitate-v0', '--agent', 'ppo', '--steps', '100', '--out', join(tmp, 'x'), '--option', 'clip=moonwalk'),
    gymnast('train', '--env', 'BipedImitate-v0', '--agent', 'ppo', '--steps', '100', '--out', join(tmp, 'y'), '--option', 'clip=walk'),
  ]);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown clip 'moonwalk'/);
  assert.is(other.code, 2);
  assert.match(other.stderr, /humanoid3d_walk\.txt: Frames\[0\]: has 44 values per frame but the character 'biped3d_mocap' needs 30/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
