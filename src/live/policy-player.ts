/**
 * A trained policy performing: the greedy policy of a run folder's latest checkpoint, acting in
 * its env with the env options it was trained with, in real time. An imitation env draws its
 * reference clip as a ghost beside the character (`EnvPlayer` splits it to its own channel).
 *
 * What `gymnast start` shows of every shipped policy (`policies/*`) and what a policy worker of the
 * static site runs. Browser-safe: files are read through core/files.ts, paths joined with '/'.
 */
import { baseName, joinPath } from '../core/paths.ts';
import { make } from '../envs/registry.ts';
import { latestCheckpoint } from '../nn/checkpoint.ts';
import { buildRunAgent, greedyActor } from '../train/evaluate.ts';
import { readRunConfig } from '../train/run-config.ts';
import type { MetaValue } from '../viewer/protocol.ts';
import type { ViewerHub } from '../viewer/server/hub.ts';
import { EnvPlayer, type PlayedEpisode } from '../viewer/server/sources/env-player.ts';

export interface PolicyPlayerOptions {
  /** Channel id; default `policy:<folder name>`. */
  id?: string;
  /** Default: `<folder name> (<AGENT> on <env id>)`. */
  title?: string;
  seed?: number;
  speed?: number;
  offset?: [number, number, number];
  /**
   * Where an imitation env draws its reference: metres sideways of the character (the run's own
   * setting when not given). Display only: the ghost is drawn, it does not touch the simulation.
   */
  ghostOffsetZ?: number;
  /** Shown with the agent and the checkpoint's step. */
  meta?: Record<string, MetaValue>;
  onEpisode?: (episode: PlayedEpisode) => void;
  log?: (line: string) => void;
}

export interface PolicyPlayer {
  player: EnvPlayer;
  /** The training step of the checkpoint playing. */
  step: number;
  /** Stops the player and frees the agent. */
  close(): void;
}

/**
 * Starts a player of `runDir`'s latest checkpoint; the tfjs backend must be initialized. A run
 * folder without a checkpoint, or one that does not load, is an error naming the folder.
 */
export function playPolicy(hub: ViewerHub, runDir: string, options: PolicyPlayerOptions = {}): PolicyPlayer {
  const config = readRunConfig(runDir);
  const checkpoint = latestCheckpoint(joinPath(runDir, 'checkpoints'));
  if (!checkpoint) throw new Error(`${runDir}: the run has no checkpoint yet, so there is no policy to play`);
  const { agent, env, step, close } = buildRunAgent(runDir, config, checkpoint);
  const name = baseName(runDir);
  const envOptions = { ...config.envOptions };
  if (options.ghostOffsetZ !== undefined && 'ghostOffsetZ' in envOptions) envOptions.ghostOffsetZ = options.ghostOffsetZ;
  try {
    const player = new EnvPlayer(hub, make(config.env, { options: envOptions }), {
      id: options.id ?? `policy:${name}`,
      title: options.title ?? `${name} (${config.agent.toUpperCase()} on ${config.env})`,
      policy: greedyActor(agent, env),
      seed: options.seed ?? 0,
      speed: options.speed,
      offset: options.offset,
      meta: { agent: config.agent, policy: `greedy, checkpoint at step ${step}`, ...options.meta },
      onEpisode: options.onEpisode,
      log: options.log,
    }).start();
    return { player, step, close: () => (player.close(), close()) };
  } catch (e) {
    close();
    throw e;
  }
}

