/**
 * The command line's one parsing layer (src/cli/args.ts): number flags with their bounds, and the
 * same `--option` read the same way by every command that takes one, through the real `gymnast`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.ts';
import { integerFlag, numberFlag, oneOf } from '../../src/cli/args.ts';
import { make } from '../../src/envs/registry.ts';
import { randomRollout } from '../../src/envs/rollout.ts';

const bin = new URL('../../bin/gymnast.js', import.meta.url).pathname;
const policy = new URL('../../policies/biped-walk', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'gymnast-args-'));

function gymnast(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('number flags: absent is undefined; a non-number or out of bounds names the flag, the bound and the value', () => {
  assert.is(numberFlag('--x', undefined), undefined);
  assert.is(numberFlag('--x', '2.5'), 2.5);
  assert.is(integerFlag('--n', '7', 1), 7);
  const fails = (f: () => unknown, message: RegExp) => assert.throws(f, (e: unknown) => e instanceof UsageError && message.test((e as Error).message));
  fails(() => numberFlag('--x', ''), /--x must be a number, got ''/);
  fails(() => numberFlag('--x', 'Infinity'), /--x must be a number, got 'Infinity'/);
  fails(() => integerFlag('--n', '1.5', 1), /--n must be an integer ≥ 1, got '1.5'/);
  fails(() => integerFlag('--n', '0', 1), /--n must be an integer ≥ 1, got '0'/);
  fails(() => numberFlag('--p', '0', { min: 0, exclusiveMin: true }), /--p must be a number > 0, got '0'/);
  fails(() => numberFlag('--q', '65536', { integer: true, min: 0, max: 65535 }), /--q must be an integer ≥ 0 and ≤ 65535, got '65536'/);
  assert.is(oneOf('--m', 'b', ['a', 'b'] as const), 'b');
  fails(() => oneOf('--m', 'c', ['a', 'b'] as const), /--m must be one of a, b, got 'c'/);
});

test('one --option, every command: a valid value takes effect everywhere, a bad one is the same error everywhere', async () => {
  // `is_slippery=false` is the string 'false' on the command line; FrozenLake's schema wants a
  // boolean, so every command must read it as YAML's false (not the string, not true).
  const option = ['--option', 'is_slippery=false'];
  const train = await gymnast('train', '--env', 'FrozenLake-v1', '--agent', 'ppo', '--steps', '64', '--seed', '1', '--out', join(dir, 'run'), ...option, '--json');
  assert.is(train.code, 0, train.stderr);
  const runs: [string, string[]][] = [
    ['check', ['check', 'FrozenLake-v1', ...option]],
    ['rollout', ['rollout', 'FrozenLake-v1', '--episodes', '3', '--seed', '4', '--json', ...option]],
    ['mdp solve', ['mdp', 'solve', 'FrozenLake-v1', '--method', 'vi', '--json', ...option]],
    ['mdp learn', ['mdp', 'learn', 'FrozenLake-v1', '--method', 'q', '--episodes', '5', '--json', ...option]],
    ['eval', ['eval', join(dir, 'run'), '--episodes', '1', '--json', ...option]],
    ['view', ['view', '--env', 'FrozenLake-v1', '--port', '0', '--seconds', '0.5', ...option]],
  ];
  const results = await Promise.all(runs.map(([, args]) => gymnast(...args)));
  runs.forEach(([name], i) => assert.is(results[i]!.code, 0, `${name}: ${results[i]!.stderr}`));
  // The rollout is the one the env gives with the boolean false.
  const env = make('FrozenLake-v1', { options: { is_slippery: false } });
  const expected = randomRollout(env, 3, 4);
  env.close();
  assert.is(JSON.parse(results[1]!.stdout).hash, expected.hash);
  // Without slipping the goal is certain from the start: value 1 under the problem's γ = 1 (the
  // slippery lake's optimal value there is about 0.82).
  const solved = JSON.parse(results[2]!.stdout) as { values: number[] };
  assert.is(solved.values[0], 1);
  // The run recorded the option as a boolean.
  const config = await import(join(dir, 'run', 'config.json'), { with: { type: 'json' } });
  assert.is(config.default.envOptions.is_slippery, false);

  // A value the schema rejects either way: one error, exit 2, from every command.
  const bad = ['--option', 'is_slippery=maybe'];
  const badRuns: string[][] = [
    ['check', 'FrozenLake-v1', ...bad],
    ['rollout', 'FrozenLake-v1', ...bad],
    ['mdp', 'solve', 'FrozenLake-v1', '--method', 'vi', ...bad],
    ['mdp', 'learn', 'FrozenLake-v1', '--method', 'q', '--episodes', '5', ...bad],
    ['train', '--env', 'FrozenLake-v1', '--agent', 'ppo', '--steps', '64', '--out', join(dir, 'bad'), ...bad],
    ['eval', join(dir, 'run'), '--episodes', '1', ...bad],
    ['view', '--env', 'FrozenLake-v1', '--port', '0', '--seconds', '0.5', ...bad],
  ];
  const failed = await Promise.all(badRuns.map((args) => gymnast(...args)));
  failed.forEach((r, i) => {
    assert.is(r.code, 2, `${badRuns[i]!.join(' ')}: exit ${r.code}\n${r.stderr}`);
    // One problem, one line, with the value given.
    assert.is(r.stderr, "gymnast: FrozenLake-v1 options: is_slippery: expected boolean, got 'maybe'\n", badRuns[i]!.join(' '));
  });
  // The imitation commands read --option the same way (checked before any simulation).
  for (const args of [
    ['push', policy, '--option', 'rsi=maybe'],
    ['trackability', 'walk', '--steps', '64', '--out', join(dir, 'track'), '--option', 'rsi=maybe'],
  ]) {
    const r = await gymnast(...args);
    assert.is(r.code, 2, `${args[0]}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, /^gymnast: \w+Imitate-v0 options: rsi: expected boolean, got 'maybe'\n$/, args[0]);
  }
});

test.run();
