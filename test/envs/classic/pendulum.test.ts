import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PendulumEnv } from '../../../src/envs/classic/pendulum.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { PHYSICS_ERROR } from '../../../src/envs/env.ts';
import { Rng } from '../../../src/core/rng.ts';

/**
 * Gymnasium's Pendulum step, transcribed from gymnasium/envs/classic_control/pendulum.py
 * (Gymnasium 1.x, `PendulumEnv.step` and `angle_normalize`), in float64. Returns the new state
 * and the reward.
 */
function gymnasiumStep(th: number, thdot: number, action: number, g = 10.0): { th: number; thdot: number; reward: number } {
  const maxSpeed = 8, maxTorque = 2.0, dt = 0.05, m = 1.0, l = 1.0;
  const u = Math.min(Math.max(action, -maxTorque), maxTorque);
  const angleNormalize = (x: number) => ((((x + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;
  const costs = angleNormalize(th) ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2;
  let newthdot = thdot + ((3 * g) / (2 * l) * Math.sin(th) + (3.0 / (m * l ** 2)) * u) * dt;
  newthdot = Math.min(Math.max(newthdot, -maxSpeed), maxSpeed);
  const newth = th + newthdot * dt;
  return { th: newth, thdot: newthdot, reward: -costs };
}

const wrap = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));

// One Rapier step gives Gymnasium's θ̇ to float32 rounding (one joint to a fixed base; the env
// applies Gymnasium's clip and position update). Over longer runs the rounding (1e-7 a step) is
// amplified each time the rod passes near upright, an unstable equilibrium (growth e^(3.9·t)):
// measured worst θ error 8e-7 rad by step 25, 4e-5 by step 50, 3e-3 by step 200. So the
// state is compared over the first 50 steps (measured worst: θ 4e-5 rad, θ̇ 8e-5 rad/s;
// tolerance 2e-4), and whole 200-step episodes by their return (measured within 4e-5
// relative; tolerance 1e-3).
test("matches Gymnasium's equations: state over 50 steps, returns over 200", () => {
  const env = new PendulumEnv();
  const rng = new Rng(11);
  let worstTh = 0, worstThdot = 0, worstReturn = 0;
  for (let ep = 0; ep < 20; ep++) {
    env.reset({ seed: ep });
    let [th, thdot] = env.getState();
    let ret = 0, refRet = 0;
    for (let t = 0; t < 200; t++) {
      const a = rng.uniform(-2.5, 2.5); // some beyond the limit: both clip
      const r = env.step(Float32Array.of(a));
      const ref = gymnasiumStep(th, thdot, Math.fround(a));
      th = ref.th;
      thdot = ref.thdot;
      ret += r.reward;
      refRet += ref.reward;
      if (t < 50) {
        const [eth, ethdot] = env.getState();
        worstTh = Math.max(worstTh, Math.abs(wrap(eth - th)));
        worstThdot = Math.max(worstThdot, Math.abs(ethdot - thdot));
      }
    }
    worstReturn = Math.max(worstReturn, Math.abs(ret - refRet) / Math.abs(refRet));
  }
  env.close();
  assert.ok(worstTh < 2e-4, `θ error ${worstTh}`);
  assert.ok(worstThdot < 2e-4, `θ̇ error ${worstThdot}`);
  assert.ok(worstReturn < 1e-3, `relative return error ${worstReturn}`);
});

test('the g option changes gravity', () => {
  const env = new PendulumEnv({ g: 9.81 });
  env.reset({ seed: 0 });
  env.setState(1, 0);
  env.step(Float32Array.of(0));
  const ref = gymnasiumStep(1, 0, 0, 9.81);
  assert.ok(Math.abs(env.getState()[1] - ref.thdot) < 1e-5);
  env.close();
});

test('speed is clipped to 8 rad/s, and a rod at rest upright with no torque stays there with reward 0', () => {
  const env = new PendulumEnv();
  env.reset({ seed: 0 });
  env.setState(Math.PI / 2, 7.9);
  for (let t = 0; t < 5; t++) env.step(Float32Array.of(2));
  assert.ok(Math.abs(env.getState()[1]) <= 8);
  env.setState(0, 0);
  const r = env.step(Float32Array.of(0));
  assert.is(r.reward, 0);
  assert.ok(Math.abs(r.obs[0]! - 1) < 1e-6 && Math.abs(r.obs[2]!) < 1e-6);
  env.close();
});

test('a hanging rod swings: gravity pulls it down from near upright', () => {
  const env = new PendulumEnv();
  env.reset({ seed: 0 });
  env.setState(0.1, 0);
  let r = env.step(Float32Array.of(0));
  for (let t = 0; t < 20; t++) r = env.step(Float32Array.of(0));
  assert.ok(r.obs[0]! < 0.5, `cos θ = ${r.obs[0]}: it fell`);
  env.close();
});

test('start state: θ in [−π, π], θ̇ in [−1, 1], seeded; observations are fresh arrays', () => {
  const env = new PendulumEnv();
  const a = env.reset({ seed: 9 }).obs;
  assert.equal(Array.from(env.reset({ seed: 9 }).obs), Array.from(a));
  assert.not.equal(Array.from(env.reset({ seed: 10 }).obs), Array.from(a));
  let maxSpeed = 0, minCos = 1, maxCos = -1;
  for (let i = 0; i < 300; i++) {
    const o = env.reset().obs;
    maxSpeed = Math.max(maxSpeed, Math.abs(o[2]!));
    minCos = Math.min(minCos, o[0]!);
    maxCos = Math.max(maxCos, o[0]!);
  }
  assert.ok(maxSpeed <= 1 && maxSpeed > 0.9);
  assert.ok(minCos < -0.95 && maxCos > 0.95, 'angles cover the circle');
  const o0 = env.reset({ seed: 1 }).obs;
  const copy = o0.slice();
  const o1 = env.step(Float32Array.of(1)).obs;
  assert.ok(o0 !== o1);
  assert.equal(Array.from(o0), Array.from(copy));
  env.close();
});

test('a NaN torque on the bare env is a blow-up: truncated with info.error, last good observation', () => {
  const env = new PendulumEnv();
  env.reset({ seed: 0 });
  const r = env.step(Float32Array.of(Number.NaN));
  assert.ok(r.truncated && !r.terminated);
  assert.is(r.info.error, PHYSICS_ERROR);
  assert.ok(r.obs.every(Number.isFinite));
  assert.is(env.step(Float32Array.of(0)).info.error, PHYSICS_ERROR);
  env.reset({ seed: 0 });
  assert.is(env.step(Float32Array.of(0)).info.error, undefined);
  env.close();
});

test('make: 200-step time limit, never terminated; checkEnv passes; frame', () => {
  const env = make('Pendulum-v1');
  env.actionSpace.seed(0);
  env.reset({ seed: 0 });
  let steps = 0;
  for (;;) {
    const r = env.step(env.actionSpace.sample());
    steps++;
    assert.not.ok(r.terminated);
    if (r.truncated) break;
  }
  assert.is(steps, 200);
  const f = env.frame!();
  assert.is(f.scene.bodies.length, 2);
  assert.ok(Math.abs(Math.hypot(f.transforms[7]!, f.transforms[8]!) - 0.5) < 1e-5, 'rod centre 0.5 m from the axle');
  env.close();
  checkEnv(make('Pendulum-v1'));
});

test.run();
