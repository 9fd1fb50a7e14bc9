import { test } from 'uvu';
import { fuzzFormat } from './engine.ts';
import { expectNoBadCases } from './expect-clean.ts';

test('100 seeded mutations of DeepMimic motion files (humanoid3d walk and jump, the DeepLoco biped walk): read, guess the character, resample, write, convert: each clean or one clear error', async () => {
  expectNoBadCases(await fuzzFormat('deepmimic-motion', { cases: 100 }));
});

test.run();
