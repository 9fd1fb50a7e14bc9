/**
 * Sweeps against a real nats-server: the spec's grid × seeds expand in a fixed order; a sweep of 4
 * tiny runs over 2 worker processes, one SIGKILLed after storing a checkpoint, ends with all 4
 * done, the dead worker's run resumed by the other from its stored checkpoint, and a results table.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../src/core/errors.ts';
import { expandSweep, parseSweepSpec, sweepRecords, type RunRecord } from '../../src/cluster/sweep.ts';
import { clusterOptions } from '../../src/cluster/connect.ts';
import { clusterTest, gymnast, MISSING, startNats, stopAll, tempFolder, until, type NatsServer } from './harness.ts';

const tmp = tempFolder('gymnast-sweep-');
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

test('a grid expands settings × seeds in order, merged over the shared settings; a list the same; bad specs name every problem', () => {
  const runs = expandSweep(parseSweepSpec({ name: 's', env: 'CartPole-v1', agent: 'ppo', steps: 100, seeds: 2, grid: { learningRate: [1, 2], gamma: [0.9] }, set: { numEnvs: 2, gamma: 0.5 } }));
  assert.equal(runs.map((r) => [r.id, r.seed, r.set]), [
    ['s-0', 0, { numEnvs: 2, gamma: 0.9, learningRate: 1 }],
    ['s-1', 1, { numEnvs: 2, gamma: 0.9, learningRate: 1 }],
    ['s-2', 0, { numEnvs: 2, gamma: 0.9, learningRate: 2 }],
    ['s-3', 1, { numEnvs: 2, gamma: 0.9, learningRate: 2 }],
  ]);
  const listed = expandSweep(parseSweepSpec({ name: 's', env: 'CartPole-v1', agent: 'ppo', steps: 100, seeds: [7], list: [{ a: 1 }, { b: 2 }] }));
  assert.equal(listed.map((r) => [r.seed, r.settings]), [[7, { a: 1 }], [7, { b: 2 }]]);
  try {
    parseSweepSpec({ name: 'bad name', env: 'CartPole-v1', steps: 0, grid: { a: [1] }, list: [{ a: 1 }], extra: 1 });
    assert.unreachable('refused');
  } catch (e) {
    assert.instance(e, ValidationError);
    const m = (e as Error).message;
    for (const path of ['name', 'agent', 'steps']) assert.match(m, new RegExp(`- ${path}: `));
    assert.match(m, /extra/);
  }
});

clusterTest('4 runs over 2 workers, one SIGKILLed after storing a checkpoint: all 4 finish, its run resumed from that checkpoint; results as a table', async () => {
  if (!nats) throw new Error(setupError);
  const spec = join(tmp, 'sweep.yaml');
  writeFileSync(spec, ['name: kill', 'env: CartPole-v1', 'agent: ppo', 'steps: 2048', 'checkpointEvery: 256', 'seeds: [0, 1]', 'grid:', '  learningRate: [0.001, 0.0003]', 'set:', '  numEnvs: 4', '  numSteps: 32', ''].join('\n'));
  const cluster = ['--cluster', nats.url];
  // A worker tells JetStream it is working every second; a 5 s deadline leaves room for a busy CI
  // machine to stall its event loop (with 2 s, a live worker's run was once handed to the other one
  // before any checkpoint, which then started it from scratch), and a killed worker's run still
  // moves on after 5 s.
  const submit = gymnast(['sweep', spec, ...cluster, '--ack-wait-s', '5', '--json']);
  assert.is(await submit.exited, 0, submit.output());
  assert.equal(JSON.parse(submit.output().trim().split('\n').pop()!).queued, ['kill-0', 'kill-1', 'kill-2', 'kill-3']);
  const workers = [0, 1].map(() => gymnast(['worker', ...cluster, '--idle-exit-s', '4']));
  const options = clusterOptions({ cluster: nats.url });
  let records: RunRecord[] = [];
  const poll = async () => (records = await sweepRecords(options, 'kill'));
  // The victim has stored a checkpoint of its run (its own line, read as it comes) and is killed at once.
  const stored = () => /stored (kill-\d+) at step (\d+)/.exec(workers[0]!.output());
  await until(() => stored() !== null, 120_000, 'the first worker to store a checkpoint', workers[0]!.output);
  workers[0]!.process.kill('SIGKILL');
  await workers[0]!.exited;
  const [, killedId, storedStep] = stored()!;
  assert.not.match(workers[0]!.output(), new RegExp(`${killedId} done`), 'killed before its run ended');
  await poll();
  const killed = { id: killedId!, step: Number(storedStep) };

  for (let t = 0; !(records.length === 4 && records.every((r) => r.status === 'done')); t++) {
    if (t > 1200) throw new Error(`not all 4 runs finished: ${JSON.stringify(records)}\n${workers[1]!.output()}`);
    await new Promise((r) => setTimeout(r, 100));
    await poll();
  }
  const again = records.find((r) => r.id === killed.id)!;
  assert.is(again.attempts, 2, 'the killed run was started a second time');
  assert.ok((again.resumedFrom ?? 0) >= killed.step, `resumed from its stored checkpoint (step ${again.resumedFrom}, stored ${killed.step})`);
  assert.match(workers[1]!.output(), new RegExp(`resuming ${killed.id} from step ${again.resumedFrom}`));
  for (const r of records) assert.is(r.step, 2048);

  const results = gymnast(['sweep', 'results', 'kill', ...cluster, '--json']);
  assert.is(await results.exited, 0, results.output());
  const table = JSON.parse(results.output().trim().split('\n').pop()!) as Record<string, unknown>[];
  assert.equal(table.map((r) => [r.run, r.seed, r.learningRate, r.status]), [
    ['kill-0', 0, 0.001, 'done'],
    ['kill-1', 1, 0.001, 'done'],
    ['kill-2', 0, 0.0003, 'done'],
    ['kill-3', 1, 0.0003, 'done'],
  ]);
  for (const r of table) assert.type(r['charts/episodic_return'], 'number');
});

test.run();
