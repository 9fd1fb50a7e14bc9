/**
 * Training episodes that grow with training (DeepMimic: training episodes start at 0.5 s and grow
 * toward 20 s as samples accumulate; its trainer hands the sample count to the env). Test
 * episodes, and training before the trainer has said anything, last the full length.
 *
 * The limit grows linearly in the trainer's sample count (env steps over all sub-envs):
 *
 *   seconds(n) = start + (full − start) · min(1, n / samples)
 *
 * A pure function of the count, so a run resumed from a checkpoint (which restores the count)
 * continues on the same schedule.
 */

export interface EpisodeSchedule {
  /** Test-episode length, and where the curriculum ends, seconds. */
  episodeSeconds: number;
  /** First training-episode length, seconds. */
  startSeconds: number;
  /** Samples over which training episodes grow to `episodeSeconds`; 0 = no curriculum. */
  samples: number;
}

/** The episode length at `sampleCount` samples (null: not training, the full length). */
export function episodeSecondsAt(schedule: EpisodeSchedule, sampleCount: number | null): number {
  const { episodeSeconds, startSeconds, samples } = schedule;
  if (sampleCount === null || !(samples > 0)) return episodeSeconds;
  const start = Math.min(startSeconds, episodeSeconds);
  const f = Math.min(1, Math.max(0, sampleCount / samples));
  return start + (episodeSeconds - start) * f;
}
