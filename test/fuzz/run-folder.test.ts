import { test } from 'uvu';
import { fuzzFormat } from './engine.ts';
import { expectNoBadCases } from './expect-clean.ts';

test('100 seeded mutations of run folders (test/fuzz/fixtures/run-ppo-cartpole, one file damaged, mostly re-hashed): config, checkpoint and agent restore as eval loads them: each clean or one clear error', async () => {
  expectNoBadCases(await fuzzFormat('run-folder', { cases: 100 }));
});

test.run();
