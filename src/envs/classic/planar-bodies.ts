/**
 * Small helpers shared by the planar Rapier envs (CartPole, Pendulum, Acrobot): put a body at a
 * pose in the x–y plane, and copy body transforms into a render frame. They write into Rapier
 * through reusable scratch objects, so a step allocates none of its own.
 */
import { RAPIER } from '../physics/rapier.ts';

export type Body = InstanceType<typeof RAPIER.RigidBody>;

const scratchV = { x: 0, y: 0, z: 0 };
const scratchQ = { x: 0, y: 0, z: 0, w: 1 };
const readV = new RAPIER.Vector3(0, 0, 0);
const readQ = new RAPIER.Quaternion(0, 0, 0, 1);

/** Puts the body's centre at (x, y, 0), rotated by `angleRad` about +z. */
export function setPlanarPose(body: Body, x: number, y: number, angleRad: number): void {
  scratchV.x = x;
  scratchV.y = y;
  scratchV.z = 0;
  body.setTranslation(scratchV, true);
  scratchQ.x = 0;
  scratchQ.y = 0;
  scratchQ.z = Math.sin(angleRad / 2);
  scratchQ.w = Math.cos(angleRad / 2);
  body.setRotation(scratchQ, true);
}

/** Sets the body's centre velocity (vx, vy, 0) and angular velocity ω about +z. */
export function setPlanarVelocity(body: Body, vx: number, vy: number, angularVelocity: number): void {
  scratchV.x = vx;
  scratchV.y = vy;
  scratchV.z = 0;
  body.setLinvel(scratchV, true);
  scratchV.x = 0;
  scratchV.y = 0;
  scratchV.z = angularVelocity;
  body.setAngvel(scratchV, true);
}

/** Rotation angle about +z of a body turned only about z, in (−2π, 2π]. */
export function planarAngle(body: Body): number {
  const q = body.rotation(readQ);
  return 2 * Math.atan2(q.z, q.w);
}

/** Angular velocity about +z. */
export function planarAngularVelocity(body: Body): number {
  return body.angvel(readV).z;
}

/** Writes px, py, pz, qx, qy, qz, qw of `body` at slot `index` of a frame's transforms. */
export function writeTransform(out: Float32Array, index: number, body: Body): void {
  const o = index * 7;
  const p = body.translation(readV);
  out[o] = p.x;
  out[o + 1] = p.y;
  out[o + 2] = p.z;
  const r = body.rotation(readQ);
  out[o + 3] = r.x;
  out[o + 4] = r.y;
  out[o + 5] = r.z;
  out[o + 6] = r.w;
}

/** Identity transform at slot `index` (a fixed body at the origin). */
export function writeIdentity(out: Float32Array, index: number): void {
  out.fill(0, index * 7, index * 7 + 6);
  out[index * 7 + 6] = 1;
}

/** Angle wrapped to [−π, π). */
export function wrapAngle(angleRad: number): number {
  return angleRad - 2 * Math.PI * Math.floor((angleRad + Math.PI) / (2 * Math.PI));
}
