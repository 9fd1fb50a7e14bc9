/**
 * Side-by-side layout of several copies of a scene (the envs of a vector env, a clip next to the
 * character tracking it): rows along z, spaced by the scene's footprint, wrapping into a new
 * column every `perRow` copies.
 */
import type { RenderFrame } from '../../../core/frame.ts';
import { TRANSFORM_STRIDE } from '../../../core/frame.ts';
import { isFloor } from './ghost-split.ts';

export interface Footprint {
  /** Half extents of what the bodies cover at this frame, around the origin, metres. */
  halfX: number;
  halfZ: number;
}

/** How far from the origin the bodies reach in x and z: each body's axis-aligned box, rotation included (a floor slab excluded). */
export function footprint(frame: RenderFrame): Footprint {
  let halfX = 0;
  let halfZ = 0;
  frame.scene.bodies.forEach((b, i) => {
    if (isFloor(b)) return;
    const o = i * TRANSFORM_STRIDE;
    const t = frame.transforms;
    const x = t[o]!, z = t[o + 2]!;
    const qx = t[o + 3]!, qy = t[o + 4]!, qz = t[o + 5]!, qw = t[o + 6]!;
    // Rows 0 (x) and 2 (z) of the body's rotation matrix.
    const r0 = [1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw)];
    const r2 = [2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy)];
    let ex: number, ez: number;
    if (b.shape === 'box') {
      ex = Math.abs(r0[0]!) * b.size[0]! + Math.abs(r0[1]!) * b.size[1]! + Math.abs(r0[2]!) * b.size[2]!;
      ez = Math.abs(r2[0]!) * b.size[0]! + Math.abs(r2[1]!) * b.size[1]! + Math.abs(r2[2]!) * b.size[2]!;
    } else if (b.shape === 'sphere') {
      ex = ez = b.size[0]!;
    } else {
      // capsule and cylinder: along local y, radius around it
      ex = Math.abs(r0[1]!) * b.size[1]! + b.size[0]!;
      ez = Math.abs(r2[1]!) * b.size[1]! + b.size[0]!;
    }
    if (Number.isFinite(x + ex)) halfX = Math.max(halfX, Math.abs(x) + ex);
    if (Number.isFinite(z + ez)) halfZ = Math.max(halfZ, Math.abs(z) + ez);
  });
  return { halfX, halfZ };
}

/**
 * Offsets for `count` copies, centred on the origin. `minSpacingM` keeps copies of something that
 * moves (an ant walking) from walking into each other at once.
 */
export function sideBySide(count: number, fp: Footprint, options: { minSpacingM?: number; perRow?: number } = {}): [number, number, number][] {
  const perRow = options.perRow ?? 8;
  const dz = Math.max(options.minSpacingM ?? 1, 2 * fp.halfZ + 0.5);
  const dx = Math.max(options.minSpacingM ?? 1, 2 * fp.halfX + 0.5);
  const rows = Math.min(count, perRow);
  const cols = Math.ceil(count / perRow);
  const out: [number, number, number][] = [];
  for (let i = 0; i < count; i++) {
    const row = i % perRow;
    const col = Math.floor(i / perRow);
    out.push([(col - (cols - 1) / 2) * dx, 0, (row - (rows - 1) / 2) * dz]);
  }
  return out;
}
