/**
 * Every agent through the real CLI on a tiny budget (CleanRL runs its scripts the same way), and
 * the CLI's answers to bad input: one message naming the problem, exit code 2.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint } from '../../../src/nn/checkpoint.ts';

const root = new URL('../../..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'gymnast-cli-train-'));

function gymnast(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/gymnast.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('train --steps 256 for each agent; eval for one', async () => {
  const agents = ['dqn', 'reinforce', 'a2c', 'ppo'];
  // Two at a time: the machine has two cores.
  for (let i = 0; i < agents.length; i += 2) {
    await Promise.all(agents.slice(i, i + 2).map(async (agent) => {
      const out = join(tmp, agent);
      const extra = agent === 'dqn' ? ['--set', 'learningStarts=64', '--set', 'trainFrequency=64', '--set', 'gradientSteps=2'] : [];
      const r = await gymnast('train', '--env', 'CartPole-v1', '--agent', agent, '--steps', '256', '--seed', '1', '--out', out, ...extra);
      assert.is(r.code, 0, `${agent}: ${r.stderr}`);
      assert.match(r.stderr, /^backend: wasm \(simd, 1 thread\)/m);
      const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
      assert.equal([config.agent, config.env, config.steps, config.seed, config.backend.name], [agent, 'CartPole-v1', 256, 1, 'wasm']);
      assert.ok(latestCheckpoint(join(out, 'checkpoints')), `${agent}: a checkpoint`);
      assert.match(readFileSync(join(out, 'metrics.jsonl'), 'utf8'), /"charts\/episodic_return"/);
      // Each CLI process costs seconds of start-up: eval through the CLI for one of the four
      // (test/train/evaluate.test.ts covers evaluation in-process).
      if (agent !== 'ppo') return;
      const e = await gymnast('eval', out, '--episodes', '2', '--json');
      assert.is(e.code, 0, e.stderr);
      const res = JSON.parse(e.stdout);
      assert.is(res.episodes, 2);
      // CartPole-v1 pays +1 a step (Gymnasium's docs), so the mean return is the mean length. For
      // two whole returns a ≤ b, mean ± population std = (a + b)/2 ± (b − a)/2 gives back a and b.
      assert.is(res.mean_return, res.mean_length);
      const [a, b] = [res.mean_return - res.std_return, res.mean_return + res.std_return];
      assert.ok(Number.isInteger(a) && Number.isInteger(b) && a >= 1 && b <= 500, `mean ${res.mean_return}, std ${res.std_return}`);
    }));
  }
});

// More bad input (unsupported action space, missing --env, bad backend, truncated checkpoints, …) is
// tested in-process in test/train/run.test.ts and test/nn/backend.test.ts; here the CLI's own path.
test('bad input: exit 2 with one clear message', async () => {
  const checks: [string[], RegExp][] = [
    [['train', '--env', 'CartPole-v1', '--agent', 'sac'], /gymnast: unknown agent 'sac'\. Known agents: dqn, reinforce, a2c, ppo/],
    [['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--set', 'gamma=1.5', '--set', 'numSteps=lots'], /ppo hyperparameters: 2 problems\n {2}- numSteps: .*\n {2}- gamma: /],
  ];
  await Promise.all(checks.map(async ([args, pattern]) => {
    const r = await gymnast(...args);
    assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }));
});

test('--resume of a corrupt checkpoint: exit 2 naming the file; the checkpoint is left as it was', async () => {
  const out = join(tmp, 'ppo');
  assert.ok(existsSync(out), 'the ppo run of the first test is there to corrupt');
  const ckpt = latestCheckpoint(join(out, 'checkpoints'))!;
  writeFileSync(join(ckpt, 'weights.bin'), 'garbage');
  const r = await gymnast('train', '--resume', out);
  assert.is(r.code, 2);
  assert.match(r.stderr, /weights\.bin: size: 7 bytes, expected \d+: the file is truncated or was changed/);
  assert.is(readFileSync(join(ckpt, 'weights.bin'), 'utf8'), 'garbage');
});

test('a run killed with SIGKILL after a checkpoint and resumed with --resume ends as the uninterrupted run', async () => {
  const args = ['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '3072', '--seed', '7', '--checkpoint-every', '1024', '--set', 'numSteps=16', '--set', 'updateEpochs=2'];
  const whole = join(tmp, 'kill-whole');
  const killed = join(tmp, 'kill-killed');
  const [w] = await Promise.all([
    gymnast(...args, '--out', whole),
    new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [join(root, 'bin/gymnast.js'), ...args, '--out', killed], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
        if (/checkpoint at step/.test(err)) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    }),
  ]);
  assert.is(w.code, 0, w.stderr);
  const r = await gymnast('train', '--resume', killed);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /resuming at step \d+/);
  const last = (dir: string) => readFileSync(join(latestCheckpoint(join(dir, 'checkpoints'))!, 'weights.bin'));
  assert.ok(last(whole).equals(last(killed)), 'final weights identical');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
