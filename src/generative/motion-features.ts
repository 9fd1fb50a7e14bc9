/**
 * Hand-made features and physical checks of a motion clip, for the metrics (no pretrained feature
 * extractor exists for this skeleton; docs/generative.md).
 *
 * Features per clip (for Fréchet distance, KID, diversity):
 * - kinetic (Bailando's "kinetic features", Siyao et al. 2022): per joint, the mean horizontal
 *   and vertical kinetic energy per unit mass (½v², world frame) and the mean acceleration
 *   magnitude: 3 per joint;
 * - pose: per joint, the mean and standard deviation over frames of its position relative to the
 *   root in the heading frame, plus the root height's mean and std: 6 per joint + 2.
 *
 * Physical checks per clip (frames at 30 fps, y up, floor at y = 0):
 * - foot skating: share of frames where a foot's lowest point is below 5 cm in this frame and the
 *   last while its horizontal speed, and its 5-frame average, exceed 0.5 m/s (docs/generative.md;
 *   the humanoid's box feet clear the ground by only 1–3 cm in swing, so swing frames count too
 *   and real walking scores about 0.3 here: read it against real data);
 * - foot sliding: mean horizontal speed of a foot's lowest point over the frames where that point
 *   is below 1 cm in this frame and the last (a planted foot), m/s (real walking here: 0.03–0.17);
 * - ground penetration: mean depth of the body's lowest point below the floor, m;
 * - floating: share of frames whose lowest body point is above 5 cm (jumps and flips float too:
 *   read it next to real data);
 * - jitter: mean jerk and mean acceleration over joints and frames, m/s³ and m/s²;
 * - joint limits: share of frames with a joint outside humanoid3d's limits (revolute: its angle;
 *   spherical: each exponential-map component against LimLow/LimHigh, which DeepMimic stores but
 *   does not enforce);
 * - stillness: the longest run of frames with the root slower than 5 cm/s and the joints turning
 *   slower than 0.2 rad/s on average (a frozen motion).
 */
import { quatToExpMap } from '../core/math.ts';
import type { MotionClip } from '../motion/clip.ts';
import { Kinematics } from '../motion/kinematics.ts';
import { CONTACT_HEIGHT_M, CONTACT_SPEED_MPS, footTracks, trackHeading } from './representation.ts';

/** A foot whose lowest point is this low in two consecutive frames is planted (foot sliding). */
export const PLANTED_HEIGHT_M = 0.01;

export interface ClipFeatures {
  kinetic: Float64Array;
  pose: Float64Array;
}

export interface ClipPhysics {
  frames: number;
  footSkating: number;
  footSlidingMps: number;
  penetrationM: number;
  floating: number;
  jerk: number;
  acceleration: number;
  jointLimitViolations: number;
  longestStillFrames: number;
  finite: boolean;
}

/** World joint positions per frame [frames × joints × 3] and the lowest body point per frame. */
export function clipKinematics(clip: MotionClip): { positions: Float64Array; lowest: Float64Array } {
  const s = clip.skeleton, n = clip.numFrames, J = s.numJoints;
  const k = new Kinematics(clip);
  const positions = new Float64Array(n * J * 3);
  const lowest = new Float64Array(n);
  const bodies = new Float64Array(7 * J);
  for (let f = 0; f < n; f++) {
    k.atFrame(f);
    positions.set(k.positions, f * J * 3);
    k.bodies(bodies);
    let low = Infinity;
    for (let j = 0; j < J; j++) {
      const b = s.joints[j]!.body;
      const cy = bodies[7 * j + 1]!;
      if (!b) { low = Math.min(low, k.positions[3 * j + 1]!); continue; }
      const qx = bodies[7 * j + 3]!, qy = bodies[7 * j + 4]!, qz = bodies[7 * j + 5]!, qw = bodies[7 * j + 6]!;
      // y row of the body's rotation matrix.
      const r0 = 2 * (qx * qy + qz * qw), r1 = 1 - 2 * (qx * qx + qz * qz), r2 = 2 * (qy * qz - qx * qw);
      let depth: number;
      if (b.shape === 'box') depth = 0.5 * (Math.abs(r0) * b.params[0] + Math.abs(r1) * b.params[1] + Math.abs(r2) * b.params[2]);
      else if (b.shape === 'capsule') depth = 0.5 * b.params[0] + 0.5 * b.params[1] * Math.abs(r1);
      else depth = 0.5 * b.params[0];
      low = Math.min(low, cy - depth);
    }
    lowest[f] = low;
  }
  return { positions, lowest };
}

export function clipFeatures(clip: MotionClip, kin = clipKinematics(clip)): ClipFeatures {
  const n = clip.numFrames, J = clip.skeleton.numJoints, fps = clip.fps || 30;
  const P = kin.positions;
  const kinetic = new Float64Array(3 * J);
  for (let j = 0; j < J; j++) {
    let h = 0, v = 0, a = 0, na = 0;
    for (let f = 0; f + 1 < n; f++) {
      const o = (f * J + j) * 3, o1 = ((f + 1) * J + j) * 3;
      const vx = (P[o1]! - P[o]!) * fps, vy = (P[o1 + 1]! - P[o + 1]!) * fps, vz = (P[o1 + 2]! - P[o + 2]!) * fps;
      h += 0.5 * (vx * vx + vz * vz);
      v += 0.5 * vy * vy;
      if (f + 2 < n) {
        const o2 = ((f + 2) * J + j) * 3;
        const ax = P[o2]! - 2 * P[o1]! + P[o]!, ay = P[o2 + 1]! - 2 * P[o1 + 1]! + P[o + 1]!, az = P[o2 + 2]! - 2 * P[o1 + 2]! + P[o + 2]!;
        a += Math.hypot(ax, ay, az) * fps * fps;
        na++;
      }
    }
    kinetic[3 * j] = h / Math.max(1, n - 1);
    kinetic[3 * j + 1] = v / Math.max(1, n - 1);
    kinetic[3 * j + 2] = a / Math.max(1, na);
  }
  const heading = trackHeading(clip);
  const pose = new Float64Array(6 * J + 2);
  const sum = new Float64Array(3 * J), sq = new Float64Array(3 * J);
  let hSum = 0, hSq = 0;
  for (let f = 0; f < n; f++) {
    const c = Math.cos(heading[f]!), s = Math.sin(heading[f]!);
    const r = f * J * 3;
    const rootY = P[r + 1]!;
    hSum += rootY; hSq += rootY * rootY;
    for (let j = 0; j < J; j++) {
      const o = r + 3 * j;
      const dx = P[o]! - P[r]!, dy = P[o + 1]! - rootY, dz = P[o + 2]! - P[r + 2]!;
      // Heading frame: forward, up, right (as the representation's root velocity).
      const local = [c * dx - s * dz, dy, s * dx + c * dz];
      for (let k = 0; k < 3; k++) { sum[3 * j + k] += local[k]!; sq[3 * j + k] += local[k]! ** 2; }
    }
  }
  for (let i = 0; i < 3 * J; i++) {
    const m = sum[i]! / n;
    pose[i] = m;
    pose[3 * J + i] = Math.sqrt(Math.max(0, sq[i]! / n - m * m));
  }
  pose[6 * J] = hSum / n;
  pose[6 * J + 1] = Math.sqrt(Math.max(0, hSq / n - (hSum / n) ** 2));
  return { kinetic, pose };
}

export function clipPhysics(clip: MotionClip, feet: number[], kin = clipKinematics(clip)): ClipPhysics {
  const n = clip.numFrames, J = clip.skeleton.numJoints, fps = clip.fps || 30;
  const finite = clip.frames.every(Number.isFinite);
  if (!finite) return { frames: n, footSkating: NaN, footSlidingMps: NaN, penetrationM: NaN, floating: NaN, jerk: NaN, acceleration: NaN, jointLimitViolations: NaN, longestStillFrames: 0, finite };
  const { heights, speeds } = footTracks(clip, feet);
  const nf = feet.length;
  let skating = 0, slide = 0, planted = 0;
  for (let f = 1; f < n; f++) {
    for (let k = 0; k < nf; k++) {
      if (heights[f * nf + k]! < PLANTED_HEIGHT_M && heights[(f - 1) * nf + k]! < PLANTED_HEIGHT_M) { slide += speeds[f * nf + k]!; planted++; }
    }
    let skate = false;
    for (let k = 0; k < nf && !skate; k++) {
      const low = heights[f * nf + k]! < CONTACT_HEIGHT_M && heights[(f - 1) * nf + k]! < CONTACT_HEIGHT_M;
      if (!low || !(speeds[f * nf + k]! > CONTACT_SPEED_MPS)) continue;
      let avg = 0, m = 0;
      for (let g = Math.max(0, f - 2); g <= Math.min(n - 1, f + 2); g++) { avg += speeds[g * nf + k]!; m++; }
      skate = avg / m > CONTACT_SPEED_MPS;
    }
    if (skate) skating++;
  }
  let pen = 0, floating = 0;
  for (let f = 0; f < n; f++) {
    pen += Math.max(0, -kin.lowest[f]!);
    if (kin.lowest[f]! > CONTACT_HEIGHT_M) floating++;
  }
  const P = kin.positions;
  let jerk = 0, acc = 0, nj = 0, na = 0;
  for (let j = 0; j < J; j++) {
    for (let f = 0; f + 2 < n; f++) {
      const o = (f * J + j) * 3, o1 = o + J * 3, o2 = o1 + J * 3;
      let a2 = 0, j2 = 0;
      for (let c = 0; c < 3; c++) {
        const a = P[o2 + c]! - 2 * P[o1 + c]! + P[o + c]!;
        a2 += a * a;
        if (f + 3 < n) {
          const o3 = o2 + J * 3;
          const jk = P[o3 + c]! - 3 * P[o2 + c]! + 3 * P[o1 + c]! - P[o + c]!;
          j2 += jk * jk;
        }
      }
      acc += Math.sqrt(a2) * fps * fps;
      na++;
      if (f + 3 < n) { jerk += Math.sqrt(j2) * fps * fps * fps; nj++; }
    }
  }
  return {
    frames: n,
    footSkating: skating / Math.max(1, n - 1),
    footSlidingMps: planted > 0 ? slide / planted : 0,
    penetrationM: pen / n,
    floating: floating / n,
    jerk: jerk / Math.max(1, nj),
    acceleration: acc / Math.max(1, na),
    jointLimitViolations: jointLimitShare(clip),
    longestStillFrames: longestStill(clip),
    finite,
  };
}

/** Share of frames with any joint outside its limits (0.01 rad of slack for rounding). */
export function jointLimitShare(clip: MotionClip): number {
  const joints = clip.skeleton.joints;
  const e = new Float64Array(3);
  let bad = 0;
  for (let f = 0; f < clip.numFrames; f++) {
    let out = false;
    for (let j = 1; j < joints.length && !out; j++) {
      const joint = joints[j]!;
      if (joint.type === 'revolute') {
        const a = clip.jointAngle(f, j);
        out = a < joint.limLow[0]! - 0.01 || a > joint.limHigh[0]! + 0.01;
      } else if (joint.type === 'spherical' && joint.limLow.length === 3) {
        const i = clip.rotationIndex(f, j);
        quatToExpMap(e, clip.frames.subarray(i, i + 4));
        for (let k = 0; k < 3 && !out; k++) out = e[k]! < joint.limLow[k]! - 0.01 || e[k]! > joint.limHigh[k]! + 0.01;
      }
    }
    if (out) bad++;
  }
  return bad / clip.numFrames;
}

/** Longest run of frames where the root moves < 5 cm/s and the joints turn < 0.2 rad/s on average. */
export function longestStill(clip: MotionClip): number {
  const n = clip.numFrames, J = clip.skeleton.numJoints, fps = clip.fps || 30;
  let run = 0, best = 0;
  for (let f = 1; f < n; f++) {
    const a = clip.rootPositionIndex(f - 1), b = clip.rootPositionIndex(f);
    const rootSpeed = Math.hypot(clip.frames[b]! - clip.frames[a]!, clip.frames[b + 1]! - clip.frames[a + 1]!, clip.frames[b + 2]! - clip.frames[a + 2]!) * fps;
    let turn = 0;
    for (let j = 0; j < J; j++) {
      const i0 = clip.rotationIndex(f - 1, j), i1 = clip.rotationIndex(f, j);
      let dot = 0;
      for (let k = 0; k < 4; k++) dot += clip.frames[i0 + k]! * clip.frames[i1 + k]!;
      turn += 2 * Math.acos(Math.min(1, Math.abs(dot))) * fps;
    }
    const still = rootSpeed < 0.05 && turn / J < 0.2;
    run = still ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
