import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AcrobotEnv } from '../../../src/envs/classic/acrobot.ts';
import { make } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { PHYSICS_ERROR } from '../../../src/envs/env.ts';
import { Rng } from '../../../src/core/rng.ts';

/**
 * Gymnasium's Acrobot dynamics, transcribed from gymnasium/envs/classic_control/acrobot.py
 * (Gymnasium 1.x: `AcrobotEnv._dsdt` with book_or_nips = "book", `rk4`, `wrap`, `bound`,
 * `AcrobotEnv.step`), in float64.
 */
const m1 = 1, m2 = 1, l1 = 1, lc1 = 0.5, lc2 = 0.5, I1 = 1, I2 = 1, g = 9.8;
function dsdt(s: number[], a: number): number[] {
  const [theta1, theta2, dtheta1, dtheta2] = s as [number, number, number, number];
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(theta2)) + I1 + I2;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(theta2)) + I2;
  const phi2 = m2 * lc2 * g * Math.cos(theta1 + theta2 - Math.PI / 2);
  const phi1 =
    -m2 * l1 * lc2 * dtheta2 ** 2 * Math.sin(theta2) -
    2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2) +
    (m1 * lc1 + m2 * l1) * g * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  const ddtheta2 = (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * dtheta1 ** 2 * Math.sin(theta2) - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1);
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return [dtheta1, dtheta2, ddtheta1, ddtheta2];
}
function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x -= diff;
  while (x < m) x += diff;
  return x;
}
function gymnasiumStep(s: number[], action: number): number[] {
  const torque = [-1, 0, 1][action]!;
  const dt = 0.2;
  const k1 = dsdt(s, torque);
  const k2 = dsdt(s.map((v, i) => v + (dt / 2) * k1[i]!), torque);
  const k3 = dsdt(s.map((v, i) => v + (dt / 2) * k2[i]!), torque);
  const k4 = dsdt(s.map((v, i) => v + dt * k3[i]!), torque);
  const ns = s.map((v, i) => v + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
  ns[0] = wrap(ns[0]!, -Math.PI, Math.PI);
  ns[1] = wrap(ns[1]!, -Math.PI, Math.PI);
  ns[2] = Math.min(Math.max(ns[2]!, -4 * Math.PI), 4 * Math.PI);
  ns[3] = Math.min(Math.max(ns[3]!, -9 * Math.PI), 9 * Math.PI);
  return ns;
}
/** Total mechanical energy of the double pendulum in a state (J), potential zero at the axle. */
function energy(s: ArrayLike<number>): number {
  const [t1, t2, w1, w2] = [s[0]!, s[1]!, s[2]!, s[3]!];
  const b = t1 + t2, wb = w1 + w2;
  const v1sq = (lc1 * w1) ** 2;
  const v2x = l1 * Math.cos(t1) * w1 + lc2 * Math.cos(b) * wb, v2y = l1 * Math.sin(t1) * w1 + lc2 * Math.sin(b) * wb;
  const kinetic = 0.5 * m1 * v1sq + 0.5 * I1 * w1 ** 2 + 0.5 * m2 * (v2x ** 2 + v2y ** 2) + 0.5 * I2 * wb ** 2;
  const potential = -m1 * g * lc1 * Math.cos(t1) - m2 * g * (l1 * Math.cos(t1) + lc2 * Math.cos(b));
  return kinetic + potential;
}
const angleDiff = (a: number, b: number) => Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b)));

function maxErrors(starts: 'reset' | 'wide', steps: number): number[] {
  const env = new AcrobotEnv();
  const rng = new Rng(5);
  const worst = [0, 0, 0, 0];
  for (let ep = 0; ep < 20; ep++) {
    env.reset({ seed: ep });
    if (starts === 'wide') env.setState([rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-3, 3), rng.uniform(-6, 6)]);
    let ref = Array.from(env.getState());
    for (let t = 0; t < steps; t++) {
      const a = rng.int(3);
      env.step(a);
      ref = gymnasiumStep(ref, a);
      const s = env.getState();
      worst[0] = Math.max(worst[0]!, angleDiff(s[0]!, ref[0]!));
      worst[1] = Math.max(worst[1]!, angleDiff(s[1]!, ref[1]!));
      worst[2] = Math.max(worst[2]!, Math.abs(s[2]! - ref[2]!));
      worst[3] = Math.max(worst[3]!, Math.abs(s[3]! - ref[3]!));
    }
  }
  env.close();
  return worst;
}

// Tolerances. Rapier's accelerations agree with the book dynamics to 3e-5 relative over the
// whole velocity range (joint softness and float32); the env integrates them with Gymnasium's
// RK4. Measured worst errors (rad, rad/s) over 10 steps = 2 s of random torques from
// Gymnasium's starts: θ1 2.6e-6, θ2 1.0e-5, θ̇1 7.9e-6, θ̇2 2.5e-5; from wide starts (|θ| ≤ 2,
// |θ̇2| ≤ 6, fast swings): 2.9e-5, 4.1e-5, 5.9e-5, 9.6e-5. Bounds: about 4× those. Longer
// horizons are chaotic (a double pendulum) and are compared by behaviour below.
test("matches Gymnasium's RK4 book dynamics over 10 steps from Gymnasium's starts", () => {
  const e = maxErrors('reset', 10);
  const tol = [1e-5, 4e-5, 4e-5, 1e-4];
  for (let i = 0; i < 4; i++) assert.ok(e[i]! < tol[i]!, `variable ${i}: max error ${e[i]} ≥ ${tol[i]}`);
});

test("matches Gymnasium's RK4 book dynamics over 10 steps from fast, wide starts", () => {
  const e = maxErrors('wide', 10);
  const tol = [1.2e-4, 1.6e-4, 2.4e-4, 4e-4];
  for (let i = 0; i < 4; i++) assert.ok(e[i]! < tol[i]!, `variable ${i}: max error ${e[i]} ≥ ${tol[i]}`);
});

test('one step from anywhere in the state space, up to the velocity limits', () => {
  // At |θ̇2| near 9π a link turns 8 rad in one 0.2 s step and Gymnasium's RK4 stages sample wild
  // states; they amplify the 3e-5 acceleration error. Measured worst: angles 2.4e-4 and 3.8e-4
  // rad, velocities 6.6e-4 and 1.6e-2 relative to 1 + |θ̇|. Bounds: 2.5× those.
  const env = new AcrobotEnv();
  env.reset({ seed: 0 });
  const rng = new Rng(8);
  const worst = [0, 0, 0, 0];
  for (let i = 0; i < 300; i++) {
    env.setState([rng.uniform(-Math.PI, Math.PI), rng.uniform(-Math.PI, Math.PI), rng.uniform(-4 * Math.PI, 4 * Math.PI), rng.uniform(-9 * Math.PI, 9 * Math.PI)]);
    const a = rng.int(3);
    const ref = gymnasiumStep(Array.from(env.getState()), a);
    env.step(a);
    const s = env.getState();
    worst[0] = Math.max(worst[0]!, angleDiff(s[0]!, ref[0]!));
    worst[1] = Math.max(worst[1]!, angleDiff(s[1]!, ref[1]!));
    worst[2] = Math.max(worst[2]!, Math.abs(s[2]! - ref[2]!) / (1 + Math.abs(ref[2]!)));
    worst[3] = Math.max(worst[3]!, Math.abs(s[3]! - ref[3]!) / (1 + Math.abs(ref[3]!)));
  }
  env.close();
  const tol = [6e-4, 1e-3, 1.6e-3, 4e-2];
  for (let i = 0; i < 4; i++) assert.ok(worst[i]! < tol[i]!, `variable ${i}: max error ${worst[i]} ≥ ${tol[i]}`);
});

test('without torque, energy stays as Gymnasium keeps it (RK4 at dt 0.2 drifts a little)', () => {
  // A 20 s free swing from θ1 = 1.5, θ2 = 0.5. Gymnasium's own integrator changes the energy by
  // up to 1.3 J over it (E0 = 1.0 J; the potential spans ±19.6 J); ours must do the same, within 5%.
  const env = new AcrobotEnv();
  env.reset({ seed: 0 });
  env.setState([1.5, 0.5, 0, 0]);
  let ref = [1.5, 0.5, 0, 0];
  const e0 = energy(ref);
  let drift = 0, refDrift = 0;
  for (let t = 0; t < 100; t++) {
    env.step(1);
    ref = gymnasiumStep(ref, 1);
    drift = Math.max(drift, Math.abs(energy(env.getState()) - e0));
    refDrift = Math.max(refDrift, Math.abs(energy(ref) - e0));
  }
  env.close();
  assert.ok(refDrift > 0.5 && refDrift < 2, `reference drift ${refDrift}`);
  assert.ok(Math.abs(drift - refDrift) < 0.05 * refDrift, `drift ${drift} vs Gymnasium's ${refDrift}`);
});

test('a resting chain stays at rest; the torque on joint 2 turns the links opposite ways', () => {
  const env = new AcrobotEnv();
  env.reset({ seed: 0 });
  env.setState([0, 0, 0, 0]);
  let r = env.step(1);
  assert.ok(r.obs.slice(4).every((v) => Math.abs(v) < 1e-6), `at rest: ${Array.from(r.obs)}`);
  assert.is(r.reward, -1);
  r = env.step(2); // +1 N·m on link 2, −1 on link 1
  assert.ok(r.obs[5]! > 0 && r.obs[4]! < 0, `θ̇ = ${r.obs[4]}, ${r.obs[5]}`);
  env.close();
});

test('pumping energy swings the end above the line: terminated with reward 0, as in Gymnasium', () => {
  // Torque in the direction of the second joint's swing pumps energy in; Gymnasium's dynamics
  // reach the goal in 73–100 steps from these starts.
  const policy = (s: ArrayLike<number>) => (s[3]! > 0 ? 2 : 0);
  const env = new AcrobotEnv();
  for (const seed of [0, 1, 2, 3]) {
    env.reset({ seed });
    let ref = Array.from(env.getState());
    let refSteps = 0;
    for (refSteps = 1; refSteps <= 500; refSteps++) {
      ref = gymnasiumStep(ref, policy(ref));
      if (-Math.cos(ref[0]!) - Math.cos(ref[1]! + ref[0]!) > 1) break;
    }
    let steps = 0, last = env.step(policy(env.getState()));
    for (steps = 1; !last.terminated && steps < 500; steps++) last = env.step(policy(env.getState()));
    assert.ok(refSteps < 500 && last.terminated, `seed ${seed}: reached the goal`);
    assert.is(last.reward, 0);
    assert.ok(Math.abs(steps - refSteps) <= 2, `seed ${seed}: ${steps} steps here, ${refSteps} in Gymnasium's dynamics`);
  }
  env.close();
});

test('seeded starts in ±0.1; same seed and actions give the same bits; fresh observation arrays', () => {
  const env = new AcrobotEnv();
  const run = () => {
    const out = [...env.reset({ seed: 3 }).obs];
    for (let t = 0; t < 20; t++) out.push(...env.step(t % 3).obs);
    return out;
  };
  const first = run();
  for (let i = 0; i < 50; i++) env.reset();
  assert.equal(run(), first);
  for (let i = 0; i < 100; i++) {
    env.reset();
    const s = env.getState();
    assert.ok(s.every((v) => Math.abs(v) <= 0.1 + 1e-6));
  }
  const o0 = env.reset({ seed: 1 }).obs;
  const copy = o0.slice();
  assert.ok(env.step(1).obs !== o0);
  assert.equal(Array.from(o0), Array.from(copy));
  env.close();
});

test('a blow-up (a non-finite state, or an action the bare env cannot map) truncates with info.error', () => {
  const env = new AcrobotEnv();
  env.reset({ seed: 0 });
  let r = env.step(7);
  assert.ok(r.truncated && r.info.error === PHYSICS_ERROR);
  assert.ok(r.obs.every(Number.isFinite));
  env.reset({ seed: 0 });
  env.setState([0, 0, Number.NaN, 0]);
  r = env.step(1);
  assert.ok(r.truncated && !r.terminated);
  assert.is(r.info.error, PHYSICS_ERROR);
  assert.is(env.step(1).info.error, PHYSICS_ERROR);
  env.reset({ seed: 0 });
  assert.is(env.step(1).info.error, undefined);
  env.close();
});

test('make: 500-step limit; checkEnv passes; frame shows the chain hanging from the axle', () => {
  const env = make('Acrobot-v1');
  env.reset({ seed: 0 });
  let steps = 0;
  for (;;) {
    const r = env.step(1);
    steps++;
    if (r.terminated || r.truncated) {
      assert.ok(r.truncated);
      break;
    }
  }
  assert.is(steps, 500);
  env.close();
  const bare = new AcrobotEnv();
  bare.reset({ seed: 0 });
  bare.setState([0, 0, 0, 0]);
  const f = bare.frame();
  assert.is(f.scene.bodies.length, 3);
  assert.ok(Math.abs(f.transforms[8]! + 0.5) < 1e-6 && Math.abs(f.transforms[15]! + 1.5) < 1e-6, 'link centres at y = −0.5, −1.5');
  bare.close();
  checkEnv(make('Acrobot-v1'));
});

test.run();
