/**
 * `npm run bench -- cluster-throughput [env] [steps]`: the cluster learner's throughput with 1 and
 * 2 actor processes on this machine, against the local pipeline run (the baseline, run first in
 * the same run), all on the same task: PPO, 4 envs × 64 steps a rollout (default BipedImitate-v0,
 * 4096 steps). Every role is its own `gymnast` process, talking through a local `nats-server -js`.
 *
 * Prints, per setup: steady-state samples a second (from metrics.jsonl's charts/SPS, the median of
 * the iterations after the first), the learner's time per rollout waiting for actors and updating
 * (its closing `cluster:` line), and the bytes per sample on the wire (a batch's encoded size over
 * its samples, from src/cluster/wire.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetrics } from '../src/train/metrics.ts';
import { encodeBatch, PROTOCOL } from '../src/cluster/wire.ts';
import '../src/envs/index.ts';
import { make } from '../src/envs/registry.ts';
import { actionDimOf, obsDimOf } from '../src/envs/vector/vector-env.ts';

const env = process.argv[2] ?? 'BipedImitate-v0';
const steps = Number(process.argv[3] ?? 4096);
const root = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'gymnast-bench-cluster-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

if (spawnSync('nats-server', ['--version']).status !== 0) {
  console.error('nats-server is missing (apt-get install -y nats-server)');
  process.exit(2);
}
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const nats = spawn('nats-server', ['-js', '-sd', join(tmp, 'js'), '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
children.push(nats);
await new Promise((r) => setTimeout(r, 1000));
const url = `nats://127.0.0.1:${port}`;

function gymnast(args: string[]): { p: ChildProcess; out: () => string; done: Promise<number | null> } {
  const p = spawn(process.execPath, [join(root, 'bin/gymnast.js'), ...args], { env: { ...process.env, GYMNAST_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  return { p, out: () => out, done: new Promise((r) => p.once('close', r)) };
}

const run = ['--env', env, '--agent', 'ppo', '--steps', String(steps), '--seed', '0', '--set', 'numEnvs=4', '--set', 'numSteps=64', '--checkpoint-every', String(steps), '--backend', 'wasm'];

function steadySps(dir: string): number {
  const sps = readMetrics(join(dir, 'metrics.jsonl')).map((r) => r['charts/SPS']).filter((v): v is number => typeof v === 'number').slice(1).sort((a, b) => a - b);
  return sps[Math.floor(sps.length / 2)] ?? NaN;
}

interface Row {
  setup: string;
  sps: number;
  waitMs?: number;
  updateMs?: number;
}
const rows: Row[] = [];

{
  const out = join(tmp, 'local');
  const g = gymnast(['train', ...run, '--vector-env', 'pipeline', '--out', out]);
  if ((await g.done) !== 0) throw new Error(g.out());
  rows.push({ setup: 'local pipeline (2 worker threads)', sps: steadySps(out) });
}
for (const actors of [1, 2]) {
  const job = `bench${actors}`;
  const as = Array.from({ length: actors }, () => gymnast(['actor', '--cluster', url, '--job', job, '--threads', String(2 / actors)]));
  const out = join(tmp, `cluster-${actors}`);
  const g = gymnast(['train', ...run, '--cluster', url, '--job', job, '--cluster-slots', String(actors), '--out', out]);
  if ((await g.done) !== 0) throw new Error(g.out());
  for (const a of as) a.p.kill('SIGTERM');
  const m = /cluster: \d+ rollouts; ([\d.]+) ms a rollout waiting for actors, ([\d.]+) ms updating/.exec(g.out());
  rows.push({ setup: `cluster, ${actors} actor process${actors > 1 ? 'es' : ''} (${2 / actors} thread${actors > 1 ? '' : 's'} each)`, sps: steadySps(out), waitMs: Number(m?.[1]), updateMs: Number(m?.[2]) });
}

const probe = make(env);
const obsDim = obsDimOf(probe.observationSpace), actionDim = actionDimOf(probe.actionSpace);
probe.close();
const T = 64, w = 2;
const bytes = encodeBatch(
  { protocol: PROTOCOL, version: 1, actor: 'vm-12345-abcdefgh', slot: 0, batch: 0, env, T, width: w, obsDim, actionDim, hasRaw: false, fresh: false, infos: [] },
  { obs: new Float32Array((T + 1) * w * obsDim), rawNextObs: new Float32Array(0), actions: new Float32Array(T * w * actionDim), logprobs: new Float32Array(T * w), rewards: new Float64Array(T * w), terminated: new Uint8Array(T * w), dones: new Uint8Array(T * w), valid: new Uint8Array(T * w), infos: [] },
).length;

console.log(`${env}, PPO, 4 envs × 64 steps a rollout, ${steps} steps a run; obs ${obsDim}, actions ${actionDim}`);
const base = rows[0]!.sps;
for (const r of rows) {
  console.log(`${r.setup.padEnd(44)} ${String(Math.round(r.sps)).padStart(6)} samples/s  ×${(r.sps / base).toFixed(2)}${r.waitMs !== undefined ? `  learner: ${r.waitMs.toFixed(0)} ms waiting, ${r.updateMs!.toFixed(0)} ms updating a rollout` : ''}`);
}
console.log(`wire: ${(bytes / (T * w)).toFixed(1)} bytes a sample (${bytes} bytes a ${T} × ${w} batch without raw observations; with observation normalization the raw ones add ${4 * obsDim} bytes a sample)`);
process.exit(0);
