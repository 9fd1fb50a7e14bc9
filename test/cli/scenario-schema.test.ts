import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, parseScenario, checkExpectation } from '../../src/cli/scenarios/schema.ts';
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

test.run();
