export * from './backend.ts';
export * from './init.ts';
export * from './mlp.ts';
export * from './distributions.ts';
export * from './optim.ts';
export * from './checkpoint.ts';
