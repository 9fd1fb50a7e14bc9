import { test } from 'uvu';
import { fuzzCli } from './cli.ts';
import { expectNoBadCases } from './expect-clean.ts';

// Each case starts a gymnast process (about 1.5 s of CPU from the sources), so npm test runs a
// few of each; `npm run fuzz -- --cli-cases N` runs more.
test('8 seeded mutations of real command lines: each exits 0, or 2 with one line and no stack', async () => {
  expectNoBadCases(await fuzzCli('cli', { cases: 8 }));
});

test('4 damaged copies of a run folder through gymnast eval: each exits 0, or 2 with one line', async () => {
  expectNoBadCases(await fuzzCli('cli-run-folder', { cases: 4 }));
});

test.run();
