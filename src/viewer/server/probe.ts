/**
 * A WebSocket client in Node that watches a viewer the way a page does and counts what arrives,
 * checking every message with the protocol's validators. `gymnast start --headless` uses it to
 * prove, without a browser, that the scene it runs actually reaches a client; tests and the
 * benchmark use it too.
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION, WS_PATH, decodeFrameHeader, encodeMessage, parseServerMessage, type ChannelInfo, type ClientMessage, type ServerMessage } from '../protocol.ts';

export interface ProbeCounts {
  channels: Map<string, ChannelInfo>;
  /** Ticks per channel id. */
  frames: Map<string, number>;
  metricPoints: number;
  /** Metric points per channel id. */
  metrics: Map<string, number>;
  invalid: number;
  errors: string[];
}

export class Probe {
  readonly counts: ProbeCounts = { channels: new Map(), frames: new Map(), metricPoints: 0, metrics: new Map(), invalid: 0, errors: [] };
  readonly ws: WebSocket;
  private readonly byIndex = new Map<number, string>();
  private readonly opened: Promise<void>;
  onFrame?: (channelId: string, frameNumber: number, data: Buffer) => void;
  onMessage?: (msg: ServerMessage) => void;

  /** `url`: the viewer's http URL (`http://127.0.0.1:8080/`). */
  constructor(url: string, options: { origin?: string } = {}) {
    const u = new URL(url);
    this.ws = new WebSocket(`ws://${u.host}${WS_PATH}`, { origin: options.origin, perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        this.send({ type: 'hello', protocol: PROTOCOL_VERSION });
        resolve();
      });
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data: Buffer, isBinary) => (isBinary ? this.frame(data) : this.text(data.toString())));
  }

  open(): Promise<void> {
    return this.opened;
  }

  send(msg: ClientMessage): void {
    this.ws.send(encodeMessage(msg));
  }

  /** Whether every channel that has bodies has sent at least one tick. */
  everyChannelSeen(): boolean {
    for (const [id, info] of this.counts.channels) if (info.scene.bodies.length > 0 && !this.counts.frames.get(id)) return false;
    return this.counts.channels.size > 0;
  }

  totalFrames(): number {
    let n = 0;
    for (const v of this.counts.frames.values()) n += v;
    return n;
  }

  close(): void {
    this.ws.terminate();
  }

  private text(text: string): void {
    let msg: ServerMessage;
    try {
      msg = parseServerMessage(text);
    } catch {
      this.counts.invalid++;
      return;
    }
    if (msg.type === 'welcome') for (const c of msg.channels) this.addChannel(c);
    else if (msg.type === 'channel') this.addChannel(msg.channel);
    else if (msg.type === 'metrics') {
      this.counts.metricPoints += msg.points.length;
      this.counts.metrics.set(msg.channel, (this.counts.metrics.get(msg.channel) ?? 0) + msg.points.length);
    }
    else if (msg.type === 'error') this.counts.errors.push(`${msg.code}: ${msg.message}`);
    else if (msg.type === 'channel-closed') this.counts.channels.delete(msg.id);
    this.onMessage?.(msg);
  }

  private addChannel(c: ChannelInfo): void {
    this.counts.channels.set(c.id, c);
    this.byIndex.set(c.index, c.id);
  }

  private frame(data: Buffer): void {
    try {
      const h = decodeFrameHeader(data);
      const id = this.byIndex.get(h.channelIndex);
      if (id === undefined) throw new Error('tick for an unknown channel');
      const info = this.counts.channels.get(id);
      if (info && h.bodyCount !== info.scene.bodies.length) throw new Error('body count does not match the scene');
      this.counts.frames.set(id, (this.counts.frames.get(id) ?? 0) + 1);
      this.onFrame?.(id, h.frameNumber, data);
    } catch {
      this.counts.invalid++;
    }
  }
}
