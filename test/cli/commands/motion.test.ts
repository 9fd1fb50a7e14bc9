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

test('motion fk refuses a pose whose world positions overflow, naming file, frame and joint (it printed null)', () => {
  const big = join(dir, 'big.bvh');
  // Each OFFSET is a finite 1e308; the second joint sits at 1e308 + 1e308 = Infinity.
  writeFileSync(big, 'HIERARCHY\nROOT r\n{\nOFFSET 0 0 0\nCHANNELS 3 Xposition Yposition Zposition\nJOINT a\n{\nOFFSET 1e308 0 0\nCHANNELS 0\nEnd Site\n{\nOFFSET 1e308 0 0\n}\n}\n}\nMOTION\nFrames: 1\nFrame Time: 0.1\n0 0 0\n');
  const r = spawnSync(process.execPath, [bin, 'motion', 'fk', big, '--json'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /big\.bvh: frame 0, joint 'a_end': world position \(Infinity, 0, 0\) is not finite: lengths too large\n$/);
  const scaled = spawnSync(process.execPath, [bin, 'motion', 'fk', dataPath('bvh', 'fairmotion', 'sinusoidal.bvh'), '--scale', '1e308'], { encoding: 'utf8' });
  assert.is(scaled.status, 2);
  assert.match(scaled.stderr, /sinusoidal\.bvh: line \d+: OFFSET . \S+ × scale 1e\+308 is not a finite length/);
});

test.run();
