/**
 * The page's WebSocket: connects to the server that served the page, validates every message
 * (a bad one is counted and skipped, never trusted), and reconnects with a growing delay when the
 * server goes away (a restarted `gymnast view` is picked up without a reload).
 */
import {
  PROTOCOL_VERSION,
  WS_PATH,
  encodeMessage,
  parseServerMessage,
  type ClientMessage,
  type ServerMessage,
} from '../protocol.ts';

export interface ConnectionHandlers {
  onOpen(): void;
  onClose(): void;
  onMessage(msg: ServerMessage): void;
  onFrame(data: ArrayBuffer, arrivalMs: number): void;
  onInvalid(error: Error): void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * What the page needs of its link to the simulation: this file's WebSocket, or the static site's
 * Web Workers (src/site/page.ts), which carry the same messages.
 */
export interface PageConnection {
  readonly state: ConnectionState;
  send(msg: ClientMessage): void;
  close(): void;
}

/** Makes the page's connection, given the handlers it reports to. */
export type ConnectionFactory = (handlers: ConnectionHandlers) => PageConnection;

export class Connection implements PageConnection {
  private ws: WebSocket | null = null;
  private retryMs = 500;
  private stopped = false;
  state: ConnectionState = 'connecting';

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.connect();
  }

  /** ws:// or wss:// on the page's own host. */
  static urlFor(location: Location): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
  }

  send(msg: ClientMessage): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeMessage(msg));
  }

  close(): void {
    this.stopped = true;
    this.ws?.close();
  }

  private connect(): void {
    this.state = 'connecting';
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.state = 'open';
      this.retryMs = 500;
      this.send({ type: 'hello', protocol: PROTOCOL_VERSION });
      this.handlers.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) {
        this.handlers.onFrame(ev.data, performance.now());
        return;
      }
      let msg: ServerMessage;
      try {
        msg = parseServerMessage(ev.data);
      } catch (e) {
        this.handlers.onInvalid(e as Error);
        return;
      }
      this.handlers.onMessage(msg);
    };
    ws.onclose = () => {
      this.ws = null;
      this.state = 'closed';
      this.handlers.onClose();
      if (this.stopped) return;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(5000, this.retryMs * 2);
    };
    // Errors are followed by close, where the retry happens.
    ws.onerror = () => {};
  }
}
