/**
 * The envs room (`gymnast/envs`): the Env contract, wrappers, registry, checker, vector envs and
 * every physics env: classic control and Ant (`builtin.ts`), the simulated character
 * (`HumanoidTrack-v0`) and motion imitation (`HumanoidImitate-v0`, `BipedImitate-v0`). Importing
 * it registers them all. (The tabular envs live one room up, in `gymnast/mdp`.)
 */
export * from './env.ts';
export * from './registry.ts';
export * from './checker.ts';
export { Wrapper, findWrapper } from './wrappers/wrapper.ts';
export { OrderEnforcing } from './wrappers/order-enforcing.ts';
export { TimeLimit } from './wrappers/time-limit.ts';
export { RecordEpisodeStatistics, type EpisodeStatistics } from './wrappers/record-episode-statistics.ts';
export { NormalizeObservation } from './wrappers/normalize-observation.ts';
export { ClipAction, RescaleAction } from './wrappers/action.ts';
import './builtin.ts';
export * from './rollout.ts';
export * from './vector/index.ts';
export * from './character/index.ts';
export * from './imitation/index.ts';
