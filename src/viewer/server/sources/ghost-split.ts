/**
 * Envs that track a reference draw it as extra bodies named `ghost/<joint>` in their frame (see
 * HumanoidTrack-v0). The viewer moves those to a channel of their own marked `ghost`, so the page
 * draws the reference see-through over (or beside) the simulated character.
 */
import type { SceneSpec } from '../../../core/frame.ts';
import { TRANSFORM_STRIDE } from '../../../core/frame.ts';

export const GHOST_PREFIX = 'ghost/';

export interface GhostSplit {
  main: SceneSpec;
  /** Null when the scene has no ghost bodies. */
  ghost: SceneSpec | null;
  mainBodies: Int32Array;
  ghostBodies: Int32Array;
}

function subScene(scene: SceneSpec, keep: number[], rename: (n: string) => string): SceneSpec {
  const newIndex = new Map(keep.map((b, i) => [b, i]));
  const out: SceneSpec = { bodies: keep.map((b) => ({ ...scene.bodies[b]!, name: rename(scene.bodies[b]!.name) })) };
  if (scene.parents) out.parents = keep.map((b) => newIndex.get(scene.parents![b]!) ?? -1);
  return out;
}

export function splitGhost(scene: SceneSpec): GhostSplit {
  const main: number[] = [];
  const ghost: number[] = [];
  scene.bodies.forEach((b, i) => (b.name.startsWith(GHOST_PREFIX) ? ghost : main).push(i));
  return {
    main: ghost.length === 0 ? scene : subScene(scene, main, (n) => n),
    ghost: ghost.length === 0 ? null : subScene(scene, ghost, (n) => n.slice(GHOST_PREFIX.length)),
    mainBodies: Int32Array.from(main),
    ghostBodies: Int32Array.from(ghost),
  };
}

/** Copies the transforms of `bodies` (indices into `src`) into `out`, in order. */
export function gatherBodies(src: Float32Array, bodies: Int32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < bodies.length; i++) {
    const s = bodies[i]! * TRANSFORM_STRIDE;
    const d = i * TRANSFORM_STRIDE;
    for (let k = 0; k < TRANSFORM_STRIDE; k++) out[d + k] = src[s + k]!;
  }
  return out;
}
