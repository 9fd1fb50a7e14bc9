/**
 * The simulated character room: a DeepMimic character in Rapier under PD control, the tracking
 * test, DeepMimic's observation and reward, and the `HumanoidTrack-v0` env (registered here;
 * the env catalog (`../catalog.ts`) loads this file, so every entry point and worker sees it).
 */
import { register } from '../specs.ts';
import { HumanoidTrackEnv, humanoidTrackOptions } from './humanoid-track.ts';

export { type CharacterAssets, checkClipSkeleton, defaultCharacterFor, loadCharacter, loadCharacterClip } from './assets.ts';
export * from './character-state.ts';
export * from './fall.ts';
export * from './humanoid-track.ts';
export * from './observation.ts';
export * from './pd-tracker.ts';
export * from './reference.ts';
export * from './reward.ts';
export {
  DEFAULT_PGS_ITERATIONS,
  DEFAULT_SOLVER_ITERATIONS,
  type JointGains,
  type JointKind,
  type PdMode,
  SimCharacter,
  type SimCharacterOptions,
  type VirtualRootGains,
} from './sim-character.ts';
export * from './tracking.ts';

register({
  id: 'HumanoidTrack-v0',
  create: (options) => new HumanoidTrackEnv(options),
  options: humanoidTrackOptions,
  maxEpisodeSteps: 600,
  description: 'DeepMimic humanoid in Rapier playing a clip under PD control (action: residual on the PD target)',
  module: import.meta.url,
  family: 'character',
});
