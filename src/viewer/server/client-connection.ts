/**
 * One connected page, seen from the server. It decides, tick by tick, whether this client gets the
 * frame: a client whose socket buffer has grown past `softBufferBytes` (it reads slower than we
 * send: a background tab, a slow link, a paused reader) has ticks dropped, latest wins; one that
 * stays behind for `stallMs`, or whose buffer passes `hardBufferBytes` anyway, is disconnected. So
 * what the server holds per client is bounded, whatever the client does.
 *
 * Incoming messages are small JSON control messages, rate limited; a bad one gets an error reply
 * (itself rate limited) and is otherwise ignored.
 */
import { encodeMessage, type ErrorCode, type ServerMessage } from '../protocol.ts';

/** What the hub needs of a socket (`ws`'s WebSocket has all of it); tests pass a fake. */
export interface Sink {
  readonly readyState: number;
  /** Bytes queued but not yet handed to the kernel (ws: socket buffer + its own queue). */
  readonly bufferedAmount: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export const SINK_OPEN = 1;

export interface ClientLimits {
  /** Above this many queued bytes a client's ticks are dropped. */
  softBufferBytes: number;
  /** Above this many queued bytes a client is disconnected. */
  hardBufferBytes: number;
  /** A client that has had ticks dropped continuously for this long is disconnected. */
  stallMs: number;
  /** Incoming messages allowed per second (burst of the same size). */
  maxMessagesPerSecond: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  softBufferBytes: 256 * 1024,
  hardBufferBytes: 4 * 1024 * 1024,
  stallMs: 5000,
  maxMessagesPerSecond: 50,
};

export type DisconnectReason = 'stalled' | 'overflow' | 'closed';

export class ClientConnection {
  /** Channel ids whose ticks this client wants; null = all. */
  subscribed: Set<string> | null = null;
  framesSent = 0;
  framesDropped = 0;
  bytesSent = 0;
  closed = false;
  private droppingSince = -1;
  private tokens: number;
  private lastRefillMs: number;
  private lastErrorMs = -Infinity;

  constructor(
    readonly id: number,
    private readonly sink: Sink,
    private readonly limits: ClientLimits,
    private readonly onDisconnect: (client: ClientConnection, reason: DisconnectReason) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limits.maxMessagesPerSecond;
    this.lastRefillMs = now();
  }

  wants(channelId: string): boolean {
    return this.subscribed === null || this.subscribed.has(channelId);
  }

  get bufferedAmount(): number {
    return this.sink.bufferedAmount;
  }

  /** Sends a tick unless this client is behind; returns whether it was sent. */
  sendFrame(bytes: Uint8Array): boolean {
    if (this.closed || this.sink.readyState !== SINK_OPEN) return false;
    const buffered = this.sink.bufferedAmount;
    if (buffered > this.limits.hardBufferBytes) {
      this.disconnect('overflow');
      return false;
    }
    if (buffered > this.limits.softBufferBytes) {
      this.framesDropped++;
      const t = this.now();
      if (this.droppingSince < 0) this.droppingSince = t;
      else if (t - this.droppingSince > this.limits.stallMs) this.disconnect('stalled');
      return false;
    }
    this.droppingSince = -1;
    this.sink.send(bytes);
    this.framesSent++;
    this.bytesSent += bytes.byteLength;
    return true;
  }

  /**
   * Sends a JSON message (descriptions, metrics, errors are never dropped: the page needs them to
   * make sense of ticks). Only the hard limit applies.
   */
  sendText(text: string): void {
    if (this.closed || this.sink.readyState !== SINK_OPEN) return;
    if (this.sink.bufferedAmount > this.limits.hardBufferBytes) {
      this.disconnect('overflow');
      return;
    }
    this.sink.send(text);
    this.bytesSent += text.length;
  }

  send(msg: ServerMessage): void {
    this.sendText(encodeMessage(msg));
  }

  /** Error replies are limited to a few per second, so a misbehaving client cannot make us flood it. */
  sendError(code: ErrorCode, message: string): void {
    const t = this.now();
    if (t - this.lastErrorMs < 200) return;
    this.lastErrorMs = t;
    // One line the page can show and its parser accepts (at most 4096 characters): a parse error
    // quotes the client's own text, which may hold newlines and be 16 KiB long.
    const line = message.replace(/\s+/g, ' ');
    this.send({ type: 'error', code, message: line.length > 1000 ? `${line.slice(0, 997)}...` : line });
  }

  /** Takes one token from the incoming-message bucket; false = over the rate. */
  admitMessage(): boolean {
    const t = this.now();
    const rate = this.limits.maxMessagesPerSecond;
    this.tokens = Math.min(rate, this.tokens + ((t - this.lastRefillMs) / 1000) * rate);
    this.lastRefillMs = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  disconnect(reason: DisconnectReason): void {
    if (this.closed) return;
    this.closed = true;
    // A stalled client would not read a close frame either: drop the connection outright.
    if (reason === 'closed') this.sink.close(1000, 'bye');
    else this.sink.terminate();
    this.onDisconnect(this, reason);
  }

  /** The socket closed from the other side. */
  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.onDisconnect(this, 'closed');
  }
}
