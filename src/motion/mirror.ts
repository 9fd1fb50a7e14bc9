/**
 * Left/right mirroring: every left joint takes its right partner's rotation and vice versa, and
 * the whole motion is reflected across the character's sagittal plane.
 *
 * DeepMimic characters face +x with their right side at +z, so the plane is x-y and the
 * reflection flips z (the default). A reflection M keeps positions as M·p and turns a rotation
 * R into M·R·M; for quaternions that keeps the component along the plane's normal and negates
 * the other two vector components: (x, y, z, w) → (-x, -y, z, w) for a z normal. A rotation
 * about z (a DeepMimic knee or elbow) is unchanged, as a mirrored knee still bends the same way.
 * CMU BVH skeletons face +z with their left at +x: mirror them across `axis: 'x'`.
 *
 * Partners are found by name: `left`↔`right` anywhere in the name (any case), else a leading
 * `l`/`r` or `L`/`R` (CMU's `LHipJoint`, `lhand`), when the swapped name is a joint of the
 * skeleton. The skeleton is assumed symmetric (partners' offsets mirror each other); the clip
 * keeps its skeleton.
 */
import type { MotionClip } from './clip.ts';
import type { Axis } from './rotation.ts';
import type { Skeleton } from './skeleton.ts';

function swapSide(name: string): string[] {
  const out: string[] = [];
  const swapped = name.replace(/left|right/gi, (m) => {
    const to = m.toLowerCase() === 'left' ? 'right' : 'left';
    if (m === m.toUpperCase()) return to.toUpperCase();
    if (m[0] === m[0]!.toUpperCase()) return to[0]!.toUpperCase() + to.slice(1);
    return to;
  });
  if (swapped !== name) out.push(swapped);
  const first = { l: 'r', r: 'l', L: 'R', R: 'L' }[name[0]!];
  if (first) out.push(first + name.slice(1));
  return out;
}

/** Mirror partner of each joint (its own index when it has none). */
export function mirrorPairs(skeleton: Skeleton): Int32Array {
  const out = Int32Array.from(skeleton.joints, (_, i) => i);
  skeleton.joints.forEach((j, i) => {
    for (const candidate of swapSide(j.name)) {
      const k = skeleton.indexOf(candidate);
      if (k >= 0 && k !== i) {
        out[i] = k;
        break;
      }
    }
  });
  return out;
}

export interface MirrorOptions {
  /** Normal of the mirror plane: 'z' for DeepMimic characters (default), 'x' for CMU BVH. */
  axis?: Axis;
  /** Partner per joint, overriding the name rule. */
  pairs?: Int32Array | number[];
}

export function mirror(clip: MotionClip, options: MirrorOptions = {}): MotionClip {
  const k = { x: 0, y: 1, z: 2 }[options.axis ?? 'z'];
  const pairs = options.pairs ?? mirrorPairs(clip.skeleton);
  const out = clip.clone(`${clip.name}_mirrored`);
  const { frames, frameStride: stride, numFrames } = clip;
  const n = clip.skeleton.numJoints;
  for (let f = 0; f < numFrames; f++) {
    const o = f * stride;
    out.frames[o + k] = -frames[o + k]!;
    for (let j = 0; j < n; j++) {
      const src = o + 3 + 4 * pairs[j]!;
      const dst = o + 3 + 4 * j;
      for (let c = 0; c < 3; c++) out.frames[dst + c] = c === k ? frames[src + c]! : -frames[src + c]!;
      out.frames[dst + 3] = frames[src + 3]!;
    }
    const tr = clip.jointTranslations;
    if (tr) {
      for (let j = 0; j < n; j++) {
        for (let c = 0; c < 3; c++) {
          const v = tr[3 * (f * n + pairs[j]!) + c]!;
          out.jointTranslations![3 * (f * n + j) + c] = c === k ? -v : v;
        }
      }
    }
  }
  return out;
}
