/**
 * Actors in elastic mode against a real nats-server: one of two actors is SIGKILLed in the middle
 * of a run; the run completes on the other, and no batch is counted twice (the learner's trace
 * names every batch it takes, by actor and the actor's batch counter).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterTest, gymnast, MISSING, startNats, stopAll, tempFolder, until, type NatsServer } from './harness.ts';

const tmp = tempFolder('gymnast-actor-');
let nats: NatsServer | null = null;
let setupError = MISSING;
test.before(async () => {
  try {
    nats = await startNats();
  } catch (e) {
    setupError = String(e);
  }
});
test.after(stopAll);

const STEPS = 2048;
const PER_ITERATION = 2; // 4 envs in batches of 2

clusterTest('elastic mode: an actor SIGKILLed mid-run, the run completes on the other, no batch counted twice', async () => {
  if (!nats) throw new Error(setupError);
  const cluster = ['--cluster', nats.url, '--job', 'elastic'];
  const [a, b] = [0, 1].map(() => gymnast(['actor', ...cluster, '--threads', '1']));
  const run = join(tmp, 'run');
  const learner = gymnast(
    ['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', String(STEPS), '--seed', '1', '--set', 'numEnvs=4', '--set', 'numSteps=32', '--checkpoint-every', '1024', '--backend', 'wasm',
      ...cluster, '--cluster-mode', 'elastic', '--cluster-slots', '2', '--max-lag', '1', '--out', run],
    { GYMNAST_CLUSTER_TRACE: '1' },
  );
  const idOf = (out: () => string) => /actor (\S+): slot/.exec(out())?.[1];
  await until(() => idOf(a!.output) !== undefined, 60_000, 'actor a to take a slot', () => a!.output() + learner.output());
  const victim = idOf(a!.output)!;
  await until(() => learner.output().includes(`took batch ${victim}:`), 60_000, `a batch of ${victim}`, learner.output);
  assert.not.ok(existsSync(join(run, 'checkpoints', 'step-000002048')), 'killed before the run ended');
  a!.process.kill('SIGKILL');
  await a!.exited;

  const code = await learner.exited;
  const log = learner.output();
  assert.is(code, 0, log);
  assert.is(JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8')).step, STEPS);
  const taken = [...log.matchAll(/took batch (\S+) version (\d+) into version (\d+)/g)];
  const ids = taken.map((m) => m[1]!);
  assert.is(ids.length, (STEPS / 128) * PER_ITERATION, 'every iteration filled with batches');
  assert.is(new Set(ids).size, ids.length, 'no batch counted twice');
  for (const m of taken) {
    const lag = Number(m[3]) - Number(m[2]);
    assert.ok(lag >= 0 && lag <= 1, `batch ${m[1]} used at lag ${lag}`);
  }
  const survivor = idOf(b!.output)!;
  assert.ok(ids.some((id) => id.startsWith(`${survivor}:`)), 'the other actor carried the run');
  // After the kill, only the survivor's batches are taken (the victim's last was taken before it died).
  const lastOfVictim = ids.map((id) => id.startsWith(`${victim}:`)).lastIndexOf(true);
  assert.ok(ids.slice(lastOfVictim + 1).length > 0 && ids.slice(lastOfVictim + 1).every((id) => id.startsWith(`${survivor}:`)));
});

test.run();
