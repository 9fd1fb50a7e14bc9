/** The train room: runs, evaluation, metrics log, progress display, config resolution. */
export * from './run.ts';
export * from './prior-run.ts';
export { agentSeed, evaluationSeed } from './seeds.ts';
export * from './run-config.ts';
export * from './evaluate.ts';
export * from './metrics.ts';
export * from './config.ts';
export * from './progress.ts';
export * from './export.ts';
export { shippedPolicies } from './shipped-policies.ts';
