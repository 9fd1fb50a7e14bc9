/**
 * `gymnast start` and `gymnast view` through the real CLI (bin/gymnast.js), as CI and users run
 * them: the headless smoke of `npm start`, with and without the training run, and the errors a
 * user can make.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { registeredIds } from '../../src/envs/registry.ts';
import { UnknownIdError, UsageError } from '../../src/core/errors.ts';
import { register } from '../../src/cli/commands/view.ts';
import { Probe } from '../../src/viewer/server/probe.ts';
import { train } from '../../src/train/run.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { shippedPolicies } from '../../src/train/shipped-policies.ts';

const bin = new URL('../../bin/gymnast.js', import.meta.url).pathname;

function gymnast(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Frames per channel from the headless summary line. */
function framesOf(stdout: string): Map<string, number> {
  const line = /headless check \([\d.]+ s\): .*\((.*)\), (\d+) metric points/.exec(stdout);
  assert.ok(line, `no headless summary in:\n${stdout}`);
  return new Map(line[1]!.split(', ').map((p) => [p.slice(0, p.lastIndexOf(' ')), Number(p.slice(p.lastIndexOf(' ') + 1))]));
}

test('start --headless: on 127.0.0.1, frames of every shipped policy, its ghost and the training run reach a client, exit 0', async () => {
  // It ends once every source (the training run included) has been seen; 90 s is the most it
  // waits, room for the training worker to load tfjs on a busy 2-core machine.
  const r = await gymnast(['start', '--headless', '--seconds', '90', '--port', '0'], 120_000);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /gymnast viewer: http:\/\/127\.0\.0\.1:\d+\//);
  const frames = framesOf(r.stdout);
  for (const [id, n] of frames) assert.ok(n > 0, `${id}: no frames`);
  assert.match(r.stdout, / 0 invalid messages/);
  assert.not.match(r.stderr, /training failed|worker failed/);
  assert.not.match(r.stdout, /not every source was seen/);
  assert.ok(registeredIds().includes('CartPole-v1'), 'CartPole-v1 is a shipped env: its absence is a failure, not a pass');
  assert.match(r.stdout, /PPO learning CartPole-v1/);
  // Every shipped policy performs beside its reference (the imitation envs draw one as a ghost).
  const shipped = shippedPolicies().map((p) => basename(p));
  assert.ok(shipped.includes('biped-walk'), `policies/biped-walk is shipped: its absence is a failure, not a pass (found ${shipped.join(', ')})`);
  for (const name of shipped) {
    assert.match(r.stdout, new RegExp(`${name} \\(shipped policy\\)`));
    assert.ok((frames.get(`policy:${name}`) ?? 0) > 10, `policy:${name}: ${r.stdout}`);
    assert.ok((frames.get(`policy:${name}/ghost`) ?? 0) > 10, `policy:${name}/ghost: ${r.stdout}`);
  }
  assert.ok(Number(/(\d+) metric points/.exec(r.stdout)?.[1]) > 0, `no metric points:\n${r.stdout}`);
  assert.ok((frames.get('run:CartPole-v1/ppo') ?? 0) > 0, `no frames from the training env:\n${r.stdout}\n${r.stderr}`);
});

/** Runs `gymnast <args>` in this process (errors are thrown, not printed), capturing stderr lines. */
async function inProcess(args: string[]): Promise<{ error: unknown; stderr: string[] }> {
  const program = new Command().exitOverride();
  register(program);
  const stderr: string[] = [];
  const original = { error: console.error, log: console.log };
  console.error = (...parts: unknown[]) => void stderr.push(parts.join(' '));
  console.log = () => {};
  try {
    await program.parseAsync(['node', 'gymnast', ...args]);
    return { error: null, stderr };
  } catch (error) {
    return { error, stderr };
  } finally {
    Object.assign(console, original);
  }
}

test('view: an unknown env or clip, or a bad number, is one clear error before anything listens', async () => {
  const env = await inProcess(['view', '--env', 'Nope-v1', '--port', '0']);
  assert.instance(env.error, UnknownIdError);
  assert.match(String(env.error), /unknown env 'Nope-v1'/);
  const clip = await inProcess(['view', '--clip', 'no-such-clip', '--port', '0']);
  assert.instance(clip.error, UnknownIdError);
  assert.match(String(clip.error), /unknown clip 'no-such-clip'/);
  const bad = await inProcess(['view', '--num-envs', '0', '--port', '0']);
  assert.instance(bad.error, UsageError);
  assert.match(String(bad.error), /--num-envs must be an integer ≥ 1 and ≤ 64, got '0'/);
});

test('view --host elsewhere than loopback prints a warning first', async () => {
  // 192.0.2.1 (TEST-NET-1) is not on this machine, so nothing is exposed: listening fails after the warning.
  const r = await inProcess(['view', '--host', '192.0.2.1', '--port', '0', '--seconds', '1']);
  assert.ok(r.stderr.some((l) => /warning: listening on 192\.0\.2\.1/.test(l)), r.stderr.join('\n'));
  assert.instance(r.error, UsageError);
  assert.match(String(r.error), /cannot listen on host '192\.0\.2\.1'/);
});

test('view --run follows a run folder: its curves, and its latest checkpoint playing', async () => {
  assert.ok(registeredIds().includes('CartPole-v1'), 'CartPole-v1 is a shipped env: its absence is a failure, not a pass');
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-view-run-'));
  try {
    const out = join(dir, 'run');
    await train({ env: 'CartPole-v1', agent: 'ppo', steps: 512, seed: 0, out, checkpointEvery: 256 });
    const logged: string[] = [];
    const log = console.log;
    console.log = (...parts: unknown[]) => void logged.push(parts.join(' '));
    const program = new Command().exitOverride();
    register(program);
    const running = program.parseAsync(['node', 'gymnast', 'view', '--run', out, '--port', '0', '--seconds', '30']);
    try {
      while (!logged.some((l) => l.startsWith('gymnast viewer:'))) await new Promise((r) => setTimeout(r, 50));
    } finally {
      console.log = log;
    }
    const url = /http:\/\/\S+/.exec(logged.find((l) => l.startsWith('gymnast viewer:'))!)![0];
    const probe = new Probe(url);
    await probe.open();
    const deadline = Date.now() + 5000;
    const policyMeta = () => String(probe.counts.channels.get('policy:CartPole-v1/ppo')?.meta.policy);
    while (Date.now() < deadline && !/checkpoint at step 512/.test(policyMeta())) await new Promise((r) => setTimeout(r, 100));
    assert.match(policyMeta(), /greedy, checkpoint at step 512/);
    assert.ok((probe.counts.metrics.get('run:CartPole-v1/ppo') ?? 0) > 5, 'the curves of metrics.jsonl');
    assert.ok((probe.counts.frames.get('policy:CartPole-v1/ppo') ?? 0) > 0);
    probe.close();
    process.emit('SIGINT'); // what Ctrl-C does: the view stops now instead of at --seconds
    await running;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
