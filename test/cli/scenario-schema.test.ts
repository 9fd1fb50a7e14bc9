import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, parseScenario, checkExpectation, scenarioSchema } from '../../src/cli/scenarios/schema.ts';
import { runScenario } from '../../src/cli/scenarios/runner.ts';
import { ValidationError, FileFormatError } from '../../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'gymnast-scenario-'));

test('a good scenario parses with defaults filled in', () => {
  const s = parseScenario({ name: 'x', env: 'CartPole-v1', agent: 'random', seed: 0, expect: { mean_return: { min: 1 } } }, 'inline');
  assert.equal(s.options, {});
  assert.is(s.quick, false);
});

test('a malformed scenario reports every problem with its path and the file name', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, ['name: bad', 'env: 3', 'agent: random', 'seed: "zero"', 'budget: { episodes: -2 }', 'expect:', '  mean_return: { min: 5, max: 1 }', '  hash: { equls: "x" }', 'colour: red', ''].join('\n'));
  try {
    loadScenarioFile(file);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
    const paths = (e as ValidationError).issues.map((i) => i.path);
    for (const p of ['env', 'seed', 'budget.episodes', 'expect.mean_return', 'expect.hash', 'colour']) {
      assert.ok(paths.includes(p), `missing problem at ${p}: got ${paths.join(', ')}`);
    }
    assert.match((e as Error).message, /bad\.yaml: \d+ problems/);
  }
});

test('broken YAML names the file and line', () => {
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'name: x\nenv: [unclosed\n');
  assert.throws(() => loadScenarioFile(file), (e: unknown) => e instanceof FileFormatError && /broken\.yaml: line \d/.test((e as Error).message));
});

test('expectations: ranges and exact equality', () => {
  assert.ok(checkExpectation(5, { min: 1, max: 5 }).ok);
  assert.not.ok(checkExpectation(6, { max: 5 }).ok);
  assert.not.ok(checkExpectation(NaN, { min: 0 }).ok);
  assert.ok(checkExpectation('abc', { equals: 'abc' }).ok);
  assert.not.ok(checkExpectation('abd', { equals: 'abc' }).ok);
});

test('a list of seeds runs the scenario once per seed; every expectation is checked for each', async () => {
  const base = { name: 'x', env: 'CartPole-v1', agent: 'random', budget: { episodes: 3 } };
  const one = async (seed: number) => (await runScenario(parseScenario({ ...base, seed, expect: { mean_return: { min: 0 } } }, 'inline'))).metrics;
  const [m0, m1] = [await one(0), await one(1)];
  assert.is.not(m0.hash, m1.hash);
  // A bound between the two seeds' returns: one seed passes, the other fails, and the scenario fails.
  const cut = (Number(m0.mean_return) + Number(m1.mean_return)) / 2;
  assert.is.not(m0.mean_return, m1.mean_return);
  const r = await runScenario(parseScenario({ ...base, seed: [0, 1], expect: { mean_return: { min: cut } } }, 'inline'));
  assert.equal([r.metrics['hash@0'], r.metrics['hash@1'], r.metrics['mean_return@1']], [m0.hash, m1.hash, m1.mean_return]);
  assert.equal(r.checks.map((c) => [c.metric, c.ok]), [['mean_return@0', Number(m0.mean_return) >= cut], ['mean_return@1', Number(m1.mean_return) >= cut]]);
  assert.is(r.checks.filter((c) => c.ok).length, 1);
  assert.not.ok(r.ok);
  for (const seed of [[], [1, 1]]) assert.throws(() => parseScenario({ ...base, seed, expect: { mean_return: { min: 0 } } }, 'inline'), (e: unknown) => e instanceof ValidationError && /seed/.test(e.message));
});

test('a flood of commas or brackets is refused before parsing; a key of 100 000 characters is cut in the report (found by test/fuzz/scenario-yaml.test.ts)', () => {
  const file = join(dir, 'flood.yaml');
  writeFileSync(file, `name: x\nenv: CartPole-v1\nconfig: { hidden: [64${','.repeat(100_000)} 64] }\n`); // 10 000 commas took 2 s in the parser
  assert.throws(() => loadScenarioFile(file), (e: unknown) => e instanceof FileFormatError && /flood\.yaml: YAML: line 3: more than 4096 of/.test((e as Error).message));
  writeFileSync(file, `name: x\nenv: CartPole-v1\nagent: random\nseed: 0\nexpect: { mean_return: { min: 1 } }\n? ${'k'.repeat(100_000)}\n: 1\n`); // an explicit key: YAML allows any length
  try {
    loadScenarioFile(file);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.ok((e as Error).message.length < 500, `${(e as Error).message.length} characters`);
    assert.match((e as Error).message, /- kkkk+\.\.\.: Unrecognized key/);
  }
  // 2000 bad seeds are 2000 problems: 20 listed, then how many more.
  const doc = { name: 'x', env: 'CartPole-v1', agent: 'random', seed: new Array(2000).fill(1e308), expect: { r: { min: 1 } } };
  const total = scenarioSchema.safeParse(doc).error!.issues.length; // zod's count: at least one per seed
  assert.ok(total >= 2000);
  try {
    parseScenario(doc, 'many.yaml');
    assert.unreachable();
  } catch (e) {
    const issues = (e as ValidationError).issues;
    assert.is(issues.length, 21);
    assert.equal(issues[20], { path: '…', message: `and ${total - 20} more problems` });
  }
});

test.run();
