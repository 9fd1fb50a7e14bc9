/**
 * The run folder's lock and the rule for a run stopped before its first checkpoint
 * (src/nn/run-folder.ts), and through the real trainer: two trainers on one folder, one is
 * refused; a killed trainer's lock is taken over; a run killed before its first checkpoint can be
 * started again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.ts';
import { claimRunFolder, lockRunFolder, resumeCheckpoint } from '../../src/nn/run-folder.ts';
import { train } from '../../src/train/run.ts';
import { readMetrics } from '../../src/train/metrics.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-run-folder-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** A process id that runs nothing: a child that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('exit', () => resolve(child.pid!));
  });
}

test('one holder at a time: a second lock names the holder; release frees it; a dead holder is taken over', async () => {
  const dir = join(tmp, 'lock');
  const first = lockRunFolder(dir);
  assert.throws(() => lockRunFolder(dir), (e: unknown) => e instanceof UsageError && new RegExp(`is being trained by process ${process.pid} since .* \\(run\\.lock\\): wait for it, or stop it`).test((e as Error).message));
  first.release();
  assert.not.ok(existsSync(join(dir, 'run.lock')));
  // A lock left by a process that was killed (its pid no longer runs here) is stale.
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: await deadPid(), host: hostname(), since: 'then' }));
  const second = lockRunFolder(dir);
  assert.is(JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8')).pid, process.pid);
  second.release();
  // Held on another machine: cannot be checked from here, so it is refused with what to do.
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', since: 'then' }));
  assert.throws(() => lockRunFolder(dir), /process 1 on elsewhere .*or remove .*run\.lock if that run is gone/);
});

test('a folder with a config but no checkpoint may start again; with a checkpoint it is refused; resume says what to do', () => {
  const dir = join(tmp, 'unstarted');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), '{}');
  assert.is(claimRunFolder(dir), dir);
  assert.throws(() => resumeCheckpoint(dir), /the run has no checkpoint yet, so there is nothing to resume: start it again with the same --out/);
});

test('through the trainer: a run killed before its first checkpoint starts over; a second trainer on a running folder is refused', async () => {
  const out = join(tmp, 'killed');
  await train({ env: 'CartPole-v1', agent: 'reinforce', steps: 512, checkpointEvery: 256, out }, {
    onStart: () => {
      throw new Error('simulated kill before the first checkpoint');
    },
  }).catch((e: Error) => assert.match(e.message, /simulated kill/));
  assert.ok(existsSync(join(out, 'config.json')));
  assert.not.ok(existsSync(join(out, 'run.lock')), 'the lock goes with the trainer');
  writeFileSync(join(out, 'metrics.jsonl'), '{"step": 999, "time": 1}\n'); // what the dead run had logged
  let refused: unknown = null;
  const r = await train({ env: 'CartPole-v1', agent: 'reinforce', steps: 512, checkpointEvery: 256, out }, {
    onStart: () => {
      // While this trainer holds the folder, a second one (a resume here) is refused.
      refused = (() => {
        try {
          lockRunFolder(out);
          return null;
        } catch (e) {
          return e;
        }
      })();
    },
  });
  assert.is(r.globalStep, 512);
  assert.instance(refused, UsageError);
  assert.ok(readMetrics(join(out, 'metrics.jsonl')).every((m) => m.step! <= 512), 'the dead run\'s lines are gone');
  assert.throws(() => claimRunFolder(out), /already holds a run: use --resume/);
});

test.run();
