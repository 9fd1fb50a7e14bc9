import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../src/core/errors.ts';
import { parseKeyValues, readYamlMapping } from '../../src/core/settings.ts';
import { ppo } from '../../src/agents/ppo.ts';
import { dqn } from '../../src/agents/dqn.ts';
import { describeSchema, resolveAgentConfig } from '../../src/train/config.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-config-'));

test('order: schema defaults < tuned env defaults < file < --set', () => {
  const file = join(tmp, 'hp.yaml');
  writeFileSync(file, 'learningRate: 0.002\nnumSteps: 64\n');
  const cfg = resolveAgentConfig(ppo, { envId: 'CartPole-v1', file: { name: file, values: readYamlMapping(file) }, overrides: parseKeyValues(['numSteps=16', 'hidden=[32, 32]'], '--set') });
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

test('describeSchema lists every hyperparameter with default and description', () => {
  const rows = describeSchema(ppo.schema);
  const lr = rows.find((r) => r.name === 'learningRate')!;
  assert.is(lr.default, 2.5e-4);
  assert.ok(lr.description.length > 0);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
