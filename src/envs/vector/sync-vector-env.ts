/** Steps N sub-envs one after another in this thread (Gymnasium's `SyncVectorEnv`). */
import { Box } from '../../core/spaces.ts';
import type { AnyEnv, Info } from '../env.ts';
import { make } from '../registry.ts';
import { RecordEpisodeStatistics } from '../wrappers/record-episode-statistics.ts';
import { Wrapper } from '../wrappers/wrapper.ts';
import {
  actionDimOf,
  obsDimOf,
  writeObs,
  type VectorEnv,
  type VectorEnvConfig,
  type VectorResetResult,
  type VectorStepResult,
} from './vector-env.ts';

/** Makes one sub-env as a vector env's member: registered wrappers plus episode statistics. */
export function makeSubEnv(config: VectorEnvConfig): AnyEnv {
  const env = make(config.id, { options: config.options, maxEpisodeSteps: config.maxEpisodeSteps });
  return config.recordEpisodeStatistics === false ? env : new RecordEpisodeStatistics(env);
}

export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly envs: AnyEnv[];
  readonly obsDim: number;
  readonly actionDim: number;
  private readonly obs: Float32Array;
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: Info[];
  private readonly autoresetPending: Uint8Array;
  private readonly actionRows: Float32Array[];
  private readonly discreteActions: boolean;
  private closed = false;

  /** From a config (registered id) or from env instances you built. */
  constructor(source: VectorEnvConfig | AnyEnv[]) {
    this.envs = Array.isArray(source) ? source : Array.from({ length: source.numEnvs }, () => makeSubEnv(source));
    if (this.envs.length < 1) throw new RangeError('a vector env needs at least one sub-env');
    this.numEnvs = this.envs.length;
    const first = this.envs[0]!;
    this.obsDim = obsDimOf(first.observationSpace);
    this.actionDim = actionDimOf(first.actionSpace);
    this.discreteActions = !(first.actionSpace instanceof Box);
    this.obs = new Float32Array(this.numEnvs * this.obsDim);
    this.rewards = new Float64Array(this.numEnvs);
    this.terminated = new Uint8Array(this.numEnvs);
    this.truncated = new Uint8Array(this.numEnvs);
    this.infos = Array.from({ length: this.numEnvs }, () => ({}));
    this.autoresetPending = new Uint8Array(this.numEnvs);
    this.actionRows = Array.from({ length: this.numEnvs }, () => new Float32Array(this.actionDim));
  }

  get singleObservationSpace() {
    return this.envs[0]!.observationSpace;
  }
  get singleActionSpace() {
    return this.envs[0]!.actionSpace;
  }

  reset(options: { seed?: number } = {}): VectorResetResult {
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i]!.reset(options.seed === undefined ? undefined : { seed: options.seed + i });
      writeObs(this.obs, i, this.obsDim, r.obs);
      this.infos[i] = r.info;
    }
    this.autoresetPending.fill(0);
    this.rewards.fill(0);
    this.terminated.fill(0);
    this.truncated.fill(0);
    return { obs: this.obs, infos: this.infos };
  }

  step(actions: ArrayLike<number>): VectorStepResult {
    if (actions.length !== this.numEnvs * this.actionDim) {
      throw new RangeError(`vector step: expected ${this.numEnvs * this.actionDim} action values (${this.numEnvs} envs × ${this.actionDim}), got ${actions.length}`);
    }
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i]!;
      if (this.autoresetPending[i]) {
        const r = env.reset();
        writeObs(this.obs, i, this.obsDim, r.obs);
        this.rewards[i] = 0;
        this.terminated[i] = 0;
        this.truncated[i] = 0;
        this.infos[i] = r.info;
        this.autoresetPending[i] = 0;
        continue;
      }
      let action: number | Float32Array;
      if (this.discreteActions) action = actions[i]!;
      else {
        const row = this.actionRows[i]!;
        for (let k = 0; k < this.actionDim; k++) row[k] = actions[i * this.actionDim + k]!;
        action = row;
      }
      const r = env.step(action);
      writeObs(this.obs, i, this.obsDim, r.obs);
      this.rewards[i] = r.reward;
      this.terminated[i] = r.terminated ? 1 : 0;
      this.truncated[i] = r.truncated ? 1 : 0;
      this.infos[i] = r.info;
      if (r.terminated || r.truncated) this.autoresetPending[i] = 1;
    }
    return { obs: this.obs, rewards: this.rewards, terminated: this.terminated, truncated: this.truncated, infos: this.infos };
  }

  setSampleCount(count: number): void {
    for (const e of this.envs) (e instanceof Wrapper ? e.unwrapped : e).setSampleCount?.(count);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.envs) e.close();
  }
}
