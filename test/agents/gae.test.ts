import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeGae, normalizeAdvantages } from '../../src/agents/gae.ts';

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


/**
 * GAE by its definition (Schulman et al. 2016, eq. 16): Â_t = Σ_{l ≥ 0} (γλ)^l δ_{t+l}, the sum
 * running to the end of the episode (the step that ends it included) or of the rollout, with
 * δ_t = r_t + γ·V(s_{t+1})·(1 − terminated_t) − V(s_t) and V(s_{t+1}) the next stored value (at an
 * episode end, the reset step's value, V of the final observation) or `nextValue` after the last
 * step. No recursion: a double loop over t and l.
 */
function bruteForceGae(r: ReturnType<typeof rollout>, nextValue: number[], T: number, n: number, gamma: number, lambda: number): number[] {
  const adv = new Array(T * n).fill(0);
  const delta = (t: number, i: number) => {
    const k = t * n + i;
    const vNext = t === T - 1 ? nextValue[i]! : r.values[k + n]!;
    return r.rewards[k]! + (r.terminated[k] ? 0 : gamma * vNext) - r.values[k]!;
  };
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      if (!r.valid[t * n + i]) continue;
      let sum = 0;
      for (let l = 0; t + l < T; l++) {
        sum += (gamma * lambda) ** l * delta(t + l, i);
        if (r.dones[(t + l) * n + i]) break;
      }
      adv[t * n + i] = sum;
    }
  }
  return adv;
}

test('0 < λ < 1, 3 envs, mixed terminations and truncations: the sum of discounted TD residuals', () => {
  const T = 8, n = 3;
  // Per env (columns), the steps at which an episode ends and how; the step after an end is the
  // reset step (valid 0). Env 0: terminated at 2, truncated at 6; env 1: truncated at 1, terminated
  // at 7 (the last step); env 2: no end at all.
  const ends: Record<number, [number, 'term' | 'trunc'][]> = { 0: [[2, 'term'], [6, 'trunc']], 1: [[1, 'trunc'], [7, 'term']], 2: [] };
  const terminated: number[] = [], dones: number[] = [], valid: number[] = [], rewards: number[] = [], values: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < n; i++) {
      const end = ends[i]!.find(([s]) => s === t);
      terminated.push(end?.[1] === 'term' ? 1 : 0);
      dones.push(end ? 1 : 0);
      valid.push(ends[i]!.some(([s]) => s === t - 1) ? 0 : 1);
      // Distinct numbers everywhere, so a value read from the wrong step or env shows.
      rewards.push(Math.sin(1 + 7 * t + 3 * i) + 0.5 * i);
      values.push(Math.cos(2 + 5 * t + 11 * i) * (1 + i));
    }
  }
  const r = rollout(T, n, { rewards, values, terminated, dones, valid });
  const next = [0.7, -1.3, 2.1];
  for (const [gamma, lambda] of [[0.99, 0.95], [0.9, 0.5], [0.8, 0.3]] as const) {
    computeGae(r, next, T, n, gamma, lambda);
    const want = bruteForceGae(r, next, T, n, gamma, lambda);
    for (let k = 0; k < T * n; k++) {
      assert.ok(Math.abs(r.advantages[k]! - want[k]!) < 1e-12, `γ ${gamma} λ ${lambda}, step ${Math.floor(k / n)} env ${k % n}: ${r.advantages[k]} vs ${want[k]}`);
      assert.ok(Math.abs(r.returns[k]! - (want[k]! + r.values[k]!)) < 1e-12, `return at ${k}`);
    }
  }
});

test('an episode end stops the sum even when the next stored step is a valid transition', () => {
  // Next-step autoreset always leaves a reset step after an end; without one (same-step autoreset,
  // the next episode's first transition stored right after), nothing may leak across the end.
  // Terminations only, so no bootstrap value is read from the next episode.
  const T = 6, n = 2;
  const terminated = [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0];
  const rewards = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((x) => x / 4);
  const values = [3, -1, 2, 0.5, -2, 1, 4, 1.5, -3, 2.5, 0.25, -0.75];
  const r = rollout(T, n, { rewards, values, terminated, dones: terminated });
  computeGae(r, [1.5, -0.5], T, n, 0.95, 0.7);
  const want = bruteForceGae(r, [1.5, -0.5], T, n, 0.95, 0.7);
  for (let k = 0; k < T * n; k++) assert.ok(Math.abs(r.advantages[k]! - want[k]!) < 1e-12, `step ${Math.floor(k / n)} env ${k % n}: ${r.advantages[k]} vs ${want[k]}`);
});

test('normalizeAdvantages: (A − mean) / (unbiased std + 1e-8) over the first m entries only', () => {
  const a = Float32Array.of(1, -2, 4, 0.5, 99);
  const m = 4;
  const mean = (1 - 2 + 4 + 0.5) / m;
  const std = Math.sqrt([1, -2, 4, 0.5].reduce((s, x) => s + (x - mean) ** 2, 0) / (m - 1));
  const want = [1, -2, 4, 0.5].map((x) => (x - mean) / (std + 1e-8));
  normalizeAdvantages(a, m);
  for (let j = 0; j < m; j++) assert.ok(Math.abs(a[j]! - want[j]!) < 1e-6, `entry ${j}: ${a[j]} vs ${want[j]}`);
  assert.is(a[4], 99, 'entries past m untouched');
  // Nearly equal advantages: the 1e-8 is of the order of the std and shows.
  const tiny = Float32Array.of(0, 2e-8);
  const [x0, x1] = [tiny[0]!, tiny[1]!];
  const tm = (x0 + x1) / 2, ts = Math.sqrt(((x0 - tm) ** 2 + (x1 - tm) ** 2) / 1);
  normalizeAdvantages(tiny, 2);
  assert.ok(Math.abs(tiny[0]! - (x0 - tm) / (ts + 1e-8)) < 1e-6, `tiny std: ${tiny[0]}`);
  const one = Float32Array.of(3);
  normalizeAdvantages(one, 1);
  assert.is(one[0], 3, 'one entry: unchanged');
});

test.run();
