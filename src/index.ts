/** gymnast's public surface: what the README's library example uses. */
export * from './core/index.ts';
export * from './envs/index.ts';
export * from './motion/index.ts';
export * from './mdp/index.ts';
export * from './nn/index.ts';
export * from './agents/index.ts';
export * from './train/index.ts';
export * from './generative/index.ts';
export * as viewer from './viewer/server/index.ts';
export * from './envs/character/index.ts';
export * from './envs/imitation/index.ts';
export * from './live/index.ts';
export * as cluster from './cluster/index.ts';
