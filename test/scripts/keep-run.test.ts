/**
 * scripts/keep-run.ts: a stopped run made small enough to commit still resumes to exactly the
 * numbers of a run never stopped, with its binned curve in front of the resumed one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { binMetrics } from '../../scripts/keep-run.ts';
import { latestCheckpoint, listCheckpoints } from '../../src/nn/checkpoint.ts';
import { readMetrics } from '../../src/train/metrics.ts';
import { train, type TrainArgs } from '../../src/train/run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-keep-run-'));
const script = new URL('../../scripts/keep-run.ts', import.meta.url).pathname;
const keepRun = (dir: string) => spawnSync(process.execPath, ['--import', 'tsx', script, dir], { encoding: 'utf8' });

test('binMetrics: per-episode and per-update lines averaged per bin apart, eval lines kept, nothing after the last step; twice is once', () => {
  const lines: Record<string, number | null>[] = [
    { step: 10, time: 1, 'charts/episodic_return': 2, 'charts/fall': 1 },
    { step: 20, time: 2, 'charts/episodic_return': 4, 'charts/fall': 0 },
    { step: 20, time: 2, 'losses/value_loss': 3 },
    { step: 30, time: 3, 'charts/episodic_return': 9, 'charts/fall': null },
    { step: 40, time: 4, 'losses/value_loss': 5, 'eval/mean_return': 7 },
    { step: 50, time: 5, 'charts/episodic_return': 100 },
  ];
  const binned = binMetrics(lines, 20, 40);
  assert.equal(binned, [
    { step: 20, time: 2, 'charts/episodic_return': 3, 'charts/fall': 0.5 },
    { step: 20, time: 2, 'losses/value_loss': 3 },
    { step: 40, time: 3, 'charts/episodic_return': 9, 'charts/fall': null },
    { step: 40, time: 4, 'losses/value_loss': 5, 'eval/mean_return': 7 },
  ]);
  assert.equal(binMetrics(binned, 20, 40), binned);
});

test('a run kept for git resumes to the same weights, optimizer state and later metrics as a run never stopped', async () => {
  const args: TrainArgs = { env: 'CartPole-v1', agent: 'ppo', steps: 4096, seed: 2, checkpointEvery: 1280, evalEpisodes: 2, set: { numSteps: 32, numEnvs: 4 } };
  const whole = join(tmp, 'whole');
  await train({ ...args, out: whole }, {});
  const kept = join(tmp, 'kept');
  let checkpoints = 0;
  await train({ ...args, out: kept }, { onCheckpoint: () => { if (++checkpoints === 2) throw new Error('stopped for the night'); } }).catch((e: Error) => assert.is(e.message, 'stopped for the night'));
  const before = readMetrics(join(kept, 'metrics.jsonl')).length;
  const r = keepRun(kept);
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(join(kept, 'checkpoints')).filter((n) => n.startsWith('step-')), ['step-000002560'], 'only the latest checkpoint is left');
  assert.ok(existsSync(join(kept, 'best')), 'best/ is kept');
  const binned = readMetrics(join(kept, 'metrics.jsonl'));
  assert.ok(binned.length < before && binned.every((l) => l.step! <= 2560 && l.step! % 128 === 0), `${before} lines → ${binned.map((l) => l.step).join(', ')}`);
  assert.is(keepRun(kept).status, 0);
  assert.equal(readMetrics(join(kept, 'metrics.jsonl')), binned, 'keeping it again changes nothing');

  await train({ resume: kept } as TrainArgs, {});
  const bytes = (dir: string, f: string) => readFileSync(join(latestCheckpoint(join(dir, 'checkpoints'))!, f));
  for (const f of ['weights.bin', 'optimizer.bin', 'arrays.bin']) assert.ok(bytes(whole, f).equals(bytes(kept, f)), `${f} identical`);
  const after = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).filter((l) => l.step! > 2560).map(({ time: _t, ['charts/SPS']: _s, ...rest }) => rest);
  assert.ok(after(whole).length > 0);
  assert.equal(after(kept), after(whole));
});

test('a run still training is refused: the lock names the process', () => {
  // The lock a live trainer holds: this test's own process, on this machine.
  const dir = join(tmp, 'whole');
  const lock = join(dir, 'run.lock');
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-12-08T00:00:00.000Z' }) + '\n');
  const before = listCheckpoints(join(dir, 'checkpoints'));
  try {
    const r = keepRun(dir);
    assert.is.not(r.status, 0);
    assert.match(r.stderr, new RegExp(`is being trained by process ${process.pid} since 2026-12-08`));
    assert.equal(listCheckpoints(join(dir, 'checkpoints')), before, 'no checkpoint removed');
    assert.ok(before.length > 0);
  } finally {
    rmSync(lock, { force: true });
  }
});

test.run();
