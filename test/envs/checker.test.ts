import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestWalkEnv } from './fixtures/random-walk-env.ts';
import { checkEnv, EnvCheckError } from '../../src/envs/checker.ts';
import { Box, Discrete } from '../../src/core/spaces.ts';
import type { StepResult } from '../../src/envs/env.ts';

test('a well-behaved env passes', () => {
  const report = checkEnv(new TestWalkEnv());
  assert.ok(report.stepsChecked > 0);
});

/** Deliberately broken in four ways. */
class BrokenEnv {
  readonly id = 'Broken-v0';
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Discrete(2);
  private t = 0;
  private closed = false;
  reset() {
    this.t = 0;
    // Unseeded randomness, as a careless env would have (here a counter that never resets).
    return { obs: new Float32Array([0, (Date.now() % 7) / 10]), info: {} };
  }
  step(): StepResult<Float32Array> {
    this.t++;
    return { obs: new Float32Array([5, 0]), reward: NaN, terminated: this.t > 3, truncated: false, info: {} };
  }
  close() {
    if (this.closed) throw new Error('already closed');
    this.closed = true;
  }
}

test('a broken env fails with every problem named and what to fix', () => {
  try {
    checkEnv(new BrokenEnv() as any);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, EnvCheckError);
    const msg = (e as Error).message;
    assert.match(msg, /Broken-v0 failed checkEnv/);
    assert.match(msg, /step 0: reward must be a finite number, got NaN/);
    assert.match(msg, /step 0: observation not in observationSpace .*element 0 is 5/);
    assert.match(msg, /close\(\) twice threw: already closed; make close\(\) idempotent/);
  }
});

test('an env that ignores the seed is caught', () => {
  class Unseeded extends TestWalkEnv {
    private n = 0;
    override reset() {
      this.n++;
      return { obs: new Float32Array([this.n / 100, 0]), info: {} };
    }
  }
  assert.throws(() => checkEnv(new Unseeded()), /reset\(\{ seed \}\) twice gave different observations/);
});

test('a malformed space is reported before anything runs', () => {
  const env = new TestWalkEnv();
  (env as any).observationSpace = [0, 1];
  assert.throws(() => checkEnv(env), /observationSpace is 0,1: use Box or Discrete/);
});

test.run();
