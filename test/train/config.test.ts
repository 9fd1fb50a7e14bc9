import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFormatError, ValidationError } from '../../src/core/errors.ts';
import { ppo } from '../../src/agents/ppo.ts';
import { dqn } from '../../src/agents/dqn.ts';
import { describeSchema, parseKeyValues, readConfigFile, resolveAgentConfig } from '../../src/train/config.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-config-'));

test('order: schema defaults < tuned env defaults < file < --set', () => {
  const file = join(tmp, 'hp.yaml');
  writeFileSync(file, 'learningRate: 0.002\nnumSteps: 64\n');
  const cfg = resolveAgentConfig(ppo, { envId: 'CartPole-v1', file: { name: file, values: readConfigFile(file) }, overrides: parseKeyValues(['numSteps=16', 'hidden=[32, 32]'], '--set') });
  assert.is(cfg.clipCoef, 0.2); // schema default
  assert.is(cfg.numEnvs, 8); // rl-zoo CartPole-v1
  assert.is(cfg.learningRate, 0.002); // file
  assert.is(cfg.numSteps, 16); // --set
  assert.equal(cfg.hidden, [32, 32]);
  assert.is(resolveAgentConfig(ppo, { envId: 'Unknown-v0' }).numEnvs, 4);
});

test('every problem with its path', () => {
  try {
    resolveAgentConfig(dqn, { envId: 'CartPole-v1', overrides: { batchSize: 1.5, loss: 'l1', bogus: 1 } });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ValidationError);
    const paths = (err as ValidationError).issues.map((i) => i.path).sort();
    assert.equal(paths, ['batchSize', 'bogus', 'loss']);
  }
});

test('parseKeyValues and readConfigFile errors', () => {
  assert.equal(parseKeyValues(['a=1', 'b=true', 'c=x', 'd=[1, 2]'], '--set'), { a: 1, b: true, c: 'x', d: [1, 2] });
  assert.throws(() => parseKeyValues(['novalue'], '--set'), /novalue: expected key=value/);
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(bad, '- a\n- b\n');
  assert.throws(() => readConfigFile(bad), (e: unknown) => e instanceof FileFormatError && /expected a mapping/.test((e as Error).message));
  assert.throws(() => readConfigFile(join(tmp, 'missing.yaml')), (e: unknown) => e instanceof FileFormatError && /missing\.yaml: file: ENOENT/.test((e as Error).message));
});

test('describeSchema lists every hyperparameter with default and description', () => {
  const rows = describeSchema(ppo.schema);
  const lr = rows.find((r) => r.name === 'learningRate')!;
  assert.is(lr.default, 2.5e-4);
  assert.ok(lr.description.length > 0);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
