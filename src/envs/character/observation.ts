/**
 * DeepMimic's observation, in the character's heading frame (`cCtController::BuildStatePose`
 * and `BuildStateVel`): origin on the ground under the root, x along the heading (the root's
 * forward axis, +x, projected on the ground), y up.
 *
 * | index            | value                                                          | unit  |
 * |------------------|----------------------------------------------------------------|-------|
 * | 0                | root height above the ground                                   | m     |
 * | 1 + 13b .. +2    | body b's centre relative to the root joint, heading frame       | m     |
 * | 1 + 13b + 3 .. +6| body b's rotation, heading frame, quaternion x, y, z, w (w ≥ 0)| —     |
 * | 1 + 13b + 7 .. +9| body b's linear velocity, heading frame                         | m/s   |
 * | 1 + 13b +10 ..+12| body b's angular velocity, heading frame                        | rad/s |
 * | 1 + 13B          | phase φ = (t / clip length) mod 1                               | —     |
 *
 * for every body b (one per joint, B of them): 1 + 13 × 15 + 1 = 197 numbers for humanoid3d,
 * the paper's count. Invariant to where the character stands and which way it faces.
 */
import type { CharacterState } from './character-state.ts';
import { rotateAt } from './character-state.ts';

/** Length of the observation for a character with `numBodies` bodies. */
export function observationSize(numBodies: number): number {
  return 2 + 13 * numBodies;
}

/** Heading angle (radians, about y) of a root rotation: where the root's +x axis points on the ground. */
export function headingAngle(rootRot: ArrayLike<number>, offset = 0): number {
  const x = rootRot[offset]!, y = rootRot[offset + 1]!, z = rootRot[offset + 2]!, w = rootRot[offset + 3]!;
  // Root x axis in the world: first column of the rotation matrix.
  const fx = 1 - 2 * (y * y + z * z);
  const fz = 2 * (x * z - y * w);
  return Math.atan2(-fz, fx);
}

const inv = new Float64Array(4);
const tmp = new Float64Array(4);

/** The inverse of a root rotation's heading (a rotation about y by −θ) into `out` (x, y, z, w). */
export function inverseHeading(rootRot: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
  const theta = headingAngle(rootRot, offset);
  out[0] = 0; out[1] = -Math.sin(theta / 2); out[2] = 0; out[3] = Math.cos(theta / 2);
  return out;
}

/**
 * Writes body b of `state` at out[o..o+6]: its centre relative to `origin` (x, y, z) and its
 * rotation (x, y, z, w; w ≥ 0), both turned by `invHeading` (a pure y rotation). Shared by the
 * observation and by the reference frames of the imitation observation.
 */
export function writeBodyInHeadingFrame(state: CharacterState, b: number, invHeading: Float64Array, ox: number, oy: number, oz: number, out: Float32Array, o: number): void {
  const { bodyPos, bodyRot } = state;
  rotateAt(tmp, 0, invHeading, 0, bodyPos[3 * b]! - ox, bodyPos[3 * b + 1]! - oy, bodyPos[3 * b + 2]! - oz);
  out[o] = tmp[0]!; out[o + 1] = tmp[1]!; out[o + 2] = tmp[2]!;
  // inv · q (inv is a pure y rotation).
  const qx = bodyRot[4 * b]!, qy = bodyRot[4 * b + 1]!, qz = bodyRot[4 * b + 2]!, qw = bodyRot[4 * b + 3]!;
  const iy = invHeading[1]!, iw = invHeading[3]!;
  let x = iw * qx + iy * qz, y = iw * qy + iy * qw, z = iw * qz - iy * qx, w = iw * qw - iy * qy;
  if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
  out[o + 3] = x; out[o + 4] = y; out[o + 5] = z; out[o + 6] = w;
}

/** Writes the observation of `state` at phase `phase` into `out` (length observationSize). */
export function buildObservation(state: CharacterState, phase: number, out: Float32Array): Float32Array {
  const { pose, bodyLinVel, bodyAngVel } = state;
  const n = state.numJoints;
  inverseHeading(pose, 3, inv);
  const rx = pose[0]!, ry = pose[1]!, rz = pose[2]!;
  out[0] = ry;
  let o = 1;
  for (let b = 0; b < n; b++) {
    writeBodyInHeadingFrame(state, b, inv, rx, ry, rz, out, o);
    rotateAt(tmp, 0, inv, 0, bodyLinVel[3 * b]!, bodyLinVel[3 * b + 1]!, bodyLinVel[3 * b + 2]!);
    out[o + 7] = tmp[0]!; out[o + 8] = tmp[1]!; out[o + 9] = tmp[2]!;
    rotateAt(tmp, 0, inv, 0, bodyAngVel[3 * b]!, bodyAngVel[3 * b + 1]!, bodyAngVel[3 * b + 2]!);
    out[o + 10] = tmp[0]!; out[o + 11] = tmp[1]!; out[o + 12] = tmp[2]!;
    o += 13;
  }
  out[o] = phase;
  return out;
}
