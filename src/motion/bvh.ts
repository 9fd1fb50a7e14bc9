/**
 * BVH (Biovision Hierarchy) reader and writer, strict: a malformed file is rejected with a
 * FileFormatError naming its line, never patched up (three's BVHLoader logs and carries on;
 * we do not).
 *
 * ```
 * HIERARCHY
 * ROOT Hips
 * {
 *   OFFSET 0 0 0
 *   CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation
 *   JOINT LeftUpLeg { OFFSET … CHANNELS 3 … JOINT … | End Site { OFFSET … } }
 * }
 * MOTION
 * Frames: 2752
 * Frame Time: .0083333
 * <one line per frame: every joint's channel values in hierarchy order>
 * ```
 *
 * - Rotation channels (degrees) compose in the order listed, as intrinsic rotations:
 *   `Zrotation Yrotation Xrotation` → Rz·Ry·Rx (the convention of three's BVHLoader, our oracle).
 *   Any permutation or subset of the three axes is accepted.
 * - Position channels may be on any joint. The root's give its position (added to its OFFSET);
 *   another joint's are kept in `clip.jointTranslations` and added to its OFFSET (as three does).
 * - An `End Site` becomes a fixed joint named `<parent>_end` flagged `isEndSite`.
 * - Joint types: the root is `root`; `CHANNELS 0` is `fixed`; a single `Zrotation` channel is
 *   `revolute` (how the writer stores a DeepMimic knee); anything else is `spherical`.
 * - Lengths are multiplied by `scale` (CMU files in inches-based units need 0.056444 to be metres;
 *   the cmu131 files are already in metres).
 */
import { readTextFile } from '../core/files.ts';
import { FileFormatError, UsageError } from '../core/errors.ts';
import { frameRateProblem, type LoopMode, MAX_FPS, MotionClip, uniformTimes } from './clip.ts';
import { resample } from './resample.ts';
import { type Axis, quatFromEuler, quatToEuler } from './rotation.ts';
import { type BvhChannel, type Joint, type JointType, makeJoint, Skeleton } from './skeleton.ts';
import { defaultWarning } from './warnings.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';

export interface BvhReadOptions {
  /** Multiplies every length (offsets, positions); default 1. */
  scale?: number;
  /** Loop mode of the clip (BVH has none); default 'none'. */
  loop?: LoopMode;
  /** Clip name; default the file name. */
  name?: string;
}

const CHANNELS: readonly BvhChannel[] = ['Xposition', 'Yposition', 'Zposition', 'Xrotation', 'Yrotation', 'Zrotation'];
const DEG = Math.PI / 180;
/** How deep joints may nest (the root is depth 0). */
export const MAX_BVH_DEPTH = 256;

/**
 * A message quotes tokens of the file, and a token can be a megabyte long (a line with no spaces):
 * each run of more than 60 characters without a space is cut, and the whole to 500 characters.
 */
function shortened(problem: string): string {
  const cut = problem.replace(/\S{61,}/g, (t) => `${t.slice(0, 40)}… (${t.length} characters)`);
  return cut.length > 500 ? `${cut.slice(0, 497)}...` : cut;
}

/** Line-by-line token cursor that knows where it is, for error messages. */
class Cursor {
  private line = 0;
  private tokens: string[] = [];
  private at = 0;
  constructor(
    private readonly lines: string[],
    private readonly file: string,
  ) {}

  /** 1-based number of the line the last token came from. */
  get lineNumber(): number {
    return this.line;
  }

  fail(problem: string, line = this.line): never {
    throw new FileFormatError(this.file, line > this.lines.length ? `line ${line} (end of file)` : `line ${line}`, shortened(problem));
  }

  /** Next token, moving across lines; null at end of file. */
  next(): string | null {
    while (this.at >= this.tokens.length) {
      if (this.line >= this.lines.length) {
        this.line = this.lines.length + 1;
        return null;
      }
      this.tokens = this.lines[this.line]!.trim().split(/\s+/).filter((t) => t.length > 0);
      this.line++;
      this.at = 0;
    }
    return this.tokens[this.at++]!;
  }

  expect(word: string, what = `'${word}'`): void {
    const t = this.next();
    if (t !== word) this.fail(`expected ${what}, found ${t === null ? 'end of file' : `'${t}'`}`);
  }

  /** The rest of the current line's tokens (after the last one taken). */
  restOfLine(): string[] {
    const rest = this.tokens.slice(this.at);
    this.at = this.tokens.length;
    return rest;
  }

  /** Index (0-based) of the line after the last token taken, for switching to line mode. */
  get nextLineIndex(): number {
    return this.line;
  }
}

function parseNumber(c: Cursor, token: string | undefined, what: string): number {
  const v = token === undefined ? NaN : Number(token);
  if (token === undefined || token === '' || !Number.isFinite(v)) c.fail(`${what}: '${token ?? ''}' is not a number`);
  return v;
}

/** v × scale, which must stay finite (an offset of 1e308, or --scale 1e308, would give Infinity in every position after it). */
function scaled(c: Cursor, v: number, scale: number, what: string, line?: number): number {
  const out = v * scale;
  if (!Number.isFinite(out)) c.fail(`${what} ${v}${scale === 1 ? '' : ` × scale ${scale}`} is not a finite length`, line);
  return out;
}

export function readBvh(file: string, options: BvhReadOptions = {}): MotionClip {
  const text = readTextFile(file);
  return parseBvh(text, { name: file.split('/').pop()!.replace(/\.bvh$/i, ''), ...options }, file);
}

export function parseBvh(text: string, options: BvhReadOptions = {}, file = 'bvh'): MotionClip {
  const scale = options.scale ?? 1;
  const lines = text.split(/\r\n|\r|\n/);
  const c = new Cursor(lines, file);
  const joints: Joint[] = [];
  const channelLine: number[] = [];

  const usedNames = new Set<string>();

  c.expect('HIERARCHY');
  c.expect('ROOT');
  const readJoint = (parent: number, endSite: boolean, depth: number) => {
    const startLine = c.lineNumber;
    // Real skeletons are about 10 joints deep; the limit keeps this recursion (and the writer's)
    // far from the stack's end, which a file of 20 000 nested JOINTs would otherwise reach.
    if (depth > MAX_BVH_DEPTH) c.fail(`joints nested more than ${MAX_BVH_DEPTH} deep`);
    let name: string;
    let braceOnLine = false;
    if (endSite) {
      name = `${joints[parent]!.name}_end`;
      for (let k = 2; usedNames.has(name); k++) name = `${joints[parent]!.name}_end${k}`;
    } else {
      const rest = c.restOfLine();
      // Allow the brace on the name's line ("JOINT Neck {").
      braceOnLine = rest[rest.length - 1] === '{';
      if (braceOnLine) rest.pop();
      if (rest.length === 0) c.fail(`${parent < 0 ? 'ROOT' : 'JOINT'} without a name`);
      name = rest.join(' ');
      if (usedNames.has(name)) c.fail(`joint name '${name}' is used twice`);
    }
    if (!braceOnLine) c.expect('{');
    c.expect('OFFSET');
    const off = c.restOfLine();
    if (off.length !== 3) c.fail(`OFFSET needs 3 numbers, found ${off.length}`);
    const offset = off.map((t, i) => scaled(c, parseNumber(c, t, `OFFSET ${'XYZ'[i]}`), scale, `OFFSET ${'XYZ'[i]}`)) as [number, number, number];
    const index = joints.length;
    let type: JointType = 'fixed';
    let channels: BvhChannel[] = [];
    if (!endSite) {
      c.expect('CHANNELS');
      const line = c.lineNumber;
      const rest = c.restOfLine();
      const declared = Number(rest[0]);
      if (!Number.isInteger(declared) || declared < 0) c.fail(`CHANNELS count '${rest[0] ?? ''}' is not a whole number`);
      const names = rest.slice(1);
      if (names.length !== declared) c.fail(`CHANNELS declares ${declared} channel${declared === 1 ? '' : 's'} but lists ${names.length} (${names.join(' ') || 'none'})`);
      for (const n of names) {
        if (!CHANNELS.includes(n as BvhChannel)) c.fail(`unknown channel '${n}' (expected ${CHANNELS.join(', ')})`);
      }
      if (new Set(names).size !== names.length) c.fail(`a channel is listed twice in '${names.join(' ')}'`);
      channels = names as BvhChannel[];
      channelLine[index] = line;
      if (parent < 0) type = 'root';
      else if (channels.length === 0) type = 'fixed';
      else if (channels.length === 1 && channels[0] === 'Zrotation') type = 'revolute';
      else type = 'spherical';
    }
    joints.push(makeJoint(name, type, parent, offset, { channels, ...(endSite ? { isEndSite: true } : {}) }));
    usedNames.add(name);
    for (;;) {
      const t = c.next();
      if (t === '}') return;
      if (t === 'JOINT' && !endSite) readJoint(index, false, depth + 1);
      else if (t === 'End' && !endSite) {
        c.expect('Site', "'Site' after 'End'");
        readJoint(index, true, depth + 1);
      } else if (t === null) c.fail(`'${name}' (opened on line ${startLine}) is not closed with '}'`);
      else c.fail(`expected JOINT, End Site or '}' in '${name}', found '${t}'`);
    }
  };
  readJoint(-1, false, 0);

  const motion = c.next();
  if (motion === 'ROOT') c.fail('a second ROOT: only one skeleton per file is supported');
  if (motion !== 'MOTION') c.fail(`missing MOTION section (found ${motion === null ? 'end of file' : `'${motion}'`})`);
  if (c.restOfLine().length > 0) c.fail("unexpected text after 'MOTION'");
  const framesTok = c.next();
  if (framesTok !== 'Frames:') c.fail(`expected 'Frames: <count>', found ${framesTok === null ? 'end of file' : `'${framesTok}'`}`);
  const countTok = c.restOfLine();
  const numFrames = Number(countTok[0]);
  if (countTok.length !== 1 || !Number.isInteger(numFrames) || numFrames < 1) c.fail(`Frames: '${countTok.join(' ')}' is not a positive whole number`);
  const ft = [c.next(), c.next()];
  if (ft[0] !== 'Frame' || ft[1] !== 'Time:') c.fail(`expected 'Frame Time: <seconds>', found '${ft.filter(Boolean).join(' ')}'`);
  const dtTok = c.restOfLine();
  const dt = parseNumber(c, dtTok[0], 'Frame Time');
  if (dtTok.length !== 1 || !(dt > 0)) c.fail(`Frame Time must be one positive number, found '${dtTok.join(' ')}'`);
  if (1 / dt > MAX_FPS) c.fail(`Frame Time ${dtTok[0]} s is more than the ${MAX_FPS} frames a second a clip may have (it must be at least ${1 / MAX_FPS} s)`);
  const frameTimeLine = c.lineNumber;

  // Frame lines: exactly numFrames non-empty lines of exactly numChannels numbers. The count is
  // checked against the lines there are before anything is allocated for it (a file that claims
  // 2e8 frames fails here, not with an out-of-memory error).
  let frameLines = 0;
  for (let i = c.nextLineIndex; i < lines.length; i++) if (lines[i]!.trim() !== '') frameLines++;
  if (numFrames > frameLines) c.fail(`'Frames: ${countTok[0]}' declared but only ${frameLines} frame line${frameLines === 1 ? '' : 's'} follow`, lines.length + 1);
  const rateProblem = frameRateProblem(numFrames, (numFrames - 1) * dt);
  if (rateProblem) c.fail(`Frame Time ${dtTok[0]}: ${rateProblem}`, frameTimeLine);
  const skeleton = new Skeleton(options.name ?? file, joints);
  const numChannels = joints.reduce((n, j) => n + (j.channels?.length ?? 0), 0);
  const stride = 3 + 4 * joints.length;
  const frames = new Float64Array(numFrames * stride);
  const hasTranslations = joints.some((j, i) => i > 0 && j.channels!.some((ch) => ch.endsWith('position')));
  const translations = hasTranslations ? new Float64Array(numFrames * 3 * joints.length) : null;
  const axesOf = joints.map((j) => (j.channels ?? []).filter((ch) => ch.endsWith('rotation')).map((ch) => ch[0]!.toLowerCase() as Axis));
  const values = new Float64Array(numChannels);
  const angles = [0, 0, 0];
  const q = [0, 0, 0, 1];
  let f = 0;
  let lineIndex = c.nextLineIndex;
  for (; lineIndex < lines.length; lineIndex++) {
    const raw = lines[lineIndex]!.trim();
    if (raw === '') continue;
    const lineNo = lineIndex + 1;
    if (f >= numFrames) c.fail(`more frame lines than 'Frames: ${numFrames}' declares`, lineNo);
    const toks = raw.split(/\s+/);
    if (toks.length !== numChannels) c.fail(`frame ${f} has ${toks.length} values, expected ${numChannels} (the channels of ${joints.length - joints.filter((j) => j.isEndSite).length} joints)`, lineNo);
    for (let k = 0; k < numChannels; k++) {
      const v = Number(toks[k]);
      if (!Number.isFinite(v)) c.fail(`frame ${f} value ${k + 1} '${toks[k]}' is not a number`, lineNo);
      values[k] = v;
    }
    let k = 0;
    const o = f * stride;
    for (let j = 0; j < joints.length; j++) {
      const joint = joints[j]!;
      const chans = joint.channels ?? [];
      let px = 0, py = 0, pz = 0, a = 0;
      for (const ch of chans) {
        const v = values[k++]!;
        if (ch === 'Xposition') px = scaled(c, v, scale, `frame ${f} ${joint.name} Xposition`, lineNo);
        else if (ch === 'Yposition') py = scaled(c, v, scale, `frame ${f} ${joint.name} Yposition`, lineNo);
        else if (ch === 'Zposition') pz = scaled(c, v, scale, `frame ${f} ${joint.name} Zposition`, lineNo);
        else angles[a++] = v * DEG;
      }
      quatFromEuler(q, angles, axesOf[j]!);
      frames.set(q, o + 3 + 4 * j);
      if (j === 0) {
        frames[o] = joint.offset[0] + px;
        frames[o + 1] = joint.offset[1] + py;
        frames[o + 2] = joint.offset[2] + pz;
        if (!Number.isFinite(frames[o]!) || !Number.isFinite(frames[o + 1]!) || !Number.isFinite(frames[o + 2]!)) c.fail(`frame ${f}: the root position (OFFSET plus position channels) is not finite`, lineNo);
      } else if (translations) {
        translations[3 * (f * joints.length + j)] = px;
        translations[3 * (f * joints.length + j) + 1] = py;
        translations[3 * (f * joints.length + j) + 2] = pz;
      }
    }
    f++;
  }
  // Every non-empty line was a frame or failed, and there were at least numFrames of them: f === numFrames.
  return new MotionClip({
    skeleton,
    frames,
    frameTimes: uniformTimes(numFrames, dt),
    loop: options.loop ?? 'none',
    name: options.name ?? file,
    jointTranslations: translations,
  });
}

export interface BvhWriteOptions {
  /** Multiplies every length written; default 1. */
  scale?: number;
  onWarning?: (message: string) => void;
}

function defaultChannels(joint: Joint): BvhChannel[] {
  if (joint.channels) return joint.channels;
  switch (joint.type) {
    case 'root': return ['Xposition', 'Yposition', 'Zposition', 'Zrotation', 'Yrotation', 'Xrotation'];
    case 'spherical': return ['Zrotation', 'Yrotation', 'Xrotation'];
    case 'revolute': return ['Zrotation'];
    case 'fixed': return [];
  }
}

/** Euler angles (degrees) of q for the listed axes (1, 2 or 3 of them). */
function eulerFor(q: ArrayLike<number>, axes: Axis[], out: number[]): void {
  if (axes.length === 0) return;
  if (axes.length === 1) {
    // Twist about the one axis: the rotation's component about it.
    const i = { x: 0, y: 1, z: 2 }[axes[0]!];
    let a = 2 * Math.atan2(q[i]!, q[3]!);
    if (a > Math.PI) a -= 2 * Math.PI;
    else if (a <= -Math.PI) a += 2 * Math.PI;
    out[0] = a / DEG;
    return;
  }
  if (axes.length === 3) {
    const e = quatToEuler([0, 0, 0], q, axes as [Axis, Axis, Axis]);
    for (let i = 0; i < 3; i++) out[i] = e[i]! / DEG;
    return;
  }
  // Two channels: decompose with the missing axis last. Of the two Tait–Bryan solutions
  // (a, b, c) and (a + π, π − b, c + π) keep the one whose dropped angle is smaller.
  const full = [...axes, (['x', 'y', 'z'] as Axis[]).find((a) => !axes.includes(a))!] as [Axis, Axis, Axis];
  const e = quatToEuler([0, 0, 0], q, full);
  const wrap = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));
  if (Math.abs(wrap(e[2]!)) > Math.PI / 2) {
    const alt = [wrap(e[0]! + Math.PI), wrap(Math.PI - e[1]!), wrap(e[2]! + Math.PI)];
    const check = quatFromEuler([0, 0, 0, 1], alt, full);
    const orig = quatFromEuler([0, 0, 0, 1], e, full);
    // The alternate form is the same rotation for some axis orders only with b negated; keep whichever reproduces q.
    const dot = (u: ArrayLike<number>) => Math.abs(u[0]! * q[0]! + u[1]! * q[1]! + u[2]! * q[2]! + u[3]! * q[3]!);
    if (dot(check) < dot(orig) - 1e-9) alt[1] = wrap(-Math.PI - e[1]!);
    e[0] = alt[0]!; e[1] = alt[1]!; e[2] = alt[2]!;
  }
  out[0] = e[0]! / DEG;
  out[1] = e[1]! / DEG;
}

const fmt = (v: number) => {
  const s = v.toFixed(6);
  return s === '-0.000000' ? '0.000000' : s;
};

/** The clip as BVH text. A clip with uneven frame times is resampled to its average rate first. */
export function formatBvh(clip: MotionClip, options: BvhWriteOptions = {}): string {
  const scale = options.scale ?? 1;
  if (!clip.isUniform) {
    const fps = Math.round(clip.fps);
    (options.onWarning ?? defaultWarning)(`${clip.name}: frame times are uneven; resampled to ${fps} fps for BVH`);
    clip = resample(clip, fps);
  }
  const { skeleton } = clip;
  const joints = skeleton.joints;
  const out: string[] = ['HIERARCHY'];
  const channelsOf = joints.map(defaultChannels);
  const order: number[] = []; // depth first, the order of the hierarchy and of each frame's values
  const writeJoint = (j: number, depth: number) => {
    order.push(j);
    const joint = joints[j]!;
    const pad = '\t'.repeat(depth);
    const children = skeleton.children(j);
    const asEndSite = joint.isEndSite === true && children.length === 0 && j > 0;
    out.push(pad + (j === 0 ? `ROOT ${joint.name}` : asEndSite ? 'End Site' : `JOINT ${joint.name}`));
    out.push(`${pad}{`);
    out.push(`${pad}\tOFFSET ${joint.offset.map((v) => fmt(v * scale)).join(' ')}`);
    if (!asEndSite) out.push(`${pad}\tCHANNELS ${channelsOf[j]!.length}${channelsOf[j]!.map((ch) => ` ${ch}`).join('')}`);
    for (const k of children) writeJoint(k, depth + 1);
    out.push(`${pad}}`);
  };
  writeJoint(0, 0);
  const n = clip.numFrames;
  const dt = n > 1 ? clip.duration / (n - 1) : 1 / 30;
  out.push('MOTION', `Frames: ${n}`, `Frame Time: ${Number(dt.toPrecision(10))}`);
  const stride = clip.frameStride;
  const tr = clip.jointTranslations;
  const e = [0, 0, 0];
  for (let f = 0; f < n; f++) {
    const row: string[] = [];
    const o = f * stride;
    for (const j of order) {
      const chans = channelsOf[j]!;
      if (chans.length === 0) continue;
      const joint = joints[j]!;
      const axes = chans.filter((ch) => ch.endsWith('rotation')).map((ch) => ch[0]!.toLowerCase() as Axis);
      eulerFor(clip.frames.subarray(o + 3 + 4 * j, o + 7 + 4 * j), axes, e);
      let a = 0;
      for (const ch of chans) {
        if (ch.endsWith('rotation')) {
          row.push(fmt(e[a++]!));
          continue;
        }
        const c = ch === 'Xposition' ? 0 : ch === 'Yposition' ? 1 : 2;
        const v = j === 0 ? clip.frames[o + c]! - joint.offset[c]! : (tr?.[3 * (f * joints.length + j) + c] ?? 0);
        row.push(fmt(v * scale));
      }
    }
    out.push(row.join(' '));
  }
  return out.join('\n') + '\n';
}

export function writeBvh(file: string, clip: MotionClip, options: BvhWriteOptions = {}): void {
  if (clip.skeleton.joints[0]!.type !== 'root') throw new UsageError(`${file}: the skeleton's first joint must be its root`);
  writeFileAtomic(file, formatBvh(clip, options));
}
