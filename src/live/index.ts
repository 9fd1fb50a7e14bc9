/**
 * The live-training room: training runs shown in the viewer, either trained here in a worker
 * thread (`trainLive`, what `gymnast start` runs) or followed in a run folder on disk
 * (`followRunFolder`, `gymnast view --run`); trained policies performing (`playPolicy`, the shipped
 * skills `gymnast start` shows). It joins the trainer to the viewer server, which may
 * import neither `train` nor `agents`; the CLI and library users call it.
 */
export { RunDisplay, runChannelId } from './run-display.ts';
export { followRunFolder } from './follow-run.ts';
export { trainLive, type LiveTrainingJob } from './train-live.ts';
export { playPolicy, type PolicyPlayer, type PolicyPlayerOptions } from './policy-player.ts';
