import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFormatError, UsageError } from '../../src/core/errors.ts';
import { readRunConfig } from '../../src/train/run-config.ts';
import { runHyperparameters } from '../../src/nn/run-folder.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { ppo } from '../../src/agents/ppo.ts';

const dir = mkdtempSync(join(tmpdir(), 'gymnast-run-config-'));
const shipped = new URL('../../policies/biped-walk', import.meta.url).pathname;
const good = { gymnast: '0.1.0', env: 'CartPole-v1', envOptions: {}, agent: 'ppo', steps: 1000, seed: 0, checkpointEvery: 500, evalEpisodes: 0, backend: { requested: 'auto', name: 'wasm' }, config: {} };

/** Writes `content` as the run folder's config.json and reads it back. */
function read(content: unknown): ReturnType<typeof readRunConfig> {
  writeFileSync(join(dir, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return readRunConfig(dir);
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the shipped policy and a run written today read back whole; old runs get the defaults they lacked', () => {
  const policy = readRunConfig(shipped);
  assert.is(policy.env, 'BipedImitate-v0');
  assert.is(policy.steps, 5_000_000);
  assert.is(policy.envOptions.clip, 'biped3d_walk');
  assert.equal(read(good), good);
  const { evalEpisodes: _e, envOptions: _o, backend: _b, gymnast: _g, ...old } = good;
  const filled = read(old);
  assert.equal([filled.evalEpisodes, filled.envOptions, filled.backend.requested, filled.vectorEnv], [0, {}, 'auto', undefined]);
});

test('one error naming the file and the field: not JSON, missing, wrong type, out of range; a prior run or no run', () => {
  const fails = (content: unknown, field: RegExp) =>
    assert.throws(() => read(content), (e: unknown) => e instanceof FileFormatError && (e as Error).message.startsWith(join(dir, 'config.json')) && field.test((e as Error).message));
  fails('{"env": ', /: JSON: cannot be parsed/);
  fails({ ...good, env: undefined }, /: env: /);
  fails({ ...good, steps: null }, /: steps: /);
  fails({ ...good, steps: -5 }, /: steps: /);
  fails({ ...good, seed: 1e308 }, /: seed: /);
  fails({ ...good, checkpointEvery: 0 }, /: checkpointEvery: /);
  fails({ ...good, config: [] }, /: config: /);
  fails({ ...good, vectorEnv: 'gpu' }, /: vectorEnv: /);
  fails(null, /: \(root\): expected a JSON object/);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ kind: 'motion-prior', family: 'vae' }));
  assert.throws(() => readRunConfig(dir), (e: unknown) => e instanceof UsageError && /holds a motion prior/.test((e as Error).message));
  assert.throws(() => readRunConfig(join(dir, 'nowhere')), (e: unknown) => e instanceof UsageError && /nowhere: no such folder/.test((e as Error).message));
  mkdirSync(join(dir, 'empty'));
  assert.throws(() => readRunConfig(join(dir, 'empty')), (e: unknown) => e instanceof UsageError && /empty: no config\.json there; is it a run folder\? \(train one with gymnast train\)/.test((e as Error).message));
});

test("the recorded hyperparameters are read by the agent's schema: a bad one is one error naming the file and the field, not a stack", () => {
  assert.is(runHyperparameters(ppo.schema, dir, { learningRate: 1e-3 }).learningRate, 1e-3);
  assert.throws(
    () => runHyperparameters(ppo.schema, dir, { learningRate: 'fast', numMinibatches: 0 }),
    (e: unknown) => e instanceof ValidationError && (e as Error).message.startsWith(`${join(dir, 'config.json')} config: 2 problems`) && /learningRate: /.test((e as Error).message) && /numMinibatches: /.test((e as Error).message),
  );
});

test.run();
