/**
 * The real-time clock of a player (an env rollout, a motion clip): a timer ticks `tickHz` times a
 * second and hands the player the playback time that passed (wall time × speed); the page's
 * controls pause it, resume it, step it once and change its speed. Each player says what a tick,
 * a single step and a new state mean for it.
 */
import type { ControlAction } from '../../protocol.ts';

export interface PlaybackHandlers {
  /** A tick while playing: `seconds` of playback time passed; `nowMs` is the tick's wall clock. */
  advance(seconds: number, nowMs: number): void;
  /** The page asked for one step (the clock is paused). */
  stepOnce(): void;
  /** Paused or speed changed: tell the page. */
  publishState(paused: boolean, speed: number): void;
  /** Playing again after a pause: drop what piled up meanwhile. */
  resumed?(): void;
}

export class PlaybackClock {
  paused = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastTickMs = 0;

  /** `now` is the wall clock in ms (tests pass one they step, so playback time is exact). */
  constructor(
    public speed: number,
    private readonly tickHz: number,
    private readonly handlers: PlaybackHandlers,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.lastTickMs = this.now();
    this.timer = setInterval(() => this.tick(), 1000 / this.tickHz);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  control(action: ControlAction, speed?: number): void {
    switch (action) {
      case 'pause':
        this.paused = true;
        break;
      case 'resume':
        this.paused = false;
        this.lastTickMs = this.now();
        this.handlers.resumed?.();
        break;
      case 'step':
        this.paused = true;
        this.handlers.stepOnce();
        break;
      case 'speed':
        if (speed !== undefined) this.speed = speed;
        break;
    }
    this.handlers.publishState(this.paused, this.speed);
  }

  private tick(): void {
    const now = this.now();
    const elapsedSeconds = (now - this.lastTickMs) / 1000;
    this.lastTickMs = now;
    if (!this.paused) this.handlers.advance(elapsedSeconds * this.speed, now);
  }
}
