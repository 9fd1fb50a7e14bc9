/** Public surface of the generative room: motion datasets, priors (VAE, motion VAE, flow, diffusion), generation, metrics. */
export * from './representation.ts';
export * from './dataset.ts';
export * from './prior.ts';
export * from './vae.ts';
export * from './mvae.ts';
export * from './flow.ts';
export * from './diffusion.ts';
export * from './families.ts';
export * from './run.ts';
export * from './generate.ts';
export * from './motion-features.ts';
export * from './distances.ts';
export * from './metrics.ts';
