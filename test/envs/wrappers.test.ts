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

/** Returns the scripted observations, one per reset or step. */
class Script implements Env<Float32Array, Float32Array> {
  readonly id = 'Script-v0';
  readonly observationSpace = new Box(-Infinity, Infinity, [2]);
  readonly actionSpace = new Box(-1, 1, [1]);
  private k = 0;
  constructor(private readonly rows: number[][]) {}
  reset() {
    return { obs: Float32Array.from(this.rows[this.k++]!), info: {} };
  }
  step(): StepResult<Float32Array> {
    return { obs: Float32Array.from(this.rows[this.k++]!), reward: 0, terminated: false, truncated: false, info: {} };
  }
  close() {}
}

test("NormalizeObservation is Gymnasium's: update with the observation, then (obs − mean) / sqrt(var + 1e-8)", () => {
  // Gymnasium's NormalizeObservation (wrappers/stateful_observation.py) with its RunningMeanStd
  // (wrappers/utils.py, count starting at 1e-4, mean 0, var 1), reset observations included.
  // The running statistics after t observations are those of the prior pseudo-batch (1e-4, 0, 1)
  // merged with the t observations, written here in closed form from their two-pass moments.
  const rows = [[1, -4], [3, 0.5], [-2, 8], [0.25, 2], [10, -1], [4, 4]];
  const env = new NormalizeObservation(new Script(rows));
  const outs = [env.reset({}).obs, ...rows.slice(1).map(() => env.step(new Float32Array([0])).obs)];
  const eps = 1e-4;
  for (let t = 1; t <= rows.length; t++) {
    const seen = rows.slice(0, t);
    for (let i = 0; i < 2; i++) {
      const m = seen.reduce((s, r) => s + r[i]!, 0) / t;
      const v = seen.reduce((s, r) => s + (r[i]! - m) ** 2, 0) / t;
      const mean = (t * m) / (eps + t);
      const variance = (eps + t * v + (m * m * eps * t) / (eps + t)) / (eps + t);
      const want = (rows[t - 1]![i]! - mean) / Math.sqrt(variance + 1e-8);
      const got = outs[t - 1]![i]!;
      assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `obs ${t - 1}[${i}]: ${got} vs ${want}`);
    }
  }
  // Frozen statistics (training = false, Gymnasium's update_running_mean = False) do not move.
  const before = JSON.stringify(env.getState());
  env.training = false;
  const frozen = new NormalizeObservation(new Script([[0, 0], [5, 5]]));
  frozen.setState(JSON.parse(before));
  frozen.training = false;
  frozen.reset({});
  frozen.step(new Float32Array([0]));
  assert.is(JSON.stringify(frozen.getState()), before);
  assert.equal(frozen.observationSpace.toString(), 'Box(-inf, inf, [2], float32)');
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
