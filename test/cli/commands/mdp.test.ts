/** `gymnast mdp …` through the real CLI: JSON shapes, the terminal drawing, and bad input (exit 2, one message). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;

function gymnast(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/gymnast.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('mdp solve --json: values, policy, sweeps and backups (Figure 4.1 values for the random policy)', async () => {
  const r = await gymnast('mdp', 'solve', 'GridWorld4x4-v0', '--method', 'eval', '--policy', 'random', '--json');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.values.map((v: number) => Math.round(v)), [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0]);
  assert.is(out.policy.length, 16);
  assert.is(out.backups, out.sweeps * 16);
});

test('mdp solve draws grid worlds in the terminal', async () => {
  const r = await gymnast('mdp', 'solve', 'GridWorld5x5-v0', '--method', 'pi');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /policy iteration, γ = 0\.9/);
  assert.match(r.stdout, /21\.98 24\.42 21\.98 19\.42 17\.48/);
  assert.match(r.stdout, /greedy policy \(↑ up, → right, ↓ down, ← left\)/);
});

test('mdp learn --json: a return per episode and Q, or V for prediction', async () => {
  const [qRun, tdRun] = await Promise.all([
    gymnast('mdp', 'learn', 'FrozenLake-v1', '--method', 'q', '--episodes', '50', '--seed', '3', '--json'),
    gymnast('mdp', 'learn', 'RandomWalk5-v0', '--method', 'td', '--episodes', '20', '--alpha', '0.1', '--json'),
  ]);
  const q = JSON.parse(qRun.stdout);
  assert.is(q.returns.length, 50);
  assert.is(q.q.length, 64);
  assert.is(q.policy.length, 16);
  const td = JSON.parse(tdRun.stdout);
  assert.is(td.values.length, 7);
  assert.is(td.q, undefined);
  const text = await gymnast('mdp', 'learn', 'CliffWalking-v0', '--method', 'expected-sarsa', '--episodes', '30', '--alpha', '0.5');
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /episodes +1–3 +mean return/);
});

test('bad input: exit 2 with one clear message', async () => {
  const checks: [string[], RegExp][] = [
    [['mdp', 'solve', 'FrozenPond-v1', '--method', 'vi'], /gymnast: unknown MDP 'FrozenPond-v1'\. Known MDPs: .*FrozenLake-v1/],
    [['mdp', 'solve', 'GridWorld4x4-v0', '--method', 'vi', '--gamma', '1.5'], /gamma: the discount must be in \[0, 1\], got 1\.5/],
    [['mdp', 'solve', 'GridWorld4x4-v0', '--method', 'magic'], /--method must be one of vi, pi, eval, got 'magic'/],
    [['mdp', 'learn', 'Taxi-v3', '--method', 'q', '--episodes', 'many'], /--episodes must be an integer ≥ 1, got 'many'/],
  ];
  // Two at a time: the machine has two cores.
  for (let i = 0; i < checks.length; i += 2) {
    await Promise.all(
      checks.slice(i, i + 2).map(async ([args, pattern]) => {
        const r = await gymnast(...args);
        assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}, ${r.stderr}`);
        assert.match(r.stderr, pattern);
        assert.ok(r.stderr.startsWith('gymnast: '));
      }),
    );
  }
});

test.run();
