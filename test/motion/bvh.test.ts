import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Vector3 } from 'three';
import { BVHLoader } from 'three/examples/jsm/loaders/BVHLoader.js';
import { FileFormatError } from '../../src/core/errors.ts';
import { formatBvh, MAX_BVH_DEPTH, parseBvh, readBvh } from '../../src/motion/bvh.ts';
import { dataPath } from '../../src/motion/data-path.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { Kinematics } from '../../src/motion/kinematics.ts';
import { quatAngleBetween } from '../../src/motion/rotation.ts';

const files = {
  cmu131: dataPath('bvh', 'cmu131', 'scaled_131_01.bvh'),
  cmu0101: dataPath('bvh', 'fairmotion', 'cmu_01_01.bvh'),
  sinusoidal: dataPath('bvh', 'fairmotion', 'sinusoidal.bvh'),
};

/**
 * Compares our reading of a BVH text with three's BVHLoader (three/examples/jsm/loaders/BVHLoader.js):
 * local joint rotations per frame, and world joint positions after posing three's bones.
 * Returns the largest rotation difference (rad) and position difference (file units).
 */
function compareWithThree(text: string, frames: number[]): { maxAngle: number; maxPos: number } {
  const ours = parseBvh(text);
  const three = new BVHLoader().parse(text);
  const tracks = new Map(three.clip.tracks.map((t) => [t.name, t]));
  const bones = three.skeleton.bones;
  assert.is(bones.length, ours.skeleton.numJoints, 'same joints, same depth-first order');
  const k = new Kinematics(ours);
  let maxAngle = 0, maxPos = 0;
  for (const f of frames) {
    k.atFrame(f);
    ours.skeleton.joints.forEach((j, i) => {
      if (j.isEndSite) return;
      const qt = tracks.get(`${j.name}.quaternion`)!.values.subarray(4 * f, 4 * f + 4);
      const i0 = ours.rotationIndex(f, i);
      maxAngle = Math.max(maxAngle, quatAngleBetween(qt, ours.frames.subarray(i0, i0 + 4)));
      const pt = tracks.get(`${j.name}.position`)!.values;
      bones[i]!.position.set(pt[3 * f]!, pt[3 * f + 1]!, pt[3 * f + 2]!);
      bones[i]!.quaternion.set(qt[0]!, qt[1]!, qt[2]!, qt[3]!);
    });
    bones[0]!.updateMatrixWorld(true);
    const w = new Vector3();
    bones.forEach((b, i) => {
      b.getWorldPosition(w);
      const p = k.jointPosition(i);
      maxPos = Math.max(maxPos, Math.abs(w.x - p[0]), Math.abs(w.y - p[1]), Math.abs(w.z - p[2]));
    });
  }
  return { maxAngle, maxPos };
}

test('the shipped BVH files load: CMU 31 joints + 7 end sites, 120 fps', () => {
  const a = readBvh(files.cmu131);
  assert.is(a.numFrames, 995);
  assert.is(a.skeleton.numJoints, 38);
  assert.is(a.skeleton.joints.filter((j) => j.isEndSite).length, 7);
  assert.ok(Math.abs(a.fps - 120) < 0.01);
  assert.is(a.skeleton.joints[0]!.name, 'Hips');
  assert.is(a.name, 'scaled_131_01');
  const b = readBvh(files.cmu0101);
  assert.is(b.numFrames, 2752);
  assert.ok(Math.abs(b.duration - 2751 * 0.0083333) < 1e-9);
  const s = readBvh(files.sinusoidal);
  assert.is(s.skeleton.numJoints, 4); // child3 is a leaf joint without an End Site
  assert.is(s.jointTranslations, null);
});

test('rotations and world positions agree with three BVHLoader (CMU files, several frames)', () => {
  for (const file of [files.cmu131, files.cmu0101, files.sinusoidal]) {
    const { maxAngle, maxPos } = compareWithThree(readFileSync(file, 'utf8'), [0, 37, 110]);
    console.log(`  [figure] ${file.split('/').pop()} vs three BVHLoader, frames 0/37/110: max joint rotation difference ${maxAngle.toExponential(2)} rad, max world position difference ${maxPos.toExponential(2)} (file units)`);
    // three stores keyframes as Float32: ~1e-7 relative, so allow 1e-5 rad and 1e-4 units.
    assert.ok(maxAngle < 1e-5, `${file}: max angle difference ${maxAngle} rad`);
    assert.ok(maxPos < 1e-4, `${file}: max position difference ${maxPos}`);
  }
});

const permuted = `HIERARCHY
ROOT root
{
  OFFSET 1 2 3
  CHANNELS 6 Zrotation Xposition Xrotation Yposition Yrotation Zposition
  JOINT a
  {
    OFFSET 0 1 0
    CHANNELS 3 Xrotation Yrotation Zrotation
    JOINT b
    {
      OFFSET 0 1 0
      CHANNELS 6 Yrotation Xposition Yposition Zposition Zrotation Xrotation
      End Site
      {
        OFFSET 0 0.5 0
      }
      JOINT c
      {
        OFFSET 0.5 0 0
        CHANNELS 3 Yrotation Zrotation Xrotation
        End Site
        {
          OFFSET 0.2 0 0
        }
      }
    }
  }
  JOINT d
  {
    OFFSET 0 -1 0
    CHANNELS 2 Xrotation Zrotation
  }
}
MOTION
Frames: 3
Frame Time: 0.1
10 0.5 20 1 30 -0.5   40 -50 60   70 0.1 0.2 0.3 80 -90   15 25 35   45 55
-10 0.1 -20 1.2 -30 0   -40 50 -60   -70 0 0 0 -80 90   -15 -25 -35   0 0
170 0 -100 0 95 0   0 0 0   0 0 0 0 0 0   0 0 0   120 -130
`;

test('any channel order, positions on a non-root joint, several End Sites: as three reads them', () => {
  const c = parseBvh(permuted);
  assert.equal(c.skeleton.joints.map((j) => j.name), ['root', 'a', 'b', 'b_end', 'c', 'c_end', 'd']);
  assert.ok(c.jointTranslations);
  const { maxAngle, maxPos } = compareWithThree(permuted, [0, 1, 2]);
  assert.ok(maxAngle < 1e-5, `max angle ${maxAngle}`);
  assert.ok(maxPos < 1e-5, `max position ${maxPos}`);
  // Root position is OFFSET + channels.
  assert.equal(Array.from(c.frame(0).subarray(0, 3)).map((v) => +v.toFixed(9)), [1.5, 3, 2.5]);
});

function roundTrip(text: string) {
  const a = parseBvh(text);
  const b = parseBvh(formatBvh(a));
  assert.equal(b.skeleton.joints.map((j) => [j.name, j.type, j.channels?.join(' ')]), a.skeleton.joints.map((j) => [j.name, j.type, j.channels?.join(' ')]));
  assert.is(b.numFrames, a.numFrames);
  let maxAngle = 0, maxPos = 0;
  for (let f = 0; f < a.numFrames; f++) {
    a.skeleton.joints.forEach((j, i) => {
      const ia = a.rotationIndex(f, i);
      maxAngle = Math.max(maxAngle, quatAngleBetween(a.frames.subarray(ia, ia + 4), b.frames.subarray(ia, ia + 4)));
    });
    for (let k = 0; k < 3; k++) maxPos = Math.max(maxPos, Math.abs(a.frame(f)[k]! - b.frame(f)[k]!));
  }
  return { maxAngle, maxPos, a, b };
}

test('write then read: same skeleton, channels and motion (1e-6 of a degree / unit, the written precision)', () => {
  for (const text of [readFileSync(files.cmu131, 'utf8'), permuted]) {
    const { maxAngle, maxPos, a, b } = roundTrip(text);
    assert.ok(maxAngle < 1e-6, `angle ${maxAngle}`);
    assert.ok(maxPos < 1e-6, `position ${maxPos}`);
    if (a.jointTranslations) {
      for (let i = 0; i < a.jointTranslations.length; i++) assert.ok(Math.abs(a.jointTranslations[i]! - b.jointTranslations![i]!) < 1e-6);
    }
  }
});

test('a DeepMimic clip written as BVH keeps its joint types (knee: 1 Zrotation channel, wrist: none) and its FK', () => {
  const humanoid = readCharacter(dataPath('deepmimic', 'characters', 'humanoid3d.txt'));
  const walk = readDeepMimicMotion(dataPath('deepmimic', 'motions', 'humanoid3d_walk.txt'), humanoid);
  const text = formatBvh(walk, { onWarning: () => {} });
  assert.match(text, /JOINT right_knee\s*\{\s*OFFSET 0\.000000 -0\.421546 0\.000000\s*CHANNELS 1 Zrotation/);
  const back = parseBvh(text);
  // BVH lists joints depth first (root, chest, neck, right_shoulder, …), so match them by name.
  const k0 = new Kinematics(walk).atFrame(10), k1 = new Kinematics(back).atFrame(10);
  humanoid.joints.forEach((j, i) => {
    const b = back.skeleton.jointIndex(j.name);
    assert.is(back.skeleton.joints[b]!.type, j.type, j.name);
    const p0 = k0.jointPosition(i), p1 = k1.jointPosition(b);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(p0[c]! - p1[c]!) < 1e-5, j.name);
  });
});

function expectLine(text: string, line: number | 'eof', problem: RegExp, options: { scale?: number } = {}) {
  try {
    parseBvh(text, options, 'bad.bvh');
  } catch (e) {
    assert.instance(e, FileFormatError);
    const err = e as FileFormatError;
    assert.is(err.file, 'bad.bvh');
    if (line === 'eof') assert.match(err.where, /end of file/);
    else assert.is(err.where, `line ${line}`);
    assert.match(err.problem, problem);
    return;
  }
  assert.unreachable(`no error for ${problem}`);
}

const lines = permuted.split('\n');
const withLine = (i: number, s: string) => lines.map((l, k) => (k === i ? s : l)).join('\n');

test('malformed BVH files are rejected with the line number', () => {
  assert.is(lines[34], 'MOTION'); // the indices below count from 0, line numbers from 1
  expectLine(withLine(8, '    CHANNELS 3 Xrotation Yrotation'), 9, /CHANNELS declares 3 channels but lists 2/);
  expectLine(withLine(8, '    CHANNELS 3 Xrotation Yrotation Wrotation'), 9, /unknown channel 'Wrotation'/);
  expectLine(withLine(8, '    CHANNELS 3 Xrotation Xrotation Zrotation'), 9, /listed twice/);
  expectLine(withLine(8, '    CHANNELS three Xrotation'), 9, /count 'three' is not a whole number/);
  expectLine(withLine(34, 'MOTON'), 35, /missing MOTION section \(found 'MOTON'\)/);
  expectLine(permuted.replace(/\nMOTION[\s\S]*/, '\n'), 'eof', /missing MOTION section \(found end of file\)/);
  expectLine(withLine(38, '10 0.5 20 1 30 -0.5 40 -50 60 70 0.1 0.2 0.3 80 -90 15 25 35 45'), 39, /frame 1 has 19 values, expected 20/);
  expectLine(withLine(38, '10 0.5 20 1 30 -0.5 40 -50 60 70 0.1 0.2 0.3 80 -90 15 25 35 45 x'), 39, /value 20 'x' is not a number/);
  expectLine(withLine(35, 'Frames: 4'), 'eof', /'Frames: 4' declared but only 3 frame lines follow/);
  // A huge count is refused from the lines there are, before any allocation (it was a RangeError).
  for (const n of ['200000000', '1000000000', '1e308']) {
    expectLine(withLine(35, `Frames: ${n}`), 'eof', new RegExp(`'Frames: ${n}' declared but only 3 frame lines follow`));
  }
  expectLine(withLine(35, 'Frames: 2'), 40, /more frame lines than 'Frames: 2'/);
  expectLine(withLine(35, 'Frames: -1'), 36, /not a positive whole number/);
  expectLine(withLine(36, 'Frame Time: 0'), 37, /Frame Time must be one positive number/);
  expectLine(withLine(3, '  OFFSET 1 2'), 4, /OFFSET needs 3 numbers, found 2/);
  expectLine(withLine(3, '  OFFSET 1 2 z'), 4, /OFFSET Z: 'z' is not a number/);
  expectLine(withLine(0, 'HIERARCHIE'), 1, /expected 'HIERARCHY'/);
  expectLine(withLine(2, ''), 4, /expected '\{', found 'OFFSET'/);
  expectLine(withLine(6, ''), 8, /expected '\{', found 'OFFSET'/);
  expectLine(withLine(28, '  JOINT b'), 29, /'b' is used twice/);
  expectLine(withLine(33, ''), 35, /expected JOINT, End Site or '\}' in 'root', found 'MOTION'/);
  expectLine(permuted.replace('MOTION', 'ROOT other\n{\nOFFSET 0 0 0\nCHANNELS 0\n}\nMOTION'), 35, /second ROOT/);
  expectLine(lines.slice(0, 21).join('\n'), 'eof', /'c' \(opened on line 18\) is not closed/);
});

test('accepts braces on the name line and CRLF line ends (three does not), with the same result', () => {
  const a = parseBvh(permuted);
  const b = parseBvh(permuted.replace('JOINT a\n  {', 'JOINT a {').replace('End Site\n      {', 'End Site {').replace(/\n/g, '\r\n'));
  assert.equal(Array.from(b.frames), Array.from(a.frames));
});

/** A chain of `depth` JOINTs under the root (one channel-less joint per level), one frame. */
function chain(depth: number, offset = '0 1 0'): string {
  let s = 'HIERARCHY\nROOT r\n{\nOFFSET 0 0 0\nCHANNELS 3 Xposition Yposition Zposition\n';
  for (let i = 0; i < depth; i++) s += `JOINT j${i}\n{\nOFFSET ${offset}\nCHANNELS 0\n`;
  return s + '}\n'.repeat(depth) + '}\nMOTION\nFrames: 1\nFrame Time: 0.1\n0 0 0\n';
}

test('scale multiplies the root position channels as well as the offsets (a scale applied to offsets only moved the root in the file\'s units)', () => {
  // Root OFFSET (1, 2, 3) plus position channels (10, 20, 30) per the BVH definition, times 0.5.
  const text = chain(1, '0 4 0').replace('OFFSET 0 0 0', 'OFFSET 1 2 3').replace(/\n0 0 0\n$/, '\n10 20 30\n');
  const clip = parseBvh(text, { scale: 0.5 });
  assert.equal(Array.from(clip.frames.subarray(0, 3)), [5.5, 11, 16.5]);
  assert.equal(clip.skeleton.joints[1]!.offset, [0, 2, 0]);
  assert.equal(Array.from(parseBvh(text).frames.subarray(0, 3)), [11, 22, 33]);
});

test('joints nested deeper than MAX_BVH_DEPTH are refused at the first one too deep (20 000 overflowed the stack)', () => {
  assert.is(MAX_BVH_DEPTH, 256);
  const ok = parseBvh(chain(MAX_BVH_DEPTH));
  assert.is(ok.skeleton.numJoints, MAX_BVH_DEPTH + 1);
  // The writer recurses over the same tree: the deepest allowed skeleton writes and reads back.
  assert.is(parseBvh(formatBvh(ok)).skeleton.numJoints, MAX_BVH_DEPTH + 1);
  // Joint j_i opens on line 6 + 4i (5 header lines, 4 per joint) at depth i + 1, so depth 257 is j256.
  expectLine(chain(20_000), 6 + 4 * MAX_BVH_DEPTH, /joints nested more than 256 deep/);
});

test('lengths must stay finite after --scale, the root position too; the frame time must give at most 1000 fps', () => {
  // 1e308 is a finite double; times 10 it is Infinity, as is 1e308 + 1e308 at the root.
  expectLine(chain(1, '1e308 0 0'), 8, /OFFSET X 1e\+308 × scale 10 is not a finite length/, { scale: 10 });
  const withRoot = (offset: string, values: string) => chain(0).replace('OFFSET 0 0 0', `OFFSET ${offset}`).replace(/\n0 0 0\n$/, `\n${values}\n`);
  expectLine(withRoot('0 0 0', '1e308 0 0'), 10, /frame 0 r Xposition 1e\+308 × scale 10 is not a finite length/, { scale: 10 });
  expectLine(withRoot('1e308 0 0', '1e308 0 0'), 10, /frame 0: the root position \(OFFSET plus position channels\) is not finite/);
  const ft = (t: string, frames = 1) => chain(0).replace('Frames: 1\nFrame Time: 0.1\n0 0 0\n', `Frames: ${frames}\nFrame Time: ${t}\n${'0 0 0\n'.repeat(frames)}`);
  expectLine(ft('1e-320'), 9, /Frame Time 1e-320 s is more than the 1000 frames a second a clip may have \(it must be at least 0\.001 s\)/);
  assert.is(parseBvh(ft('0.001', 2)).fps, 1000); // 1 / 0.001, the bound itself
  // Two frame intervals of 1e308 s add up to Infinity.
  expectLine(ft('1e308', 3), 9, /Frame Time 1e308: 3 frames last Infinity s, which is not a finite duration/);
});

test('a stack of 1e308 offsets reads (each is finite) but its forward kinematics says which joint is not finite', () => {
  const clip = parseBvh(chain(3, '1e308 0 0'));
  const k = new Kinematics(clip).atFrame(0);
  // Joint j0 sits at 1e308, j1 at 1e308 + 1e308 = Infinity: joint index 2.
  assert.is(k.firstNonFinite(), 2);
  assert.is(new Kinematics(parseBvh(chain(3))).atFrame(0).firstNonFinite(), -1);
});

// ---------------------------------------------------------------- exact messages and the writer

/** A two-joint file (a root with 6 channels, a knee with one, an End Site), two frames. */
const SMALL = `HIERARCHY
ROOT hips
{
  OFFSET 0 1 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT knee
  {
    OFFSET 0 -0.5 0
    CHANNELS 1 Zrotation
    End Site
    {
      OFFSET 0 -0.5 0
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.5
0 0 0 0 0 0 10
1 2 3 0 0 0 20
`;

/** The whole message parseBvh throws for `text`, as a user reads it. */
function messageOf(text: string, file = 'small.bvh'): string {
  try {
    parseBvh(text, {}, file);
  } catch (e) {
    assert.instance(e, FileFormatError);
    return (e as Error).message;
  }
  throw new Error('parsed without an error');
}

test('malformed files: the whole message, file, line and problem', () => {
  const cases: [string, string][] = [
    [SMALL.replace('ROOT hips', 'ROOT'), 'small.bvh: line 2: ROOT without a name'],
    [SMALL.replace('JOINT knee', 'JOINT {'), "small.bvh: line 6: JOINT without a name"],
    [SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS 1'), 'small.bvh: line 9: CHANNELS declares 1 channel but lists 0 (none)'],
    [SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS 2 Zrotation'), 'small.bvh: line 9: CHANNELS declares 2 channels but lists 1 (Zrotation)'],
    [SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS'), "small.bvh: line 9: CHANNELS count '' is not a whole number"],
    [SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS -1'), "small.bvh: line 9: CHANNELS count '-1' is not a whole number"],
    [SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS 1 Wrotation'), "small.bvh: line 9: unknown channel 'Wrotation' (expected Xposition, Yposition, Zposition, Xrotation, Yrotation, Zrotation)"],
    [SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS 2 Zrotation Zrotation'), "small.bvh: line 9: a channel is listed twice in 'Zrotation Zrotation'"],
    [SMALL.replace('End Site', 'End Sight'), "small.bvh: line 10: expected 'Site' after 'End', found 'Sight'"],
    [SMALL.replace('  OFFSET 0 1 0', '  OFFSET 0 1 nan'), "small.bvh: line 4: OFFSET Z: 'nan' is not a number"],
    [SMALL.replace('MOTION', 'MOTION now'), "small.bvh: line 16: unexpected text after 'MOTION'"],
    [SMALL.replace('Frames: 2', 'Frame: 2'), "small.bvh: line 17: expected 'Frames: <count>', found 'Frame:'"],
    [SMALL.slice(0, SMALL.indexOf('Frames:')), "small.bvh: line 18 (end of file): expected 'Frames: <count>', found end of file"],
    [SMALL.replace('Frames: 2', 'Frames: 2 3'), "small.bvh: line 17: Frames: '2 3' is not a positive whole number"],
    [SMALL.replace('Frames: 2', 'Frames: 1.5'), "small.bvh: line 17: Frames: '1.5' is not a positive whole number"],
    [SMALL.replace('Frame Time: 0.5', 'Frame Tim: 0.5'), "small.bvh: line 18: expected 'Frame Time: <seconds>', found 'Frame Tim:'"],
    [SMALL.replace('Frame Time: 0.5', 'Time: 0.5'), "small.bvh: line 18: expected 'Frame Time: <seconds>', found 'Time: 0.5'"],
    [SMALL.replace('Frame Time: 0.5', 'Frame Time:'), "small.bvh: line 18: Frame Time: '' is not a number"],
    [SMALL.replace('Frame Time: 0.5', 'Frame Time: 0.5 1'), "small.bvh: line 18: Frame Time must be one positive number, found '0.5 1'"],
    [SMALL.replace('Frame Time: 0.5', 'Frame Time: -0.5'), "small.bvh: line 18: Frame Time must be one positive number, found '-0.5'"],
    [SMALL.replace('Frames: 2', 'Frames: 3'), "small.bvh: line 22 (end of file): 'Frames: 3' declared but only 2 frame lines follow"],
    [SMALL.replace('Frames: 2', 'Frames: 2').replace('1 2 3 0 0 0 20\n', ''), "small.bvh: line 21 (end of file): 'Frames: 2' declared but only 1 frame line follow"],
    [SMALL.replace('1 2 3 0 0 0 20', '1 2 3 0 0 0'), 'small.bvh: line 20: frame 1 has 6 values, expected 7 (the channels of 2 joints)'],
    [SMALL.replace('1 2 3 0 0 0 20', '1 2 3 0 0 0 1e999'), "small.bvh: line 20: frame 1 value 7 '1e999' is not a number"],
    [SMALL.replace('ROOT hips', 'ROOT ' + 'h'.repeat(100)).replace('  JOINT knee', '  JOINT ' + 'h'.repeat(100)), // A run of more than 60 characters without a space is cut to its first 40 (the quote included).
    `small.bvh: line 6: joint name '${'h'.repeat(39)}… (102 characters) is used twice`],
  ];
  for (const [text, want] of cases) assert.is(messageOf(text), want);
  // A message quoting a whole long line is cut to 500 characters.
  const long = messageOf(SMALL.replace('CHANNELS 1 Zrotation', `CHANNELS 300 ${Array.from({ length: 100 }, () => 'Zrotation').join(' ')}`));
  assert.is(long.length, 'small.bvh: line 9: '.length + 500);
  assert.ok(long.startsWith('small.bvh: line 9: CHANNELS declares 300 channels but lists 100 (Zrotation Zrotation') && long.endsWith('...'), long);
});

test('names: an End Site is <joint>_end, a second one _end2; the clip is named after its file, loops only when asked', () => {
  const twoEnds = SMALL.replace('    End Site', '    End Site\n    {\n      OFFSET 1 0 0\n    }\n    End Site');
  const c = parseBvh(twoEnds, {}, 'dir/two-ends.BVH');
  assert.equal(c.skeleton.joints.map((j) => j.name), ['hips', 'knee', 'knee_end', 'knee_end2']);
  assert.is(c.name, 'dir/two-ends.BVH');
  assert.is(c.loop, 'none');
  assert.is(parseBvh(SMALL, { name: 'walk', loop: 'wrap' }).loop, 'wrap');
  assert.is(parseBvh(SMALL).name, 'bvh');
  // Joint types from the channels: the knee's single Zrotation is revolute, one Xrotation spherical.
  assert.equal(c.skeleton.joints.map((j) => j.type), ['root', 'revolute', 'fixed', 'fixed']);
  assert.equal(parseBvh(SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS 1 Xrotation')).skeleton.joints.map((j) => j.type), ['root', 'spherical', 'fixed']);
});

test('formatBvh writes the exact text: tabs by depth, End Sites without channels, six decimals, the frame time', () => {
  assert.is(formatBvh(parseBvh(SMALL)), [
    'HIERARCHY', 'ROOT hips', '{', '\tOFFSET 0.000000 1.000000 0.000000', '\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation',
    '\tJOINT knee', '\t{', '\t\tOFFSET 0.000000 -0.500000 0.000000', '\t\tCHANNELS 1 Zrotation', '\t\tEnd Site', '\t\t{', '\t\t\tOFFSET 0.000000 -0.500000 0.000000', '\t\t}', '\t}', '}',
    'MOTION', 'Frames: 2', 'Frame Time: 0.5',
    '0.000000 0.000000 0.000000 0.000000 0.000000 0.000000 10.000000', '1.000000 2.000000 3.000000 0.000000 0.000000 0.000000 20.000000', '',
  ].join('\n'));
  // scale multiplies every length written: offsets and the root's position channels, not angles.
  const scaled = formatBvh(parseBvh(SMALL), { scale: 2 }).split('\n');
  assert.is(scaled[3], '\tOFFSET 0.000000 2.000000 0.000000');
  assert.is(scaled[19], '2.000000 4.000000 6.000000 0.000000 0.000000 0.000000 20.000000');
  // One frame: the frame time of 30 fps.
  assert.is(formatBvh(parseBvh(SMALL.replace('Frames: 2', 'Frames: 1').replace('1 2 3 0 0 0 20\n', ''))).split('\n')[17], 'Frame Time: 0.03333333333');
});

test("a revolute joint's angle is written in (−180°, 180°]; two rotation channels round-trip past ±90° on the second axis", () => {
  for (const [deg, want] of [[170, '170.000000'], [180, '180.000000'], [190, '-170.000000'], [-185, '175.000000'], [-179, '-179.000000'], [540, '180.000000']] as const) {
    const line = formatBvh(parseBvh(SMALL.replace('1 2 3 0 0 0 20', `1 2 3 0 0 0 ${deg}`))).split('\n')[19]!;
    assert.is(line.split(' ')[6], want, `${deg}°`);
  }
  // Two channels: Tait–Bryan angles give the second in [−90°, 90°]; 120° comes back through the other solution.
  const pairs = ['Xrotation Yrotation', 'Yrotation Xrotation', 'Xrotation Zrotation', 'Zrotation Xrotation', 'Yrotation Zrotation', 'Zrotation Yrotation'];
  for (const channels of pairs) for (const [a, b] of [[30, 120], [-40, -110], [150, 100], [20, 45]] as const) {
    const text = SMALL.replace('CHANNELS 1 Zrotation', `CHANNELS 2 ${channels}`).replace('0 0 0 0 0 0 10', `0 0 0 0 0 0 ${a} ${b}`).replace('1 2 3 0 0 0 20', `1 2 3 0 0 0 ${b} ${a}`);
    const written = formatBvh(parseBvh(text)).split('\n');
    assert.equal(written[18]!.split(' ').slice(6).map(Number), [a, b], `${channels} (${a}°, ${b}°)`);
    assert.equal(written[19]!.split(' ').slice(6).map(Number), [b, a], `${channels} (${b}°, ${a}°)`);
  }
});

test('position channels of a non-root joint: every frame read and written back', () => {
  const text = SMALL.replace('CHANNELS 1 Zrotation', 'CHANNELS 4 Xposition Yposition Zposition Zrotation').replace('0 0 0 0 0 0 10', '0 0 0 0 0 0 0.1 0.2 0.3 10').replace('1 2 3 0 0 0 20', '1 2 3 0 0 0 0.4 0.5 0.6 20').replace('Frames: 2', 'Frames: 3') + '2 2 2 0 0 0 0.7 0.8 0.9 30\n';
  const c = parseBvh(text, { scale: 10 });
  // 3 frames × 3 joints × xyz; the knee is joint 1.
  const knee = [0, 1, 2].map((f) => Array.from(c.jointTranslations!.subarray(3 * (3 * f + 1), 3 * (3 * f + 1) + 3)).map((v) => +v.toFixed(9)));
  assert.equal(knee, [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  const rows = formatBvh(c, { scale: 0.1 }).split('\n').slice(18, 21);
  assert.equal(rows.map((r) => r.split(' ').slice(6, 9).map(Number)), [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]);
});

test.run();
