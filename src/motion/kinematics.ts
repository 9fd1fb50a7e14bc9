/**
 * Forward kinematics: world position and rotation of every joint, and of every body, for a pose.
 *
 * For joint j with parent p (one pass, parents first):
 *   R_j = R_p · A_j · L_j          (A_j: the joint's fixed attach rotation, L_j: its local rotation)
 *   x_j = x_p + R_p · (o_j + t_j)  (o_j: offset in the parent frame, t_j: BVH position channels)
 * and the root takes the pose's root position and rotation. A body sits at
 * x_j + R_j · (body attach), rotated R_j · (body attach rotation) (DeepMimic's body defs).
 *
 * The `Kinematics` object owns its output arrays, so evaluating a frame allocates nothing.
 */
import type { MotionClip } from './clip.ts';
import { locateTime, poseAt, type TimeLocation, translationsAt } from './sample.ts';
import type { Skeleton } from './skeleton.ts';

/** Rotates (vx, vy, vz) by the quaternion at q[qi] and adds the result to out[oi..]. */
function addRotated(out: Float64Array, oi: number, q: Float64Array, qi: number, vx: number, vy: number, vz: number): void {
  const qx = q[qi]!, qy = q[qi + 1]!, qz = q[qi + 2]!, qw = q[qi + 3]!;
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  out[oi] += vx + qw * tx + (qy * tz - qz * ty);
  out[oi + 1] += vy + qw * ty + (qz * tx - qx * tz);
  out[oi + 2] += vz + qw * tz + (qx * ty - qy * tx);
}

/** out[o] = a[ia] · b (b given as four numbers). */
function mulInto(out: Float64Array, o: number, a: Float64Array, ia: number, bx: number, by: number, bz: number, bw: number): void {
  const ax = a[ia]!, ay = a[ia + 1]!, az = a[ia + 2]!, aw = a[ia + 3]!;
  out[o] = aw * bx + ax * bw + ay * bz - az * by;
  out[o + 1] = aw * by - ax * bz + ay * bw + az * bx;
  out[o + 2] = aw * bz + ax * by - ay * bx + az * bw;
  out[o + 3] = aw * bw - ax * bx - ay * by - az * bz;
}

/**
 * Joint world transforms of a pose (the clip layout: root position, then one quaternion per
 * joint). Writes 3 numbers per joint into `positions` and 4 (x, y, z, w) into `rotations`.
 */
export function forwardKinematics(
  skeleton: Skeleton,
  pose: Float64Array,
  positions: Float64Array,
  rotations: Float64Array,
  translations: Float64Array | null = null,
): void {
  const joints = skeleton.joints;
  positions[0] = pose[0]!;
  positions[1] = pose[1]!;
  positions[2] = pose[2]!;
  for (let k = 0; k < 4; k++) rotations[k] = pose[3 + k]!;
  for (let j = 1; j < joints.length; j++) {
    const joint = joints[j]!;
    const p = joint.parent;
    let ox = joint.offset[0], oy = joint.offset[1], oz = joint.offset[2];
    if (translations) {
      ox += translations[3 * j]!;
      oy += translations[3 * j + 1]!;
      oz += translations[3 * j + 2]!;
    }
    positions[3 * j] = positions[3 * p]!;
    positions[3 * j + 1] = positions[3 * p + 1]!;
    positions[3 * j + 2] = positions[3 * p + 2]!;
    addRotated(positions, 3 * j, rotations, 4 * p, ox, oy, oz);
    const a = joint.attachRotation;
    if (a[3] === 1) {
      mulInto(rotations, 4 * j, rotations, 4 * p, pose[3 + 4 * j]!, pose[4 + 4 * j]!, pose[5 + 4 * j]!, pose[6 + 4 * j]!);
    } else {
      mulInto(rotations, 4 * j, rotations, 4 * p, a[0], a[1], a[2], a[3]);
      mulInto(rotations, 4 * j, rotations, 4 * j, pose[3 + 4 * j]!, pose[4 + 4 * j]!, pose[5 + 4 * j]!, pose[6 + 4 * j]!);
    }
  }
}

/**
 * Body transforms (7 numbers per joint: x, y, z, qx, qy, qz, qw) from joint world transforms.
 * A joint without a body gets its own transform.
 */
export function bodyTransforms(skeleton: Skeleton, positions: Float64Array, rotations: Float64Array, out: Float64Array | Float32Array): void {
  const scratch = bodyScratch;
  skeleton.joints.forEach((joint, j) => {
    const b = joint.body;
    scratch[0] = positions[3 * j]!;
    scratch[1] = positions[3 * j + 1]!;
    scratch[2] = positions[3 * j + 2]!;
    if (b) {
      addRotated(scratch, 0, rotations, 4 * j, b.attach[0], b.attach[1], b.attach[2]);
      const r = b.attachRotation;
      mulInto(scratch, 3, rotations, 4 * j, r[0], r[1], r[2], r[3]);
    } else {
      for (let k = 0; k < 4; k++) scratch[3 + k] = rotations[4 * j + k]!;
    }
    for (let k = 0; k < 7; k++) out[7 * j + k] = scratch[k]!;
  });
}
const bodyScratch = new Float64Array(7);

/** FK for one clip with preallocated buffers: call `atFrame` or `atTime`, then read the arrays. */
export class Kinematics {
  /** World joint positions, 3 per joint, metres. */
  readonly positions: Float64Array;
  /** World joint rotations, 4 per joint (x, y, z, w). */
  readonly rotations: Float64Array;
  /** The pose last evaluated (clip layout). */
  readonly pose: Float64Array;
  private readonly translations: Float64Array;
  private readonly loc: TimeLocation = { index: 0, blend: 0, cycle: 0 };

  constructor(readonly clip: MotionClip) {
    const n = clip.skeleton.numJoints;
    this.positions = new Float64Array(3 * n);
    this.rotations = new Float64Array(4 * n);
    this.pose = new Float64Array(clip.frameStride);
    this.translations = new Float64Array(3 * n);
  }

  /** Evaluates frame f (0-based). */
  atFrame(f: number): this {
    this.loc.index = f;
    this.loc.blend = 0;
    this.loc.cycle = 0;
    return this.evaluate();
  }

  /** Evaluates time t, seconds (wrap clips repeat with the root advanced each cycle). */
  atTime(timeSeconds: number): this {
    locateTime(this.clip, timeSeconds, this.loc);
    return this.evaluate();
  }

  /** Body transforms of the last evaluation, 7 per joint. */
  bodies(out: Float64Array | Float32Array = new Float64Array(7 * this.clip.skeleton.numJoints)): Float64Array | Float32Array {
    bodyTransforms(this.clip.skeleton, this.positions, this.rotations, out);
    return out;
  }

  /** World position of joint j as a new array (for tests and printing, not hot loops). */
  jointPosition(j: number): [number, number, number] {
    return [this.positions[3 * j]!, this.positions[3 * j + 1]!, this.positions[3 * j + 2]!];
  }

  /** The first joint whose world position or rotation in the last evaluation is not finite, or -1. */
  firstNonFinite(): number {
    for (let j = 0; j < this.clip.skeleton.numJoints; j++) {
      for (let k = 0; k < 3; k++) if (!Number.isFinite(this.positions[3 * j + k]!)) return j;
      for (let k = 0; k < 4; k++) if (!Number.isFinite(this.rotations[4 * j + k]!)) return j;
    }
    return -1;
  }

  private evaluate(): this {
    poseAt(this.clip, this.loc, this.pose);
    const tr = translationsAt(this.clip, this.loc, this.translations);
    forwardKinematics(this.clip.skeleton, this.pose, this.positions, this.rotations, tr);
    return this;
  }
}
