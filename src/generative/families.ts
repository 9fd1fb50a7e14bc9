/** The prior families by name. */
import { UnknownIdError } from '../core/errors.ts';
import { diffusion } from './diffusion.ts';
import { flow } from './flow.ts';
import { mvae } from './mvae.ts';
import { FAMILIES, type Family, type PriorDefinition } from './prior.ts';
import { vae } from './vae.ts';

const DEFINITIONS: Record<Family, PriorDefinition> = { vae, mvae, flow, diffusion } as Record<Family, PriorDefinition>;

export function priorDefinition(name: string): PriorDefinition {
  const def = (DEFINITIONS as Record<string, PriorDefinition | undefined>)[name];
  if (!def) throw new UnknownIdError('prior family', name, FAMILIES);
  return def;
}

export function familyNames(): readonly Family[] {
  return FAMILIES;
}
