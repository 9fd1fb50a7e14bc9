import { test } from 'uvu';
import { fuzzFormat } from './engine.ts';
import { expectNoBadCases } from './expect-clean.ts';

test('100 seeded mutations of the viewer client messages fed to a hub: never throws, every reply a valid one-line protocol message: each clean or one clear error', async () => {
  expectNoBadCases(await fuzzFormat('websocket', { cases: 100 }));
});

test.run();
