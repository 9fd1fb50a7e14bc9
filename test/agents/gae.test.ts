import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeGae } from '../../src/agents/gae.ts';

function rollout(T: number, n: number, fill: Partial<Record<'rewards' | 'values', number[]>> & { terminated?: number[]; dones?: number[]; valid?: number[] }) {
  const f = (v: number[] | undefined, d: number) => Float64Array.from(v ?? new Array(T * n).fill(d));
  const u = (v: number[] | undefined, d: number) => Uint8Array.from(v ?? new Array(T * n).fill(d));
  return {
    rewards: f(fill.rewards, 0), values: f(fill.values, 0),
    terminated: u(fill.terminated, 0), dones: u(fill.dones, 0), valid: u(fill.valid, 1),
    advantages: new Float64Array(T * n), returns: new Float64Array(T * n),
  };
}

test('λ = 1 without episode ends: the discounted return bootstrapped from V(next) minus V(s)', () => {
  const g = 0.9;
  const r = rollout(3, 1, { rewards: [1, 2, 3], values: [0.5, 0.25, 0.125] });
  computeGae(r, [4], 3, 1, g, 1);
  // Monte Carlo: G_t = Σ γ^l r_{t+l} + γ^{T−t} V(s_T).
  const G = [1 + g * 2 + g * g * 3 + g ** 3 * 4, 2 + g * 3 + g * g * 4, 3 + g * 4];
  for (let t = 0; t < 3; t++) {
    assert.ok(Math.abs(r.returns[t]! - G[t]!) < 1e-12, `return ${t}`);
    assert.ok(Math.abs(r.advantages[t]! - (G[t]! - r.values[t]!)) < 1e-12, `advantage ${t}`);
  }
});

test('λ = 0 is the one-step TD error', () => {
  const r = rollout(2, 1, { rewards: [1, 1], values: [2, 3] });
  computeGae(r, [5], 2, 1, 0.5, 0);
  assert.ok(Math.abs(r.advantages[0]! - (1 + 0.5 * 3 - 2)) < 1e-12);
  assert.ok(Math.abs(r.advantages[1]! - (1 + 0.5 * 5 - 3)) < 1e-12);
});

test('termination does not bootstrap, truncation does from the reset step\'s value; reset steps get 0', () => {
  // Two sub-envs, step-major. Env 0 terminates at t = 0, env 1 is truncated at t = 0; at t = 1 both
  // are reset steps (no transition) whose stored value is V(final obs) = 10.
  const r = rollout(2, 2, { rewards: [1, 1, 0, 0], values: [2, 2, 10, 10], terminated: [1, 0, 0, 0], dones: [1, 1, 0, 0], valid: [1, 1, 0, 0] });
  computeGae(r, [7, 7], 2, 2, 0.9, 0.95);
  assert.ok(Math.abs(r.advantages[0]! - (1 - 2)) < 1e-12, 'terminated: δ = r − V(s)');
  assert.ok(Math.abs(r.advantages[1]! - (1 + 0.9 * 10 - 2)) < 1e-12, 'truncated: δ = r + γ V(final) − V(s)');
  assert.is(r.advantages[2], 0);
  assert.is(r.advantages[3], 0);
});

test.run();
