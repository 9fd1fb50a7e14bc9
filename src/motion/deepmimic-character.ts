/**
 * Reader for DeepMimic / DeepLoco character files (`characters/humanoid3d.txt`,
 * `characters/biped3d_mocap.txt`): JSON with `Skeleton.Joints[]`, `BodyDefs[]` (one per joint,
 * matched by index) and `DrawShapeDefs[]` (drawing only, ignored). DeepLoco characters also carry
 * `PDControllers[]`, read by `deepmimic-controller.ts`.
 *
 * Field meanings are in docs/deepmimic.md. Joint `Type` maps `none` → root. `AttachTheta*` is an
 * Euler rotation applied as Rz·Ry·Rx (DeepMimic's `cMathUtil::RotateMat`); it is 0 in every file
 * we ship.
 */
import { readTextFile } from '../core/files.ts';
import { baseName, extName } from '../core/paths.ts';
import { z } from 'zod';
import { FileFormatError } from '../core/errors.ts';
import { parseJsonFile, parseWithSchema, preview } from './file-errors.ts';
import { quatFromDeepMimicEuler } from './rotation.ts';
import { type BodyDef, type Joint, type JointType, Skeleton } from './skeleton.ts';

const optNum = (d: number) => z.number().optional().default(d);
const flag = z.union([z.number(), z.boolean()]).optional().default(0).transform((v) => Boolean(v));

/** Where a joint sits in its parent, or a body in its joint: offset (m) and Euler angles (rad). */
const attachFields = {
  AttachX: z.number(),
  AttachY: z.number(),
  AttachZ: z.number(),
  AttachThetaX: optNum(0),
  AttachThetaY: optNum(0),
  AttachThetaZ: optNum(0),
};

const jointSchema = z
  .object({
    ID: z.number().int().optional(),
    Name: z.string().min(1),
    Type: z.enum(['none', 'spherical', 'revolute', 'fixed']),
    Parent: z.number().int(),
    ...attachFields,
    LimLow0: z.number().optional(),
    LimHigh0: z.number().optional(),
    LimLow1: z.number().optional(),
    LimHigh1: z.number().optional(),
    LimLow2: z.number().optional(),
    LimHigh2: z.number().optional(),
    TorqueLim: optNum(0),
    IsEndEffector: flag,
    DiffWeight: optNum(1),
  })
  .loose();

const bodySchema = z
  .object({
    ID: z.number().int().optional(),
    Name: z.string().optional(),
    Shape: z.enum(['sphere', 'capsule', 'box']),
    Mass: z.number().positive(),
    ColGroup: optNum(1),
    EnableFallContact: flag,
    ...attachFields,
    Param0: z.number().positive(),
    Param1: z.number().nonnegative().optional(),
    Param2: z.number().nonnegative().optional(),
    ColorR: optNum(0.47),
    ColorG: optNum(0.55),
    ColorB: optNum(0.69),
    ColorA: optNum(1),
  })
  .loose();

const characterSchema = z
  .object({
    Skeleton: z.object({ Joints: z.array(jointSchema).min(1) }).loose(),
    BodyDefs: z.array(bodySchema).optional(),
  })
  .loose();

const TYPE_MAP: Record<string, JointType> = { none: 'root', spherical: 'spherical', revolute: 'revolute', fixed: 'fixed' };
const DOF: Record<JointType, number> = { root: 0, spherical: 3, revolute: 1, fixed: 0 };

/** Reads a DeepMimic character file. The skeleton is named after the file (`humanoid3d`). */
export function readCharacter(file: string): Skeleton {
  const text = readTextFile(file);
  return parseCharacter(text, file);
}

/** Parses the text of a character file; `file` names it in errors and gives the skeleton's name. */
export function parseCharacter(text: string, file = 'character'): Skeleton {
  const data = parseWithSchema(file, characterSchema, parseJsonFile(file, text));
  const rawJoints = data.Skeleton.Joints;
  const joints: Joint[] = rawJoints.map((r, i) => {
    const where = `Skeleton.Joints[${i}]`;
    if (r.ID !== undefined && r.ID !== i) throw new FileFormatError(file, `${where}.ID`, `is ${r.ID}, expected ${i} (joints must be listed in ID order)`);
    const type = TYPE_MAP[r.Type]!;
    if (i === 0 && (type !== 'root' || r.Parent !== -1)) {
      throw new FileFormatError(file, where, `the first joint must be the root (Type "none", Parent -1), got Type ${preview(r.Type)}, Parent ${preview(r.Parent)}`);
    }
    if (i > 0 && type === 'root') throw new FileFormatError(file, `${where}.Type`, `"none" (a free root) is only allowed on the first joint`);
    if (i > 0 && (r.Parent < 0 || r.Parent >= i)) {
      throw new FileFormatError(file, `${where}.Parent`, `is ${r.Parent}; must be the index of an earlier joint (0..${i - 1})`);
    }
    const lows = [r.LimLow0, r.LimLow1, r.LimLow2];
    const highs = [r.LimHigh0, r.LimHigh1, r.LimHigh2];
    const n = DOF[type];
    return {
      name: r.Name,
      type,
      parent: r.Parent,
      offset: [r.AttachX, r.AttachY, r.AttachZ],
      attachRotation: quatFromDeepMimicEuler([0, 0, 0, 1], r.AttachThetaX, r.AttachThetaY, r.AttachThetaZ) as [number, number, number, number],
      limLow: lows.slice(0, n).map((v) => v ?? -Infinity),
      limHigh: highs.slice(0, n).map((v) => v ?? Infinity),
      torqueLimitNm: r.TorqueLim,
      isEndEffector: r.IsEndEffector,
      diffWeight: r.DiffWeight,
      body: null,
    };
  });
  for (let i = 0; i < joints.length; i++) {
    for (let k = 0; k < i; k++) {
      if (joints[k]!.name === joints[i]!.name) throw new FileFormatError(file, `Skeleton.Joints[${i}].Name`, `${preview(joints[i]!.name)} is also the name of joint ${k}`);
    }
  }

  const bodies = data.BodyDefs;
  if (bodies) {
    if (bodies.length !== joints.length) {
      throw new FileFormatError(file, 'BodyDefs', `has ${bodies.length} bodies for ${joints.length} joints (one body per joint, in joint order)`);
    }
    bodies.forEach((b, i) => {
      const where = `BodyDefs[${i}]`;
      if (b.ID !== undefined && b.ID !== i) throw new FileFormatError(file, `${where}.ID`, `is ${b.ID}, expected ${i} (bodies are matched to joints by index)`);
      if (b.Shape === 'capsule' && b.Param1 === undefined) throw new FileFormatError(file, `${where}.Param1`, 'missing (a capsule needs its cylinder length)');
      if (b.Shape === 'box' && (b.Param1 === undefined || b.Param2 === undefined)) {
        throw new FileFormatError(file, `${where}.${b.Param1 === undefined ? 'Param1' : 'Param2'}`, 'missing (a box needs three extents)');
      }
      const body: BodyDef = {
        shape: b.Shape,
        massKg: b.Mass,
        attach: [b.AttachX, b.AttachY, b.AttachZ],
        attachRotation: quatFromDeepMimicEuler([0, 0, 0, 1], b.AttachThetaX, b.AttachThetaY, b.AttachThetaZ) as [number, number, number, number],
        params: [b.Param0, b.Param1 ?? b.Param0, b.Param2 ?? b.Param0],
        colGroup: b.ColGroup,
        enableFallContact: b.EnableFallContact,
        color: [b.ColorR, b.ColorG, b.ColorB, b.ColorA],
      };
      joints[i]!.body = body;
    });
  }
  return new Skeleton(baseName(file, extName(file)), joints);
}
