import { test } from 'uvu';
import { fuzzFormat } from './engine.ts';
import { expectNoBadCases } from './expect-clean.ts';

test('100 seeded mutations of scenario files (every scenarios/*.yaml): load and validate, read as a settings mapping: each clean or one clear error', async () => {
  expectNoBadCases(await fuzzFormat('scenario-yaml', { cases: 100 }));
});

test.run();
