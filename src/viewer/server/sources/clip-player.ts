/**
 * Plays a motion clip kinematically (no physics: the pose at time t, from the motion room's
 * `ClipRenderer`) on a channel, in real time × speed. Pause, step (one clip frame) and speed come
 * from the page. A looping clip carries on with its root advancing cycle after cycle (a walk walks
 * on), and goes back to the start every `restartSeconds` so it stays near the others; a clip that
 * does not loop starts again at its end. Poses are only computed while a page watches.
 */
import type { MotionClip } from '../../../motion/clip.ts';
import { ClipRenderer } from '../../../motion/render.ts';
import { TRANSFORM_STRIDE } from '../../../core/frame.ts';
import type { ControlAction, MetaValue } from '../../protocol.ts';
import type { Channel, ViewerHub } from '../hub.ts';
import { PlaybackClock } from './playback-clock.ts';

export interface ClipPlayerOptions {
  /** Channel id; default `clip:<clip name>`. */
  id?: string;
  title?: string;
  offset?: [number, number, number];
  /** Drawn see-through (a reference beside or over a simulated character). */
  ghost?: boolean;
  speed?: number;
  /** A looping clip goes back to t = 0 after this long (default 12 s; Infinity: never). */
  restartSeconds?: number;
  meta?: Record<string, MetaValue>;
  /** Timer ticks per second (default 60). */
  tickHz?: number;
  /** The wall clock, ms (default `performance.now`): tests pass one they step. */
  now?: () => number;
}

export class ClipPlayer {
  readonly channel: Channel;
  private readonly renderer: ClipRenderer;
  private readonly out: Float32Array;
  private readonly clock: PlaybackClock;
  private timeSeconds = 0;
  private readonly restartSeconds: number;
  private pendingDiscontinuity = true;

  constructor(
    hub: ViewerHub,
    readonly clip: MotionClip,
    options: ClipPlayerOptions = {},
  ) {
    this.renderer = new ClipRenderer(clip);
    this.out = new Float32Array(this.renderer.scene.bodies.length * TRANSFORM_STRIDE);
    this.clock = new PlaybackClock(options.speed ?? 1, options.tickHz ?? 60, {
      advance: (seconds) => this.advance(seconds, false),
      stepOnce: () => this.advance(this.clip.fps > 0 ? 1 / this.clip.fps : 1 / 30),
      publishState: (paused, speed) => this.channel.setState({ paused, speed }),
    }, options.now);
    this.restartSeconds = clip.loop === 'wrap' ? (options.restartSeconds ?? 12) : clip.duration;
    this.channel = hub.channel({
      id: options.id ?? `clip:${clip.name}`,
      title: options.title ?? `${clip.name} (clip)`,
      kind: 'clip',
      scene: this.renderer.scene,
      offset: options.offset,
      ghost: options.ghost,
      meta: {
        clip: clip.name,
        skeleton: clip.skeleton.name,
        seconds: Number(clip.duration.toFixed(3)),
        fps: Number(clip.fps.toFixed(2)),
        loop: clip.loop,
        ...options.meta,
      },
      control: (action, speed) => this.control(action, speed),
    });
    this.channel.setState({ paused: false, speed: this.clock.speed });
    this.publish(true, true);
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
  }

  control(action: ControlAction, speed?: number): void {
    this.clock.control(action, speed);
  }

  private advance(dtSeconds: number, immediate = true): void {
    this.timeSeconds += dtSeconds;
    let restarted = false;
    if (this.timeSeconds > this.restartSeconds) {
      this.timeSeconds = 0;
      restarted = true;
    }
    this.publish(restarted, immediate);
  }

  private publish(discontinuity: boolean, immediate = false): void {
    this.pendingDiscontinuity ||= discontinuity;
    // Nobody watching: no kinematics to compute; the next watched frame is drawn as a jump.
    if (!immediate && !this.channel.watched) return;
    this.channel.publish(this.renderer.frame(this.timeSeconds, this.out), { discontinuity: this.pendingDiscontinuity, immediate });
    this.pendingDiscontinuity = false;
  }
}
