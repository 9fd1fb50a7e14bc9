/** The envs room: the Env contract, wrappers, registry, checker, vector envs and our envs. */
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
