/**
 * The static site's description (`site.json`, written by `gymnast site`) and the messages between
 * its page and its Web Workers. The viewer's own messages (JSON text and binary ticks, protocol.ts)
 * travel inside these unchanged: each worker runs a viewer hub, as the server does.
 */

export const SITE_FORMAT = 'gymnast-site/1';

/** A shipped policy performing: its run folder (copied into the site) and every file it reads. */
export interface PolicyJob {
  kind: 'policy';
  id: string;
  title: string;
  /** The run folder inside the site (`policies/biped-walk`). */
  run: string;
  /** Site-relative paths the worker fetches before it starts: data files, config.json, the checkpoint. */
  files: string[];
  seed: number;
  offset: [number, number, number];
}

/** An agent learning in the page, from scratch, with its curves. */
export interface TrainJob {
  kind: 'train';
  id: string;
  title: string;
  env: string;
  agent: 'ppo';
  seed: number;
  /** Training stops here (env steps). */
  steps: number;
  offset: [number, number, number];
}

/** A policy's trajectory hashed (trajectory.ts): the Node-versus-browser comparison. */
export interface TrajectoryJob {
  kind: 'trajectory';
  id: string;
  run: string;
  files: string[];
  seed: number;
  steps: number;
}

export type SiteJob = PolicyJob | TrainJob;

export interface SiteManifest {
  format: typeof SITE_FORMAT;
  generatedBy: string;
  jobs: SiteJob[];
}

/** Page → worker. */
export type ToWorker =
  | { type: 'start'; job: SiteJob | TrajectoryJob; /** The site's URL, ending in '/'. */ base: string; /** Playback speed (1 = real time). */ speed: number }
  /** A viewer client message (protocol.ts), as the page would send it over the WebSocket. */
  | { type: 'client'; text: string };

/** What a job has done so far (the page shows it and the browser test reads it). */
export interface JobStatus {
  id: string;
  kind: SiteJob['kind'];
  /** Simulated seconds the player has run. */
  simulatedSeconds: number;
  /** Finished episodes of the player: return, length, and whether it ended by termination (a fall). */
  episodes: { return: number; length: number; terminated: boolean; normalizedReturn?: number }[];
  /** Training jobs: env steps trained, and the training episodes' returns in order. */
  trainSteps?: number;
  trainReturns?: number[];
  backend?: string;
}

/** Worker → page. */
export type FromWorker =
  | { type: 'text'; text: string }
  | { type: 'frame'; data: ArrayBuffer }
  | { type: 'status'; status: JobStatus }
  | { type: 'trajectory'; result: import('./trajectory.ts').TrajectoryHash }
  | { type: 'failed'; message: string };
