import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { registerTrack } from '../../../src/cli/commands/track.ts';
import { FileFormatError, UnknownIdError } from '../../../src/core/errors.ts';

// Through the real command (bin/gymnast.js), as a user runs it.
const bin = new URL('../../../bin/gymnast.js', import.meta.url).pathname;
const run = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('motion track walk --json: per-joint errors with the root held, time standing, virtual force', () => {
  const r = JSON.parse(run('motion', 'track', 'walk', '--seconds', '1', '--trials', '1', '--physics-hz', '300', '--json'));
  assert.is(r.clip, 'walk');
  assert.is(r.character, 'humanoid3d');
  assert.is(r.physicsHz, 300);
  assert.is(r.rootHeld.joints.length, 12);
  assert.ok(r.rootHeld.joints.every((j: { meanErrorDeg: number }) => j.meanErrorDeg >= 0 && j.meanErrorDeg < 30));
  assert.is(r.rootFree.trials.length, 1);
  assert.ok(r.rootFree.meanSecondsUp > 0 && r.rootFree.meanSecondsUp <= 1);
  assert.ok(r.virtualForce.meanForceN > 0 && r.virtualForce.maxForceN >= r.virtualForce.meanForceN);
});

test('bad input fails with one clear message (in process: the same command object)', async () => {
  const attempt = async (...args: string[]) => {
    const program = new Command().exitOverride();
    registerTrack(program.command('motion'));
    try {
      await program.parseAsync(['node', 'gymnast', 'motion', 'track', ...args]);
    } catch (e) {
      return e as Error;
    }
    throw new Error(`no error for ${args.join(' ')}`);
  };
  const unknown = await attempt('moonwalk');
  assert.ok(unknown instanceof UnknownIdError);
  assert.match(unknown.message, /unknown clip 'moonwalk'.*Known clips: .*walk/);
  const wrong = await attempt('biped3d_walk', '--character', 'humanoid3d');
  assert.ok(wrong instanceof FileFormatError);
  assert.match(wrong.message, /biped3d_walk\.txt: Frames\[0\]: has 30 values per frame but the character 'humanoid3d' needs 44/);
  assert.match((await attempt('walk', '--physics-hz', '100')).message, /--physics-hz: 100 is not a multiple of the 30 Hz control rate/);
  assert.match((await attempt('walk', '--seconds', 'soon')).message, /--seconds must be a number > 0, got 'soon'/);
  assert.match((await attempt('walk', '--pd-mode', 'magic')).message, /--pd-mode must be one of motors, torques, explicit, got 'magic'/);
});

test('an error exits 2 through the real command', () => {
  const r = spawnSync(process.execPath, [bin, 'motion', 'track', 'moonwalk'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /^gymnast: unknown clip 'moonwalk'/);
});

test.run();
