/**
 * The learner against a real nats-server (with a user and password) and two real actor processes:
 * in deterministic mode a cluster run gives the weights of a local `--vector-env pipeline` run, bit
 * for bit; a learner killed after its first checkpoint and restarted with --resume carries on with
 * the same actors and still ends on the local run's weights; batches that do not fit (another env,
 * another shape, garbage, a stale version) are refused with a log line while the run goes on; no
 * credential reaches the run folder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect, headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { train } from '../../src/train/run.ts';
import { encodeBatch, PROTOCOL, type BatchHeader } from '../../src/cluster/wire.ts';
import { jobNames } from '../../src/cluster/connect.ts';
import { clusterTest, gymnast, MISSING, startNats, stop, stopAll, tempFolder, until, type Gymnast, type NatsServer } from './harness.ts';

const USER = 'learner-test-user';
const PASSWORD = 'pw-3b1f9c7e-never-on-disk';
const creds = { GYMNAST_NATS_USER: USER, GYMNAST_NATS_PASSWORD: PASSWORD };
const tmp = tempFolder('gymnast-learner-');
const STEPS = 2048;
// CartPole, 4 envs × 32 steps a rollout in 2 slots of 2 envs: 16 iterations, a checkpoint every 4.
const RUN = ['--env', 'CartPole-v1', '--agent', 'ppo', '--steps', String(STEPS), '--seed', '3', '--set', 'numEnvs=4', '--set', 'numSteps=32', '--checkpoint-every', '512', '--backend', 'wasm'];

let nats: NatsServer | null = null;
let setupError = MISSING;
test.before(async () => {
  try {
    nats = await startNats(['--user', USER, '--pass', PASSWORD]);
  } catch (e) {
    setupError = String(e);
  }
});
test.after(stopAll);

const hashOf = (checkpoint: string) => createHash('sha256').update(readFileSync(join(checkpoint, 'weights.bin'))).digest('hex');
const weightsHash = (run: string, step: number) => hashOf(join(run, 'checkpoints', `step-${String(step).padStart(9, '0')}`));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

clusterTest('deterministic mode: two actors give the local pipeline run\'s weights bit for bit; the learner killed and resumed still does; bad batches are refused with a log line; no credential in the run folder', async () => {
  if (!nats) throw new Error(setupError);
  const local = join(tmp, 'local');
  // Every checkpoint's weights as it is written (a run keeps its two newest).
  const localHashes = new Map<number, string>();
  await train(
    { env: 'CartPole-v1', agent: 'ppo', steps: STEPS, seed: 3, set: { numEnvs: 4, numSteps: 32 }, checkpointEvery: 512, backend: 'wasm', vectorEnv: 'pipeline', out: local },
    { onCheckpoint: (c) => localHashes.set(c.step, hashOf(c.path)) },
  );
  assert.is(localHashes.size, STEPS / 512);

  const cluster = ['--cluster', nats.url, '--job', 'det'];
  const actors: Gymnast[] = [0, 1].map(() => gymnast(['actor', ...cluster, '--threads', '1'], creds));
  const run = join(tmp, 'cluster');
  const env = { ...creds, GYMNAST_CLUSTER_TRACE: '1' };
  const first = gymnast(['train', ...RUN, ...cluster, '--cluster-slots', '2', '--out', run], env);
  const latest = join(run, 'checkpoints', 'latest.json');
  await until(() => existsSync(latest), 90_000, 'the first checkpoint', () => first.output() + actors.map((a) => a.output()).join('\n'));
  first.process.kill('SIGKILL');
  await first.exited;
  const reached = JSON.parse(readFileSync(latest, 'utf8')).step as number;
  assert.ok(reached < STEPS, `the learner was killed before the end (at step ${reached})`);
  assert.is(weightsHash(run, reached), localHashes.get(reached), `the checkpoint at step ${reached} is the local run's`);

  // The learner comes back; the same actor processes carry on. Meanwhile batches that do not fit arrive.
  const second = gymnast(['train', '--resume', run, ...cluster, '--cluster-slots', '2'], env);
  await until(() => /cluster: learner .* policy versions from/.test(second.output()), 60_000, 'the resumed learner', second.output);
  const nc = await connect({ servers: nats.url, user: USER, pass: PASSWORD });
  try {
    const js = jetstream(nc);
    const subject = jobNames('det').rolloutSubject;
    const header = (over: Partial<BatchHeader>): BatchHeader => ({ protocol: PROTOCOL, version: 1, actor: 'intruder', slot: 0, batch: 0, env: 'CartPole-v1', T: 32, width: 2, obsDim: 4, actionDim: 1, hasRaw: false, fresh: false, infos: [], ...over });
    const rollout = (T: number, w: number, obsDim: number) => ({ obs: new Float32Array((T + 1) * w * obsDim), rawNextObs: new Float32Array(0), actions: new Float32Array(T * w), logprobs: new Float32Array(T * w), rewards: new Float64Array(T * w), terminated: new Uint8Array(T * w), dones: new Uint8Array(T * w), valid: new Uint8Array(T * w), infos: [] });
    const bad: [string, Uint8Array][] = [
      ['another-env', encodeBatch(header({ env: 'Pendulum-v1', batch: 1 }), rollout(32, 2, 4))],
      ['another-shape', encodeBatch(header({ obsDim: 3, batch: 2 }), rollout(32, 2, 3))],
      ['stale-version', encodeBatch(header({ version: 1, batch: 3 }), rollout(32, 2, 4))],
      ['garbage', new TextEncoder().encode('not a batch at all')],
    ];
    for (const [id, bytes] of bad) {
      const h = headers();
      h.set('Gymnast-Batch', id);
      h.set('Gymnast-Chunk', '0/1');
      await js.publish(subject, bytes, { headers: h });
    }
  } finally {
    await nc.close();
  }
  const code = await second.exited;
  const log = second.output();
  assert.is(code, 0, log);
  for (const id of ['another-env', 'another-shape', 'stale-version', 'garbage']) assert.match(log, new RegExp(`refused batch ${id}: `), `${id} refused with a line`);
  assert.match(log, /refused batch another-env: env "Pendulum-v1", this run trains CartPole-v1/);
  assert.match(log, /refused batch another-shape: obsDim 3, expected 4/);
  assert.match(log, /refused batch stale-version: policy version 1/);
  assert.match(log, /refused batch garbage: /);
  assert.is(weightsHash(run, STEPS), localHashes.get(STEPS), 'the resumed cluster run ends on the local run\'s weights');
  // The actors served both learners, in their slots.
  for (const a of actors) assert.is(a.process.exitCode, null, `the actor still runs: ${a.output()}`);
  assert.match(log, /took batch .* version \d+ slot 1/);

  for (const a of actors) await stop(a);
  for (const f of filesUnder(run)) {
    const text = readFileSync(f).toString('latin1');
    assert.not.ok(text.includes(PASSWORD), `${f} holds the password`);
    assert.not.ok(text.includes(USER), `${f} holds the user name`);
  }
});

clusterTest('a wrong password is one clear error naming the server, not a stack', async () => {
  if (!nats) throw new Error(setupError);
  const g = gymnast(['actor', '--cluster', nats.url, '--job', 'det'], { GYMNAST_NATS_USER: USER, GYMNAST_NATS_PASSWORD: 'wrong' });
  const code = await g.exited;
  assert.is(code, 2, g.output());
  assert.match(g.output(), new RegExp(`cannot connect to ${nats.url.replace(/[/.]/g, '\\$&')} job det, user ${USER}: `));
  assert.not.match(g.output(), /wrong/);
  assert.not.match(g.output(), /\n\s+at /);
});

test.run();
