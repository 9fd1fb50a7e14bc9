/**
 * Retargeting a CMU motion-capture clip (the 31-joint CMU BVH skeleton, in either of its two
 * common namings) onto a DeepMimic character (humanoid3d).
 *
 * The method works on world rotations, so the CMU's extra joints (lower back, spine, collars)
 * fold into the humanoid's fewer ones:
 *
 * 1. FK of the source gives each CMU joint's world rotation S_k and position P_k per frame.
 * 2. Axes: CMU faces +z with its left at +x, DeepMimic faces +x with its right at +z; both are y
 *    up. C = 90° about y maps one onto the other, and a source rotation becomes C·S_k·C⁻¹.
 * 3. Rest-pose alignment: for each humanoid joint j driven by CMU joint k, A_j is the rotation
 *    taking the humanoid's rest-pose bone direction(s) onto the CMU rest-pose ones (both skeletons
 *    at zero rotation). Limbs use one direction (the bone to the next joint); pelvis, chest and head
 *    add a sideways one (hip to hip, shoulder to shoulder), feet use up plus the toe's heading.
 *    The humanoid's world rotation is then T_j = (C·S_k·C⁻¹)·A_j.
 * 4. Knees and elbows are hinges about local z: the thigh (upper arm) is first twisted about its
 *    own axis so the shin (forearm) falls in the hinge plane, then the hinge angle is read off
 *    in that plane and clamped to the joint's limits.
 * 5. Local rotations are L_j = T_parent⁻¹·T_j; wrists stay fixed.
 * 6. Scale: humanoid leg length (hip–knee–ankle) over the CMU one; the humanoid root is placed at
 *    the midpoint of the CMU hip joints, scaled.
 * 7. The clip is turned about y so the pelvis faces +x in the first frame, moved so it starts over
 *    the origin, and raised or lowered so the soles of the feet (the humanoid's foot boxes) touch
 *    y = 0 when the feet are lowest (the 5th percentile over frames of the lower foot's lowest
 *    corner), which absorbs the differences in ankle height between the two skeletons.
 */
import { quatConjugate, quatFromAxisAngle, quatMultiply, quatNormalize, quatRotate } from '../core/math.ts';
import { UsageError } from '../core/errors.ts';
import { MotionClip } from './clip.ts';
import { Kinematics } from './kinematics.ts';
import { resample } from './resample.ts';
import { quatFromTwoDirections, quatFromUnitVectors } from './rotation.ts';
import type { Skeleton } from './skeleton.ts';

type V3 = [number, number, number];
type Q = [number, number, number, number];

/** CMU joint names in the two namings found in the data (fairmotion/cgspeed: `LeftUpLeg`…, cmu131: `LeftHip`…). */
const CMU_NAMINGS = [
  {
    hips: 'Hips', chest: 'Spine1', head: 'Head',
    upLeg: 'UpLeg', leg: 'Leg', foot: 'Foot', toe: 'ToeBase', arm: 'Arm', foreArm: 'ForeArm', hand: 'Hand',
  },
  {
    hips: 'Hips', chest: 'Chest2', head: 'Head',
    upLeg: 'Hip', leg: 'Knee', foot: 'Ankle', toe: 'Toe', arm: 'Shoulder', foreArm: 'Elbow', hand: 'Wrist',
  },
] as const;

/** Humanoid3d joint → the CMU role that drives it. */
interface Driver {
  target: string;
  source: string;
  kind: 'pelvis' | 'chest' | 'head' | 'limb' | 'hinge' | 'foot';
  /** For limbs and hinges: the CMU joint at the end of the bone. */
  tip?: string;
}

function driversFor(source: Skeleton): Driver[] {
  const n = CMU_NAMINGS.find((t) => source.indexOf(`Left${t.upLeg}`) >= 0 && source.indexOf(t.chest) >= 0) ?? CMU_NAMINGS[0];
  const out: Driver[] = [
    { target: 'root', source: n.hips, kind: 'pelvis' },
    { target: 'chest', source: n.chest, kind: 'chest' },
    { target: 'neck', source: n.head, kind: 'head' },
  ];
  for (const [side, S] of [['right', 'Right'], ['left', 'Left']] as const) {
    out.push(
      { target: `${side}_hip`, source: `${S}${n.upLeg}`, kind: 'limb', tip: `${S}${n.leg}` },
      { target: `${side}_knee`, source: `${S}${n.leg}`, kind: 'hinge', tip: `${S}${n.foot}` },
      { target: `${side}_ankle`, source: `${S}${n.foot}`, kind: 'foot', tip: `${S}${n.toe}` },
      { target: `${side}_shoulder`, source: `${S}${n.arm}`, kind: 'limb', tip: `${S}${n.foreArm}` },
      { target: `${side}_elbow`, source: `${S}${n.foreArm}`, kind: 'hinge', tip: `${S}${n.hand}` },
    );
  }
  const missing = [...new Set(out.flatMap((d) => [d.source, d.tip ?? d.source]))].filter((x) => source.indexOf(x) < 0);
  if (missing.length > 0) {
    throw new UsageError(`retarget: '${source.name}' is not a CMU skeleton: no joint${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected the 31-joint CMU BVH skeleton)`);
  }
  return out;
}

const sub = (a: ArrayLike<number>, b: ArrayLike<number>): V3 => [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
const len = (a: ArrayLike<number>) => Math.hypot(a[0]!, a[1]!, a[2]!);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
const cross = (a: ArrayLike<number>, b: ArrayLike<number>): V3 => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];

/** Rest-pose (all rotations zero, root at the origin) world positions of a skeleton's joints. */
function restPositions(skeleton: Skeleton): Float64Array {
  const k = new Kinematics(MotionClip.empty(skeleton, 1, 30));
  k.atFrame(0);
  return k.positions;
}

export interface RetargetOptions {
  /** Resample the result to this rate (the source's 120 fps is kept otherwise). */
  fps?: number;
  /** Name of the clip; default `<source>_<target>`. */
  name?: string;
}

export interface RetargetReport {
  /** Target leg length over source leg length (source units → metres). */
  scale: number;
  /** Height added after scaling so the feet meet the ground, metres. */
  groundOffset: number;
  /** Turn about +y applied so the first frame faces +x, radians. */
  yawRad: number;
  /** Maps a point of the source (its units and axes) to where it lands in the result, metres. */
  toTarget(p: ArrayLike<number>): [number, number, number];
}

/** Retargets a CMU BVH clip onto a DeepMimic humanoid (joint names as humanoid3d's). */
export function retargetCmu(source: MotionClip, target: Skeleton, options: RetargetOptions = {}): MotionClip & { retarget: RetargetReport } {
  const src = source.skeleton;
  const drivers = driversFor(src);
  for (const d of drivers) target.jointIndex(d.target); // every humanoid3d joint must exist
  const si = (name: string) => src.jointIndex(name);
  const ti = (name: string) => target.jointIndex(name);

  // Axis change CMU → DeepMimic: +90° about y ((0,0,1) → (1,0,0), (1,0,0) → (0,0,-1)).
  const C: Q = [0, Math.SQRT1_2, 0, Math.SQRT1_2];
  const Cinv: Q = [0, -Math.SQRT1_2, 0, Math.SQRT1_2];
  const conv = (v: ArrayLike<number>): V3 => quatRotate([0, 0, 0], C, v) as V3;

  // Scale from leg length (hip → knee → ankle), averaged over both legs of the source.
  const tRest = restPositions(target);
  const sRest = restPositions(src);
  const tp = (name: string) => tRest.subarray(3 * ti(name), 3 * ti(name) + 3);
  const sp = (name: string) => conv(sRest.subarray(3 * si(name), 3 * si(name) + 3));
  const legOf = (side: 'Right' | 'Left') => {
    const up = drivers.find((d) => d.target === `${side.toLowerCase()}_hip`)!;
    const knee = drivers.find((d) => d.target === `${side.toLowerCase()}_knee`)!;
    return len(sub(sp(up.tip!), sp(up.source))) + len(sub(sp(knee.tip!), sp(knee.source)));
  };
  const targetLeg = len(sub(tp('right_knee'), tp('right_hip'))) + len(sub(tp('right_ankle'), tp('right_knee')));
  const scale = targetLeg / ((legOf('Right') + legOf('Left')) / 2);

  // Rest-pose alignment A_j (target rest directions → source rest directions, in DeepMimic axes).
  const name = (t: string) => drivers.find((d) => d.target === t)!;
  const upLegR = name('right_hip').source, upLegL = name('left_hip').source;
  const armR = name('right_shoulder').source, armL = name('left_shoulder').source;
  const srcLateralHips = sub(sp(upLegR), sp(upLegL));
  const srcLateralShoulders = sub(sp(armR), sp(armL));
  const tgtLateralHips = sub(tp('right_hip'), tp('left_hip'));
  const tgtLateralShoulders = sub(tp('right_shoulder'), tp('left_shoulder'));
  const headEnd = src.children(si(name('neck').source))[0];
  const align = new Map<string, Q>();
  for (const d of drivers) {
    const q: Q = [0, 0, 0, 1];
    switch (d.kind) {
      case 'pelvis':
        quatFromTwoDirections(q, sub(tp('chest'), tp('root')), tgtLateralHips, sub(sp(name('chest').source), sp(d.source)), srcLateralHips);
        break;
      case 'chest':
        quatFromTwoDirections(q, sub(tp('neck'), tp('chest')), tgtLateralShoulders, sub(sp(name('neck').source), sp(d.source)), srcLateralShoulders);
        break;
      case 'head': {
        const srcUp = headEnd !== undefined ? sub(sp(src.joints[headEnd]!.name), sp(d.source)) : [0, 1, 0];
        quatFromTwoDirections(q, [0, 1, 0], tgtLateralShoulders, srcUp, srcLateralShoulders);
        break;
      }
      case 'foot':
        quatFromTwoDirections(q, [0, 1, 0], [1, 0, 0], [0, 1, 0], sub(sp(d.tip!), sp(d.source)));
        break;
      default: {
        const child = target.children(ti(d.target))[0]!;
        quatFromUnitVectors(q, target.joints[child]!.offset, sub(sp(d.tip!), sp(d.source)));
      }
    }
    align.set(d.target, q);
  }

  // Per frame: source FK, target world rotations, local rotations.
  const n = source.numFrames;
  const out = MotionClip.empty(target, n, 30, 'none', options.name ?? `${source.name}_${target.name}`);
  out.frameTimes.set(source.frameTimes);
  const sk = new Kinematics(source);
  const world = new Map<string, Q>();
  const tmp: Q = [0, 0, 0, 1], tmp2: Q = [0, 0, 0, 1];
  const srcWorld = (jname: string): Q => {
    const j = si(jname);
    const r = sk.rotations.subarray(4 * j, 4 * j + 4);
    const q = quatMultiply([0, 0, 0, 1], C, r) as Q;
    return quatMultiply(q, q, Cinv) as Q;
  };
  const srcPos = (jname: string): V3 => conv(sk.positions.subarray(3 * si(jname), 3 * si(jname) + 3));
  const setLocal = (f: number, t: string, parentWorld: Q, childWorld: Q) => {
    quatConjugate(tmp, parentWorld);
    quatMultiply(tmp2, tmp, childWorld);
    quatNormalize(tmp2, tmp2);
    out.frames.set(tmp2, out.rotationIndex(f, ti(t)));
  };
  for (let f = 0; f < n; f++) {
    sk.atFrame(f);
    world.clear();
    for (const d of drivers) {
      if (d.kind === 'hinge') continue;
      world.set(d.target, quatMultiply([0, 0, 0, 1], srcWorld(d.source), align.get(d.target)!) as Q);
    }
    // Hinges: twist the upper bone so the lower bone lies in the hinge plane, then read the angle.
    for (const side of ['right', 'left']) {
      for (const [upper, hinge] of [[`${side}_hip`, `${side}_knee`], [`${side}_shoulder`, `${side}_elbow`]] as const) {
        const d = name(hinge);
        const u = sub(srcPos(d.source), srcPos(name(upper).source));
        const l = sub(srcPos(d.tip!), srcPos(d.source));
        const T = world.get(upper)!;
        const uHat = u.map((x) => x / len(u)) as V3;
        const bend = Math.acos(Math.max(-1, Math.min(1, dot(u, l) / (len(u) * len(l)))));
        // Where the hinge's bending direction points now: the upper bone's local -x for a knee
        // (the shin swings back), +x for an elbow; compare with the lower bone, both ⊥ u.
        const joint = target.joints[ti(hinge)]!;
        const sign = joint.limHigh[0]! <= 0 ? -1 : 1;
        const bendDir = quatRotate([0, 0, 0], T, [sign, 0, 0]) as V3;
        const bendPerp = sub(bendDir, uHat.map((x) => x * dot(bendDir, uHat)));
        const lPerp = sub(l, uHat.map((x) => x * dot(l, uHat)));
        if (len(lPerp) > 1e-9 && len(bendPerp) > 1e-9) {
          let psi = Math.atan2(dot(cross(bendPerp, lPerp), uHat), dot(bendPerp, lPerp));
          // Trust the twist only as far as the bend shows it; a straight limb says nothing.
          const w = Math.min(1, bend / 0.35);
          psi = Math.max(-Math.PI / 3, Math.min(Math.PI / 3, w * psi));
          quatMultiply(T, quatFromAxisAngle([0, 0, 0, 1], uHat, psi), T);
        }
        // Hinge angle in the (corrected) upper frame: the lower bone's rest direction turned by θ about z.
        const lLocal = quatRotate([0, 0, 0], quatConjugate([0, 0, 0, 1], T), l);
        const rest = target.joints[target.children(ti(hinge))[0]!]!.offset;
        let theta = Math.atan2(lLocal[1]!, lLocal[0]!) - Math.atan2(rest[1], rest[0]);
        theta = Math.atan2(Math.sin(theta), Math.cos(theta));
        theta = Math.max(joint.limLow[0]!, Math.min(joint.limHigh[0]!, theta));
        out.setJointAngle(f, ti(hinge), theta);
        const Tl = [0, 0, Math.sin(theta / 2), Math.cos(theta / 2)];
        world.set(hinge, quatMultiply([0, 0, 0, 1], T, Tl) as Q);
      }
    }
    // Local rotations, root position.
    const o = out.rootPositionIndex(f);
    const hipMid = srcPos(upLegR).map((x, c) => ((x + srcPos(upLegL)[c]!) / 2) * scale);
    out.frames.set(hipMid, o);
    out.frames.set(quatNormalize([0, 0, 0, 1], world.get('root')!), out.rotationIndex(f, 0));
    for (const d of drivers) {
      if (d.target === 'root') continue;
      const parent = target.joints[target.joints[ti(d.target)]!.parent]!.name;
      if (d.kind === 'hinge') continue; // set above
      setLocal(f, d.target, world.get(parent)!, world.get(d.target)!);
    }
  }

  const { yawRad, origin } = faceForwardAtOrigin(out);
  const groundOffset = groundFeet(out);
  const result = (options.fps ? resample(out, options.fps) : out) as MotionClip & { retarget: RetargetReport };
  const turn: Q = [0, Math.sin(-yawRad / 2), 0, Math.cos(-yawRad / 2)];
  const toTarget = (p: ArrayLike<number>): [number, number, number] => {
    const c = conv(p).map((x) => x * scale);
    const r = quatRotate([0, 0, 0], turn, [c[0]! - origin[0], c[1]!, c[2]! - origin[1]]);
    return [r[0]!, r[1]! + groundOffset, r[2]!];
  };
  result.retarget = { scale, groundOffset, yawRad, toTarget };
  return result;
}

/** Turns the clip about y so the root's x axis points along +x at frame 0, and moves frame 0 over the origin. */
function faceForwardAtOrigin(clip: MotionClip): { yawRad: number; origin: [number, number] } {
  const q0 = clip.frames.subarray(clip.rotationIndex(0, 0), clip.rotationIndex(0, 0) + 4);
  const fwd = quatRotate([0, 0, 0], q0, [1, 0, 0]);
  const yaw = Math.atan2(-fwd[2]!, fwd[0]!); // heading angle about +y
  const turn: Q = [0, Math.sin(-yaw / 2), 0, Math.cos(-yaw / 2)];
  const x0 = clip.frames[0]!, z0 = clip.frames[2]!;
  const p = [0, 0, 0];
  for (let f = 0; f < clip.numFrames; f++) {
    const o = clip.rootPositionIndex(f);
    quatRotate(p, turn, [clip.frames[o]! - x0, clip.frames[o + 1]!, clip.frames[o + 2]! - z0]);
    clip.frames.set(p, o);
    const r = clip.rotationIndex(f, 0);
    const q = quatMultiply([0, 0, 0, 1], turn, clip.frames.subarray(r, r + 4));
    clip.frames.set(q, r);
  }
  return { yawRad: yaw, origin: [x0, z0] };
}

/**
 * Lowest point of the character's feet per frame: the lower of the two foot boxes' lowest
 * corners (or the ankle joints when the character has no foot bodies).
 */
export function lowestFootHeights(clip: MotionClip, feet = ['right_ankle', 'left_ankle']): Float64Array {
  const s = clip.skeleton;
  const idx = feet.map((f) => s.jointIndex(f));
  const k = new Kinematics(clip);
  const out = new Float64Array(clip.numFrames);
  const bodies = new Float64Array(7 * s.numJoints);
  const corner = [0, 0, 0];
  for (let f = 0; f < clip.numFrames; f++) {
    k.atFrame(f);
    k.bodies(bodies);
    let low = Infinity;
    for (const j of idx) {
      const b = s.joints[j]!.body;
      if (!b || b.shape !== 'box') {
        low = Math.min(low, k.positions[3 * j + 1]!);
        continue;
      }
      const q = bodies.subarray(7 * j + 3, 7 * j + 7);
      for (let c = 0; c < 8; c++) {
        quatRotate(corner, q, [((c & 1) ? 0.5 : -0.5) * b.params[0], ((c & 2) ? 0.5 : -0.5) * b.params[1], ((c & 4) ? 0.5 : -0.5) * b.params[2]]);
        low = Math.min(low, bodies[7 * j + 1]! + corner[1]!);
      }
    }
    out[f] = low;
  }
  return out;
}

/** Shifts the clip vertically so the feet's 5th-percentile lowest point is at y = 0; returns the shift. */
function groundFeet(clip: MotionClip): number {
  const lows = Array.from(lowestFootHeights(clip)).sort((a, b) => a - b);
  const shift = -lows[Math.floor(0.05 * (lows.length - 1))]!;
  for (let f = 0; f < clip.numFrames; f++) clip.frames[clip.rootPositionIndex(f) + 1] += shift;
  return shift;
}
