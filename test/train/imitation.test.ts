import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint } from '../../src/nn/checkpoint.ts';
import { searchPush } from '../../src/train/imitation.ts';
import { readMetrics } from '../../src/train/metrics.ts';
import { train, type TrainArgs } from '../../src/train/run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-train-imitation-'));

const threshold = (limitN: number) => (forceN: number) => ({ forceN, survived: forceN <= limitN, fellAfterSeconds: forceN <= limitN ? null : 1 });

test('bisection brackets the largest force survived within the tolerance', () => {
  const s = searchPush(threshold(237), 'forward', 1000, 5);
  assert.ok(s.maxSurvivedN <= 237 && 237 < s.minFallN!, `[${s.maxSurvivedN}, ${s.minFallN}]`);
  assert.ok(s.minFallN! - s.maxSurvivedN <= 5);
  // log2(1000 / 5) ≈ 7.6: the top, then 8 halvings.
  assert.is(s.trials.length, 9);
  assert.is(s.trials[0]!.forceN, 1000);
});

test('a policy that survives the largest force: no fall bound', () => {
  const s = searchPush(threshold(5000), 'sideways', 1000, 5);
  assert.equal([s.direction, s.maxSurvivedN, s.minFallN, s.trials.length], ['sideways', 1000, null, 1]);
});

test('a policy that falls at any force above 0 ends at 0', () => {
  const s = searchPush(threshold(0), 'forward', 1000, 50);
  assert.is(s.maxSurvivedN, 0);
  assert.ok(s.minFallN! <= 50);
});

test('the episode curriculum follows the trainer: a killed and resumed run (async envs) ends as the uninterrupted one (sync envs)', async () => {
  const args: TrainArgs = {
    env: 'BipedImitate-v0', agent: 'ppo', steps: 1024, seed: 5, checkpointEvery: 512,
    envOptions: { actions: 'residual', curriculumSamples: 1024, curriculumStartSeconds: 0.2, episodeSeconds: 1 },
    set: { numEnvs: 4, numSteps: 64, hidden: [16, 16], updateEpochs: 1, numMinibatches: 2, normalizeObs: true },
  };
  const whole = join(tmp, 'whole');
  await train({ ...args, out: whole });
  const killed = join(tmp, 'killed');
  let checkpoints = 0;
  await train({ ...args, out: killed, vectorEnv: 'async' }, {
    onCheckpoint: () => {
      if (++checkpoints === 1) throw new Error('simulated kill');
    },
  }).then(() => assert.unreachable('should stop'), (e: Error) => assert.is(e.message, 'simulated kill'));
  await train({ resume: killed } as TrainArgs);
  const bytes = (dir: string) => readFileSync(join(latestCheckpoint(join(dir, 'checkpoints'))!, 'weights.bin'));
  assert.ok(bytes(whole).equals(bytes(killed)), 'final weights identical');
  const episodes = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).filter((m) => m['charts/episode_seconds'] !== undefined).map(({ time, ...rest }) => (void time, rest));
  assert.equal(episodes(killed), episodes(whole));
  // Episodes that were not cut by a fall grow from 0.2 s (6 steps) toward 1 s over the run.
  const uncut = episodes(whole).filter((m) => m['charts/fall'] === 0).map((m) => m['charts/episodic_length']!);
  assert.ok(uncut.length > 4);
  assert.ok(Math.min(...uncut.slice(0, 3)) <= 8 && Math.max(...uncut.slice(-3)) > 8, `lengths ${uncut.join(',')}`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
