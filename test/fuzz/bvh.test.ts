import { test } from 'uvu';
import { fuzzFormat } from './engine.ts';
import { expectNoBadCases } from './expect-clean.ts';

test('100 seeded mutations of BVH files (sinusoidal.bvh and the first 20 frames of two CMU files): read, forward kinematics, resample, write, convert: each clean or one clear error', async () => {
  expectNoBadCases(await fuzzFormat('bvh', { cases: 100 }));
});

test.run();
