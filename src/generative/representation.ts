/**
 * The learning representation of motion: one row of numbers per frame that is translation- and
 * heading-invariant and free of quaternion double cover, and its exact inverse.
 *
 * Per frame t (humanoid3d: 62 numbers, 64 with foot contacts):
 *
 * | offset | value                                                                               |
 * |--------|-------------------------------------------------------------------------------------|
 * | 0, 1   | root velocity on the ground, in the heading frame of frame t − 1, m/s (forward, right)|
 * | 2      | heading rate θ_t − θ_{t−1}, rad/s                                                     |
 * | 3      | root height, m                                                                        |
 * | 4..9   | root rotation relative to the heading, R_y(−θ_t)·R_t, as 6-D (two matrix columns)     |
 * | …      | per non-root joint in skeleton order: spherical → 6-D of the local rotation (6),      |
 * |        | revolute → angle about local z, rad (1), fixed → nothing                              |
 * | last 2 | optional foot contacts (1 when the foot is within 5 cm of the ground and slower than  |
 * |        | 0.5 m/s on it), informative only: the inverse ignores them                            |
 *
 * 6-D rotations (Zhou et al. 2019, "On the continuity of rotation representations") are the first
 * two columns of the rotation matrix; the inverse orthonormalises them (Gram–Schmidt), so any six
 * numbers decode to a rotation.
 *
 * The heading θ. DeepMimic takes it from the root's forward (x) axis projected on the ground,
 * which is undefined when that axis points up or down (lying face down, crawling) and flips by π
 * when the body is upside down (mid-backflip). Here θ is predicted from the root's rotation about
 * world y between frames (Δyaw_t) and pulled toward the measured heading ψ_t as far as ψ is
 * trusted, at most 6 rad/s:
 *
 *   θ_t = θ_{t−1} + Δyaw_t + w_t · clamp(wrap(ψ_t − θ_{t−1} − Δyaw_t), ±6 rad/s · dt),
 *   w_t = clamp((|fwd_t on the ground| − 0.3) / 0.3, 0, 1) · clamp(up_t.y / 0.3, 0, 1)
 *
 * Upright, Δyaw ≈ Δψ and θ tracks ψ exactly; through flips, crawls and get-ups θ turns with the
 * body and heading rates stay bounded, so no clip has to be skipped. Whatever θ is, the
 * inverse is exact, because the root rotation is stored relative to it.
 *
 * Frame 0 of a clip has no predecessor: its velocity and heading rate repeat frame 1's. The
 * inverse ignores frame 0's velocity and heading rate and starts at the origin facing +x, so a
 * window decodes on its own and consecutive windows chain by concatenating rows.
 */
import { UsageError } from '../core/errors.ts';
import { quatConjugate, quatMultiply, quatRotate, quatToExpMap } from '../core/math.ts';
import { MotionClip, revoluteAngle, uniformTimes } from '../motion/clip.ts';
import { Kinematics } from '../motion/kinematics.ts';
import { locateTime, poseAt, type TimeLocation } from '../motion/sample.ts';
import { quatFromMatrix, quatToMatrix } from '../motion/rotation.ts';
import type { Skeleton } from '../motion/skeleton.ts';

export interface FeatureLayout {
  /** Numbers per frame. */
  size: number;
  /** Frames per second the representation assumes (velocities are per second). */
  fps: number;
  /** Name of the skeleton and its joints with types, checked when a clip is encoded. */
  skeletonName: string;
  jointSignature: string[];
  /** Per non-root joint with a degree of freedom: where its numbers start and how many. */
  joints: { joint: number; name: string; kind: 'spherical' | 'revolute'; offset: number }[];
  /** Offset of the two foot-contact numbers, or −1. */
  contactOffset: number;
  /** Foot joints used for contacts and metrics (the ankles). */
  feet: number[];
  /** A short name per number, for printing. */
  names: string[];
}

export const ROOT_VELOCITY = 0;
export const HEADING_RATE = 2;
export const ROOT_HEIGHT = 3;
export const ROOT_ROTATION = 4;

/** Foot contact rule (also used by the metrics): lowest foot point below this height … */
export const CONTACT_HEIGHT_M = 0.05;
/** … and moving slower than this on the ground. */
export const CONTACT_SPEED_MPS = 0.5;

/** `name:type` per joint: two skeletons with the same signature encode the same way. */
export function jointSignature(skeleton: Skeleton): string[] {
  return skeleton.joints.map((j) => `${j.name}:${j.type}`);
}

export function featureLayout(skeleton: Skeleton, options: { contacts?: boolean; fps?: number; feet?: [string, string] } = {}): FeatureLayout {
  const names = ['root_vel_forward', 'root_vel_right', 'heading_rate', 'root_height'];
  for (let k = 0; k < 6; k++) names.push(`root_rot6d_${k}`);
  const joints: FeatureLayout['joints'] = [];
  skeleton.joints.forEach((j, i) => {
    if (i === 0) return;
    if (j.type === 'spherical') {
      joints.push({ joint: i, name: j.name, kind: 'spherical', offset: names.length });
      for (let k = 0; k < 6; k++) names.push(`${j.name}_rot6d_${k}`);
    } else if (j.type === 'revolute') {
      joints.push({ joint: i, name: j.name, kind: 'revolute', offset: names.length });
      names.push(`${j.name}_angle`);
    }
  });
  const feetNames = options.feet ?? ['right_ankle', 'left_ankle'];
  const feet = feetNames.map((n) => skeleton.jointIndex(n));
  let contactOffset = -1;
  if (options.contacts) {
    contactOffset = names.length;
    names.push(`${feetNames[0]}_contact`, `${feetNames[1]}_contact`);
  }
  return { size: names.length, fps: options.fps ?? 30, skeletonName: skeleton.name, jointSignature: jointSignature(skeleton), joints, contactOffset, feet, names };
}

/** Throws a UsageError when `skeleton` is not the one the layout was made for. */
export function checkSkeleton(layout: FeatureLayout, skeleton: Skeleton, what: string): void {
  const sig = jointSignature(skeleton);
  if (sig.length !== layout.jointSignature.length || sig.some((s, i) => s !== layout.jointSignature[i])) {
    const firstDiff = sig.findIndex((s, i) => s !== layout.jointSignature[i]);
    throw new UsageError(
      `${what}: skeleton '${skeleton.name}' (${skeleton.numJoints} joints) is not the model's skeleton '${layout.skeletonName}' (${layout.jointSignature.length} joints)` +
        (firstDiff >= 0 ? `; joint ${firstDiff} is ${sig[firstDiff] ?? 'missing'}, expected ${layout.jointSignature[firstDiff] ?? 'none'}` : '') +
        `. Retarget it onto ${layout.skeletonName} first (a CMU BVH clip: gymnast motion convert in.bvh out.txt --retarget ${layout.skeletonName}).`,
    );
  }
}

// ---------------------------------------------------------------- 6-D rotations

const m9 = new Float64Array(9);

/** Writes the 6-D form (first two matrix columns) of unit quaternion q at out[o..o+5]. */
export function quatTo6d(q: ArrayLike<number>, out: Float32Array | Float64Array, o: number): void {
  quatToMatrix(m9, q);
  out[o] = m9[0]!; out[o + 1] = m9[3]!; out[o + 2] = m9[6]!;
  out[o + 3] = m9[1]!; out[o + 4] = m9[4]!; out[o + 5] = m9[7]!;
}

/** Unit quaternion from six numbers at a[o..o+5] (Gram–Schmidt on the two columns). */
export function quatFrom6d(a: ArrayLike<number>, o: number, out: Float64Array | number[]): void {
  let ax = a[o]!, ay = a[o + 1]!, az = a[o + 2]!;
  let n = Math.hypot(ax, ay, az);
  if (!(n > 1e-12)) { ax = 1; ay = 0; az = 0; n = 1; }
  ax /= n; ay /= n; az /= n;
  let bx = a[o + 3]!, by = a[o + 4]!, bz = a[o + 5]!;
  const d = ax * bx + ay * by + az * bz;
  bx -= d * ax; by -= d * ay; bz -= d * az;
  n = Math.hypot(bx, by, bz);
  if (!(n > 1e-12)) {
    // Degenerate second column: any unit vector perpendicular to the first.
    if (Math.abs(ax) < 0.9) { bx = 0; by = -az; bz = ay; } else { bx = az; by = 0; bz = -ax; }
    n = Math.hypot(bx, by, bz);
  }
  bx /= n; by /= n; bz /= n;
  const cx = ay * bz - az * by, cy = az * bx - ax * bz, cz = ax * by - ay * bx;
  m9[0] = ax; m9[1] = bx; m9[2] = cx;
  m9[3] = ay; m9[4] = by; m9[5] = cy;
  m9[6] = az; m9[7] = bz; m9[8] = cz;
  quatFromMatrix(out, m9);
}

// ---------------------------------------------------------------- heading

/** Wraps an angle to (−π, π]. */
export function wrapAngle(a: number): number {
  a = a % (2 * Math.PI);
  if (a > Math.PI) a -= 2 * Math.PI;
  else if (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}

/**
 * Measured heading ψ of a root rotation (angle about +y of its forward axis), how far that is to
 * be trusted (1: upright with the forward axis level; 0: forward axis vertical or the body upside
 * down, where the projection flips by π), and the up axis' height.
 */
export function measuredHeading(q: ArrayLike<number>): { headingRad: number; trust: number } {
  const x = q[0]!, y = q[1]!, z = q[2]!, w = q[3]!;
  // Forward axis R·(1, 0, 0): the first matrix column; up axis R·(0, 1, 0): its y is m11.
  const fx = 1 - 2 * (y * y + z * z);
  const fz = 2 * (x * z - y * w);
  const upY = 1 - 2 * (x * x + z * z);
  const level = Math.min(1, Math.max(0, (Math.hypot(fx, fz) - 0.3) / 0.3));
  const upright = Math.min(1, Math.max(0, upY / 0.3));
  return { headingRad: Math.atan2(-fz, fx), trust: level * upright };
}

function yawQuat(out: Float64Array, angleRad: number): Float64Array {
  out[0] = 0; out[1] = Math.sin(angleRad / 2); out[2] = 0; out[3] = Math.cos(angleRad / 2);
  return out;
}

/** Largest pull of θ toward the measured heading, rad/s (see the header). */
const HEADING_PULL_RAD_PER_S = 6;

/** Heading θ per frame of a clip, by the rule in the header. */
export function trackHeading(clip: MotionClip): Float64Array {
  const n = clip.numFrames;
  const out = new Float64Array(n);
  const q0 = new Float64Array(4), q1 = new Float64Array(4), dq = new Float64Array(4), e = new Float64Array(3);
  const rot = (f: number, dst: Float64Array) => {
    const i = clip.rotationIndex(f, 0);
    for (let k = 0; k < 4; k++) dst[k] = clip.frames[i + k]!;
  };
  rot(0, q0);
  out[0] = measuredHeading(q0).headingRad;
  for (let f = 1; f < n; f++) {
    rot(f, q1);
    const { headingRad, trust } = measuredHeading(q1);
    // Predict with the world-frame rotation from frame f−1 to f (its component about +y) …
    quatMultiply(dq, q1, quatConjugate(dq, q0));
    quatToExpMap(e, dq);
    const predicted = out[f - 1]! + e[1]!;
    // … and correct toward the measured heading as far as it is trusted, at a bounded rate.
    const pull = HEADING_PULL_RAD_PER_S * Math.max(1e-3, clip.frameTimes[f]! - clip.frameTimes[f - 1]!);
    out[f] = predicted + trust * Math.max(-pull, Math.min(pull, wrapAngle(headingRad - predicted)));
    q0.set(q1);
  }
  return out;
}

// ---------------------------------------------------------------- clip → features

export interface EncodedClip {
  /** numFrames × layout.size. */
  features: Float32Array;
  numFrames: number;
  /** Heading θ per frame (for tests and for placing a decoded motion back in the world). */
  headingRad: Float64Array;
}

/**
 * Samples a clip at exactly `fps` (frame f at f / fps seconds, as many frames as fit in its
 * duration), slerping rotations and interpolating the root linearly. `motion/resample.ts` keeps
 * the duration instead, which moves the rate slightly off `fps`; the representation's
 * velocities need the exact rate.
 */
export function sampleAtRate(clip: MotionClip, fps: number): MotionClip {
  const n = Math.max(2, Math.floor(clip.duration * fps + 1e-6) + 1);
  const stride = clip.frameStride;
  const frames = new Float64Array(n * stride);
  const loc: TimeLocation = { index: 0, blend: 0, cycle: 0 };
  for (let f = 0; f < n; f++) {
    locateTime(clip, f / fps, loc, false);
    poseAt(clip, loc, frames.subarray(f * stride, (f + 1) * stride));
  }
  return new MotionClip({ skeleton: clip.skeleton, frames, frameTimes: uniformTimes(n, 1 / fps), loop: 'none', name: clip.name });
}

/**
 * Encodes a clip sampled at layout.fps (`sampleAtRate` first otherwise). Throws when the clip's
 * skeleton is not the layout's or its frame rate is not the layout's.
 */
export function encodeClip(clip: MotionClip, layout: FeatureLayout): EncodedClip {
  checkSkeleton(layout, clip.skeleton, `motion '${clip.name}'`);
  const n = clip.numFrames;
  if (n < 2) throw new UsageError(`motion '${clip.name}': needs at least 2 frames to encode, has ${n}`);
  if (!clip.isUniform || Math.abs(clip.fps - layout.fps) > 1e-6 * layout.fps) {
    throw new UsageError(`motion '${clip.name}': frames at ${clip.fps.toFixed(3)} fps${clip.isUniform ? '' : ' (uneven)'}; the model works at ${layout.fps} fps: sample it at that rate first (sampleAtRate)`);
  }
  const dt = 1 / layout.fps;
  const D = layout.size;
  const out = new Float32Array(n * D);
  const heading = trackHeading(clip);
  const q = new Float64Array(4), yaw = new Float64Array(4), rel = new Float64Array(4);
  const { frames } = clip;
  for (let f = 0; f < n; f++) {
    const o = f * D;
    const p = clip.rootPositionIndex(f);
    if (f > 0) {
      const dx = frames[p]! - frames[p - clip.frameStride]!;
      const dz = frames[p + 2]! - frames[p + 2 - clip.frameStride]!;
      const th = heading[f - 1]!;
      // R_y(−θ)·(dx, dz): forward = cos θ dx − sin θ dz, right = sin θ dx + cos θ dz.
      const c = Math.cos(th), s = Math.sin(th);
      out[o + ROOT_VELOCITY] = (c * dx - s * dz) / dt;
      out[o + ROOT_VELOCITY + 1] = (s * dx + c * dz) / dt;
      out[o + HEADING_RATE] = (heading[f]! - heading[f - 1]!) / dt;
    }
    out[o + ROOT_HEIGHT] = frames[p + 1]!;
    const r = clip.rotationIndex(f, 0);
    for (let k = 0; k < 4; k++) q[k] = frames[r + k]!;
    quatMultiply(rel, yawQuat(yaw, -heading[f]!), q);
    quatTo6d(rel, out, o + ROOT_ROTATION);
    for (const j of layout.joints) {
      const i = clip.rotationIndex(f, j.joint);
      if (j.kind === 'spherical') {
        for (let k = 0; k < 4; k++) q[k] = frames[i + k]!;
        quatTo6d(q, out, o + j.offset);
      } else {
        out[o + j.offset] = revoluteAngle(frames[i + 2]!, frames[i + 3]!);
      }
    }
  }
  // Frame 0 has no predecessor: repeat frame 1's velocity and heading rate.
  for (let k = 0; k < 3; k++) out[k] = out[D + k]!;
  if (layout.contactOffset >= 0) writeContacts(clip, layout, out);
  return { features: out, numFrames: n, headingRad: heading };
}

/** Foot contact flags from forward kinematics (lowest point of each foot and its ground speed). */
function writeContacts(clip: MotionClip, layout: FeatureLayout, out: Float32Array): void {
  const { heights, speeds } = footTracks(clip, layout.feet);
  const D = layout.size;
  for (let f = 0; f < clip.numFrames; f++) {
    for (let k = 0; k < 2; k++) {
      out[f * D + layout.contactOffset + k] = heights[2 * f + k]! < CONTACT_HEIGHT_M && speeds[2 * f + k]! < CONTACT_SPEED_MPS ? 1 : 0;
    }
  }
}

/**
 * Per frame and foot: the height of the foot's lowest point (the lowest corner of its box body,
 * or the joint without one), metres, and the horizontal speed of that point, m/s: the same corner
 * followed from the previous frame, so a foot rolling over its toes counts as still (backward
 * difference; frame 0 repeats frame 1). Layout [frame][foot].
 */
export function footTracks(clip: MotionClip, feet: number[]): { heights: Float64Array; speeds: Float64Array } {
  const s = clip.skeleton;
  const k = new Kinematics(clip);
  const n = clip.numFrames;
  const nf = feet.length;
  const heights = new Float64Array(n * nf);
  const speeds = new Float64Array(n * nf);
  const bodies = new Float64Array(7 * s.numJoints);
  // Corner positions (8 per foot, or the joint alone) of the previous and the current frame.
  const prev = new Float64Array(nf * 8 * 3), cur = new Float64Array(nf * 8 * 3);
  const lowestCorner = new Int32Array(nf);
  const corner = [0, 0, 0], q = [0, 0, 0, 1];
  for (let f = 0; f < n; f++) {
    k.atFrame(f);
    k.bodies(bodies);
    feet.forEach((j, fi) => {
      const b = s.joints[j]!.body;
      let best = 0, low = Infinity;
      for (let c = 0; c < 8; c++) {
        const o = (fi * 8 + c) * 3;
        if (b && b.shape === 'box') {
          for (let i = 0; i < 4; i++) q[i] = bodies[7 * j + 3 + i]!;
          const half = [((c & 1) ? 0.5 : -0.5) * b.params[0], ((c & 2) ? 0.5 : -0.5) * b.params[1], ((c & 4) ? 0.5 : -0.5) * b.params[2]];
          quatRotate(corner, q, half);
          for (let i = 0; i < 3; i++) cur[o + i] = bodies[7 * j + i]! + corner[i]!;
        } else {
          for (let i = 0; i < 3; i++) cur[o + i] = k.positions[3 * j + i]!;
        }
        if (cur[o + 1]! < low) { low = cur[o + 1]!; best = c; }
      }
      heights[f * nf + fi] = low;
      lowestCorner[fi] = best;
      if (f > 0) {
        const o = (fi * 8 + best) * 3;
        speeds[f * nf + fi] = Math.hypot(cur[o]! - prev[o]!, cur[o + 2]! - prev[o + 2]!) * layoutRate(clip, f);
      }
    });
    prev.set(cur);
  }
  if (n > 1) for (let fi = 0; fi < nf; fi++) speeds[fi] = speeds[nf + fi]!;
  return { heights, speeds };
}

function layoutRate(clip: MotionClip, f: number): number {
  const dt = clip.frameTimes[f]! - clip.frameTimes[f - 1]!;
  return dt > 0 ? 1 / dt : 30;
}

// ---------------------------------------------------------------- features → clip

/**
 * Decodes `numFrames` rows of features into a clip at layout.fps, starting at the origin facing
 * +x (frame 0's velocity and heading rate are ignored). Any numbers decode: 6-D columns are
 * orthonormalised, angles taken as they are. Non-finite input throws.
 */
export function decodeFeatures(features: ArrayLike<number>, numFrames: number, layout: FeatureLayout, skeleton: Skeleton, name = 'generated'): MotionClip {
  checkSkeleton(layout, skeleton, `decoding into '${skeleton.name}'`);
  const D = layout.size;
  if (features.length < numFrames * D) throw new UsageError(`decodeFeatures: ${features.length} numbers for ${numFrames} frames of ${D}`);
  const clip = MotionClip.empty(skeleton, numFrames, layout.fps, 'none', name);
  clip.frameTimes.set(uniformTimes(numFrames, 1 / layout.fps));
  const dt = 1 / layout.fps;
  const yaw = new Float64Array(4), rel = new Float64Array(4), q = new Float64Array(4);
  let theta = 0, x = 0, z = 0;
  for (let f = 0; f < numFrames; f++) {
    const o = f * D;
    for (let k = 0; k < D; k++) {
      if (!Number.isFinite(features[o + k]!)) throw new UsageError(`decodeFeatures: frame ${f}, ${layout.names[k]} is ${features[o + k]}`);
    }
    if (f > 0) {
      const c = Math.cos(theta), s = Math.sin(theta);
      const vf = features[o + ROOT_VELOCITY]! * dt, vr = features[o + ROOT_VELOCITY + 1]! * dt;
      // R_y(θ)·(forward, right): the inverse of the encoder's R_y(−θ).
      x += c * vf + s * vr;
      z += -s * vf + c * vr;
      theta += features[o + HEADING_RATE]! * dt;
    }
    const p = clip.rootPositionIndex(f);
    clip.frames[p] = x;
    clip.frames[p + 1] = features[o + ROOT_HEIGHT]!;
    clip.frames[p + 2] = z;
    quatFrom6d(features, o + ROOT_ROTATION, rel);
    quatMultiply(q, yawQuat(yaw, theta), rel);
    clip.frames.set(q, clip.rotationIndex(f, 0));
    for (const j of layout.joints) {
      if (j.kind === 'spherical') {
        quatFrom6d(features, o + j.offset, q);
        clip.frames.set(q, clip.rotationIndex(f, j.joint));
      } else {
        clip.setJointAngle(f, j.joint, features[o + j.offset]!);
      }
    }
  }
  return clip;
}
