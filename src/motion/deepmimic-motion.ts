/**
 * Reader and writer for DeepMimic motion files (`motions/humanoid3d_*.txt`, DeepLoco's
 * `motions/biped3d_walk.txt`): JSON `{"Loop": "wrap" | "none" | true | false, "Frames": [[…]]}`.
 *
 * A frame is: duration to the next frame (s), root position (3), root rotation (4, w first),
 * then per non-root joint in skeleton order: 4 numbers (w, x, y, z) for a spherical joint, 1 angle
 * (rad, about local z) for a revolute joint, nothing for a fixed joint. humanoid3d: 44 numbers;
 * the DeepLoco biped (torso, hips, knees, ankles): 30. The layout is derived from the character,
 * so any DeepMimic character reads the same way.
 *
 * On load the first frame's root x and z are subtracted, so a clip starts over the origin (as
 * DeepMimic does). Quaternions are normalized; one far from unit length (|‖q‖ − 1| > 0.1, found
 * in several shipped clips: kick, roll, sideflip, backflip) gets a warning.
 */
import { readTextFile } from '../core/files.ts';
import { z } from 'zod';
import { FileFormatError } from '../core/errors.ts';
import { frameRateProblem, type LoopMode, MotionClip, revoluteAngle } from './clip.ts';
import { parseJsonFile, parseWithSchema } from './file-errors.ts';
import type { Skeleton } from './skeleton.ts';
import { defaultWarning } from './warnings.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';

export interface MotionReadOptions {
  /** Called with warnings (quaternions far from unit length); default prints to stderr. */
  onWarning?: (message: string) => void;
  /** Keep the file's root x/z instead of moving the first frame over the origin. */
  keepStartOffset?: boolean;
  /** Clip name; default the file name. */
  name?: string;
}


/** Numbers a DeepMimic frame of this skeleton holds, with the meaning of each run of them. */
export function deepMimicFrameLayout(skeleton: Skeleton): { size: number; parts: string[] } {
  const parts = ['duration', 'root position 3', 'root rotation 4'];
  let size = 8;
  for (const j of skeleton.joints.slice(1)) {
    if (j.type === 'spherical') { size += 4; parts.push(`${j.name} 4`); }
    else if (j.type === 'revolute') { size += 1; parts.push(`${j.name} 1`); }
  }
  return { size, parts };
}

const motionSchema = z
  .object({
    Loop: z.union([z.enum(['wrap', 'none']), z.boolean()]).optional(),
    Frames: z.array(z.array(z.number())).min(1),
  })
  .loose();

export function readDeepMimicMotion(file: string, skeleton: Skeleton, options: MotionReadOptions = {}): MotionClip {
  const text = readTextFile(file);
  return parseDeepMimicMotion(text, skeleton, { name: file.split('/').pop()!.replace(/\.(txt|json)$/, ''), ...options }, file);
}

export function parseDeepMimicMotion(text: string, skeleton: Skeleton, options: MotionReadOptions = {}, file = 'motion'): MotionClip {
  const data = parseWithSchema(file, motionSchema, parseJsonFile(file, text));
  const loop: LoopMode = data.Loop === 'wrap' || data.Loop === true ? 'wrap' : 'none';
  const { size, parts } = deepMimicFrameLayout(skeleton);
  const n = data.Frames.length;
  const stride = 3 + 4 * skeleton.numJoints;
  const frames = new Float64Array(n * stride);
  const times = new Float64Array(n);
  let farFromUnit = 0;
  let worst = { dev: 0, where: '', norm: 1 };

  const readQuat = (row: number[], at: number, dst: number, where: string) => {
    const w = row[at]!, x = row[at + 1]!, y = row[at + 2]!, zq = row[at + 3]!;
    const norm = Math.hypot(w, x, y, zq);
    if (!(norm > 1e-9)) throw new FileFormatError(file, where, 'quaternion of length 0');
    const dev = Math.abs(norm - 1);
    if (dev > 0.1) {
      farFromUnit++;
      if (dev > worst.dev) worst = { dev, where, norm };
    }
    frames[dst] = x / norm;
    frames[dst + 1] = y / norm;
    frames[dst + 2] = zq / norm;
    frames[dst + 3] = w / norm;
  };

  for (let f = 0; f < n; f++) {
    const row = data.Frames[f]!;
    if (row.length !== size) {
      throw new FileFormatError(file, `Frames[${f}]`, `has ${row.length} values, expected ${size} for ${skeleton.name} (${parts.join(', ')})`);
    }
    if (f + 1 < n) {
      if (!(row[0]! >= 0)) throw new FileFormatError(file, `Frames[${f}][0]`, `duration ${row[0]} is negative`);
      times[f + 1] = times[f]! + row[0]!;
    }
    const o = f * stride;
    frames[o] = row[1]!;
    frames[o + 1] = row[2]!;
    frames[o + 2] = row[3]!;
    readQuat(row, 4, o + 3, `Frames[${f}] root rotation`);
    let at = 8;
    skeleton.joints.forEach((j, ji) => {
      if (ji === 0) return;
      const dst = o + 3 + 4 * ji;
      if (j.type === 'spherical') {
        readQuat(row, at, dst, `Frames[${f}] ${j.name}`);
        at += 4;
      } else if (j.type === 'revolute') {
        const a = row[at]!;
        frames[dst + 2] = Math.sin(a / 2);
        frames[dst + 3] = Math.cos(a / 2);
        at += 1;
      } else {
        frames[dst + 3] = 1;
      }
    });
  }
  const rateProblem = frameRateProblem(n, times[n - 1]!);
  if (rateProblem) throw new FileFormatError(file, 'Frames[*][0] (frame durations)', rateProblem);
  if (farFromUnit > 0) {
    (options.onWarning ?? defaultWarning)(
      `${file}: ${farFromUnit} quaternion${farFromUnit > 1 ? 's' : ''} far from unit length (worst: ${worst.where}, |q| = ${worst.norm.toFixed(3)}); normalized`,
    );
  }
  if (!options.keepStartOffset) {
    const x0 = frames[0]!, z0 = frames[2]!;
    for (let f = 0; f < n; f++) {
      frames[f * stride] -= x0;
      frames[f * stride + 2] -= z0;
    }
  }
  return new MotionClip({ skeleton, frames, frameTimes: times, loop, name: options.name ?? file });
}

/** The clip as DeepMimic motion-file text (numbers written exactly, so it reads back the same). */
export function formatDeepMimicMotion(clip: MotionClip): string {
  const { skeleton, frames, frameTimes, frameStride: stride, numFrames: n } = clip;
  const lines: string[] = [];
  const row: number[] = [];
  for (let f = 0; f < n; f++) {
    row.length = 0;
    const o = f * stride;
    row.push(f + 1 < n ? frameTimes[f + 1]! - frameTimes[f]! : 0, frames[o]!, frames[o + 1]!, frames[o + 2]!);
    for (let j = 0; j < skeleton.numJoints; j++) {
      const q = o + 3 + 4 * j;
      const type = skeleton.joints[j]!.type;
      if (type === 'root' || type === 'spherical') row.push(frames[q + 3]!, frames[q]!, frames[q + 1]!, frames[q + 2]!);
      else if (type === 'revolute') row.push(revoluteAngle(frames[q + 2]!, frames[q + 3]!));
    }
    lines.push(`[${row.map(String).join(', ')}]`);
  }
  return `{\n"Loop": "${clip.loop}",\n"Frames":\n[\n${lines.join(',\n')}\n]\n}\n`;
}

/**
 * Writes the clip as a DeepMimic motion file (atomically). BVH position channels on non-root
 * joints have no place in the format and are dropped with a warning.
 */
export function writeDeepMimicMotion(file: string, clip: MotionClip, options: Pick<MotionReadOptions, 'onWarning'> = {}): void {
  if (clip.jointTranslations) {
    (options.onWarning ?? defaultWarning)(`${file}: position channels on non-root joints are not part of the DeepMimic format; dropped`);
  }
  writeFileAtomic(file, formatDeepMimicMotion(clip));
}
