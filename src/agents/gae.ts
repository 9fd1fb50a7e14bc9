/**
 * Generalized advantage estimation (Schulman et al. 2016) over a rollout of `numSteps` vector
 * steps × `numEnvs` sub-envs, stored step-major (entry t·numEnvs + i), as A2C and PPO collect it.
 *
 * Gymnasium's next-step autoreset leaves one stored step per episode end that is no transition
 * (`valid = 0`): the step that resets the sub-env. Its stored value is V(final observation) of the
 * episode that ended, so a truncated episode bootstraps from it (δ = r + γ·V(s_final) − V(s)) and
 * a terminated one does not (δ = r − V(s)). The λ-recursion stops at every episode end, since the
 * next stored step belongs to a new episode.
 */
export interface GaeRollout {
  readonly rewards: Float32Array | Float64Array;
  readonly values: Float32Array | Float64Array;
  /** 1 where the episode terminated at this step (no bootstrap). */
  readonly terminated: Uint8Array;
  /** 1 where the episode ended at this step, terminated or truncated. */
  readonly dones: Uint8Array;
  /** 0 for reset steps, which are not transitions. */
  readonly valid: Uint8Array;
  /** Written: the advantages (0 at reset steps). */
  readonly advantages: Float32Array | Float64Array;
  /** Written: advantage + value, the critic's targets. */
  readonly returns: Float32Array | Float64Array;
}

/** Fills `advantages` and `returns`; `nextValue` is V of the observations after the last step. */
export function computeGae(r: GaeRollout, nextValue: ArrayLike<number>, numSteps: number, numEnvs: number, gamma: number, gaeLambda: number): void {
  const n = numEnvs;
  const lastGae = new Float64Array(n);
  for (let t = numSteps - 1; t >= 0; t--) {
    for (let i = 0; i < n; i++) {
      const k = t * n + i;
      if (!r.valid[k]) {
        r.advantages[k] = 0;
        lastGae[i] = 0;
        continue;
      }
      const vNext = t === numSteps - 1 ? nextValue[i]! : r.values[k + n]!;
      const delta = r.rewards[k]! + gamma * vNext * (1 - r.terminated[k]!) - r.values[k]!;
      lastGae[i] = delta + gamma * gaeLambda * (1 - r.dones[k]!) * lastGae[i]!;
      r.advantages[k] = lastGae[i]!;
    }
  }
  for (let k = 0; k < numSteps * n; k++) r.returns[k] = r.advantages[k]! + r.values[k]!;
}

/**
 * Advantage normalization (CleanRL's `(adv - adv.mean()) / (adv.std() + 1e-8)`, torch's unbiased
 * std) over the first `m` entries, in place; nothing to do for one entry.
 */
export function normalizeAdvantages(adv: Float32Array, m: number): void {
  if (m <= 1) return;
  let mean = 0;
  for (let j = 0; j < m; j++) mean += adv[j]!;
  mean /= m;
  let sq = 0;
  for (let j = 0; j < m; j++) sq += (adv[j]! - mean) ** 2;
  const std = Math.sqrt(sq / (m - 1));
  for (let j = 0; j < m; j++) adv[j] = (adv[j]! - mean) / (std + 1e-8);
}
