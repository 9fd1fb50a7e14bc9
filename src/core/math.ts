/**
 * Small vector and quaternion math on plain arrays / typed arrays, writing into `out` so hot
 * loops allocate nothing. Quaternions are x, y, z, w everywhere (as three and Rapier).
 */

export type Vec3 = Float32Array | Float64Array | number[];
export type Quat = Float32Array | Float64Array | number[];

export function quatMultiply(out: Quat, a: ArrayLike<number>, b: ArrayLike<number>): Quat {
  const ax = a[0]!, ay = a[1]!, az = a[2]!, aw = a[3]!;
  const bx = b[0]!, by = b[1]!, bz = b[2]!, bw = b[3]!;
  out[0] = aw * bx + ax * bw + ay * bz - az * by;
  out[1] = aw * by - ax * bz + ay * bw + az * bx;
  out[2] = aw * bz + ax * by - ay * bx + az * bw;
  out[3] = aw * bw - ax * bx - ay * by - az * bz;
  return out;
}

export function quatConjugate(out: Quat, q: ArrayLike<number>): Quat {
  out[0] = -q[0]!;
  out[1] = -q[1]!;
  out[2] = -q[2]!;
  out[3] = q[3]!;
  return out;
}

export function quatNormalize(out: Quat, q: ArrayLike<number>): Quat {
  const n = Math.hypot(q[0]!, q[1]!, q[2]!, q[3]!) || 1;
  out[0] = q[0]! / n;
  out[1] = q[1]! / n;
  out[2] = q[2]! / n;
  out[3] = q[3]! / n;
  return out;
}

/** Rotates v by unit quaternion q. */
export function quatRotate(out: Vec3, q: ArrayLike<number>, v: ArrayLike<number>): Vec3 {
  const qx = q[0]!, qy = q[1]!, qz = q[2]!, qw = q[3]!;
  const vx = v[0]!, vy = v[1]!, vz = v[2]!;
  // t = 2 q × v; v' = v + w t + q × t
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  out[0] = vx + qw * tx + (qy * tz - qz * ty);
  out[1] = vy + qw * ty + (qz * tx - qx * tz);
  out[2] = vz + qw * tz + (qx * ty - qy * tx);
  return out;
}

export function quatFromAxisAngle(out: Quat, axis: ArrayLike<number>, angleRad: number): Quat {
  const n = Math.hypot(axis[0]!, axis[1]!, axis[2]!) || 1;
  const s = Math.sin(angleRad / 2) / n;
  out[0] = axis[0]! * s;
  out[1] = axis[1]! * s;
  out[2] = axis[2]! * s;
  out[3] = Math.cos(angleRad / 2);
  return out;
}

/** Rotation angle of a unit quaternion in [0, π]. */
export function quatAngle(q: ArrayLike<number>): number {
  const w = Math.min(1, Math.abs(q[3]!));
  return 2 * Math.acos(w);
}

/** Spherical linear interpolation along the shorter arc. */
export function quatSlerp(out: Quat, a: ArrayLike<number>, b: ArrayLike<number>, t: number): Quat {
  let bx = b[0]!, by = b[1]!, bz = b[2]!, bw = b[3]!;
  let cos = a[0]! * bx + a[1]! * by + a[2]! * bz + a[3]! * bw;
  if (cos < 0) {
    cos = -cos;
    bx = -bx; by = -by; bz = -bz; bw = -bw;
  }
  let wa: number, wb: number;
  if (cos > 0.9995) {
    wa = 1 - t;
    wb = t;
  } else {
    const theta = Math.acos(cos);
    const sin = Math.sin(theta);
    wa = Math.sin((1 - t) * theta) / sin;
    wb = Math.sin(t * theta) / sin;
  }
  out[0] = wa * a[0]! + wb * bx;
  out[1] = wa * a[1]! + wb * by;
  out[2] = wa * a[2]! + wb * bz;
  out[3] = wa * a[3]! + wb * bw;
  return quatNormalize(out, out);
}

/** Exponential map (axis · angle) of a unit quaternion. */
export function quatToExpMap(out: Vec3, q: ArrayLike<number>): Vec3 {
  let x = q[0]!, y = q[1]!, z = q[2]!, w = q[3]!;
  if (w < 0) { x = -x; y = -y; z = -z; w = -w; }
  const s = Math.hypot(x, y, z);
  const angle = 2 * Math.atan2(s, w);
  const k = s < 1e-12 ? 2 : angle / s;
  out[0] = x * k;
  out[1] = y * k;
  out[2] = z * k;
  return out;
}

export function quatFromExpMap(out: Quat, e: ArrayLike<number>): Quat {
  const angle = Math.hypot(e[0]!, e[1]!, e[2]!);
  if (angle < 1e-12) {
    out[0] = e[0]! / 2; out[1] = e[1]! / 2; out[2] = e[2]! / 2; out[3] = 1;
    return quatNormalize(out, out);
  }
  return quatFromAxisAngle(out, e, angle);
}
