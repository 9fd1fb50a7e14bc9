import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPath } from '../../../src/motion/data-path.ts';

// Through the real command (bin/gymnast.js), as a user runs it.
const bin = new URL('../../../bin/gymnast.js', import.meta.url).pathname;
const run = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'gymnast-cli-motion-'));

test('motion info walk --json', () => {
  const info = JSON.parse(run('motion', 'info', 'walk', '--json'));
  assert.is(info.frames, 39);
  assert.is(info.loop, 'wrap');
  assert.is(info.joints.length, 15);
  assert.is(info.joints[5], 'right_ankle');
  assert.ok(Math.abs(info.fps - 30) < 0.01);
  assert.ok(Math.abs(info.duration - 1.266616) < 1e-9);
});

test('motion fk walk --frame 0 --json: the ankles of docs/deepmimic.md', () => {
  const fk = JSON.parse(run('motion', 'fk', 'walk', '--frame', '0', '--json'));
  const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 6e-4);
  assert.ok(near(fk.joints.right_ankle, [0.241, 0.058, 0.036]), String(fk.joints.right_ankle));
  assert.ok(near(fk.joints.left_ankle, [-0.347, 0.114, -0.035]), String(fk.joints.left_ankle));
});

test('motion convert a CMU BVH with --retarget, then bad input exits 2 with the file and line', () => {
  const out = join(dir, 'cmu.txt');
  const said = run('motion', 'convert', dataPath('bvh', 'cmu131', 'scaled_131_01.bvh'), out, '--retarget', 'humanoid3d', '--fps', '30');
  assert.match(said, /wrote .*cmu\.txt: humanoid3d, 249 frames at 30\.00 fps/);
  const bad = join(dir, 'bad.bvh');
  writeFileSync(bad, 'HIERARCHY\nROOT a\n{\n  OFFSET 0 0 0\n  CHANNELS 6 Xposition Yposition Zposition Xrotation\n}\n');
  const r = spawnSync(process.execPath, [bin, 'motion', 'info', bad], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /bad\.bvh: line 5: CHANNELS declares 6 channels but lists 4/);
});

test.run();
