/**
 * A skeleton: joints in a tree, each with a name, a parent, an offset from its parent and a joint
 * type. Characters read from DeepMimic files also carry per-joint limits, torque limits, reward
 * weights and a rigid body; skeletons read from BVH carry their channel layout so they write back
 * the same way.
 *
 * Conventions (as DeepMimic): y up, metres, the character faces +x with its right side at +z.
 * Joint 0 is the root, and every joint comes after its parent, so one forward pass over the joints
 * visits parents first.
 */
import { UnknownIdError, UsageError } from '../core/errors.ts';

export type JointType = 'root' | 'spherical' | 'revolute' | 'fixed';

export const JOINT_TYPES: readonly JointType[] = ['root', 'spherical', 'revolute', 'fixed'];

export type BodyShapeKind = 'sphere' | 'capsule' | 'box';

/** One BVH channel name. */
export type BvhChannel = 'Xposition' | 'Yposition' | 'Zposition' | 'Xrotation' | 'Yrotation' | 'Zrotation';

/**
 * A rigid body attached to a joint (DeepMimic `BodyDefs`). Sizes follow DeepMimic's Param rules:
 * sphere radius = params[0]/2; capsule radius = params[0]/2 with a cylinder of length params[1]
 * along local y; box full extents = params[0..2].
 */
export interface BodyDef {
  shape: BodyShapeKind;
  massKg: number;
  /** Body centre in its joint's frame, metres. */
  attach: [number, number, number];
  /** Body rotation in its joint's frame, quaternion x, y, z, w (from AttachThetaX/Y/Z). */
  attachRotation: [number, number, number, number];
  params: [number, number, number];
  /** DeepMimic collision group (bodies of the same group do not collide). */
  colGroup: number;
  /** Whether touching the ground with this body counts as a fall (early termination). */
  enableFallContact: boolean;
  /** RGBA in [0, 1]. */
  color: [number, number, number, number];
}

export interface Joint {
  name: string;
  type: JointType;
  /** Index of the parent joint, -1 for the root. */
  parent: number;
  /** Joint position in the parent joint's frame, metres (DeepMimic AttachX/Y/Z, BVH OFFSET). */
  offset: [number, number, number];
  /** Fixed rotation of the joint frame in the parent frame, x, y, z, w (DeepMimic AttachTheta). */
  attachRotation: [number, number, number, number];
  /**
   * Lower and upper limits per degree of freedom, radians (spherical: 3, revolute: 1, else none).
   * DeepMimic enforces only revolute limits; the spherical ones are kept for whoever wants them.
   */
  limLow: number[];
  limHigh: number[];
  /** Clamp on the norm of the joint torque, N·m; 0 means none. */
  torqueLimitNm: number;
  isEndEffector: boolean;
  /** Weight of this joint in DeepMimic's pose and velocity rewards. */
  diffWeight: number;
  body: BodyDef | null;
  /** BVH channels in file order (kept so a BVH skeleton writes back as it was read). */
  channels?: BvhChannel[];
  /** True for a BVH `End Site` (a named tip with no channels). */
  isEndSite?: boolean;
}

/** A joint with defaults for everything but name, type, parent and offset. */
export function makeJoint(
  name: string,
  type: JointType,
  parent: number,
  offset: [number, number, number],
  extra: Partial<Joint> = {},
): Joint {
  return {
    name,
    type,
    parent,
    offset,
    attachRotation: [0, 0, 0, 1],
    limLow: [],
    limHigh: [],
    torqueLimitNm: 0,
    isEndEffector: false,
    diffWeight: 1,
    body: null,
    ...extra,
  };
}

export class Skeleton {
  readonly joints: readonly Joint[];
  /** Parent index per joint, -1 for the root. */
  readonly parents: Int32Array;
  private readonly byName = new Map<string, number>();

  constructor(
    readonly name: string,
    joints: readonly Joint[],
  ) {
    if (joints.length === 0) throw new UsageError(`skeleton '${name}' has no joints`);
    joints.forEach((j, i) => {
      if (i === 0 && (j.parent !== -1 || j.type !== 'root')) {
        throw new UsageError(`skeleton '${name}': joint 0 ('${j.name}') must be the root (type root, parent -1)`);
      }
      if (i > 0 && (j.parent < 0 || j.parent >= i)) {
        throw new UsageError(`skeleton '${name}': joint ${i} ('${j.name}') has parent ${j.parent}; parents must come before their children`);
      }
      if (i > 0 && j.type === 'root') {
        throw new UsageError(`skeleton '${name}': joint ${i} ('${j.name}') has type root; only joint 0 may`);
      }
      if (this.byName.has(j.name)) throw new UsageError(`skeleton '${name}': joint name '${j.name}' is used twice`);
      this.byName.set(j.name, i);
    });
    this.joints = joints;
    this.parents = Int32Array.from(joints, (j) => j.parent);
  }

  get numJoints(): number {
    return this.joints.length;
  }

  /** Index of the named joint, or -1. */
  indexOf(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  /** Index of the named joint; throws UnknownIdError listing the joints when there is none. */
  jointIndex(name: string): number {
    const i = this.byName.get(name);
    if (i === undefined) throw new UnknownIdError('joint', name, this.joints.map((j) => j.name));
    return i;
  }

  /** Indices of the joints whose parent is `j`. */
  children(j: number): number[] {
    const out: number[] = [];
    for (let i = j + 1; i < this.joints.length; i++) if (this.joints[i]!.parent === j) out.push(i);
    return out;
  }

  /** Whether every joint has a body definition (DeepMimic characters do; BVH skeletons don't). */
  get hasBodies(): boolean {
    return this.joints.every((j) => j.body !== null);
  }

  /** Total mass of the bodies, kg (0 without bodies). */
  get massKg(): number {
    return this.joints.reduce((m, j) => m + (j.body?.massKg ?? 0), 0);
  }

  /**
   * Degrees of freedom: 6 for the root, 3 per spherical joint, 1 per revolute joint (humanoid3d:
   * 34). `actuated` leaves out the root's 6.
   */
  dof(actuated = false): number {
    let n = 0;
    for (const j of this.joints) {
      if (j.type === 'root') n += actuated ? 0 : 6;
      else if (j.type === 'spherical') n += 3;
      else if (j.type === 'revolute') n += 1;
    }
    return n;
  }
}
