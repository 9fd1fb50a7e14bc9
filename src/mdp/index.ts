/**
 * The mdp room: tabular MDPs (flat CSR model, empirical model), tabular environments registered
 * in the env registry, dynamic programming, model-free tabular learning, and discretization of
 * continuous envs.
 */
// The model and the problems.
export * from '../envs/tabular/model.ts';
export * from './empirical.ts';
export * from '../envs/tabular/problem.ts';
export * from '../envs/tabular/tabular-env.ts';
export * from './policy.ts';
export * from './rollout.ts';
export * from '../envs/tabular/frame.ts';
export * from './format.ts';
// The tabular environments (each module registers its ids).
export { COMPASS_ACTIONS, FROZEN_LAKE_ACTIONS, type GridActions } from '../envs/tabular/grid.ts';
export { gridWorld4x4, gridWorld5x5 } from '../envs/tabular/gridworlds.ts';
export { frozenLake, FROZEN_LAKE_MAPS } from '../envs/tabular/frozen-lake.ts';
export { cliffWalking, CLIFF_START, CLIFF_GOAL } from '../envs/tabular/cliff-walking.ts';
export { taxi, taxiEncode, taxiDecode, taxiActionMask } from '../envs/tabular/taxi.ts';
export { randomWalk, randomWalkTrueValues } from '../envs/tabular/random-walk.ts';
export { windyGridworld, WIND, WINDY_START, WINDY_GOAL } from '../envs/tabular/windy-gridworld.ts';
export { gambler, gamblerStake } from '../envs/tabular/gambler.ts';
export {
  blackjack,
  BlackjackEnv,
  encodeBlackjack,
  decodeBlackjack,
  blackjackObservation,
  dealerOutcomes,
  BLACKJACK_OBSERVATIONS,
  BLACKJACK_NATURAL,
  STICK,
  HIT,
} from '../envs/tabular/blackjack.ts';
// Dynamic programming.
export * from './dp/options.ts';
export * from './dp/policy-evaluation.ts';
export * from './dp/value-iteration.ts';
export * from './dp/policy-iteration.ts';
export * from './dp/exact.ts';
export * from './dp/parallel-sweep.ts';
// Model-free learning.
export * from './learn/common.ts';
export * from './learn/mc-prediction.ts';
export * from './learn/mc-control.ts';
export * from './learn/td-prediction.ts';
export * from './learn/td-control.ts';
export * from './learn/double-q-learning.ts';
// Continuous envs as tables.
export * from './discretize/state-aggregation.ts';
export * from './discretize/discretized-env.ts';
export * from './discretize/presets.ts';
export * from './discretize/model-based.ts';
