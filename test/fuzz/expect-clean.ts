/**
 * The assertion every fuzz test file makes: no case of the format ended badly (stack trace, hang,
 * out of memory, partial write). A failure lists the bad cases with what was mutated and what was
 * thrown; `npm run fuzz -- --format F --from I --cases 1` replays case I alone.
 */
import * as assert from 'uvu/assert';
import { BAD_OUTCOMES, type FuzzSummary } from './engine.ts';

export function expectNoBadCases(s: FuzzSummary): void {
  const lines = s.failures.map((f) => `#${f.index} ${f.outcome}: ${f.what.slice(0, 200)}\n      ${(f.message ?? '').slice(0, 600).split('\n').join('\n      ')}`);
  assert.ok(
    BAD_OUTCOMES.every((o) => s.counts[o] === 0),
    `${s.format}: ${s.failures.length} of ${s.cases} cases ended badly\n${lines.join('\n')}`,
  );
  // Every case was run and counted once.
  assert.is(Object.values(s.counts).reduce((a, b) => a + b, 0), s.cases);
}
