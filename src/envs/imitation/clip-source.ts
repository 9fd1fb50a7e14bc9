/**
 * The clip an imitation env imitates, from an env option: a bundled name (`walk`,
 * `biped3d_walk`), a DeepMimic motion file (a clip from `gymnast generate … --out x.txt` or
 * `gymnast motion convert x.bvh x.txt --retarget humanoid3d`), or a CMU BVH file, retargeted onto
 * the character here. Bad input gets one error that names the clip:
 *
 * - an unknown name: UnknownIdError listing the bundled clips;
 * - a clip of another skeleton: FileFormatError naming the file and both skeletons;
 * - a clip too short to imitate (fewer than 3 frames, or under `MIN_CLIP_SECONDS`).
 */
import { UsageError } from '../../core/errors.ts';
import { extName } from '../../core/paths.ts';
import { readBvh } from '../../motion/bvh.ts';
import type { MotionClip } from '../../motion/clip.ts';
import { resolveClipPath } from '../../motion/data-path.ts';
import { retargetCmu } from '../../motion/retarget.ts';
import type { Skeleton } from '../../motion/skeleton.ts';
import { checkClipSkeleton, loadCharacterClip } from '../character/assets.ts';

/**
 * Shortest clip an env accepts, seconds: six control steps. A looping clip shorter than this is
 * a pose with a jitter, not a motion (the shortest shipped cycle, run, is 0.8 s).
 */
export const MIN_CLIP_SECONDS = 0.2;
const MIN_FRAMES = 3;

/** Loads and checks the clip for `skeleton`. */
export function loadImitationClip(clipArg: string, skeleton: Skeleton): MotionClip {
  let clip: MotionClip;
  if (extName(clipArg).toLowerCase() === '.bvh') {
    const file = resolveClipPath(clipArg);
    if (skeleton.name !== 'humanoid3d') throw new UsageError(`clip '${clipArg}': BVH clips are retargeted onto humanoid3d only, not '${skeleton.name}'`);
    clip = retargetCmu(readBvh(file), skeleton, { fps: 30, name: clipArg.replace(/^.*\//, '').replace(/\.bvh$/i, '') });
  } else {
    clip = loadCharacterClip(clipArg, skeleton);
  }
  checkClipSkeleton(clip, skeleton);
  if (clip.numFrames < MIN_FRAMES || !(clip.duration >= MIN_CLIP_SECONDS)) {
    throw new UsageError(
      `clip '${clipArg}' is too short to ${clip.loop === 'wrap' ? 'loop' : 'imitate'}: ${clip.numFrames} frame${clip.numFrames === 1 ? '' : 's'}, ` +
        `${clip.duration.toFixed(3)} s (an imitation clip needs at least ${MIN_FRAMES} frames and ${MIN_CLIP_SECONDS} s)`,
    );
  }
  return clip;
}
