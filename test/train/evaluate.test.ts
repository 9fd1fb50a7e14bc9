import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../src/core/errors.ts';
import { train } from '../../src/train/run.ts';
import { evaluateRun } from '../../src/train/evaluate.ts';

test('evaluateRun: greedy policy of the last checkpoint, repeatable; episodes validated', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'gymnast-eval-')), 'run');
  await train({ env: 'CartPole-v1', agent: 'a2c', steps: 400, out: dir }, {});
  const a = await evaluateRun(dir, { episodes: 3 });
  const b = await evaluateRun(dir, { episodes: 3 });
  assert.is(a.episodes, 3);
  assert.equal(a.returns, b.returns);
  assert.ok(a.mean_return >= 8 && a.mean_return <= 500);
  assert.is(a.step, 400);
  await evaluateRun(dir, { episodes: 0 }).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  // Env options over the run's: Sutton & Barto's reward gives 0 a step and −1 on termination.
  const sb = await evaluateRun(dir, { episodes: 3, envOptions: { suttonBartoReward: true } });
  assert.ok(sb.returns.every((r) => r === 0 || r === -1), `returns ${sb.returns}`);
  assert.equal(sb.returns.filter((r) => r === -1).length, a.returns.filter((r) => r < 500).length);
  rmSync(dir, { recursive: true, force: true });
});

test.run();
