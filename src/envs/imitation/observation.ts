/**
 * The imitation envs' observation: DeepMimic's (`../character/observation.ts`: root height, every
 * body's position, rotation, linear and angular velocity in the character's heading frame, then
 * the phase), optionally followed by the next reference frames, as later trackers do (MimicKit's
 * target observation): for each of the `refFrames` frames k = 1, 2, … control steps ahead,
 *
 * | index (within frame k) | value                                                         | unit |
 * |------------------------|---------------------------------------------------------------|------|
 * | 0                      | reference root height above the ground                        | m    |
 * | 1 + 7b .. +2           | reference body b's centre relative to the simulated root joint, in the simulated character's heading frame | m |
 * | 1 + 7b + 3 .. +6       | reference body b's rotation in the simulated heading frame, x, y, z, w (w ≥ 0) | — |
 *
 * so a character that drifts from the reference sees where it should be. Everything is relative
 * to the simulated character's root and heading: moving or turning the character and its
 * reference together on the ground leaves the observation unchanged.
 */
import { type CharacterState, rotateAt } from '../character/character-state.ts';
import { buildObservation, headingAngle, observationSize } from '../character/observation.ts';

/** Numbers per reference frame for a character with `numBodies` bodies. */
export function referenceFrameSize(numBodies: number): number {
  return 1 + 7 * numBodies;
}

export function imitationObservationSize(numBodies: number, refFrames: number): number {
  return observationSize(numBodies) + refFrames * referenceFrameSize(numBodies);
}

const inv = new Float64Array(4);
const tmp = new Float64Array(3);

/**
 * Writes the observation into `out`: `sim` at `phase`, then each state of `refs` (the reference
 * at the next control steps). Allocates nothing.
 */
export function buildImitationObservation(sim: CharacterState, phase: number, refs: readonly CharacterState[], out: Float32Array): Float32Array {
  buildObservation(sim, phase, out);
  const n = sim.numJoints;
  const theta = headingAngle(sim.pose, 3);
  inv[0] = 0; inv[1] = -Math.sin(theta / 2); inv[2] = 0; inv[3] = Math.cos(theta / 2);
  const rx = sim.pose[0]!, ry = sim.pose[1]!, rz = sim.pose[2]!;
  let o = observationSize(n);
  for (const ref of refs) {
    out[o++] = ref.pose[1]!;
    const { bodyPos, bodyRot } = ref;
    for (let b = 0; b < n; b++) {
      rotateAt(tmp, 0, inv, 0, bodyPos[3 * b]! - rx, bodyPos[3 * b + 1]! - ry, bodyPos[3 * b + 2]! - rz);
      out[o] = tmp[0]!; out[o + 1] = tmp[1]!; out[o + 2] = tmp[2]!;
      const qx = bodyRot[4 * b]!, qy = bodyRot[4 * b + 1]!, qz = bodyRot[4 * b + 2]!, qw = bodyRot[4 * b + 3]!;
      const iy = inv[1]!, iw = inv[3]!;
      let x = iw * qx + iy * qz, y = iw * qy + iy * qw, z = iw * qz - iy * qx, w = iw * qw - iy * qy;
      if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
      out[o + 3] = x; out[o + 4] = y; out[o + 5] = z; out[o + 6] = w;
      o += 7;
    }
  }
  return out;
}
