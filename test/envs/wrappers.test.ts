import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestWalkEnv } from './fixtures/random-walk-env.ts';
import { ClipAction, NormalizeObservation, RecordEpisodeStatistics, RescaleAction, TimeLimit } from '../../src/envs/index.ts';
import type { Env, StepResult } from '../../src/envs/env.ts';
import { Box } from '../../src/core/spaces.ts';

/** Records the actions that reach it. */
class Spy implements Env<Float32Array, Float32Array> {
  readonly id = 'Spy-v0';
  readonly observationSpace = new Box(-Infinity, Infinity, [1]);
  readonly actionSpace = new Box([-2, 0], [2, 10]);
  seen: number[][] = [];
  private k = 0;
  reset() {
    this.k = 0;
    return { obs: new Float32Array([0]), info: {} };
  }
  step(a: Float32Array): StepResult<Float32Array> {
    this.seen.push(Array.from(a));
    this.k++;
    return { obs: new Float32Array([this.k]), reward: 1, terminated: this.k === 3, truncated: false, info: {} };
  }
  close() {}
}

test('TimeLimit truncates at the limit and not before', () => {
  const env = new TimeLimit(new TestWalkEnv(1e9), 5);
  env.reset({ seed: 0 });
  const flags = Array.from({ length: 5 }, () => env.step(new Float32Array([0])).truncated);
  assert.equal(flags, [false, false, false, false, true]);
});

test('RecordEpisodeStatistics reports return and length on the last step', () => {
  const env = new RecordEpisodeStatistics(new Spy());
  env.reset();
  env.step(new Float32Array([0, 0]));
  assert.is(env.step(new Float32Array([0, 0])).info.episode, undefined);
  const last = env.step(new Float32Array([0, 0]));
  assert.equal({ r: (last.info.episode as any).r, l: (last.info.episode as any).l }, { r: 3, l: 3 });
  assert.equal(env.returnQueue, [3]);
});

test('ClipAction clips to the bounds and RescaleAction maps [-1, 1] onto them', () => {
  const spy = new Spy();
  const clip = new ClipAction(spy);
  clip.reset({});
  clip.step(new Float32Array([5, -3]));
  assert.equal(spy.seen.at(-1), [2, 0]);
  assert.is(clip.actionSpace.toString(), 'Box(-inf, inf, [2], float32)');
  const rescale = new RescaleAction(spy, -1, 1);
  rescale.step(new Float32Array([-1, 1]));
  assert.equal(spy.seen.at(-1), [-2, 10]);
  rescale.step(new Float32Array([0, 0]));
  assert.equal(spy.seen.at(-1), [0, 5]);
  assert.throws(() => new RescaleAction(new TestWalkEnv() as any, 1, -1), /min/);
});

test('NormalizeObservation tracks mean and variance, and its state round-trips', () => {
  const env = new NormalizeObservation(new TestWalkEnv(1e9));
  env.reset({ seed: 0 });
  const raw: number[] = [];
  for (let i = 0; i < 200; i++) env.step(new Float32Array([0.05]));
  const s = env.getState();
  assert.ok(s.count > 200 && s.count < 202);
  assert.ok(s.var[1]! > 0);
  const copy = new NormalizeObservation(new TestWalkEnv(1e9));
  copy.setState(JSON.parse(JSON.stringify(s)));
  copy.training = false;
  env.training = false;
  copy.reset({ seed: 5 });
  env.reset({ seed: 5 });
  assert.equal(Array.from(copy.step(new Float32Array([0])).obs), Array.from(env.step(new Float32Array([0])).obs));
  void raw;
});

test('wrappers expose frame() only when the wrapped env renders', () => {
  const plain = new TimeLimit(new RecordEpisodeStatistics(new TestWalkEnv()), 3);
  assert.is(plain.frame, undefined);
  const rendering = new TestWalkEnv() as TestWalkEnv & { frame?: () => any };
  rendering.frame = () => ({ scene: { bodies: [] }, transforms: new Float32Array(0), time: 0 });
  const wrapped = new TimeLimit(new RecordEpisodeStatistics(rendering), 3);
  assert.is(wrapped.frame!().time, 0);
});

test.run();
