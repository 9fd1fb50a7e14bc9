/**
 * Test helpers for the imitation envs: rigid motions of a whole character state (every world
 * quantity turned and moved, local joint rotations and relative velocities untouched).
 */
import { CharacterState, quatMulAt, rotateAt } from '../../../src/envs/character/character-state.ts';

/**
 * `state` turned by the unit quaternion `q` (x, y, z, w) about the world origin, then moved by
 * `t`: what the same character looks like elsewhere.
 */
export function transformState(state: CharacterState, q: readonly number[], t: readonly number[]): CharacterState {
  const out = new CharacterState(state.skeleton);
  out.copyFrom(state);
  const n = state.numJoints;
  const v = new Float64Array(3);
  const point = (src: Float64Array, dst: Float64Array, o: number, move: boolean) => {
    rotateAt(v, 0, q, 0, src[o]!, src[o + 1]!, src[o + 2]!);
    for (let k = 0; k < 3; k++) dst[o + k] = v[k]! + (move ? t[k]! : 0);
  };
  point(state.pose, out.pose, 0, true);
  quatMulAt(out.pose, 3, q, 0, state.pose, 3);
  point(state.jointVel, out.jointVel, 0, false);
  point(state.jointVel, out.jointVel, 3, false);
  for (let j = 0; j < n; j++) {
    point(state.jointPos, out.jointPos, 3 * j, true);
    point(state.bodyPos, out.bodyPos, 3 * j, true);
    point(state.bodyLinVel, out.bodyLinVel, 3 * j, false);
    point(state.bodyAngVel, out.bodyAngVel, 3 * j, false);
    quatMulAt(out.jointRot, 4 * j, q, 0, state.jointRot, 4 * j);
    quatMulAt(out.bodyRot, 4 * j, q, 0, state.bodyRot, 4 * j);
  }
  point(state.com, out.com, 0, true);
  point(state.comVel, out.comVel, 0, false);
  return out;
}

/** Rotation about +y by `angleRad`. */
export function yaw(angleRad: number): number[] {
  return [0, Math.sin(angleRad / 2), 0, Math.cos(angleRad / 2)];
}

/** Rotation about `axis` (unit) by `angleRad`. */
export function axisAngle(axis: readonly number[], angleRad: number): number[] {
  const s = Math.sin(angleRad / 2);
  return [axis[0]! * s, axis[1]! * s, axis[2]! * s, Math.cos(angleRad / 2)];
}

/** The same state with every velocity zero. */
export function atRest(state: CharacterState): CharacterState {
  const out = new CharacterState(state.skeleton);
  out.copyFrom(state);
  out.jointVel.fill(0);
  out.bodyLinVel.fill(0);
  out.bodyAngVel.fill(0);
  out.comVel.fill(0);
  return out;
}
