/**
 * `gymnast/browser`: the part of gymnast that runs in a browser page (and in a Web Worker), with
 * no Node built-in anywhere in its import graph (test/browser-entry.test.ts bundles it for the
 * browser and fails on any `node:` import).
 *
 * What it has: the core (seeded RNG, spaces, errors, frames, running statistics, hashing), every
 * env of the registry (classic control, Ant, tabular, the character and imitation envs), the
 * wrappers, the synchronous vector env, the networks, the agents (acting and training on the
 * synchronous vector env), checkpoints and run folders read through the page's file source, and
 * the motion readers. What it lacks: the worker-thread vector env and rollout pool, writing files,
 * the CLI, the viewer server.
 *
 * Files (clips, characters, checkpoints) come from a `FileSource`: in a page,
 *
 *   useFiles(await FetchedFiles.load(siteUrl, ['data/deeploco/characters/biped3d_mocap.txt', …]));
 *   setWasmFolder(siteUrl + 'tfjs-wasm/');
 *   await initBackend('wasm');
 *
 * after which `make('BipedImitate-v0')`, `readCheckpoint(...)` and `buildRunAgent(...)` work as in
 * Node. `assetsFor` lists the files an env id needs.
 */
export * from './core/errors.ts';
export * from './core/rng.ts';
export * from './core/spaces.ts';
export * from './core/frame.ts';
export * from './core/running-stats.ts';
export * as math from './core/math.ts';
export * from './core/hash.ts';
export * from './core/files.ts';
export * from './core/paths.ts';
export { sha256Hex } from './core/sha256.ts';

export * from './envs/env.ts';
export * from './envs/registry.ts';
export * from './envs/checker.ts';
export { Wrapper, findWrapper } from './envs/wrappers/wrapper.ts';
export { OrderEnforcing } from './envs/wrappers/order-enforcing.ts';
export { TimeLimit } from './envs/wrappers/time-limit.ts';
export { RecordEpisodeStatistics, type EpisodeStatistics } from './envs/wrappers/record-episode-statistics.ts';
export { NormalizeObservation } from './envs/wrappers/normalize-observation.ts';
export { ClipAction, RescaleAction } from './envs/wrappers/action.ts';
export * from './envs/rollout.ts';
export * from './envs/vector/vector-env.ts';
export { SyncVectorEnv, makeSubEnv } from './envs/vector/sync-vector-env.ts';
export * from './envs/character/index.ts';
export * from './envs/imitation/index.ts';

export * from './motion/index.ts';

export * from './nn/backend.ts';
export * from './nn/init.ts';
export * from './nn/mlp.ts';
export * from './nn/distributions.ts';
export * from './nn/optim.ts';
export * from './nn/checkpoint.ts';
export { readRunConfigFile, runHyperparameters } from './nn/run-folder.ts';

export * from './agents/index.ts';
export { readRunConfig, runConfigSchema, type RunConfig } from './train/run-config.ts';
export { agentSeed, evaluationSeed } from './train/seeds.ts';
export { buildRunAgent, evaluateAgent, type EvalResult } from './train/evaluate.ts';
