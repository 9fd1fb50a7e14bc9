/**
 * The envs room (`gymnast/envs`): the Env contract, wrappers, registry, checker, vector envs and
 * every env gymnast ships (`catalog.ts`): classic control, Ant, the simulated character
 * (`HumanoidTrack-v0`), motion imitation (`HumanoidImitate-v0`, `BipedImitate-v0`) and the tabular
 * problems (`tabular/`, whose models and algorithms are exported by `gymnast/mdp`).
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
export * from './rollout.ts';
export * from './vector/index.ts';
export * from './character/index.ts';
export * from './imitation/index.ts';
