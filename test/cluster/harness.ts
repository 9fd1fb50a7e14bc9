/**
 * What the cluster tests share: a real `nats-server -js` on a free loopback port in a temporary
 * folder, `gymnast` processes spawned from the sources, and the promise that every one of them is
 * killed when the file ends, passing or failing (`stopAll`, also on the process's exit).
 *
 * Without nats-server outside CI the tests report themselves as skipped with the reason (the
 * runner repeats a `skipped:` line); under CI=true a missing server fails them, as the browser
 * test does: a cluster test that passes without a server proves nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';

export const NATS_SERVER = process.env.GYMNAST_NATS_SERVER ?? 'nats-server';
const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const present = spawnSync(NATS_SERVER, ['--version'], { encoding: 'utf8' }).status === 0;
export const MISSING = `${NATS_SERVER} is missing: the cluster tests need Debian's nats-server (apt-get install -y nats-server; .ci/run installs it)`;
/** Skipped without a server outside CI, saying why; in CI they run (and fail without one). */
export const SKIP = !present && !IN_CI;
export const clusterTest = SKIP ? test.skip : test;
if (SKIP) console.log(`skipped: ${MISSING}`);

const root = new URL('../..', import.meta.url).pathname;
const children = new Set<ChildProcess>();
const folders: string[] = [];

function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killAll);

export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** Kills every process these tests started and removes their folders. */
export async function stopAll(): Promise<void> {
  const waits = [...children].map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('close', () => r()))));
  killAll();
  await Promise.all(waits);
  for (const d of folders.splice(0)) rmSync(d, { recursive: true, force: true });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NatsServer {
  url: string;
  port: number;
  process: ChildProcess;
  output(): string;
}

/** nats-server with JetStream on a free loopback port, storing in a temporary folder; `args` adds e.g. --user/--pass. */
export async function startNats(args: string[] = []): Promise<NatsServer> {
  const dir = tempFolder('gymnast-nats-');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const p = spawn(NATS_SERVER, ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(p);
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    const up = await waitForPort(port, p, 10_000);
    if (up) return { url: `nats://127.0.0.1:${port}`, port, process: p, output: () => out };
    p.kill('SIGKILL');
    if (attempt >= 2) throw new Error(`nats-server did not start: ${out}`);
  }
}

async function waitForPort(port: number, p: ChildProcess, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && p.exitCode === null) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(100);
  }
  return false;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Gymnast {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** `gymnast …` from the sources (GYMNAST_SOURCE=1), its output collected. */
export function gymnast(args: string[], env: Record<string, string> = {}): Gymnast {
  const p = spawn(process.execPath, [join(root, 'bin/gymnast.js'), ...args], {
    cwd: root,
    env: { ...process.env, GYMNAST_SOURCE: '1', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => p.once('close', (code) => resolve(code)));
  return { process: p, output: () => out, exited };
}

/** Waits until `ready()` holds (polled every 50 ms); throws with `what` and `context()` after `ms`. */
export async function until(ready: () => boolean, ms: number, what: string, context: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await sleep(50);
  }
}

/** Kills `g` (SIGTERM, then SIGKILL after 3 s) and waits for it. */
export async function stop(g: Gymnast): Promise<void> {
  if (g.process.exitCode !== null || g.process.signalCode !== null) return;
  g.process.kill('SIGTERM');
  const timer = setTimeout(() => g.process.kill('SIGKILL'), 3000);
  await g.exited;
  clearTimeout(timer);
}
