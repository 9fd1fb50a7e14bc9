/**
 * `npm run fuzz -- --cases N [--format F] [--seed S] [--from I] [--cli-cases M] [--timeout MS]`:
 * the fuzz suite at any size (test/fuzz/; `npm test` runs about 100 cases per format). Runs N
 * seeded cases of every format (or of F), the in-process ones in a worker thread with a per-case
 * timeout and a heap limit, the CLI ones (`cli`, `cli-run-folder`) as real `gymnast` processes,
 * M cases each (default N: each costs a process start). Prints every bad case (with its index, to
 * replay it alone with --from I --cases 1), then the summary table. Exits 1 if any case left a
 * stack trace, hung, ran out of memory or left a partial write.
 */
import { fuzzCli, CLI_FORMATS } from '../test/fuzz/cli.ts';
import { BAD_OUTCOMES, formatTable, fuzzFormat, type FuzzSummary } from '../test/fuzz/engine.ts';
import { FORMATS } from '../test/fuzz/formats.ts';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function count(name: string, fallback: number): number {
  const v = flag(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`fuzz: ${name} must be a whole number ≥ 0, got '${v}'`);
    process.exit(2);
  }
  return n;
}

const all = [...FORMATS.map((f) => f.name), ...CLI_FORMATS];
const only = flag('--format');
if (only !== undefined && !all.includes(only)) {
  console.error(`fuzz: unknown --format '${only}' (known: ${all.join(', ')})`);
  process.exit(2);
}
const cases = count('--cases', 100);
const cliCases = count('--cli-cases', cases);
const seed = count('--seed', 20261207);
const from = count('--from', 0);
const timeout = flag('--timeout') === undefined ? undefined : count('--timeout', 0);

const rows: FuzzSummary[] = [];
for (const name of only ? [only] : all) {
  const isCli = (CLI_FORMATS as readonly string[]).includes(name);
  const n = isCli ? cliCases : cases;
  if (n === 0) continue;
  const onCase = (r: { index: number; outcome: string; what: string; message?: string }) => {
    if (BAD_OUTCOMES.includes(r.outcome as never)) console.log(`${name} #${r.index} ${r.outcome}: ${r.what.slice(0, 300)}\n    ${(r.message ?? '').split('\n').join('\n    ')}`);
  };
  const options = { cases: n, seed, from, timeoutMs: timeout, onCase };
  const summary = isCli ? await fuzzCli(name as (typeof CLI_FORMATS)[number], options) : await fuzzFormat(name, options);
  console.log(`${name}: ${n} cases in ${summary.seconds.toFixed(1)} s`);
  rows.push(summary);
}
console.log(`\nseed ${seed}, cases from ${from}\n${formatTable(rows)}`);
process.exitCode = rows.some((r) => BAD_OUTCOMES.some((o) => r.counts[o] > 0)) ? 1 : 0;
