/**
 * Reader for DeepMimic controller files and the PD gains in them.
 *
 * Two layouts exist in the shipped data:
 * - DeepMimic (`controllers/humanoid3d_ctrl.txt`): `UpdateRate` (Hz), `PDControllers[]` with
 *   `Name`, `Kp`, `Kd`, `TargetTheta0`, `UseWorldCoord`, one per joint.
 * - DeepLoco (`controllers/biped3D/biped3d_mocap_step_ctrl0.txt`): no gains at all but a list of
 *   reference motions (`ClusterMotions`, `ClusterDist`, `MotionFiles[]`); the biped's gains live
 *   in its character file (`characters/biped3d_mocap.txt`, `PDControllers[]`), which this reader
 *   also accepts.
 */
import { readTextFile } from '../core/files.ts';
import { z } from 'zod';
import { FileFormatError } from '../core/errors.ts';
import { parseJsonFile, parseWithSchema, preview } from './file-errors.ts';
import type { Skeleton } from './skeleton.ts';

export interface PdGains {
  name: string;
  kp: number;
  kd: number;
  /** Target angle for joints without a reference (unused by imitation). */
  targetTheta0: number;
  /** Whether the target is in world rather than parent coordinates. */
  useWorldCoord: boolean;
}

export interface ControllerFile {
  /** Control rate, Hz (DeepMimic `UpdateRate`), or null when the file has none. */
  updateRateHz: number | null;
  /** PD gains per joint, in the file's order, or null when the file has none (DeepLoco step controllers). */
  pd: PdGains[] | null;
  /** Reference motions listed by the file (DeepLoco), paths as written in it. */
  motionFiles: string[];
}

const pdSchema = z
  .object({
    ID: z.number().int().optional(),
    Name: z.string().min(1),
    Kp: z.number().nonnegative(),
    Kd: z.number().nonnegative(),
    TargetTheta0: z.number().optional().default(0),
    UseWorldCoord: z.union([z.number(), z.boolean()]).optional().default(0).transform(Boolean),
  })
  .loose();

const controllerSchema = z
  .object({
    UpdateRate: z.number().positive().optional(),
    PDControllers: z.array(pdSchema).optional(),
    MotionFiles: z.array(z.string()).optional(),
  })
  .loose();

export function readController(file: string): ControllerFile {
  const text = readTextFile(file);
  return parseController(text, file);
}

export function parseController(text: string, file = 'controller'): ControllerFile {
  const data = parseWithSchema(file, controllerSchema, parseJsonFile(file, text));
  if (!data.PDControllers && !data.MotionFiles) {
    throw new FileFormatError(file, 'PDControllers', 'missing (a controller file has PDControllers, or MotionFiles for a DeepLoco step controller)');
  }
  return {
    updateRateHz: data.UpdateRate ?? null,
    pd:
      data.PDControllers?.map((p) => ({
        name: p.Name,
        kp: p.Kp,
        kd: p.Kd,
        targetTheta0: p.TargetTheta0,
        useWorldCoord: p.UseWorldCoord,
      })) ?? null,
    motionFiles: data.MotionFiles ?? [],
  };
}

/**
 * Gains per joint index of `skeleton`, matched by name. Joints without an entry get 0 (the root,
 * fixed joints). A gain entry naming no joint of the skeleton is an error.
 */
export function pdGainsForSkeleton(skeleton: Skeleton, pd: readonly PdGains[], file = 'controller'): { kp: Float64Array; kd: Float64Array } {
  const kp = new Float64Array(skeleton.numJoints);
  const kd = new Float64Array(skeleton.numJoints);
  pd.forEach((g, i) => {
    const j = skeleton.indexOf(g.name);
    if (j < 0) {
      throw new FileFormatError(file, `PDControllers[${i}].Name`, `${preview(g.name)} is not a joint of ${skeleton.name} (${skeleton.joints.map((x) => x.name).join(', ')})`);
    }
    kp[j] = g.kp;
    kd[j] = g.kd;
  });
  return { kp, kd };
}
