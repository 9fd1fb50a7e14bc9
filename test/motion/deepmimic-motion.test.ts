import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFormatError } from '../../src/core/errors.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import {
  deepMimicFrameLayout, formatDeepMimicMotion, parseDeepMimicMotion, readDeepMimicMotion, writeDeepMimicMotion,
} from '../../src/motion/deepmimic-motion.ts';

const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
const biped = readCharacter(dataPath('deeploco', 'characters', 'biped3d_mocap.txt'));
const walkFile = dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt');
const quiet = { onWarning: () => {} };

test('frame layouts: humanoid3d 44 numbers, DeepLoco biped 30', () => {
  assert.is(deepMimicFrameLayout(humanoid).size, 44);
  assert.is(deepMimicFrameLayout(biped).size, 30);
});

test('walk: 39 frames, wrap, 1.2666 s, w-first quaternions converted, start moved to the origin', () => {
  const raw = JSON.parse(readFileSync(walkFile, 'utf8')).Frames as number[][];
  const c = readDeepMimicMotion(walkFile, humanoid);
  assert.is(c.numFrames, 39);
  assert.is(c.loop, 'wrap');
  assert.ok(Math.abs(c.duration - 38 * 0.033332) < 1e-9);
  assert.is(c.name, 'humanoid3d_walk');
  const f0 = c.frame(0);
  assert.is(f0[0], 0);
  assert.is(f0[2], 0);
  assert.is(f0[1], raw[0]![2]);
  const n = Math.hypot(...raw[0]!.slice(4, 8));
  const [w, x, y, z] = raw[0]!.slice(4, 8).map((v) => v / n) as [number, number, number, number];
  assert.equal(Array.from(f0.subarray(3, 7)), [x, y, z, w]);
  // Right knee: file index 20 (docs/deepmimic.md table).
  for (const f of [0, 10, 25]) assert.ok(Math.abs(c.jointAngle(f, humanoid.jointIndex('right_knee')) - raw[f]![20]!) < 1e-12);
  // Wrists are fixed: identity.
  assert.equal(Array.from(c.frame(3).subarray(c.rotationIndex(0, 8), c.rotationIndex(0, 8) + 4)), [0, 0, 0, 1]);
  // Root x of the last frame: file value minus the first frame's.
  assert.ok(Math.abs(c.frame(38)[0]! - (raw[38]![1]! - raw[0]![1]!)) < 1e-12);
});

test('write then read gives the same motion (walk and the DeepLoco biped)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-motion-'));
  for (const [skel, file] of [[humanoid, walkFile], [biped, dataPath('deeploco', 'motions', 'biped3d_walk.txt')]] as const) {
    const a = readDeepMimicMotion(file, skel);
    const out = join(dir, 'clip.txt');
    writeDeepMimicMotion(out, a);
    const b = readDeepMimicMotion(out, skel);
    assert.is(b.numFrames, a.numFrames);
    assert.is(b.loop, a.loop);
    let maxDiff = 0;
    for (let i = 0; i < a.frames.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.frames[i]! - b.frames[i]!));
    assert.ok(maxDiff < 1e-15, `max frame difference ${maxDiff}`);
    for (let f = 0; f < a.numFrames; f++) assert.ok(Math.abs(a.frameTimes[f]! - b.frameTimes[f]!) < 1e-12);
  }
  assert.equal(readdirSync(dir), ['clip.txt']); // no .tmp left behind
});

test('DeepLoco biped walk: Loop true means wrap; 11 frames of 30 numbers', () => {
  const c = readDeepMimicMotion(dataPath('deeploco', 'motions', 'biped3d_walk.txt'), biped);
  assert.is(c.loop, 'wrap');
  assert.is(c.numFrames, 11);
  assert.ok(Math.abs(c.duration - 1) < 1e-12);
});

test('every shipped humanoid clip loads; the ones with far-from-unit quaternions warn once each', () => {
  const warned: string[] = [];
  const dirs = [dataPath('deepmimic', 'motions'), dataPath('deepmimic', 'motions', 'long')];
  let count = 0;
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.txt'))) {
      const c = readDeepMimicMotion(join(dir, f), humanoid, { onWarning: (m) => warned.push(m) });
      assert.ok(c.numFrames > 1 && c.duration > 0, f);
      count++;
    }
  }
  assert.is(count, 26);
  // Found by scanning the files: kick (worst |q| = 0.583), roll (0.806), sideflip (1.122), backflip (1.118).
  assert.equal(warned.map((m) => /humanoid3d_(\w+)\.txt/.exec(m)![1]).sort(), ['backflip', 'kick', 'roll', 'sideflip']);
  assert.match(warned.find((m) => m.includes('kick'))!, /quaternions? far from unit length \(worst: Frames\[\d+\] right_hip, \|q\| = 0\.583\); normalized/);
});

const walkText = readFileSync(walkFile, 'utf8');
function edited(edit: (d: any) => void): string {
  const d = JSON.parse(walkText);
  edit(d);
  return JSON.stringify(d);
}
function expectError(text: string, where: RegExp, problem: RegExp) {
  try {
    parseDeepMimicMotion(text, humanoid, quiet, 'bad.txt');
  } catch (e) {
    assert.instance(e, FileFormatError);
    assert.match((e as FileFormatError).where, where);
    assert.match((e as FileFormatError).problem, problem);
    assert.match((e as Error).message, /^bad\.txt: /);
    return;
  }
  assert.unreachable('no error');
}

test('bad motion files: wrong frame length, missing Frames, bad Loop, non-number, zero quaternion, negative duration', () => {
  expectError(edited((d) => d.Frames[5].pop()), /^Frames\[5\]$/, /43 values, expected 44 for humanoid3d \(duration, root position 3, root rotation 4, chest 4, neck 4, right_hip 4, right_knee 1/);
  expectError(edited((d) => delete d.Frames), /^Frames$/, /missing/);
  expectError(edited((d) => (d.Loop = 'pingpong')), /^Loop$/, /"pingpong"/);
  expectError(edited((d) => (d.Frames[2][7] = 'x')), /^Frames\[2\]\[7\]$/, /expected number/);
  expectError(edited((d) => d.Frames[3].splice(8, 4, 0, 0, 0, 0)), /Frames\[3\] chest/, /length 0/);
  expectError(edited((d) => (d.Frames[1][0] = -0.1)), /Frames\[1\]\[0\]/, /negative/);
  expectError('{"Loop": "wrap", "Frames": []}', /^Frames$/, /too small|>=1|at least/i);
});

test('quaternions are normalized; only |‖q‖ − 1| > 0.1 warns', () => {
  for (const [scale, warns] of [[1.05, false], [0.95, false], [1.2, true], [0.8, true]] as const) {
    const text = edited((d) => {
      for (let k = 8; k < 12; k++) d.Frames[4][k] *= scale;
    });
    const warnings: string[] = [];
    const c = parseDeepMimicMotion(text, humanoid, { onWarning: (m) => warnings.push(m) }, 'w.txt');
    const i = c.rotationIndex(4, 1);
    assert.ok(Math.abs(Math.hypot(...c.frames.subarray(i, i + 4)) - 1) < 1e-12);
    assert.is(warnings.length, warns ? 1 : 0, `scale ${scale}`);
    if (warns) assert.match(warnings[0]!, /w\.txt: 1 quaternion far from unit length \(worst: Frames\[4\] chest/);
  }
});

test('formatted text keeps DeepMimic conventions: w first, revolute as one angle, last duration 0', () => {
  const c = readDeepMimicMotion(walkFile, humanoid);
  const d = JSON.parse(formatDeepMimicMotion(c));
  assert.is(d.Loop, 'wrap');
  assert.is(d.Frames.length, 39);
  assert.is(d.Frames[0].length, 44);
  assert.is(d.Frames[38][0], 0);
  assert.ok(Math.abs(d.Frames[0][4] - c.frame(0)[6]!) < 1e-15); // w
});

test('durations that give no rate, or more than 1000 fps, are refused naming the field (all 0 became a 1-frame clip at --fps 30)', () => {
  const durations = (v: number) => edited((d) => {
    d.Frames = d.Frames.slice(0, 3);
    for (const row of d.Frames) row[0] = v;
  });
  expectError(durations(0), /^Frames\[\*\]\[0\] \(frame durations\)$/, /3 frames last 0 s in all, which gives no frame rate/);
  // 2 intervals of 1e-4 s: (3 − 1) / 2e-4 = 1e4 fps.
  expectError(durations(1e-4), /^Frames\[\*\]\[0\]/, /3 frames over 0\.0002 s is 1\.000e\+4 fps, above the 1000 fps/);
  // 1e308 + 1e308 is Infinity.
  expectError(durations(1e308), /^Frames\[\*\]\[0\]/, /not a finite duration/);
  // One frame has no rate to check.
  assert.is(parseDeepMimicMotion(edited((d) => (d.Frames = [d.Frames[0]])), humanoid, quiet).numFrames, 1);
});

test('nesting beyond 64 levels is refused before parsing, and a huge value in the wrong place is cut in the message', () => {
  // 100 000 '[' overflowed the stack inside the syntax-error locator; a deep but valid value inside JSON.stringify.
  expectError('['.repeat(100_000), /^line 1 column 65$/, /nested more than 64 levels deep/); // at the 65th '['
  // '{' is depth 1 at column 1 and the two '[' of `"Frames": [[` depths 2 and 3 at columns 12 and 13, so depth 65 is column 13 + 62.
  expectError(`{"Frames": [[${'['.repeat(100_000)}${']'.repeat(100_000)}]]}`, /^line 1 column 75$/, /nested more than 64 levels deep/);
  try {
    parseDeepMimicMotion(edited((d) => (d.Frames[2][7] = new Array(100_000).fill(1.5))), humanoid, quiet, 'bad.txt');
    assert.unreachable('no error');
  } catch (e) {
    assert.instance(e, FileFormatError);
    assert.match((e as Error).message, /^bad\.txt: Frames\[2\]\[7\]: .*expected number.*\(got \[1\.5,1\.5,.*\.\.\.\)/);
    assert.ok((e as Error).message.length < 200, (e as Error).message.slice(0, 300));
  }
});

test.run();
