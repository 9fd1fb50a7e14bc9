/**
 * Loading a character (skeleton + PD gains) and its clips by name, with the checks that turn a
 * wrong pairing into one clear error.
 *
 * Characters: `humanoid3d` (DeepMimic: `characters/humanoid3d.txt`, gains in
 * `controllers/humanoid3d_ctrl.txt`) and `biped3d` (DeepLoco: `characters/biped3d_mocap.txt`,
 * gains in the same file), or a path to a character file that carries `PDControllers`.
 * Clips: a short name (`walk`, `run`, `biped3d_walk`; see `motion/data-path.ts`) or a path.
 * Loaded files are cached per process (they are read-only once built).
 */
import { FileFormatError, UsageError } from '../../core/errors.ts';
import { files } from '../../core/files.ts';
import type { MotionClip } from '../../motion/clip.ts';
import { dataFile, resolveCharacterPath, resolveClipPath } from '../../motion/data-path.ts';
import { readCharacter } from '../../motion/deepmimic-character.ts';
import { pdGainsForSkeleton, readController } from '../../motion/deepmimic-controller.ts';
import { deepMimicFrameLayout, readDeepMimicMotion } from '../../motion/deepmimic-motion.ts';
import type { Skeleton } from '../../motion/skeleton.ts';
import type { JointGains } from './sim-character.ts';

export interface CharacterAssets {
  skeleton: Skeleton;
  gains: JointGains;
  characterFile: string;
  controllerFile: string;
}

const characterCache = new Map<string, CharacterAssets>();
const clipCache = new Map<string, MotionClip>();

/**
 * Forgets every loaded character and clip, so the next load reads the files again (the static
 * site's builder records which files an env reads).
 */
export function clearAssetCaches(): void {
  characterCache.clear();
  clipCache.clear();
}

/** The controller file holding a bundled character's gains. */
function controllerFileFor(name: string, characterFile: string): string {
  if (name === 'humanoid3d') return dataFile('deepmimic', 'controllers', 'humanoid3d_ctrl.txt');
  return characterFile; // DeepLoco characters carry their PDControllers.
}

/** A character by bundled name (`humanoid3d`, `biped3d`) or character-file path. */
export function loadCharacter(nameOrPath: string): CharacterAssets {
  const hit = characterCache.get(nameOrPath);
  if (hit) return hit;
  const characterFile = resolveCharacterPath(nameOrPath);
  const skeleton = readCharacter(characterFile);
  const controllerFile = controllerFileFor(nameOrPath.replace(/_mocap$/, ''), characterFile);
  const controller = readController(controllerFile);
  if (!controller.pd) throw new FileFormatError(controllerFile, 'PDControllers', `missing: the character '${skeleton.name}' needs PD gains`);
  const gains = pdGainsForSkeleton(skeleton, controller.pd, controllerFile);
  const assets: CharacterAssets = { skeleton, gains, characterFile, controllerFile };
  characterCache.set(nameOrPath, assets);
  return assets;
}

/** The character a bundled clip was made for: `biped3d_*` clips → biped3d, the rest → humanoid3d. */
export function defaultCharacterFor(clipArg: string): string {
  return /(^|\/)biped3d_/.test(clipArg) ? 'biped3d' : 'humanoid3d';
}

/**
 * A clip for a character's skeleton. An unknown name throws UnknownIdError listing the clips; a
 * clip made for another skeleton throws FileFormatError naming both.
 */
export function loadCharacterClip(clipArg: string, skeleton: Skeleton): MotionClip {
  const file = resolveClipPath(clipArg);
  const key = `${skeleton.name}\u0000${file}`;
  const hit = clipCache.get(key);
  if (hit) return hit;
  checkFrameSize(file, skeleton);
  const clip = readDeepMimicMotion(file, skeleton, { name: clipArg.replace(/^.*\//, '').replace(/\.txt$/, ''), onWarning: () => {} });
  clipCache.set(key, clip);
  return clip;
}

/** Says which skeleton a clip's frames fit when they do not fit this one. */
function checkFrameSize(file: string, skeleton: Skeleton): void {
  let data: unknown;
  try {
    data = JSON.parse(files().readText(file));
  } catch {
    return; // The reader reports unreadable files and bad JSON with line and column.
  }
  const frames = (data as { Frames?: unknown }).Frames;
  const first = Array.isArray(frames) && Array.isArray(frames[0]) ? (frames[0] as unknown[]).length : -1;
  const want = deepMimicFrameLayout(skeleton).size;
  if (first < 0 || first === want) return;
  const fits: string[] = [];
  for (const name of ['humanoid3d', 'biped3d']) {
    if (name === skeleton.name) continue;
    try {
      if (deepMimicFrameLayout(loadCharacter(name).skeleton).size === first) fits.push(name);
    } catch {
      // A missing bundled character only loses the hint.
    }
  }
  throw new FileFormatError(
    file,
    'Frames[0]',
    `has ${first} values per frame but the character '${skeleton.name}' needs ${want}: this clip is for another skeleton${fits.length ? ` (it fits ${fits.join(', ')})` : ''}`,
  );
}

/** Checks that a clip object was made for this skeleton (same joints, parents and types). */
export function checkClipSkeleton(clip: MotionClip, skeleton: Skeleton): void {
  const a = clip.skeleton, b = skeleton;
  const same = a === b || (a.numJoints === b.numJoints && a.joints.every((j, i) => j.name === b.joints[i]!.name && j.type === b.joints[i]!.type && j.parent === b.joints[i]!.parent));
  if (!same) {
    throw new UsageError(
      `clip '${clip.name}' is for skeleton '${a.name}' (${a.numJoints} joints: ${a.joints.map((j) => j.name).join(', ')}), not the character '${b.name}' (${b.numJoints} joints)`,
    );
  }
}

/** @deprecated The first name of `loadCharacterClip` (kept for `envs/imitation`; not exported from the room's index, where it would clash with `motion`'s `loadClip`). */
export const loadClip = loadCharacterClip;
