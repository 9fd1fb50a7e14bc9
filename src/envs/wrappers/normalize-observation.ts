/**
 * Normalizes Box observations to zero mean and unit variance with running statistics
 * (Gymnasium's `NormalizeObservation`). Set `training = false` to freeze the statistics (for
 * evaluation); `getState`/`setState` save them with a checkpoint.
 */
import { RunningMeanStd, type RunningMeanStdState } from '../../core/running-stats.ts';
import { Box, type Space } from '../../core/spaces.ts';
import type { Env, ResetResult, StepResult } from '../env.ts';
import { Wrapper } from './wrapper.ts';

export class NormalizeObservation<A> extends Wrapper<Float32Array, A> {
  readonly stats: RunningMeanStd;
  training = true;
  private readonly normalizedSpace: Box;

  constructor(
    env: Env<Float32Array, A>,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    const space = env.observationSpace;
    if (!(space instanceof Box)) throw new TypeError(`NormalizeObservation needs a Box observation space, ${env.id} has ${space}`);
    this.stats = new RunningMeanStd(space.size);
    this.normalizedSpace = new Box(-Infinity, Infinity, space.shape);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.normalizedSpace;
  }

  override reset(options?: { seed?: number }): ResetResult<Float32Array> {
    const r = this.env.reset(options);
    return { obs: this.normalize(r.obs), info: r.info };
  }

  override step(action: A): StepResult<Float32Array> {
    const r = this.env.step(action);
    r.obs = this.normalize(r.obs);
    return r;
  }

  private normalize(obs: Float32Array): Float32Array {
    if (this.training) this.stats.update(obs, 1);
    const out = new Float32Array(obs.length);
    this.stats.normalize(obs, out, 1, Infinity, this.epsilon);
    return out;
  }

  getState(): RunningMeanStdState {
    return this.stats.getState();
  }

  setState(state: RunningMeanStdState): void {
    this.stats.setState(state);
  }
}
