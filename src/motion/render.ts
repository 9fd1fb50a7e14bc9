/**
 * Render frames for playing a clip kinematically in the viewer (the same `RenderFrame` type the
 * physics envs produce, so the viewer draws both the same way).
 *
 * Characters with body definitions (DeepMimic) draw one shape per body, sized by DeepMimic's
 * Param rules: sphere radius = Param0/2; capsule radius = Param0/2 with half cylinder length
 * Param1/2; box half extents = Param0..2 / 2; coloured by the file's colour. Skeletons without
 * bodies (BVH) draw a capsule per bone, from each joint to its child, thickness a fraction of the
 * skeleton's height.
 */
import type { BodySpec, RenderFrame, SceneSpec } from '../core/frame.ts';
import { TRANSFORM_STRIDE } from '../core/frame.ts';
import { quatMultiply, quatRotate } from '../core/math.ts';
import type { MotionClip } from './clip.ts';
import { Kinematics } from './kinematics.ts';
import { quatFromUnitVectors } from './rotation.ts';
import type { Skeleton } from './skeleton.ts';

const hex = (c: number) => Math.round(Math.max(0, Math.min(1, c)) * 255).toString(16).padStart(2, '0');
const BONE_COLOR = '#8ca0c8';

/** A bone drawn as a capsule from joint `parent` to joint `child`. */
interface Bone {
  parent: number;
  child: number;
  /** Rotation taking local +y (the capsule axis) onto the bone direction, in the parent frame. */
  align: [number, number, number, number];
}

function skeletonHeight(skeleton: Skeleton, positions: Float64Array): number {
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j < skeleton.numJoints; j++) {
    lo = Math.min(lo, positions[3 * j + 1]!);
    hi = Math.max(hi, positions[3 * j + 1]!);
  }
  return Math.max(hi - lo, 1e-6);
}

/** Draws one clip: a fixed scene and a `frame(t)` per tick. */
export class ClipRenderer {
  readonly scene: SceneSpec;
  private readonly kin: Kinematics;
  private readonly bones: Bone[] | null;
  private readonly bodyTransforms: Float64Array;

  constructor(readonly clip: MotionClip) {
    const skeleton = clip.skeleton;
    this.kin = new Kinematics(clip);
    this.bodyTransforms = new Float64Array(7 * skeleton.numJoints);
    if (skeleton.hasBodies) {
      this.bones = null;
      const bodies: BodySpec[] = skeleton.joints.map((j) => {
        const b = j.body!;
        const size = b.shape === 'sphere' ? [b.params[0] / 2] : b.shape === 'capsule' ? [b.params[0] / 2, b.params[1] / 2] : b.params.map((p) => p / 2);
        return { name: j.name, shape: b.shape, size, color: `#${hex(b.color[0])}${hex(b.color[1])}${hex(b.color[2])}` };
      });
      this.scene = { bodies, parents: Array.from(skeleton.parents) };
    } else {
      // Frame 0, for the thickness (the bone lengths come from the offsets).
      const rest = new Kinematics(clip);
      rest.atFrame(0);
      const height = skeletonHeight(skeleton, rest.positions);
      this.bones = [];
      const bodies: BodySpec[] = [];
      const boneOfJoint = new Map<number, number>();
      const parents: number[] = [];
      skeleton.joints.forEach((j, child) => {
        const length = Math.hypot(...j.offset);
        if (child === 0 || length < 1e-6 * height) return;
        const radius = Math.min(0.025 * height, length / 2);
        this.bones!.push({ parent: j.parent, child, align: quatFromUnitVectors([0, 0, 0, 1], [0, 1, 0], j.offset) as [number, number, number, number] });
        bodies.push({ name: `${skeleton.joints[j.parent]!.name}-${j.name}`, shape: 'capsule', size: [radius, Math.max(0, length / 2 - radius)], color: BONE_COLOR });
        // The bone this one hangs from: the one ending at our parent joint (walking up through zero-length joints).
        let p = j.parent;
        while (p > 0 && !boneOfJoint.has(p)) p = skeleton.joints[p]!.parent;
        parents.push(boneOfJoint.get(p) ?? -1);
        boneOfJoint.set(child, bodies.length - 1);
      });
      this.scene = { bodies, parents };
    }
  }

  /** The frame at time t (seconds; wrap clips repeat with the root advancing). */
  frame(timeSeconds: number, out: Float32Array = new Float32Array(this.scene.bodies.length * TRANSFORM_STRIDE)): RenderFrame {
    this.kin.atTime(timeSeconds);
    if (!this.bones) {
      this.kin.bodies(this.bodyTransforms);
      out.set(this.bodyTransforms);
    } else {
      const { positions, rotations } = this.kin;
      const q = [0, 0, 0, 1], mid = [0, 0, 0];
      this.bones.forEach((b, i) => {
        const pr = rotations.subarray(4 * b.parent, 4 * b.parent + 4);
        // Centre halfway between the joints; axis along the bone.
        const o = i * TRANSFORM_STRIDE;
        for (let c = 0; c < 3; c++) mid[c] = (positions[3 * b.parent + c]! + positions[3 * b.child + c]!) / 2;
        quatMultiply(q, pr, b.align);
        out[o] = mid[0]!; out[o + 1] = mid[1]!; out[o + 2] = mid[2]!;
        out[o + 3] = q[0]!; out[o + 4] = q[1]!; out[o + 5] = q[2]!; out[o + 6] = q[3]!;
      });
    }
    return { scene: this.scene, transforms: out, time: timeSeconds };
  }
}

const renderers = new WeakMap<MotionClip, ClipRenderer>();

/**
 * The render frame of a clip at time t. The scene object is the same on every call for one clip,
 * so the viewer can tell a new scene by identity.
 */
export function clipRenderFrame(clip: MotionClip, timeSeconds: number): RenderFrame {
  let r = renderers.get(clip);
  if (!r) {
    r = new ClipRenderer(clip);
    renderers.set(clip, r);
  }
  return r.frame(timeSeconds);
}

/** Rotates a body-local vector into the world for a render transform (a helper for tests and tools). */
export function transformPoint(transforms: Float32Array | Float64Array, body: number, local: ArrayLike<number>): [number, number, number] {
  const o = body * TRANSFORM_STRIDE;
  const p = quatRotate([0, 0, 0], transforms.subarray(o + 3, o + 7), local);
  return [transforms[o]! + p[0]!, transforms[o + 1]! + p[1]!, transforms[o + 2]! + p[2]!];
}
