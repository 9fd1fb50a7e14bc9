// Stryker's settings for `npm run mutate` (scripts/mutate.ts). That script runs Stryker once per
// source file, with only that file's tests as the command, and passes both in through the
// environment: the command runner runs one command for every mutant, so a whole-suite command
// would cost five minutes a mutant.
const mutate = process.env.GYMNAST_MUTATE_FILE;
const command = process.env.GYMNAST_MUTATE_COMMAND;
if (!mutate || !command) {
  throw new Error('stryker.config.mjs is driven by scripts/mutate.ts: run `npm run mutate` (optionally `-- --mutate <file>`)');
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command },
  mutate: [mutate],
  // The command runner knows nothing of coverage: every mutant runs the whole command.
  coverageAnalysis: 'off',
  // Two cores, shared; the test runner already runs two test files at a time. A file whose tests
  // are one test file keeps one core busy: GYMNAST_MUTATE_CONCURRENCY=2 runs two mutants at once.
  concurrency: Number(process.env.GYMNAST_MUTATE_CONCURRENCY ?? 1),
  // tsx strips types without checking them, so a mutant that would not typecheck still runs;
  // the TypeScript checker would add a full tsc per mutant.
  disableTypeChecks: true,
  reporters: ['clear-text', 'json'],
  jsonReporter: { fileName: process.env.GYMNAST_MUTATE_REPORT ?? 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  // A busy shared machine makes a normal run slower now and then; a mutant that loops forever
  // is still caught, a bit later.
  timeoutMS: 30_000,
  timeoutFactor: 2,
  // The sandbox is a copy of the checkout; leave out what tests never read.
  ignorePatterns: ['dist', 'runs', 'test-output', 'bench-output', 'reports', 'tmp-diag', '.stryker-tmp', '*.tmp', 'run.lock'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
