/**
 * What the viewer draws. A scene lists bodies once (shape, size, colour); each tick then carries a
 * flat Float32Array of position + quaternion (x, y, z, qx, qy, qz, qw) per body, in metres, y up.
 * Physics envs, kinematic motion clips and generated motions all produce this same type.
 */

export type BodyShape = 'box' | 'sphere' | 'capsule' | 'cylinder';

export interface BodySpec {
  name: string;
  shape: BodyShape;
  /**
   * box: half extents [x, y, z]; sphere: [radius]; capsule: [radius, half length of the
   * cylinder part along local y]; cylinder: [radius, half height along local y].
   */
  size: number[];
  /** CSS hex colour, '#rrggbb'. */
  color: string;
}

export interface SceneSpec {
  /** Bodies in the order their transforms appear in each frame. */
  bodies: BodySpec[];
  /** Optional skeleton topology: parent index per body (-1 for a root). */
  parents?: number[];
}

/** Floats per body in `RenderFrame.transforms`. */
export const TRANSFORM_STRIDE = 7;

export interface RenderFrame {
  /** The same object on every call for one env, so consumers can detect a new scene by identity. */
  scene: SceneSpec;
  /** TRANSFORM_STRIDE floats per body: px, py, pz, qx, qy, qz, qw. */
  transforms: Float32Array;
  /** Simulated time in seconds since the episode start. */
  time: number;
}
