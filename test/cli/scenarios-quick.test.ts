/** Runs every scenario marked `quick: true` under scenarios/ and checks its expectations. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenarioFile } from '../../src/cli/scenarios/schema.ts';
import { runScenario, scenarioFiles } from '../../src/cli/scenarios/runner.ts';

const root = new URL('../../scenarios', import.meta.url).pathname;
const files = scenarioFiles([root]);

test('every scenario file is valid', () => {
  for (const f of files) loadScenarioFile(f);
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
