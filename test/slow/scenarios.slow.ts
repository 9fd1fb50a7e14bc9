/**
 * The slow tier's scenarios: every scenario under scenarios/ not marked `quick: true` (those run in
 * `npm test`, test/cli/scenarios-quick.test.ts): the learning agents over their seeds, Blackjack's
 * Monte Carlo control, the discretized physics envs, the random Ant. `npm run test:slow` runs both
 * files, so every scenario.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenarioFile } from '../../src/cli/scenarios/schema.ts';
import { runScenario, scenarioFiles } from '../../src/cli/scenarios/runner.ts';

const root = new URL('../../scenarios', import.meta.url).pathname;

for (const file of scenarioFiles([root])) {
  const s = loadScenarioFile(file);
  if (s.quick) continue;
  test(`scenario ${s.name} (${file.slice(root.length)})`, async () => {
    const r = await runScenario(s, file);
    const failed = r.checks.filter((c) => !c.ok).map((c) => `${c.metric} = ${c.value}, expected ${c.expected}`);
    assert.equal(failed, [], `${s.name}: ${failed.join('; ')}`);
    console.log(`${s.name}: ${r.checks.map((c) => `${c.metric} ${c.value}`).join(', ')} (${r.seconds.toFixed(0)} s)`);
  });
}

test.run();
