/**
 * Rotation helpers the motion formats need beyond `core/math.ts`: Euler angles in any axis order
 * (BVH channels), DeepMimic's AttachTheta convention, and rotations that carry one or two
 * directions onto others (retargeting). Quaternions are x, y, z, w.
 */
import type { Quat } from '../core/math.ts';
import { quatMultiply, quatNormalize } from '../core/math.ts';

export type Axis = 'x' | 'y' | 'z';
const AXIS_INDEX: Record<Axis, number> = { x: 0, y: 1, z: 2 };

/**
 * Rotation from Euler angles applied in the listed order as intrinsic rotations:
 * q = q(axes[0], a0) · q(axes[1], a1) · … (the BVH convention: channels `Zrotation Yrotation
 * Xrotation` give Rz·Ry·Rx, as three's BVHLoader composes them).
 */
export function quatFromEuler(out: Quat, anglesRad: ArrayLike<number>, axes: readonly Axis[]): Quat {
  out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 1;
  const step = [0, 0, 0, 1];
  for (let i = 0; i < axes.length; i++) {
    const h = anglesRad[i]! / 2;
    step[0] = 0; step[1] = 0; step[2] = 0;
    step[AXIS_INDEX[axes[i]!]] = Math.sin(h);
    step[3] = Math.cos(h);
    quatMultiply(out, out, step);
  }
  return out;
}

/** Rotation matrix (row-major 3 × 3) of a unit quaternion. */
export function quatToMatrix(out: number[] | Float64Array, q: ArrayLike<number>): number[] | Float64Array {
  const x = q[0]!, y = q[1]!, z = q[2]!, w = q[3]!;
  out[0] = 1 - 2 * (y * y + z * z); out[1] = 2 * (x * y - z * w); out[2] = 2 * (x * z + y * w);
  out[3] = 2 * (x * y + z * w); out[4] = 1 - 2 * (x * x + z * z); out[5] = 2 * (y * z - x * w);
  out[6] = 2 * (x * z - y * w); out[7] = 2 * (y * z + x * w); out[8] = 1 - 2 * (x * x + y * y);
  return out;
}

/** Unit quaternion of a rotation matrix (row-major 3 × 3), Shepperd's method. */
export function quatFromMatrix(out: Quat, m: ArrayLike<number>): Quat {
  const m00 = m[0]!, m01 = m[1]!, m02 = m[2]!, m10 = m[3]!, m11 = m[4]!, m12 = m[5]!, m20 = m[6]!, m21 = m[7]!, m22 = m[8]!;
  const tr = m00 + m11 + m22;
  if (tr > 0) {
    const s = 2 * Math.sqrt(tr + 1);
    out[3] = s / 4; out[0] = (m21 - m12) / s; out[1] = (m02 - m20) / s; out[2] = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    out[3] = (m21 - m12) / s; out[0] = s / 4; out[1] = (m01 + m10) / s; out[2] = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    out[3] = (m02 - m20) / s; out[0] = (m01 + m10) / s; out[1] = s / 4; out[2] = (m12 + m21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    out[3] = (m10 - m01) / s; out[0] = (m02 + m20) / s; out[1] = (m12 + m21) / s; out[2] = s / 4;
  }
  return quatNormalize(out, out);
}

/**
 * Euler angles (radians) for three distinct axes such that quatFromEuler(angles, axes) = q.
 * Tait–Bryan decomposition of R = R_i(a) R_j(b) R_k(c): b = asin(s·R[i][k]),
 * a = atan2(-s·R[j][k], R[k][k]), c = atan2(-s·R[i][j], R[i][i]), s = +1 for cyclic orders
 * (xyz, yzx, zxy) and -1 otherwise. At gimbal lock (|sin b| = 1) c is set to 0.
 */
export function quatToEuler(out: number[] | Float64Array, q: ArrayLike<number>, axes: readonly [Axis, Axis, Axis]): number[] | Float64Array {
  const i = AXIS_INDEX[axes[0]], j = AXIS_INDEX[axes[1]], k = AXIS_INDEX[axes[2]];
  const s = (j - i + 3) % 3 === 1 ? 1 : -1;
  const m = quatToMatrix(new Array(9), q);
  const r = (a: number, b: number) => m[3 * a + b]!;
  const sb = Math.max(-1, Math.min(1, s * r(i, k)));
  const b = Math.asin(sb);
  if (Math.abs(sb) < 1 - 1e-9) {
    out[0] = Math.atan2(-s * r(j, k), r(k, k));
    out[1] = b;
    out[2] = Math.atan2(-s * r(i, j), r(i, i));
  } else {
    // Gimbal lock: only a ± c is determined; put it all in a. With c = 0, R = R_i(a) R_j(b), whose
    // column j depends on a alone.
    out[0] = Math.atan2(s * r(k, j), r(j, j));
    out[1] = b;
    out[2] = 0;
  }
  return out;
}

/** DeepMimic's Euler convention for AttachTheta: R = Rz(z)·Ry(y)·Rx(x) (`cMathUtil::RotateMat`). */
export function quatFromDeepMimicEuler(out: Quat, xRad: number, yRad: number, zRad: number): Quat {
  return quatFromEuler(out, [zRad, yRad, xRad], ['z', 'y', 'x']);
}

/** The smallest rotation taking direction a onto direction b (neither needs unit length). */
export function quatFromUnitVectors(out: Quat, a: ArrayLike<number>, b: ArrayLike<number>): Quat {
  const na = Math.hypot(a[0]!, a[1]!, a[2]!), nb = Math.hypot(b[0]!, b[1]!, b[2]!);
  const ax = a[0]! / na, ay = a[1]! / na, az = a[2]! / na;
  const bx = b[0]! / nb, by = b[1]! / nb, bz = b[2]! / nb;
  const d = ax * bx + ay * by + az * bz;
  if (d < -1 + 1e-12) {
    // Opposite: turn π about any axis perpendicular to a.
    let px = 0, py = -az, pz = ay;
    if (Math.hypot(px, py, pz) < 1e-6) { px = az; py = 0; pz = -ax; }
    out[0] = px; out[1] = py; out[2] = pz; out[3] = 0;
    return quatNormalize(out, out);
  }
  out[0] = ay * bz - az * by;
  out[1] = az * bx - ax * bz;
  out[2] = ax * by - ay * bx;
  out[3] = 1 + d;
  return quatNormalize(out, out);
}

function normalized(v: ArrayLike<number>): number[] {
  const n = Math.hypot(v[0]!, v[1]!, v[2]!);
  return [v[0]! / n, v[1]! / n, v[2]! / n];
}
function cross(a: number[], b: number[]): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

/**
 * The rotation R with R·a1 = b1 exactly and R·a2 as close to b2 as that allows (TRIAD): a1, b1
 * fix the primary direction, a2, b2 only the turn about it. a2 must not be parallel to a1.
 */
export function quatFromTwoDirections(out: Quat, a1: ArrayLike<number>, a2: ArrayLike<number>, b1: ArrayLike<number>, b2: ArrayLike<number>): Quat {
  const frame = (p: ArrayLike<number>, s: ArrayLike<number>) => {
    const e1 = normalized(p);
    const e3 = normalized(cross(e1, normalized(s)));
    const e2 = cross(e3, e1);
    return [e1, e2, e3];
  };
  const A = frame(a1, a2), B = frame(b1, b2);
  // R = B · Aᵀ (columns of A map to columns of B).
  const m = new Array<number>(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[3 * r + c] = B[0]![r]! * A[0]![c]! + B[1]![r]! * A[1]![c]! + B[2]![r]! * A[2]![c]!;
  }
  return quatFromMatrix(out, m);
}

/** Dot product of two quaternions' 4-vectors (|dot| = 1 for the same rotation). */
export function quatDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]! + a[3]! * b[3]!;
}

/** Angle of the rotation taking a to b, radians in [0, π]. */
export function quatAngleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = Math.min(1, Math.abs(quatDot(a, b)) / (Math.hypot(a[0]!, a[1]!, a[2]!, a[3]!) * Math.hypot(b[0]!, b[1]!, b[2]!, b[3]!)));
  return 2 * Math.acos(d);
}
