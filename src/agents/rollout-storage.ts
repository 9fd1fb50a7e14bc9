/**
 * On-policy rollout storage (CleanRL's `obs`, `actions`, `logprobs`, `rewards`, `dones`, `values`
 * buffers), shared by the actor-critic agents (A2C, PPO): T steps × n envs in flat typed arrays,
 * allocated once and reused by every rollout, plus what carries from one rollout to the next.
 *
 * - `terminated`: the step ended the episode for real (no bootstrap); `dones`: it ended it either
 *   way (the next step is an autoreset step); `valid`: a real transition (autoreset steps are
 *   stored but left out of the update).
 * - `advantages`, `returns`: filled by GAE after the rollout.
 * - `nextObs`, `nextResetPending`: the observation after the last step and whether each env
 *   resets on its next step (Gymnasium's next-step autoreset).
 * - `envActions`: the actions as sent to the env (continuous ones clipped to the space).
 */
import { UsageError } from '../core/errors.ts';

/** The most numbers one rollout (or DQN's replay buffer) may store (about 1 GiB of float32). */
export const MAX_FLOATS = 2 ** 28;

export class RolloutStorage {
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly logprobs: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly dones: Uint8Array;
  readonly valid: Uint8Array;
  readonly values: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  readonly nextObs: Float32Array;
  readonly nextResetPending: Uint8Array;
  readonly envActions: Float32Array;

  constructor(steps: number, numEnvs: number, obsDim: number, actionDim: number) {
    const size = steps * numEnvs;
    // Checked before allocating: a typo like numSteps=1000000000 is one clear error, not a RangeError.
    const floats = size * (obsDim + actionDim + 8);
    if (floats > MAX_FLOATS) {
      throw new UsageError(`the rollout storage would hold ${floats.toExponential(2)} numbers (numSteps ${steps} × numEnvs ${numEnvs} × ${obsDim + actionDim + 8} per step), over the ${MAX_FLOATS} gymnast allows: lower numSteps or numEnvs`);
    }
    this.obs = new Float32Array(size * obsDim);
    this.actions = new Float32Array(size * actionDim);
    this.logprobs = new Float32Array(size);
    this.rewards = new Float32Array(size);
    this.terminated = new Uint8Array(size);
    this.dones = new Uint8Array(size);
    this.valid = new Uint8Array(size);
    this.values = new Float32Array(size);
    this.advantages = new Float32Array(size);
    this.returns = new Float32Array(size);
    this.nextObs = new Float32Array(numEnvs * obsDim);
    this.nextResetPending = new Uint8Array(numEnvs);
    this.envActions = new Float32Array(numEnvs * actionDim);
  }
}
