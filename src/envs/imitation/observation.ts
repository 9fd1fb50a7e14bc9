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
import type { CharacterState } from '../character/character-state.ts';
import { buildObservation, inverseHeading, observationSize, writeBodyInHeadingFrame } from '../character/observation.ts';

/** Numbers per reference frame for a character with `numBodies` bodies. */
export function referenceFrameSize(numBodies: number): number {
  return 1 + 7 * numBodies;
}

export function imitationObservationSize(numBodies: number, refFrames: number): number {
  return observationSize(numBodies) + refFrames * referenceFrameSize(numBodies);
}

const inv = new Float64Array(4);

/**
 * Writes the observation into `out`: `sim` at `phase`, then each state of `refs` (the reference
 * at the next control steps). Allocates nothing.
 */
export function buildImitationObservation(sim: CharacterState, phase: number, refs: readonly CharacterState[], out: Float32Array): Float32Array {
  buildObservation(sim, phase, out);
  const n = sim.numJoints;
  inverseHeading(sim.pose, 3, inv);
  const rx = sim.pose[0]!, ry = sim.pose[1]!, rz = sim.pose[2]!;
  let o = observationSize(n);
  for (const ref of refs) {
    out[o++] = ref.pose[1]!;
    for (let b = 0; b < n; b++, o += 7) writeBodyInHeadingFrame(ref, b, inv, rx, ry, rz, out, o);
  }
  return out;
}
