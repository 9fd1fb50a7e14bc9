/**
 * Plays an env in real time (times `speed`) with a policy and publishes its frames to a channel:
 * the viewer's own live rollout, for any registered env with `frame()`. The page can pause it,
 * step it one env step at a time and change its speed. Episodes reset by themselves (the first
 * with the seed, later ones continue the stream, as Gymnasium does); each episode's return and
 * length go to the channel's curves.
 *
 * Bodies named `ghost/…` (a tracking env's reference) go to a second channel drawn see-through,
 * `<id>/ghost`; an env's floor slab is left out (see `ghost-split.ts`). Frames are only read from
 * the env while a page watches.
 *
 * The simulated clock: each timer tick adds (wall time elapsed × speed) to a budget and steps the
 * env while the budget covers one env step; at most `maxStepsPerTick` steps or `maxTickMs` of
 * work per tick, so a slow env falls behind real time instead of piling up work.
 */
import type { AnyEnv } from '../../../envs/env.ts';
import type { RenderFrame } from '../../../core/frame.ts';
import { UsageError } from '../../../core/errors.ts';
import type { ControlAction, MetaValue } from '../../protocol.ts';
import type { Channel, ViewerHub } from '../hub.ts';
import { PlaybackClock } from './playback-clock.ts';
import type { Policy } from './policies.ts';
import { gatherBodies, splitGhost, type GhostSplit } from './ghost-split.ts';

export interface EnvPlayerOptions {
  /** Channel id; default `rollout:<env id>`. */
  id?: string;
  title?: string;
  /** Default: the env's action space, sampled. */
  policy?: Policy;
  seed?: number;
  speed?: number;
  offset?: [number, number, number];
  meta?: Record<string, MetaValue>;
  /** Timer ticks per second (default 60). */
  tickHz?: number;
  maxStepsPerTick?: number;
  /** Wall time one tick may spend stepping, ms (default 8): a slow env runs slower than real time, the server stays responsive. */
  maxTickMs?: number;
  log?: (line: string) => void;
  /** The wall clock, ms (default `performance.now`): tests pass one they step. */
  now?: () => number;
  /** Called as each episode ends: terminated (a fall, a goal) or truncated (the time limit). */
  onEpisode?: (episode: PlayedEpisode) => void;
}

/** One finished episode of a player. */
export interface PlayedEpisode {
  return: number;
  length: number;
  terminated: boolean;
  /** What the env measured over the episode (`info.episodeMetrics`), numbers only. */
  metrics: Record<string, number>;
}

/** The env step used until the env tells us (two frames' times); Gymnasium's classic control uses 0.02 s. */
const DEFAULT_DT_SECONDS = 0.02;

export class EnvPlayer {
  readonly channel: Channel;
  /** The reference bodies' channel, when the env draws a `ghost/` reference. */
  readonly ghostChannel: Channel | null = null;
  private split: GhostSplit;
  private readonly splitScene: unknown;
  private mainOut: Float32Array;
  private ghostOut: Float32Array;
  /** Whether bodies are gathered (a ghost split, or a floor left out) rather than passed as they are. */
  private readonly filtered: boolean;
  private policy: Policy;
  private readonly clock: PlaybackClock;
  private budgetSeconds = 0;
  private dtSeconds: number | undefined;
  private obs: unknown;
  private episodeReturn = 0;
  private episodeLength = 0;
  private needsDiscontinuity = true;
  private failures = 0;
  private readonly now: () => number;
  totalSteps = 0;
  episodes = 0;
  /** Returns of finished episodes (the last 100). */
  readonly returns: number[] = [];

  constructor(
    hub: ViewerHub,
    readonly env: AnyEnv,
    private readonly options: EnvPlayerOptions = {},
  ) {
    this.policy = options.policy ?? (() => env.actionSpace.sample());
    this.now = options.now ?? (() => performance.now());
    this.clock = new PlaybackClock(options.speed ?? 1, options.tickHz ?? 60, {
      advance: (seconds, nowMs) => this.advance(seconds, nowMs),
      stepOnce: () => {
        this.stepOnce();
        this.publish(true);
      },
      publishState: () => this.setState(),
      resumed: () => (this.budgetSeconds = 0),
    }, this.now);
    const seed = options.seed ?? 0;
    env.actionSpace.seed(seed);
    this.obs = env.reset({ seed }).obs;
    const first = readFrame(env);
    this.split = splitGhost(first.scene);
    this.splitScene = first.scene;
    this.mainOut = new Float32Array(this.split.mainBodies.length * 7);
    this.ghostOut = new Float32Array(this.split.ghostBodies.length * 7);
    this.filtered = this.split.main !== first.scene;
    const id = options.id ?? `rollout:${env.id}`;
    const title = options.title ?? env.id;
    const control = (action: ControlAction, speed?: number) => this.control(action, speed);
    this.channel = hub.channel({ id, title, kind: 'rollout', scene: this.split.main, offset: options.offset, meta: { env: env.id, seed, ...options.meta }, control });
    if (this.split.ghost) {
      this.ghostChannel = hub.channel({ id: `${id}/ghost`, title: `${title} · reference`, kind: 'rollout', ghost: true, scene: this.split.ghost, offset: options.offset, meta: { env: env.id, reference: true }, control });
    }
    this.setState();
    this.publishFrame(first, true, false);
  }

  private setState(): void {
    const state = { paused: this.clock.paused, speed: this.clock.speed };
    this.channel.setState(state);
    this.ghostChannel?.setState(state);
  }

  /** Seconds of simulated time played so far (env steps × the env's step). */
  get simulatedSeconds(): number {
    return this.totalSteps * (this.dtSeconds ?? DEFAULT_DT_SECONDS);
  }

  /** Swaps the policy (a newer checkpoint); the episode carries on. */
  setPolicy(policy: Policy, meta?: Record<string, MetaValue>): void {
    this.policy = policy;
    if (meta) this.channel.setMeta({ ...this.channel.describe().meta, ...meta });
  }

  start(): this {
    this.clock.start();
    return this;
  }

  stop(): void {
    this.clock.stop();
  }

  close(): void {
    this.stop();
    this.channel.close();
    this.ghostChannel?.close();
    this.env.close();
  }

  control(action: ControlAction, speed?: number): void {
    this.clock.control(action, speed);
  }

  /** A tick's playback time: as many env steps as it covers, within the tick's time budget. */
  private advance(seconds: number, now: number): void {
    this.budgetSeconds += seconds;
    const dt = this.dtSeconds ?? DEFAULT_DT_SECONDS;
    const maxSteps = this.options.maxStepsPerTick ?? 200;
    const deadline = now + (this.options.maxTickMs ?? 8);
    let steps = 0;
    while (this.budgetSeconds >= dt && steps < maxSteps) {
      this.stepOnce();
      this.budgetSeconds -= dt;
      steps++;
      if (this.now() > deadline) break;
    }
    if (this.budgetSeconds >= dt) this.budgetSeconds = 0; // behind real time: drop the debt
    if (steps > 0) this.publish(false);
  }

  /** One env step with the policy; resets at the end of an episode. */
  private stepOnce(): void {
    try {
      const timeBefore = this.dtSeconds === undefined ? readFrame(this.env).time : 0;
      const r = this.env.step(this.policy(this.obs));
      if (this.dtSeconds === undefined) {
        const dt = readFrame(this.env).time - timeBefore;
        if (dt > 0 && Number.isFinite(dt)) this.dtSeconds = dt;
      }
      this.obs = r.obs;
      this.episodeReturn += r.reward;
      this.episodeLength++;
      this.totalSteps++;
      if (r.terminated || r.truncated) {
        this.episodes++;
        this.returns.push(this.episodeReturn);
        if (this.returns.length > 100) this.returns.shift();
        // What the env measured over the episode (an imitation env: normalized return, reward terms, errors) plots too.
        const measured: Record<string, number> = {};
        const em = r.info.episodeMetrics as Record<string, unknown> | undefined;
        if (em) for (const [k, v] of Object.entries(em)) if (typeof v === 'number') measured[k] = v;
        const charts = Object.fromEntries(Object.entries(measured).map(([k, v]) => [`charts/${k}`, v]));
        this.channel.metrics(this.totalSteps, { 'charts/episodic_return': this.episodeReturn, 'charts/episodic_length': this.episodeLength, ...charts });
        this.options.onEpisode?.({ return: this.episodeReturn, length: this.episodeLength, terminated: r.terminated, metrics: measured });
        this.obs = this.env.reset().obs;
        this.episodeReturn = 0;
        this.episodeLength = 0;
        this.needsDiscontinuity = true;
      }
      this.failures = 0;
    } catch (e) {
      // A failing env must not take the viewer down: report, reset, and give up after a few in a row.
      this.failures++;
      this.options.log?.(`viewer: ${this.env.id}: step failed: ${(e as Error).message}`);
      if (this.failures >= 3) {
        this.options.log?.(`viewer: ${this.env.id}: stopped after ${this.failures} failures in a row`);
        this.stop();
        return;
      }
      this.obs = this.env.reset().obs;
      this.needsDiscontinuity = true;
    }
  }

  private publish(immediate: boolean): void {
    // Nobody watching: skip reading the bodies; the first frame after someone comes is a jump anyway.
    if (!immediate && !this.channel.watched && !this.ghostChannel?.watched) {
      this.needsDiscontinuity = true;
      return;
    }
    this.publishFrame(readFrame(this.env), this.needsDiscontinuity, immediate);
    this.needsDiscontinuity = false;
  }

  private publishFrame(frame: RenderFrame, discontinuity: boolean, immediate: boolean): void {
    if (!this.filtered) {
      // Bodies as they are: the hub follows scene changes by itself.
      this.channel.publish(frame, { discontinuity, immediate });
      return;
    }
    if (frame.scene !== this.splitScene) throw new RangeError(`${this.env.id}: the scene changed under a body split, which the viewer does not follow`);
    const t = frame.transforms;
    const options = { discontinuity, immediate };
    this.channel.publish({ transforms: gatherBodies(t, this.split.mainBodies, this.mainOut), time: frame.time }, options);
    if (this.ghostChannel) this.ghostChannel.publish({ transforms: gatherBodies(t, this.split.ghostBodies, this.ghostOut), time: frame.time }, options);
  }
}

function readFrame(env: AnyEnv): RenderFrame {
  if (typeof env.frame !== 'function') throw new UsageError(`${env.id} does not render frames (no frame() method), so the viewer cannot show it`);
  try {
    return env.frame();
  } catch (e) {
    if (e instanceof TypeError && /does not render frames/.test(e.message)) throw new UsageError(`${env.id} does not render frames (no frame() method), so the viewer cannot show it`);
    throw e;
  }
}
