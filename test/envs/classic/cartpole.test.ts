import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CartPoleEnv } from '../../../src/envs/classic/cartpole.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { PHYSICS_ERROR } from '../../../src/envs/env.ts';
import { Rng } from '../../../src/core/rng.ts';
import { InvalidActionError } from '../../../src/core/errors.ts';

/**
 * Gymnasium's CartPole equations of motion, transcribed from
 * gymnasium/envs/classic_control/cartpole.py (Gymnasium 1.x, `CartPoleEnv.step`), in float64.
 */
function gymnasiumStep(s: number[], action: number, integrator: 'euler' | 'semi-implicit euler'): number[] {
  const gravity = 9.8, masscart = 1.0, masspole = 0.1, totalMass = masspole + masscart;
  const length = 0.5, polemassLength = masspole * length, forceMag = 10.0, tau = 0.02;
  let [x, xDot, theta, thetaDot] = s as [number, number, number, number];
  const force = action === 1 ? forceMag : -forceMag;
  const costheta = Math.cos(theta), sintheta = Math.sin(theta);
  const temp = (force + polemassLength * thetaDot ** 2 * sintheta) / totalMass;
  const thetaacc = (gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - (masspole * costheta ** 2) / totalMass));
  const xacc = temp - (polemassLength * thetaacc * costheta) / totalMass;
  if (integrator === 'euler') {
    x = x + tau * xDot;
    xDot = xDot + tau * xacc;
    theta = theta + tau * thetaDot;
    thetaDot = thetaDot + tau * thetaacc;
  } else {
    xDot = xDot + tau * xacc;
    x = x + tau * xDot;
    thetaDot = thetaDot + tau * thetaacc;
    theta = theta + tau * thetaDot;
  }
  return [x, xDot, theta, thetaDot];
}

/** A linear balancing policy: keeps the pole up for the whole comparison horizon. */
const balance = (s: ArrayLike<number>) => (s[2]! + 0.5 * s[3]! + 0.01 * s[0]! + 0.1 * s[1]! > 0 ? 1 : 0);

/**
 * Largest |Rapier − Gymnasium| per state variable over `episodes` runs of up to 50 steps, both
 * started from the same state (the env's seeded start) and fed the same actions.
 */
function maxErrors(integrator: 'euler' | 'semi-implicit euler', policy: 'balance' | 'random', episodes: number): number[] {
  const env = new CartPoleEnv({ kinematicsIntegrator: integrator });
  const rng = new Rng(7);
  const worst = [0, 0, 0, 0];
  for (let ep = 0; ep < episodes; ep++) {
    env.reset({ seed: 1000 + ep });
    let ref = Array.from(env.getState());
    for (let t = 0; t < 50; t++) {
      const a = policy === 'balance' ? balance(env.getState()) : rng.int(2);
      const r = env.step(a);
      ref = gymnasiumStep(ref, a, integrator);
      const s = env.getState();
      for (let i = 0; i < 4; i++) worst[i] = Math.max(worst[i]!, Math.abs(s[i]! - ref[i]!));
      if (r.terminated) break;
    }
  }
  env.close();
  return worst;
}

// Tolerance. One Rapier step reproduces Gymnasium's accelerations (with the centripetal term
// the env supplies); what remains is float32 rounding of Rapier's state, about 6e-8 relative a
// step, grown by the unstable upright dynamics (e-folding time ~0.2 s). Measured maxima over
// these runs: x 1.2e-7, ẋ 2.8e-7, θ 8.8e-7, θ̇ 3.9e-6. 2e-5 leaves 5× headroom on the worst.
// For scale: without the centripetal bias the θ̇ error is 4e-3, and Gymnasium's own two
// integrators differ by 0.19 rad/s on the same runs.
const TOL = 2e-5;

test("matches Gymnasium's explicit-Euler equations over 50 balancing steps", () => {
  const e = maxErrors('euler', 'balance', 50);
  for (let i = 0; i < 4; i++) assert.ok(e[i]! < TOL!, `variable ${i}: max error ${e[i]} ≥ ${TOL}`);
});

test("matches Gymnasium's explicit-Euler equations under random actions until termination", () => {
  const e = maxErrors('euler', 'random', 50);
  for (let i = 0; i < 4; i++) assert.ok(e[i]! < TOL!, `variable ${i}: max error ${e[i]} ≥ ${TOL}`);
});

test("the semi-implicit option matches Gymnasium's semi-implicit Euler", () => {
  const e = maxErrors('semi-implicit euler', 'balance', 50);
  for (let i = 0; i < 4; i++) assert.ok(e[i]! < TOL!, `variable ${i}: max error ${e[i]} ≥ ${TOL}`);
});

test('one step from rest has exactly the accelerations of the equations', () => {
  const env = new CartPoleEnv({ kinematicsIntegrator: 'semi-implicit euler' });
  env.reset({ seed: 0 });
  env.setState([0, 0, 0, 0]);
  env.step(1);
  const ref = gymnasiumStep([0, 0, 0, 0], 1, 'semi-implicit euler');
  const s = env.getState();
  // ẋ = 0.02 · 9.756 m/s², θ̇ = −0.02 · 14.63 rad/s²: float32 rounding only.
  assert.ok(Math.abs(s[1]! - ref[1]!) < 1e-6, `ẋ ${s[1]} vs ${ref[1]}`);
  assert.ok(Math.abs(s[3]! - ref[3]!) < 1e-6, `θ̇ ${s[3]} vs ${ref[3]}`);
  env.close();
});

test('start state is uniform in ±0.05 and seeded', () => {
  const env = new CartPoleEnv();
  const a = env.reset({ seed: 42 }).obs;
  const b = env.reset({ seed: 42 }).obs;
  const c = env.reset({ seed: 43 }).obs;
  assert.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < 200; i++) {
    const o = env.reset().obs; // unseeded resets continue the stream
    for (const v of o) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  assert.ok(lo >= -0.05 && hi <= 0.05, `start values in [${lo}, ${hi}]`);
  assert.ok(lo < -0.04 && hi > 0.04, 'start values cover the range');
  env.close();
});

test('same seed and actions give the same observations bit for bit, after other episodes too', () => {
  const run = (env: CartPoleEnv) => {
    const out: number[] = [...env.reset({ seed: 5 }).obs];
    for (let t = 0; t < 30; t++) out.push(...env.step(t % 3 === 0 ? 0 : 1).obs);
    return out;
  };
  const env = new CartPoleEnv();
  const first = run(env);
  for (let t = 0; t < 100; t++) if (env.step(t % 2).terminated) env.reset();
  assert.equal(run(env), first);
  assert.equal(run(new CartPoleEnv()), first);
  env.close();
});

test('observations are fresh arrays the env does not mutate later', () => {
  const env = new CartPoleEnv();
  const o0 = env.reset({ seed: 1 }).obs;
  const copy = o0.slice();
  const o1 = env.step(1).obs;
  assert.ok(o0 !== o1);
  assert.equal(Array.from(o0), Array.from(copy));
  env.close();
});

test('terminates past 12° and past the track end; reward 1 per step, 0 after termination', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  env.setState([0, 0, 0.2, 1]);
  let r = env.step(1);
  assert.ok(r.terminated && !r.truncated);
  assert.is(r.reward, 1);
  r = env.step(1);
  assert.is(r.reward, 0);

  env.reset({ seed: 0 });
  env.setState([2.39, 1, 0, 0]);
  r = env.step(1);
  assert.ok(r.terminated, `x = ${r.obs[0]}`);
  env.reset({ seed: 0 });
  env.setState([0, 0, 0.1, 0]);
  assert.not.ok(env.step(1).terminated);
  env.close();
});

test('Sutton & Barto reward: 0 per step, −1 on termination', () => {
  const env = new CartPoleEnv({ suttonBartoReward: true });
  env.reset({ seed: 0 });
  assert.is(env.step(0).reward, 0);
  env.setState([0, 0, 0.2, 1]);
  assert.is(env.step(1).reward, -1);
  env.close();
});

test('a physics blow-up truncates with info.error and never throws', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  env.setState([0, 1e30, 0, 0]);
  const r = env.step(1);
  assert.ok(r.truncated && !r.terminated);
  assert.is(r.info.error, PHYSICS_ERROR);
  assert.is(r.reward, 0);
  assert.ok(r.obs.every(Number.isFinite), 'the last good observation, not NaN');
  const again = env.step(0);
  assert.ok(again.truncated);
  assert.is(again.info.error, PHYSICS_ERROR);
  env.setState([0, Number.NaN, 0, 0]);
  assert.is(env.step(0).info.error, PHYSICS_ERROR);
  // reset recovers
  const fresh = env.reset({ seed: 0 });
  assert.ok(fresh.obs.every(Number.isFinite));
  assert.is(env.step(0).info.error, undefined);
  env.close();
});

test('make: 500-step time limit, and a balancing policy lasts it', () => {
  const env = make('CartPole-v1');
  let { obs } = env.reset({ seed: 3 });
  let steps = 0, ret = 0;
  for (;;) {
    const r = env.step(balance(obs));
    obs = r.obs;
    steps++;
    ret += r.reward;
    if (r.terminated || r.truncated) {
      assert.ok(r.truncated && !r.terminated, `ended at step ${steps} with obs ${Array.from(obs)}`);
      break;
    }
  }
  assert.is(steps, 500);
  assert.is(ret, 500);
  env.close();
});

test('checkEnv passes; frame has the cart and the pole above it', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  env.setState([0.5, 0, 0, 0]);
  const f = env.frame();
  assert.is(f.scene.bodies.length, 3);
  assert.is(f.transforms[7], 0.5); // cart x
  assert.ok(Math.abs(f.transforms[14]! - 0.5) < 1e-6); // pole centre x
  assert.ok(Math.abs(f.transforms[15]! - 0.5) < 1e-6); // pole centre y: half a length above the pivot
  assert.ok(env.frame().scene === f.scene);
  checkEnv(make('CartPole-v1'));
  env.close();
  env.close();
});

test('the bare env rejects any action but 0 and 1, naming it (it pushed left on NaN, 2 or 0.5)', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  for (const a of [Number.NaN, Infinity, 2, 0.5, -1]) {
    assert.throws(() => env.step(a), (e: unknown) => e instanceof InvalidActionError && e.message.includes(`action ${a} is not in Discrete(2)`), String(a));
  }
  // Nothing moved: the next valid step is the one a fresh env takes.
  const fresh = new CartPoleEnv();
  fresh.reset({ seed: 0 });
  assert.equal(Array.from(env.step(1).obs), Array.from(fresh.step(1).obs));
  env.close();
  fresh.close();
});

test.run();
