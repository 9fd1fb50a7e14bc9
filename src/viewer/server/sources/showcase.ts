/**
 * What the viewer shows when asked for envs by id (`gymnast view --env …`) and the default scene
 * of `npm start`: env players laid out in a row, each on its own channel. A vector env's copies
 * (`numEnvs`) get seeds seed, seed + 1, … (the vector-env convention) and sit side by side.
 */
import { make, registeredIds, type EnvOptions } from '../../../envs/registry.ts';
import type { AnyEnv } from '../../../envs/env.ts';
import type { ViewerHub } from '../hub.ts';
import { EnvPlayer } from './env-player.ts';
import { footprint, sideBySide } from './layout.ts';
import { hasHeuristic, makePolicy } from './policies.ts';
import { ClipPlayer } from './clip-player.ts';
import { loadClip } from '../../../motion/load.ts';
import { bundledClips } from '../../../motion/data-path.ts';
import { ClipRenderer } from '../../../motion/render.ts';

export interface EnvSourceOptions {
  envId: string;
  numEnvs?: number;
  policy?: string;
  seed?: number;
  speed?: number;
  envOptions?: EnvOptions;
}

/** Copies that move around (walkers) get more room than the footprint of their start pose. */
const MIN_SPACING_M: Record<string, number> = { 'Ant-v1': 3, 'HumanoidTrack-v0': 2.5 };

/**
 * Adds players for each source, placed one group after another going away from the page's
 * default camera (towards −z), after `startZ` metres when something already sits at the origin.
 * Returns them started; the caller closes them.
 */
export function addEnvSources(hub: ViewerHub, sources: readonly EnvSourceOptions[], log?: (line: string) => void, startZ?: number): EnvPlayer[] {
  return layoutEnvSources(hub, sources, log, startZ).players;
}

/** Like `addEnvSources`, and also says how far (metres towards −z) the last group reaches, to place more after it. */
export function layoutEnvSources(hub: ViewerHub, sources: readonly EnvSourceOptions[], log?: (line: string) => void, startZ?: number): { players: EnvPlayer[]; endZ: number | undefined } {
  const players: EnvPlayer[] = [];
  let zCursor = startZ ?? 0;
  for (const s of sources) {
    const n = s.numEnvs ?? 1;
    const seed = s.seed ?? 0;
    const policyName = s.policy ?? 'heuristic';
    const envs: AnyEnv[] = [];
    for (let i = 0; i < n; i++) envs.push(make(s.envId, { options: s.envOptions }));
    // Lay this group out from the first copy's start pose.
    envs[0]!.reset({ seed });
    const fp = envs[0]!.frame ? footprint(envs[0]!.frame()) : { halfX: 1, halfZ: 1 };
    const offsets = sideBySide(n, fp, { minSpacingM: MIN_SPACING_M[s.envId] });
    const groupHalfZ = Math.max(...offsets.map((o) => Math.abs(o[2]))) + Math.max(fp.halfZ, (MIN_SPACING_M[s.envId] ?? 1) / 2);
    const zShift = players.length === 0 && startZ === undefined ? 0 : zCursor + groupHalfZ + 0.5;
    envs.forEach((env, i) => {
      const policy = makePolicy(policyName, s.envId, env);
      const player = new EnvPlayer(hub, env, {
        id: n === 1 ? `rollout:${s.envId}` : `rollout:${s.envId}/${i}`,
        title: n === 1 ? s.envId : `${s.envId} #${i}`,
        policy,
        seed: seed + i,
        speed: s.speed,
        offset: [offsets[i]![0], 0, offsets[i]![2] - zShift],
        meta: { policy: policyName === 'heuristic' && !hasHeuristic(s.envId) ? 'random (no heuristic for this env)' : policyName, ...(n > 1 ? { 'vector index': i } : {}) },
        log,
      });
      players.push(player.start());
    });
    zCursor = zShift + groupHalfZ;
  }
  return { players, endZ: players.length > 0 ? zCursor : startZ };
}

export interface ClipSourceOptions {
  /** A clip file or a bundled clip name (`walk`, `run`, …). */
  clip: string;
  speed?: number;
  ghost?: boolean;
}

/** Adds a kinematic player per clip, in a row towards −z after `startZ` metres; returns them started. */
export function addClipSources(hub: ViewerHub, clips: readonly ClipSourceOptions[], startZ?: number): ClipPlayer[] {
  const players: ClipPlayer[] = [];
  let zCursor = startZ ?? 0;
  clips.forEach((c, i) => {
    const clip = loadClip(c.clip);
    const fp = footprint(new ClipRenderer(clip).frame(0));
    const halfZ = Math.max(fp.halfZ, 0.5);
    const z = i === 0 && startZ === undefined ? 0 : zCursor + halfZ + 0.5;
    const id = players.some((p) => p.channel.id === `clip:${clip.name}`) ? `clip:${clip.name}#${i}` : `clip:${clip.name}`;
    players.push(new ClipPlayer(hub, clip, { id, offset: [0, 0, -z], speed: c.speed, ghost: c.ghost, meta: { file: c.clip } }).start());
    zCursor = z + halfZ;
  });
  return players;
}

/** The clips `npm start` plays when the motion data is there. */
export function availableShowcaseClips(): ClipSourceOptions[] {
  return bundledClips().has('walk') ? [{ clip: 'walk' }] : [];
}

/** The envs `npm start` shows when they are registered, in order: the product at a glance. */
export const SHOWCASE_ENVS: readonly EnvSourceOptions[] = [
  { envId: 'CartPole-v1', policy: 'heuristic' },
  { envId: 'Pendulum-v1', policy: 'heuristic' },
  { envId: 'Acrobot-v1', policy: 'random' },
  { envId: 'Ant-v1', policy: 'random' },
];

/** The showcase envs that are registered right now. */
export function availableShowcase(exclude: readonly string[] = []): EnvSourceOptions[] {
  const ids = new Set(registeredIds());
  return SHOWCASE_ENVS.filter((s) => ids.has(s.envId) && !exclude.includes(s.envId));
}
