/** Runs every scenario marked `quick: true` under scenarios/ and checks its expectations. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadScenarioFile } from '../../src/cli/scenarios/schema.ts';
import { runScenario, scenarioFiles } from '../../src/cli/scenarios/runner.ts';

const root = new URL('../../scenarios', import.meta.url).pathname;
const files = scenarioFiles([root]);

test('every scenario file is valid', () => {
  for (const f of files) loadScenarioFile(f);
});

/** The `expect:` keys of a scenario file that have no comment on their line or in the lines above. */
function unsourcedExpectations(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^expect:/.test(l));
  const out: string[] = [];
  let commented = false;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    if (/^\s*#/.test(line)) commented = true;
    else if (/^\s+[\w.@-]+:/.test(line)) {
      if (!commented && !line.includes('#')) out.push(line.trim().split(':')[0]!);
      // A comment covers the keys right under it; a blank line ends it.
    } else if (line.trim() === '') commented = false;
  }
  return out;
}

test('every expected number in scenarios/ says where it comes from (a comment over or on its line)', () => {
  assert.equal(unsourcedExpectations('expect:\n  # Figure 4.1\n  a: { equals: 1 }\n  b: { max: 2 }\n\n  c: { min: 0 }\n'), ['c']);
  assert.equal(unsourcedExpectations('expect:\n  a: { equals: 1 }  # formula\n'), []);
  const missing = files.flatMap((f) => unsourcedExpectations(readFileSync(f, 'utf8')).map((k) => `${f.slice(root.length + 1)}: ${k}`));
  assert.equal(missing, []);
});

for (const file of files) {
  const s = loadScenarioFile(file);
  if (!s.quick) continue;
  test(`scenario ${s.name} (${file.slice(root.length)})`, async () => {
    const r = await runScenario(s, file);
    const failed = r.checks.filter((c) => !c.ok).map((c) => `${c.metric} = ${c.value}, expected ${c.expected}`);
    assert.equal(failed, [], `${s.name}: ${failed.join('; ')}`);
  });
}

test.run();
