/**
 * `gymnast view --run DIR` survives its run folder (issue 16, item 3): a `latest.json` that is
 * null, damaged, or a checkpoint that does not load, at start or while it watches, is one line on
 * stderr and a `status` in the page, and the viewer keeps watching, retrying at each poll;
 * `--seconds` always ends it. Each case runs the real CLI.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registeredIds } from '../../src/envs/registry.ts';
import { train } from '../../src/train/run.ts';
import { Probe } from '../../src/viewer/server/probe.ts';

const bin = new URL('../../bin/gymnast.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'gymnast-follow-run-'));
const RUN_CHANNEL = 'run:CartPole-v1/ppo';
const POLICY_CHANNEL = 'policy:CartPole-v1/ppo';

interface Viewer {
  url: Promise<string>;
  done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  stop(): void;
}

/** `gymnast view --run dir --port 0 --seconds s`; killed after 90 s so a hang fails the test instead of the suite. */
function view(dir: string, seconds: number): Viewer {
  const child = spawn(process.execPath, [bin, 'view', '--run', dir, '--port', '0', '--seconds', String(seconds)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GYMNAST_SOURCE: '1', NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  let gotUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (gotUrl = resolve));
  child.stdout.on('data', (d) => {
    stdout += d;
    const m = /gymnast viewer: (http:\/\/\S+)/.exec(stdout);
    if (m) gotUrl(m[1]!);
  });
  child.stderr.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => (clearTimeout(killer), resolve({ code, signal, stderr }))),
  );
  return { url, done, stop: () => child.kill('SIGINT') };
}

/** Waits until `cond()` holds, at most `ms` (a busy machine loads tfjs slowly); false if it never did. */
async function until(cond: () => boolean, ms = 40_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

const meta = (probe: Probe, channel: string, key: string) => String(probe.counts.channels.get(channel)?.meta[key] ?? '');

/** No stack trace and no library source: every line the viewer printed is one of its own. */
function assertNoTrace(stderr: string): void {
  assert.not.match(stderr, /^\s+at /m, stderr);
  assert.ok(stderr.split('\n').every((l) => l === '' || /^(viewer|warning|backend): /.test(l)), `unexpected stderr lines:\n${stderr}`);
}

let source = '';

test('setup: a 512-step PPO run on CartPole with two checkpoints', async () => {
  if (!registeredIds().includes('CartPole-v1')) return;
  source = join(tmp, 'run');
  await train({ env: 'CartPole-v1', agent: 'ppo', steps: 512, seed: 0, out: source, checkpointEvery: 256 });
});

/** A fresh copy of the run, so each case damages its own. */
function copyRun(name: string): string {
  const dir = join(tmp, name);
  cpSync(source, dir, { recursive: true });
  return dir;
}

test('latest.json = null at start: one line on stderr, and --seconds ends the viewer (exit 0)', async () => {
  if (!source) return;
  const dir = copyRun('null-latest');
  writeFileSync(join(dir, 'checkpoints', 'latest.json'), 'null\n');
  const r = await view(dir, 3).done;
  assert.is(r.signal, null, `killed: it did not stop at --seconds\n${r.stderr}`);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.includes('latest.json'));
  // Said once, not at every poll.
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /latest\.json: \(root\): expected .* got null \(still watching, retrying\)/);
  assertNoTrace(r.stderr);
});

/**
 * Runs the viewer on `dir` with a page (a probe) open, does `steps` while it watches, then stops
 * it as Ctrl-C does; what it printed and how it ended.
 */
async function watching(dir: string, steps: (probe: Probe) => Promise<void>) {
  const v = view(dir, 60);
  const probe = new Probe(await v.url);
  try {
    await probe.open();
    await steps(probe);
  } finally {
    probe.close();
    v.stop();
  }
  return v.done;
}

/** Waits until the page shows `pattern` in `channel`'s `key` (empty string: the key is gone). */
async function shows(probe: Probe, channel: string, key: string, pattern: RegExp): Promise<void> {
  assert.ok(await until(() => pattern.test(meta(probe, channel, key))), `${channel} ${key}: '${meta(probe, channel, key)}', expected ${pattern}`);
}

test('latest.json damaged at start: shown in the page as the run status; once repaired, the checkpoint plays', async () => {
  if (!source) return;
  const dir = copyRun('damaged-at-start');
  const pointer = join(dir, 'checkpoints', 'latest.json');
  writeFileSync(pointer, '{"name": 5');
  const r = await watching(dir, async (probe) => {
    await shows(probe, RUN_CHANNEL, 'status', /latest\.json: JSON: cannot be parsed/);
    writeFileSync(pointer, JSON.stringify({ name: 'step-000000512', step: 512 }) + '\n');
    await shows(probe, POLICY_CHANNEL, 'policy', /checkpoint at step 512/);
    await shows(probe, RUN_CHANNEL, 'status', /^$/);
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /latest\.json: JSON: cannot be parsed .*\(still watching, retrying\)/);
  assert.match(r.stderr, /checkpoints\/latest\.json readable again/);
  assertNoTrace(r.stderr);
});

test('changed while watching: a damaged latest.json, then a damaged checkpoint, each reported; the viewer keeps the policy it had', async () => {
  if (!source) return;
  const dir = copyRun('damaged-mid-watch');
  const pointer = join(dir, 'checkpoints', 'latest.json');
  const r = await watching(dir, async (probe) => {
    await shows(probe, POLICY_CHANNEL, 'policy', /checkpoint at step 512/);
    writeFileSync(pointer, '{"name": 5');
    await shows(probe, RUN_CHANNEL, 'status', /latest\.json: JSON: cannot be parsed/);
    // The older checkpoint, its weights cut short: a new pointer to a checkpoint that does not load.
    writeFileSync(join(dir, 'checkpoints', 'step-000000256', 'weights.bin'), Buffer.alloc(100));
    writeFileSync(pointer, JSON.stringify({ name: 'step-000000256', step: 256 }) + '\n');
    await shows(probe, RUN_CHANNEL, 'status', /cannot load checkpoint .*weights\.bin: size: 100 bytes/);
    assert.match(meta(probe, POLICY_CHANNEL, 'policy'), /checkpoint at step 512/);
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /latest\.json: JSON: cannot be parsed .*\(still watching, retrying\)/);
  // Retried at every poll, said once.
  assert.is(r.stderr.split('\n').filter((l) => /cannot load checkpoint/.test(l)).length, 1, r.stderr);
  assertNoTrace(r.stderr);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
