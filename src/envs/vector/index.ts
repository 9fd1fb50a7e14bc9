export * from './vector-env.ts';
export { SyncVectorEnv, makeSubEnv } from './sync-vector-env.ts';
export { AsyncVectorEnv, type AsyncVectorEnvOptions } from './async-vector-env.ts';
