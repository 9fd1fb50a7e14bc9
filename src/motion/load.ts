/**
 * Loading and saving clips by file extension, and converting between the formats: `.bvh` is BVH,
 * `.txt` / `.json` is a DeepMimic motion file. A DeepMimic motion file only makes sense with its
 * character, which is given, or recognised from the file name (`humanoid3d_*`, `biped3d_*`) or
 * from its frame length (44: humanoid3d, 30: the DeepLoco biped).
 */
import { files } from '../core/files.ts';
import { baseName, extName } from '../core/paths.ts';
import { UsageError } from '../core/errors.ts';
import { readBvh, writeBvh } from './bvh.ts';
import { MotionClip } from './clip.ts';
import { bundledCharacters, resolveCharacterPath, resolveClipPath } from './data-path.ts';
import { readCharacter } from './deepmimic-character.ts';
import { deepMimicFrameLayout, readDeepMimicMotion, writeDeepMimicMotion } from './deepmimic-motion.ts';
import { resample } from './resample.ts';
import { retargetCmu } from './retarget.ts';
import type { Skeleton } from './skeleton.ts';
import type { WarningSink } from './warnings.ts';

export type ClipFormat = 'bvh' | 'deepmimic';

export function formatOf(file: string): ClipFormat {
  const ext = extName(file).toLowerCase();
  if (ext === '.bvh') return 'bvh';
  if (ext === '.txt' || ext === '.json') return 'deepmimic';
  throw new UsageError(`${file}: unknown motion format '${ext || '(no extension)'}' (expected .bvh, or .txt / .json for DeepMimic)`);
}

export interface LoadClipOptions {
  /** Character of a DeepMimic motion file: a path or a bundled name (`humanoid3d`, `biped3d`). */
  character?: string;
  /** BVH only: multiplies every length (e.g. 0.056444 for CMU units → metres). */
  scale?: number;
  onWarning?: WarningSink;
}

/** The bundled character a DeepMimic motion file belongs to, by file name, then by frame length. */
function guessCharacter(file: string): string {
  const name = baseName(file);
  for (const key of bundledCharacters().keys()) if (name.startsWith(`${key}_`)) return key;
  let length: number | undefined;
  try {
    length = (JSON.parse(files().readText(file)) as { Frames?: number[][] }).Frames?.[0]?.length;
  } catch {
    // Leave the error to the reader, which reports it properly.
    return 'humanoid3d';
  }
  for (const [key, path] of bundledCharacters()) {
    if (deepMimicFrameLayout(readCharacter(path)).size === length) return key;
  }
  throw new UsageError(`${file}: cannot tell which character this motion is for (frames of ${length} numbers); pass the character file`);
}

/** Loads a clip from a path or a bundled short name (`walk`). */
export function loadClip(arg: string, options: LoadClipOptions = {}): MotionClip {
  const file = resolveClipPath(arg);
  if (formatOf(file) === 'bvh') return readBvh(file, { scale: options.scale });
  const skeleton = readCharacter(resolveCharacterPath(options.character ?? guessCharacter(file)));
  return readDeepMimicMotion(file, skeleton, { onWarning: options.onWarning });
}

/** Saves a clip in the format its extension names (atomically). */
export function saveClip(file: string, clip: MotionClip, options: { onWarning?: WarningSink; scale?: number } = {}): void {
  if (formatOf(file) === 'bvh') writeBvh(file, clip, options);
  else writeDeepMimicMotion(file, clip, options);
}

/**
 * The same clip on another skeleton with the same joint names and types (a DeepMimic clip that
 * went through BVH comes back with its joints in depth-first order).
 */
export function reorderJoints(clip: MotionClip, skeleton: Skeleton): MotionClip {
  const from = clip.skeleton;
  const map = skeleton.joints.map((j, i) => {
    const k = from.indexOf(j.name);
    if (k < 0 || from.joints[k]!.type !== j.type) {
      throw new UsageError(`${clip.name}: joint '${j.name}' (${j.type}) of ${skeleton.name} is ${k < 0 ? 'missing' : `a ${from.joints[k]!.type} joint`} in the clip`);
    }
    if (i === 0 && k !== 0) throw new UsageError(`${clip.name}: '${j.name}' is not the clip's root`);
    return k;
  });
  const out = MotionClip.empty(skeleton, clip.numFrames, 30, clip.loop, clip.name);
  out.frameTimes.set(clip.frameTimes);
  for (let f = 0; f < clip.numFrames; f++) {
    out.frames.set(clip.frames.subarray(clip.rootPositionIndex(f), clip.rootPositionIndex(f) + 3), out.rootPositionIndex(f));
    map.forEach((k, i) => out.frames.set(clip.frames.subarray(clip.rotationIndex(f, k), clip.rotationIndex(f, k) + 4), out.rotationIndex(f, i)));
  }
  return out;
}

/** The bundled character whose joints (names and types) the skeleton has, if any. */
function matchingCharacter(skeleton: Skeleton): Skeleton | null {
  for (const path of bundledCharacters().values()) {
    const c = readCharacter(path);
    const named = skeleton.joints.filter((j) => !j.isEndSite);
    if (named.length === c.numJoints && c.joints.every((j) => skeleton.joints.some((k) => k.name === j.name && k.type === j.type))) return c;
  }
  return null;
}

export interface ConvertOptions extends LoadClipOptions {
  /** Retarget onto this character first (`humanoid3d`); the source must be a CMU BVH clip. */
  retarget?: string;
  /** Resample the result to this frame rate. */
  fps?: number;
}

/** Reads `input` (path or short name), optionally retargets, writes `output`; returns the written clip. */
export function convertClip(input: string, output: string, options: ConvertOptions = {}): MotionClip {
  const outFormat = formatOf(output);
  let clip = loadClip(input, options);
  if (options.retarget) {
    const target = readCharacter(resolveCharacterPath(options.retarget));
    clip = retargetCmu(clip, target, { fps: options.fps, name: baseName(output, extName(output)) });
  } else if (outFormat === 'deepmimic' && !clip.skeleton.hasBodies) {
    // A DeepMimic motion file is read back through a character: only a skeleton that is one can go there.
    const character = matchingCharacter(clip.skeleton);
    if (!character) {
      throw new UsageError(
        `${input}: skeleton '${clip.skeleton.name}' is not a DeepMimic character, so a DeepMimic motion file of it could not be read back; ` +
          'retarget it (--retarget humanoid3d, for CMU BVH clips) or write .bvh',
      );
    }
    clip = reorderJoints(clip, character);
  }
  if (options.fps && !options.retarget) clip = resample(clip, options.fps);
  saveClip(output, clip, { onWarning: options.onWarning });
  return clip;
}
