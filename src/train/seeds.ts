/**
 * A run's seeds: one seed in (`--seed`), a stream for each consumer (`core/rng.ts`,
 * `streamSeed`):
 *
 * | stream | seeds | used for |
 * |---|---|---|
 * | `agent` | the agent's `Rng` | action sampling, exploration, minibatch shuffles, initial weights |
 * | `envs`, k | the training envs at the start of segment k (k = checkpoints written so far); sub-env i gets that + i | starting states, env noise, the imitation envs' reference-state draws |
 * | `evaluation` | the evaluation episodes (at checkpoints, `gymnast eval`, the imitation tests); round r, sub-env i gets that + 16r + i | the test episodes' starts |
 *
 * Segment seeds make resuming exact: the run resumed at checkpoint k resets its envs with the same
 * seed as the run that never stopped.
 */
import { streamSeed } from '../core/rng.ts';

/** The agent's Rng seed. */
export function agentSeed(seed: number): number {
  return streamSeed(seed, 'agent');
}

/** The seed the training envs are reset with at the start of segment `k`. */
export function segmentSeed(seed: number, k: number): number {
  return streamSeed(seed, 'envs', k);
}

/** The first seed of a run's evaluation episodes (the default of `gymnast eval`). */
export function evaluationSeed(seed: number): number {
  return streamSeed(seed, 'evaluation');
}
