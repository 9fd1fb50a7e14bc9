/**
 * Fall detection (DeepMimic's early termination): the character has fallen when a body that
 * may not touch the ground does.
 *
 * - `nonFoot` (default, the paper's rule): every body but the feet. Feet are the bodies of
 *   joints named like an ankle, foot or toe (`right_ankle`, `left_ankle` in both characters).
 * - `flagged`: the bodies whose `EnableFallContact` is set in the character file (DeepMimic's
 *   released code: root, chest and neck for humanoid3d; root and torso for biped3d), which lets
 *   knees and hands touch down (rolls, cartwheels, getting up).
 */
import { UsageError } from '../../core/errors.ts';
import type { Skeleton } from '../../motion/skeleton.ts';
import type { SimCharacter } from './sim-character.ts';

export type FallRule = 'nonFoot' | 'flagged';

const FOOT = /ankle|foot|toe/i;

/** Joint indices whose body touching the ground counts as a fall. */
export function fallBodies(skeleton: Skeleton, rule: FallRule): Int32Array {
  const out: number[] = [];
  skeleton.joints.forEach((j, i) => {
    if (rule === 'nonFoot' ? !FOOT.test(j.name) : j.body?.enableFallContact) out.push(i);
  });
  if (rule === 'nonFoot' && out.length === skeleton.numJoints) {
    throw new UsageError(`character '${skeleton.name}' has no feet (no joint named like ankle, foot or toe): use the fall rule 'flagged'`);
  }
  return Int32Array.from(out);
}

export class FallDetector {
  readonly bodies: Int32Array;

  constructor(skeleton: Skeleton, readonly rule: FallRule = 'nonFoot') {
    this.bodies = fallBodies(skeleton, rule);
  }

  /** The first fall body touching the ground, or -1. */
  touchingBody(sim: SimCharacter): number {
    for (let i = 0; i < this.bodies.length; i++) if (sim.touchesGround(this.bodies[i]!)) return this.bodies[i]!;
    return -1;
  }

  hasFallen(sim: SimCharacter): boolean {
    return this.touchingBody(sim) >= 0;
  }
}
