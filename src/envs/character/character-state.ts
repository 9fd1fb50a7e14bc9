/**
 * The kinematic state of a character, one layout for the simulated character and for the
 * reference motion, so the observation and the reward compare like with like.
 *
 * Per joint (frames at the joints):
 * - `pose`: the clip layout of `src/motion/clip.ts`: root position, then a quaternion per joint
 *   (x, y, z, w; the root's in the world, every other joint's in its parent's frame);
 * - `jointVel`: the clip velocity layout of `src/motion/velocity.ts`: root linear velocity
 *   (world), root angular velocity (world), then per joint j ≥ 1 the angular velocity relative
 *   to its parent, in the joint's own frame (revolute: (0, 0, dθ/dt));
 * - `jointPos`, `jointRot`: world position and rotation of every joint frame.
 *
 * Per body (one per joint, the body of DeepMimic's `BodyDefs`, its frame at its centre):
 * `bodyPos`, `bodyRot`, `bodyLinVel`, `bodyAngVel`, world.
 *
 * Plus the centre of mass and its velocity. Everything is preallocated; the functions here
 * allocate nothing.
 */
import type { Skeleton } from '../../motion/skeleton.ts';

export class CharacterState {
  readonly numJoints: number;
  readonly pose: Float64Array;
  readonly jointVel: Float64Array;
  readonly jointPos: Float64Array;
  readonly jointRot: Float64Array;
  readonly bodyPos: Float64Array;
  readonly bodyRot: Float64Array;
  readonly bodyLinVel: Float64Array;
  readonly bodyAngVel: Float64Array;
  readonly com = new Float64Array(3);
  readonly comVel = new Float64Array(3);

  constructor(readonly skeleton: Skeleton) {
    const n = skeleton.numJoints;
    this.numJoints = n;
    this.pose = new Float64Array(3 + 4 * n);
    this.jointVel = new Float64Array(3 + 3 * n);
    this.jointPos = new Float64Array(3 * n);
    this.jointRot = new Float64Array(4 * n);
    this.bodyPos = new Float64Array(3 * n);
    this.bodyRot = new Float64Array(4 * n);
    this.bodyLinVel = new Float64Array(3 * n);
    this.bodyAngVel = new Float64Array(3 * n);
  }

  copyFrom(other: CharacterState): void {
    this.pose.set(other.pose);
    this.jointVel.set(other.jointVel);
    this.jointPos.set(other.jointPos);
    this.jointRot.set(other.jointRot);
    this.bodyPos.set(other.bodyPos);
    this.bodyRot.set(other.bodyRot);
    this.bodyLinVel.set(other.bodyLinVel);
    this.bodyAngVel.set(other.bodyAngVel);
    this.com.set(other.com);
    this.comVel.set(other.comVel);
  }
}

/**
 * Moves a state along the ground by (dx, dz) metres: root, joints, bodies and centre of mass.
 * Velocities and rotations are unchanged. Allocates nothing.
 */
export function translateOnGround(state: CharacterState, dx: number, dz: number): void {
  state.pose[0] += dx;
  state.pose[2] += dz;
  const n = state.numJoints;
  for (let j = 0; j < n; j++) {
    state.jointPos[3 * j] += dx;
    state.jointPos[3 * j + 2] += dz;
    state.bodyPos[3 * j] += dx;
    state.bodyPos[3 * j + 2] += dz;
  }
  state.com[0] += dx;
  state.com[2] += dz;
}

/** q = a·b for quaternions stored at a[ia], b[ib], written at out[o]. */
export function quatMulAt(out: Float64Array, o: number, a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number): void {
  const ax = a[ia]!, ay = a[ia + 1]!, az = a[ia + 2]!, aw = a[ia + 3]!;
  const bx = b[ib]!, by = b[ib + 1]!, bz = b[ib + 2]!, bw = b[ib + 3]!;
  out[o] = aw * bx + ax * bw + ay * bz - az * by;
  out[o + 1] = aw * by - ax * bz + ay * bw + az * bx;
  out[o + 2] = aw * bz + ax * by - ay * bx + az * bw;
  out[o + 3] = aw * bw - ax * bx - ay * by - az * bz;
}

/** q = conj(a)·b (the rotation from a to b in a's frame), written at out[o]. */
export function quatConjMulAt(out: Float64Array, o: number, a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number): void {
  const ax = -a[ia]!, ay = -a[ia + 1]!, az = -a[ia + 2]!, aw = a[ia + 3]!;
  const bx = b[ib]!, by = b[ib + 1]!, bz = b[ib + 2]!, bw = b[ib + 3]!;
  out[o] = aw * bx + ax * bw + ay * bz - az * by;
  out[o + 1] = aw * by - ax * bz + ay * bw + az * bx;
  out[o + 2] = aw * bz + ax * by - ay * bx + az * bw;
  out[o + 3] = aw * bw - ax * bx - ay * by - az * bz;
}

/** Rotates (vx, vy, vz) by the quaternion at q[qi] (or its inverse) and writes it at out[o]. */
export function rotateAt(out: Float64Array, o: number, q: ArrayLike<number>, qi: number, vx: number, vy: number, vz: number, inverse = false): void {
  const s = inverse ? -1 : 1;
  const qx = s * q[qi]!, qy = s * q[qi + 1]!, qz = s * q[qi + 2]!, qw = q[qi + 3]!;
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  out[o] = vx + qw * tx + (qy * tz - qz * ty);
  out[o + 1] = vy + qw * ty + (qz * tx - qx * tz);
  out[o + 2] = vz + qw * tz + (qx * ty - qy * tx);
}

/**
 * Angle in [0, π] of the rotation between the unit quaternions at a[ia] and b[ib]:
 * 2·atan2(‖v‖, |w|) of a⁻¹·b, exact to rounding at small angles (2·acos of the dot product loses
 * half the digits there).
 */
export function quatAngleAt(a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number): number {
  const ax = -a[ia]!, ay = -a[ia + 1]!, az = -a[ia + 2]!, aw = a[ia + 3]!;
  const bx = b[ib]!, by = b[ib + 1]!, bz = b[ib + 2]!, bw = b[ib + 3]!;
  const x = aw * bx + ax * bw + ay * bz - az * by;
  const y = aw * by - ax * bz + ay * bw + az * bx;
  const z = aw * bz + ax * by - ay * bx + az * bw;
  const w = aw * bw - ax * bx - ay * by - az * bz;
  return 2 * Math.atan2(Math.hypot(x, y, z), Math.abs(w));
}

/**
 * Body transforms and velocities from the joint frames and joint velocities (the reference's
 * path; the simulated character reads its bodies from the physics instead). Velocities
 * propagate down the tree exactly, so a state set from them satisfies every joint constraint:
 *   ω_j = ω_p + R_j·ω_rel_j,   v_j = v_p + ω_p × (x_j − x_p),   v_body = v_j + ω_j × (c − x_j).
 * Needs `pose`, `jointVel`, `jointPos`, `jointRot` filled; writes the bodies and the COM.
 */
export function bodiesFromJoints(state: CharacterState, jointLinVel: Float64Array, jointAngVel: Float64Array): void {
  const { skeleton, jointVel, jointPos, jointRot, bodyPos, bodyRot, bodyLinVel, bodyAngVel } = state;
  const joints = skeleton.joints;
  const n = joints.length;
  jointLinVel[0] = jointVel[0]!;
  jointLinVel[1] = jointVel[1]!;
  jointLinVel[2] = jointVel[2]!;
  jointAngVel[0] = jointVel[3]!;
  jointAngVel[1] = jointVel[4]!;
  jointAngVel[2] = jointVel[5]!;
  for (let j = 1; j < n; j++) {
    const p = joints[j]!.parent;
    // ω_j = ω_p + R_j · ω_rel
    rotateAt(jointAngVel, 3 * j, jointRot, 4 * j, jointVel[3 + 3 * j]!, jointVel[4 + 3 * j]!, jointVel[5 + 3 * j]!);
    jointAngVel[3 * j] += jointAngVel[3 * p]!;
    jointAngVel[3 * j + 1] += jointAngVel[3 * p + 1]!;
    jointAngVel[3 * j + 2] += jointAngVel[3 * p + 2]!;
    // v_j = v_p + ω_p × (x_j − x_p)
    const rx = jointPos[3 * j]! - jointPos[3 * p]!, ry = jointPos[3 * j + 1]! - jointPos[3 * p + 1]!, rz = jointPos[3 * j + 2]! - jointPos[3 * p + 2]!;
    const wx = jointAngVel[3 * p]!, wy = jointAngVel[3 * p + 1]!, wz = jointAngVel[3 * p + 2]!;
    jointLinVel[3 * j] = jointLinVel[3 * p]! + wy * rz - wz * ry;
    jointLinVel[3 * j + 1] = jointLinVel[3 * p + 1]! + wz * rx - wx * rz;
    jointLinVel[3 * j + 2] = jointLinVel[3 * p + 2]! + wx * ry - wy * rx;
  }
  let mass = 0;
  const com = state.com, comVel = state.comVel;
  com.fill(0);
  comVel.fill(0);
  for (let j = 0; j < n; j++) {
    const body = joints[j]!.body;
    const ax = body ? body.attach[0] : 0, ay = body ? body.attach[1] : 0, az = body ? body.attach[2] : 0;
    rotateAt(bodyPos, 3 * j, jointRot, 4 * j, ax, ay, az);
    const cx = bodyPos[3 * j]!, cy = bodyPos[3 * j + 1]!, cz = bodyPos[3 * j + 2]!; // c − x_j
    bodyPos[3 * j] += jointPos[3 * j]!;
    bodyPos[3 * j + 1] += jointPos[3 * j + 1]!;
    bodyPos[3 * j + 2] += jointPos[3 * j + 2]!;
    // Body attach rotations are the identity in every supported character (checked on build).
    for (let k = 0; k < 4; k++) bodyRot[4 * j + k] = jointRot[4 * j + k]!;
    const wx = jointAngVel[3 * j]!, wy = jointAngVel[3 * j + 1]!, wz = jointAngVel[3 * j + 2]!;
    bodyAngVel[3 * j] = wx;
    bodyAngVel[3 * j + 1] = wy;
    bodyAngVel[3 * j + 2] = wz;
    bodyLinVel[3 * j] = jointLinVel[3 * j]! + wy * cz - wz * cy;
    bodyLinVel[3 * j + 1] = jointLinVel[3 * j + 1]! + wz * cx - wx * cz;
    bodyLinVel[3 * j + 2] = jointLinVel[3 * j + 2]! + wx * cy - wy * cx;
    const m = body ? body.massKg : 0;
    mass += m;
    for (let k = 0; k < 3; k++) {
      com[k] += m * bodyPos[3 * j + k]!;
      comVel[k] += m * bodyLinVel[3 * j + k]!;
    }
  }
  if (mass > 0) for (let k = 0; k < 3; k++) { com[k] /= mass; comVel[k] /= mass; }
}

/** The COM and its velocity from the bodies (the simulated character's path). */
export function centreOfMass(state: CharacterState): void {
  const joints = state.skeleton.joints;
  const { bodyPos, bodyLinVel, com, comVel } = state;
  com.fill(0);
  comVel.fill(0);
  let mass = 0;
  for (let j = 0; j < joints.length; j++) {
    const m = joints[j]!.body?.massKg ?? 0;
    mass += m;
    for (let k = 0; k < 3; k++) {
      com[k] += m * bodyPos[3 * j + k]!;
      comVel[k] += m * bodyLinVel[3 * j + k]!;
    }
  }
  if (mass > 0) for (let k = 0; k < 3; k++) { com[k] /= mass; comVel[k] /= mass; }
}
