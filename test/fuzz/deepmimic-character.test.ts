import { test } from 'uvu';
import { fuzzFormat } from './engine.ts';
import { expectNoBadCases } from './expect-clean.ts';

test('100 seeded mutations of DeepMimic character and controller files: read, read a clip through the character, body transforms, PD gains: each clean or one clear error', async () => {
  expectNoBadCases(await fuzzFormat('deepmimic-character', { cases: 100 }));
});

test.run();
