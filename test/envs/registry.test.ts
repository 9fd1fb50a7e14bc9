import { test } from 'uvu';
import * as assert from 'uvu/assert';
import './fixtures/random-walk-env.ts';
import { make, registeredIds, spec } from '../../src/envs/registry.ts';
import { parseKeyValues } from '../../src/core/settings.ts';
import { UnknownIdError, ValidationError, InvalidActionError, UsageError } from '../../src/core/errors.ts';

test('make builds a registered env with order enforcing and its time limit', () => {
  const env = make('TestWalk-v0', { options: { bound: 100 } });
  assert.throws(() => env.step(new Float32Array([0])), (e: unknown) => e instanceof UsageError && /reset\(\) before step\(\)/.test((e as Error).message));
  env.reset({ seed: 1 });
  let steps = 0;
  for (;;) {
    const r = env.step(new Float32Array([0]));
    steps++;
    if (r.terminated || r.truncated) {
      assert.ok(r.truncated);
      break;
    }
  }
  assert.is(steps, 20);
  env.close();
  env.close();
  assert.throws(() => env.reset(), /after close/);
});

test('an unknown id lists the known ids; a wrong version names the registered ones', () => {
  assert.throws(() => make('Nope-v0'), (e: unknown) => e instanceof UnknownIdError && /Known envs: .*TestWalk-v0/.test((e as Error).message));
  assert.throws(() => spec('TestWalk-v9'), /registered versions of TestWalk: TestWalk-v0/);
});

test('an action outside the space names the value and the space', () => {
  const env = make('TestWalk-v0');
  env.reset({ seed: 0 });
  assert.throws(
    () => env.step(new Float32Array([2])),
    (e: unknown) => e instanceof InvalidActionError && /action \[2\] is not in Box\(-1, 1, \[1\], float32\): element 0 is 2/.test((e as Error).message),
  );
  assert.throws(() => env.step(new Float32Array([NaN])), /element 0 is NaN/);
  assert.throws(() => env.step(0.5 as any), /got the number 0.5/);
  const chain = make('TestChain-v0');
  chain.reset({ seed: 0 });
  assert.throws(() => chain.step(2), /not in Discrete\(2\).*got 2/);
});

test('options are validated by the schema, with coercion from command-line strings', () => {
  const env = make('TestWalk-v0', { options: parseKeyValues(['bound=0.001']) });
  env.reset({ seed: 3 });
  assert.ok(env.step(new Float32Array([1])).terminated);
  assert.throws(() => make('TestWalk-v0', { options: { bound: -1 } }), (e: unknown) => e instanceof ValidationError && /bound/.test((e as Error).message));
  assert.throws(() => make('TestWalk-v0', { options: { bogus: 1 } }), /bogus/);
  assert.throws(() => make('TestChain-v0', { options: { x: 1 } }), /takes no options/);
  assert.ok(registeredIds().includes('TestChain-v0'));
});

test.run();
