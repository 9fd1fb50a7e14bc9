/**
 * The viewer's hub: the channels that sources publish to, and the clients that watch them. It
 * knows nothing of HTTP; `server.ts` hands it sockets.
 *
 * Publishing is built so that the trainer never waits for the viewer:
 * - with nobody watching, `publish` only copies the transforms (so a page that connects later sees
 *   the current pose), and `wantsFrame()` is false, so a trainer can skip building the frame at all;
 * - ticks go out at most `maxFps` times a second per channel: a publish between two sends only
 *   overwrites the pending one (latest wins), and the send happens inside `publish` when it is due,
 *   or from a timer for the trailing one;
 * - each tick is encoded once and the same bytes go to every client; a client that is behind has
 *   it dropped (see `client-connection.ts`).
 */
import type { RenderFrame, SceneSpec } from '../../core/frame.ts';
import { ValidationError } from '../../core/errors.ts';
import {
  FLOATS_PER_BODY,
  FRAME_DISCONTINUITY,
  MAX_CHANNELS,
  MAX_SPEED,
  MIN_SPEED,
  PROTOCOL_VERSION,
  ProtocolError,
  encodeFrame,
  encodeMessage,
  frameByteLength,
  parseClientMessage,
  parseScene,
  type ChannelInfo,
  type ChannelKind,
  type ClientMessage,
  type ControlAction,
  type MetaValue,
  type MetricPoint,
  type SceneDesc,
  type ServerMessage,
} from '../protocol.ts';
import { ClientConnection, DEFAULT_CLIENT_LIMITS, type ClientLimits, type DisconnectReason, type Sink } from './client-connection.ts';

// core's SceneSpec and the protocol's SceneDesc must stay the same shape: this fails to compile if not.
const sceneSpecIsSceneDesc: (s: SceneSpec) => SceneDesc = (s) => s;
void sceneSpecIsSceneDesc;

export interface ChannelOptions {
  /** Unique id, e.g. `rollout:CartPole-v1/0`. */
  id: string;
  title?: string;
  kind: ChannelKind;
  scene: SceneSpec;
  /** Where this channel's origin sits in the page (side-by-side layouts). */
  offset?: [number, number, number];
  ghost?: boolean;
  meta?: Record<string, MetaValue>;
  /** Handles pause / resume / step / speed from the page; without it the channel is not controllable. */
  control?: (action: ControlAction, speed?: number) => void;
  /** Most ticks per second sent for this channel (default 60). */
  maxFps?: number;
}

export interface PublishOptions {
  /** The frame starts a new episode or jumps: the page draws it without interpolating. */
  discontinuity?: boolean;
  /** Send now, whatever the rate limit (a single step while paused). */
  immediate?: boolean;
}

/** Metric points kept per channel for pages that connect later; older ones are thinned out. */
const METRIC_HISTORY = 4000;
const METRICS_FLUSH_MS = 100;

export class Channel {
  readonly index: number;
  readonly id: string;
  private info: ChannelInfo;
  private scene: SceneSpec;
  private latest: Float32Array;
  private latestTime = 0;
  private hasLatest = false;
  private pendingFlags = 0;
  private dirty = false;
  private frameNumber = 0;
  private lastSentMs = -Infinity;
  private lastPublishedTime = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly minIntervalMs: number;
  private history: MetricPoint[] = [];
  private pendingMetrics: MetricPoint[] = [];
  private metricsTimer: ReturnType<typeof setTimeout> | undefined;
  /** Clients that receive this channel's ticks (kept by the hub). */
  watchers: ClientConnection[] = [];
  closed = false;

  constructor(
    private readonly hub: ViewerHub,
    index: number,
    private readonly options: ChannelOptions,
  ) {
    this.index = index;
    this.id = options.id;
    this.scene = options.scene;
    const scene = validateScene(options.scene, options.id);
    this.latest = new Float32Array(scene.bodies.length * FLOATS_PER_BODY);
    this.minIntervalMs = 1000 / (options.maxFps ?? 60);
    this.info = {
      id: options.id,
      index,
      title: options.title ?? options.id,
      kind: options.kind,
      scene,
      sceneRevision: 0,
      offset: options.offset ?? [0, 0, 0],
      ghost: options.ghost ?? false,
      controllable: options.control !== undefined,
      paused: false,
      speed: 1,
      meta: options.meta ?? {},
    };
  }

  describe(): ChannelInfo {
    return this.info;
  }

  get bodyCount(): number {
    return this.info.scene.bodies.length;
  }

  /** Whether any client receives this channel's ticks. */
  get watched(): boolean {
    return this.watchers.length > 0;
  }

  /** Whether a frame published now would reach anyone: false means the caller can skip `env.frame()`. */
  wantsFrame(): boolean {
    return this.watchers.length > 0 && performance.now() - this.lastSentMs >= this.minIntervalMs;
  }

  /** Replaces the bodies (a new character, a different env): pages rebuild their meshes. */
  setScene(scene: SceneSpec): void {
    const desc = validateScene(scene, this.id);
    this.scene = scene;
    this.info = { ...this.info, scene: desc, sceneRevision: this.info.sceneRevision + 1 };
    if (this.latest.length !== desc.bodies.length * FLOATS_PER_BODY) this.latest = new Float32Array(desc.bodies.length * FLOATS_PER_BODY);
    this.hasLatest = false;
    this.pendingFlags |= FRAME_DISCONTINUITY;
    this.hub.broadcast({ type: 'channel', channel: this.info });
  }

  /** Publishes one tick. Cheap when nobody watches; never blocks on a client. */
  publish(frame: RenderFrame | { transforms: Float32Array; time: number; scene?: SceneSpec }, options?: PublishOptions): void {
    if (this.closed) return;
    if (frame.scene !== undefined && frame.scene !== this.scene) this.setScene(frame.scene);
    const floats = this.latest.length;
    if (frame.transforms.length !== floats) {
      throw new RangeError(`channel ${this.id}: frame has ${frame.transforms.length} floats, the scene's ${floats / FLOATS_PER_BODY} bodies need ${floats}`);
    }
    if (options?.discontinuity || frame.time < this.lastPublishedTime) this.pendingFlags |= FRAME_DISCONTINUITY;
    this.lastPublishedTime = frame.time;
    this.latest.set(frame.transforms);
    this.latestTime = frame.time;
    this.hasLatest = true;
    if (this.watchers.length === 0) return;
    this.dirty = true;
    const wait = this.lastSentMs + this.minIntervalMs - performance.now();
    if (wait <= 0 || options?.immediate) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
      this.timer.unref?.();
    }
  }

  /** Records training metrics (kept for late pages, thinned past METRIC_HISTORY points). */
  metrics(step: number, values: Record<string, number>): void {
    if (this.closed) return;
    const point: MetricPoint = { step, values: { ...values } };
    if (this.history.length >= METRIC_HISTORY) this.history = this.history.filter((_, i) => i % 2 === 1);
    this.history.push(point);
    if (this.hub.clientCount === 0) return;
    this.pendingMetrics.push(point);
    if (this.metricsTimer === undefined) {
      this.metricsTimer = setTimeout(() => this.flushMetrics(), METRICS_FLUSH_MS);
      this.metricsTimer.unref?.();
    }
  }

  metricHistory(): readonly MetricPoint[] {
    return this.history;
  }

  /** Replaces the run metadata shown in pages (e.g. which checkpoint a policy comes from). */
  setMeta(meta: Record<string, MetaValue>): void {
    this.info = { ...this.info, meta: { ...meta } };
    this.hub.broadcast({ type: 'channel', channel: this.info });
  }

  /** Sets the player state shown in pages (called by the channel's controller). */
  setState(state: { paused?: boolean; speed?: number }): void {
    const speed = Math.min(MAX_SPEED, Math.max(MIN_SPEED, state.speed ?? this.info.speed));
    this.info = { ...this.info, paused: state.paused ?? this.info.paused, speed };
    this.hub.broadcast({ type: 'state', channel: this.id, paused: this.info.paused, speed: this.info.speed });
  }

  /** Routes a page's control message to the source. */
  control(action: ControlAction, speed?: number): boolean {
    if (!this.options.control) return false;
    this.options.control(action, speed);
    return true;
  }

  /** Sends the current pose (numbered as the last tick sent) to one client that just started watching. */
  sendLatestTo(client: ClientConnection): void {
    if (!this.hasLatest) return;
    client.sendFrame(this.encode(FRAME_DISCONTINUITY));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.metricsTimer);
    this.hub.removeChannel(this);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    this.lastSentMs = performance.now();
    this.frameNumber++;
    const bytes = this.encode(this.pendingFlags);
    this.pendingFlags = 0;
    for (const client of this.watchers) client.sendFrame(bytes);
  }

  private encode(flags: number): Uint8Array {
    // A fresh buffer per tick (not per client): the sockets keep a reference until written.
    const bytes = new Uint8Array(frameByteLength(this.bodyCount));
    encodeFrame(
      bytes,
      {
        channelIndex: this.index,
        sceneRevision: this.info.sceneRevision,
        frameNumber: this.frameNumber,
        bodyCount: this.bodyCount,
        flags,
        timeSeconds: this.latestTime,
      },
      this.latest,
    );
    return bytes;
  }

  private flushMetrics(): void {
    this.metricsTimer = undefined;
    if (this.pendingMetrics.length === 0 || this.closed) return;
    const msg = encodeMessage({ type: 'metrics', channel: this.id, points: this.pendingMetrics });
    this.pendingMetrics = [];
    this.hub.broadcastText(msg);
  }
}

function validateScene(scene: SceneSpec, channelId: string): SceneDesc {
  try {
    return parseScene(scene, 'scene');
  } catch (e) {
    if (e instanceof ProtocolError) throw new ValidationError(`viewer channel ${channelId}`, [{ path: e.path, message: e.problem }]);
    throw e;
  }
}

export interface HubStats {
  clients: number;
  channels: number;
  framesSent: number;
  framesDropped: number;
  bytesSent: number;
  disconnected: Record<DisconnectReason, number>;
  badMessages: number;
}

export class ViewerHub {
  private readonly channels = new Map<string, Channel>();
  private readonly byIndex: (Channel | undefined)[] = [];
  private readonly clients = new Set<ClientConnection>();
  private nextClientId = 1;
  private readonly limits: ClientLimits;
  private totals = { framesSent: 0, framesDropped: 0, bytesSent: 0, badMessages: 0 };
  private disconnected: Record<DisconnectReason, number> = { stalled: 0, overflow: 0, closed: 0 };

  /**
   * `now` is the clock (ms) the clients' limits run on: how long a client has been stalled, the
   * message rate. Tests pass one they step by hand.
   */
  constructor(
    limits: Partial<ClientLimits> = {},
    private readonly log: (line: string) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limits = { ...DEFAULT_CLIENT_LIMITS, ...limits };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Adds a channel; its id must be new. */
  channel(options: ChannelOptions): Channel {
    if (this.channels.has(options.id)) throw new RangeError(`viewer channel '${options.id}' already exists`);
    let index = this.byIndex.indexOf(undefined);
    if (index < 0) index = this.byIndex.length;
    if (index >= MAX_CHANNELS) throw new RangeError(`more than ${MAX_CHANNELS} viewer channels`);
    const ch = new Channel(this, index, options);
    this.channels.set(ch.id, ch);
    this.byIndex[index] = ch;
    ch.watchers = [...this.clients].filter((c) => c.wants(ch.id));
    this.broadcast({ type: 'channel', channel: ch.describe() });
    return ch;
  }

  getChannel(id: string): Channel | undefined {
    return this.channels.get(id);
  }

  listChannels(): Channel[] {
    return [...this.channels.values()];
  }

  /** The clients connected now, oldest first (what each has been sent, dropped, has queued). */
  listClients(): ClientConnection[] {
    return [...this.clients];
  }

  /** Called by `Channel.close`. */
  removeChannel(ch: Channel): void {
    if (this.channels.get(ch.id) !== ch) return;
    this.channels.delete(ch.id);
    this.byIndex[ch.index] = undefined;
    this.broadcast({ type: 'channel-closed', id: ch.id });
  }

  /** Takes a new socket: greets it with every channel, its metric history and current pose. */
  addClient(sink: Sink): ClientConnection {
    const client = new ClientConnection(this.nextClientId++, sink, this.limits, (c, reason) => this.onDisconnect(c, reason), this.now);
    this.clients.add(client);
    client.send({ type: 'welcome', protocol: PROTOCOL_VERSION, server: 'gymnast', channels: this.listChannels().map((c) => c.describe()) });
    for (const ch of this.channels.values()) {
      const history = ch.metricHistory();
      if (history.length > 0) client.send({ type: 'metrics', channel: ch.id, points: [...history] });
    }
    this.updateWatchers();
    for (const ch of this.channels.values()) ch.sendLatestTo(client);
    return client;
  }

  /** Handles one incoming message; never throws. */
  receive(client: ClientConnection, data: unknown, isBinary: boolean): void {
    if (!client.admitMessage()) {
      this.totals.badMessages++;
      client.sendError('rate-limited', `more than ${this.limits.maxMessagesPerSecond} messages per second: message ignored`);
      return;
    }
    let msg: ClientMessage;
    try {
      if (isBinary) throw new ProtocolError('', 'binary messages are not accepted from pages');
      msg = parseClientMessage(typeof data === 'string' ? data : data instanceof Uint8Array ? new TextDecoder().decode(data) : String(data));
    } catch (e) {
      this.totals.badMessages++;
      if (e instanceof ProtocolError) client.sendError(e.code, e.message);
      else client.sendError('bad-message', String(e));
      return;
    }
    try {
      this.handle(client, msg);
    } catch (e) {
      // A source's control handler failed: report it to the page, keep serving.
      this.log(`viewer: control failed: ${(e as Error).message}`);
      client.sendError('bad-message', (e as Error).message);
    }
  }

  private handle(client: ClientConnection, msg: ClientMessage): void {
    switch (msg.type) {
      case 'hello':
        return;
      case 'subscribe': {
        const before = client.subscribed;
        client.subscribed = msg.channels === null ? null : new Set(msg.channels);
        this.updateWatchers();
        for (const ch of this.channels.values()) {
          const wasWatching = before === null || before.has(ch.id);
          if (!wasWatching && client.wants(ch.id)) ch.sendLatestTo(client);
        }
        return;
      }
      case 'control': {
        const ch = this.channels.get(msg.channel);
        if (!ch) return client.sendError('unknown-channel', `no channel '${msg.channel}'`);
        if (!ch.control(msg.action, msg.speed)) client.sendError('not-controllable', `channel '${msg.channel}' is not driven by the viewer (a training run): pause it in the page`);
        return;
      }
    }
  }

  /** Sends a JSON message to every client. */
  broadcast(msg: ServerMessage): void {
    if (this.clients.size === 0) return;
    this.broadcastText(encodeMessage(msg));
  }

  broadcastText(text: string): void {
    for (const c of this.clients) c.sendText(text);
  }

  stats(): HubStats {
    let { framesSent, framesDropped, bytesSent } = this.totals;
    for (const c of this.clients) {
      framesSent += c.framesSent;
      framesDropped += c.framesDropped;
      bytesSent += c.bytesSent;
    }
    return {
      clients: this.clients.size,
      channels: this.channels.size,
      framesSent,
      framesDropped,
      bytesSent,
      disconnected: { ...this.disconnected },
      badMessages: this.totals.badMessages,
    };
  }

  /** Disconnects every client and closes every channel. */
  close(): void {
    for (const c of [...this.clients]) c.disconnect('closed');
    for (const ch of [...this.channels.values()]) ch.close();
  }

  private onDisconnect(client: ClientConnection, reason: DisconnectReason): void {
    if (!this.clients.delete(client)) return;
    this.totals.framesSent += client.framesSent;
    this.totals.framesDropped += client.framesDropped;
    this.totals.bytesSent += client.bytesSent;
    this.disconnected[reason]++;
    if (reason !== 'closed') this.log(`viewer: client ${client.id} disconnected (${reason}: it read too slowly; ${client.framesDropped} ticks dropped)`);
    this.updateWatchers();
  }

  private updateWatchers(): void {
    for (const ch of this.channels.values()) ch.watchers = [...this.clients].filter((c) => c.wants(ch.id));
  }
}
