/**
 * The imitation room: `HumanoidImitate-v0` and `BipedImitate-v0` (DeepMimic-style motion
 * imitation), registered here; the env catalog (`../catalog.ts`) loads this file, so every
 * entry point and worker thread sees them.
 */
import { register } from '../specs.ts';
import { ImitationEnv, imitationOptions } from './imitation-env.ts';

export * from './action-map.ts';
export * from './clip-source.ts';
export * from './curriculum.ts';
export * from './imitation-env.ts';
export * from './observation.ts';
export * from './paper-reward.ts';

register({
  id: 'HumanoidImitate-v0',
  create: (options) => new ImitationEnv('HumanoidImitate-v0', 'humanoid3d', options),
  options: imitationOptions,
  description: "DeepMimic's humanoid learning a motion clip (default walk): PD-target actions, DeepMimic reward, RSI, early termination",
  module: import.meta.url,
  family: 'imitation',
});

register({
  id: 'BipedImitate-v0',
  create: (options) => new ImitationEnv('BipedImitate-v0', 'biped3d', options),
  options: imitationOptions,
  description: "DeepLoco's lower-body biped learning its walk: PD-target actions, DeepMimic reward, RSI, early termination",
  module: import.meta.url,
  family: 'imitation',
});
