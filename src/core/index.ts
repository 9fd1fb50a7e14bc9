export * from './errors.ts';
export * from './rng.ts';
export * from './spaces.ts';
export * from './frame.ts';
export * from './running-stats.ts';
export * as math from './math.ts';
export * from './hash.ts';
export { writeFileAtomic } from './atomic-write.ts';
