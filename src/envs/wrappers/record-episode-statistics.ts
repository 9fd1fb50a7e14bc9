/**
 * Adds `info.episode = { r, l, t }` (return, length, seconds since the wrapper was made) on the
 * step that ends an episode (Gymnasium's `RecordEpisodeStatistics`).
 */
import type { Env, ResetResult, StepResult } from '../env.ts';
import { Wrapper } from './wrapper.ts';

export interface EpisodeStatistics {
  r: number;
  l: number;
  t: number;
}

export class RecordEpisodeStatistics<O, A> extends Wrapper<O, A> {
  private episodeReturn = 0;
  private episodeLength = 0;
  private readonly startedMs = performance.now();
  /** Returns and lengths of the last `bufferLength` episodes. */
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];

  constructor(
    env: Env<O, A>,
    readonly bufferLength = 100,
  ) {
    super(env);
  }

  override reset(options?: { seed?: number }): ResetResult<O> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return this.env.reset(options);
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength++;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStatistics = {
        r: this.episodeReturn,
        l: this.episodeLength,
        t: Math.round(performance.now() - this.startedMs) / 1000,
      };
      r.info = { ...r.info, episode };
      this.returnQueue.push(episode.r);
      this.lengthQueue.push(episode.l);
      if (this.returnQueue.length > this.bufferLength) {
        this.returnQueue.shift();
        this.lengthQueue.shift();
      }
    }
    return r;
  }
}
