/**
 * How the viewer sorts an env's bodies before publishing them:
 * - envs that track a reference draw it as extra bodies named `ghost/<joint>` (see
 *   HumanoidTrack-v0): those go to a channel of their own marked `ghost`, so the page draws the
 *   reference see-through over (or beside) the simulated character;
 * - an env's floor (a box at least 10 m across and at most 5 cm thick, like Ant-v1's) is left
 *   out: the page has its own ground, and one env's floor would cover its neighbours.
 */
import type { BodySpec, SceneSpec } from '../../../core/frame.ts';
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

/** A floor slab: wide and thin (the page draws its own ground instead). */
export function isFloor(b: BodySpec): boolean {
  return b.shape === 'box' && b.size[0]! >= 5 && b.size[2]! >= 5 && b.size[1]! <= 0.025;
}

export function splitGhost(scene: SceneSpec): GhostSplit {
  const main: number[] = [];
  const ghost: number[] = [];
  scene.bodies.forEach((b, i) => {
    if (isFloor(b)) return;
    (b.name.startsWith(GHOST_PREFIX) ? ghost : main).push(i);
  });
  const unchanged = ghost.length === 0 && main.length === scene.bodies.length;
  return {
    main: unchanged ? scene : subScene(scene, main, (n) => n),
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
