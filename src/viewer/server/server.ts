/**
 * The viewer's HTTP + WebSocket server: serves the page (bundled in memory, see `bundle.ts`) and
 * the `/ws` endpoint the page streams from.
 *
 * Safe by default: it listens on 127.0.0.1 unless told otherwise (the caller prints a warning for
 * any other host). While bound to loopback it answers only requests whose `Host` is a loopback
 * name, so a web page elsewhere cannot reach it through DNS rebinding; WebSocket upgrades must come
 * from a page served here (`Origin` matches `Host`); incoming messages are capped at
 * `MAX_CLIENT_MESSAGE_BYTES`; what is buffered per client is bounded by the hub.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { UsageError } from '../../core/errors.ts';
import { MAX_CLIENT_MESSAGE_BYTES, WS_PATH } from '../protocol.ts';
import { clientBundle } from './bundle.ts';
import type { ClientLimits } from './client-connection.ts';
import { ViewerHub } from './hub.ts';

export interface ViewerServerOptions {
  /** Default 127.0.0.1. Anything else exposes the viewer to the network: the CLI warns. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Share a hub (sources may have been set up before the server starts). */
  hub?: ViewerHub;
  limits?: Partial<ClientLimits>;
  /** Where warnings go (default: stderr). */
  log?: (line: string) => void;
  /** Seconds between WebSocket pings; a client that misses one is dropped (default 20). */
  heartbeatSeconds?: number;
}

export interface ViewerServer {
  /** e.g. `http://127.0.0.1:8080/`. */
  url: string;
  host: string;
  port: number;
  hub: ViewerHub;
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host name of a `Host` header value (`[::1]:8080` → `[::1]`, `localhost:80` → `localhost`). */
function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1]! : '';
}

export async function startViewerServer(options: ViewerServerOptions = {}): Promise<ViewerServer> {
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? ((line: string) => console.error(line));
  const hub = options.hub ?? new ViewerHub(options.limits, log);
  const loopbackOnly = isLoopbackHost(host);

  // Start bundling now so the first page load finds it ready; a failure is reported on request.
  clientBundle().catch((e) => log(`viewer: building the page failed: ${(e as Error).message}`));

  const hostAllowed = (req: IncomingMessage): boolean => {
    const h = req.headers.host;
    if (!h) return false;
    return !loopbackOnly || isLoopbackHost(hostName(h));
  };
  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    // Browsers always send Origin on WebSocket upgrades; other programs need not, and are not a
    // cross-site risk.
    if (origin === undefined) return true;
    try {
      const u = new URL(origin);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
    } catch {
      return false;
    }
  };

  const server = createServer((req, res) => {
    handleHttp(req, res, hub, hostAllowed).catch((e) => {
      log(`viewer: ${req.method} ${req.url} failed: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `viewer error: ${(e as Error).message}\n`);
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== WS_PATH) return refuse('404 Not Found');
    if (!hostAllowed(req) || !originAllowed(req)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const alive = new WeakMap<WebSocket, boolean>();
  function attach(ws: WebSocket): void {
    const client = hub.addClient(ws);
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data, isBinary) => hub.receive(client, isBinary ? data : data.toString(), isBinary));
    ws.on('close', () => client.markClosed());
    // A message over maxPayload, bad framing: ws closes the socket; we only make sure not to crash.
    ws.on('error', () => client.markClosed());
  }
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, (options.heartbeatSeconds ?? 20) * 1000);
  heartbeat.unref();

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UsageError(`port ${options.port ?? DEFAULT_PORT} on ${host} is in use: pass --port <another> (or --port 0 for any free port)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new UsageError(`cannot listen on host '${host}': ${e.code}`));
      else if (e.code === 'EACCES') reject(new UsageError(`no permission to listen on ${host}:${options.port ?? DEFAULT_PORT}: pick a port above 1023`));
      else reject(e);
    });
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : (options.port ?? DEFAULT_PORT));
    });
  });
  server.on('error', (e) => log(`viewer: server error: ${e.message}`));

  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    hub,
    close: async () => {
      clearInterval(heartbeat);
      hub.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, hub: ViewerHub, hostAllowed: (req: IncomingMessage) => boolean): Promise<void> {
  if (!hostAllowed(req)) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden: this viewer answers only to its loopback address\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/':
    case '/index.html':
      return send(res, 200, 'text/html; charset=utf-8', (await clientBundle()).html);
    case '/app.js':
      return send(res, 200, 'text/javascript; charset=utf-8', (await clientBundle()).js);
    case '/app.css':
      return send(res, 200, 'text/css; charset=utf-8', (await clientBundle()).css);
    case '/api/stats':
      return send(res, 200, 'application/json', JSON.stringify({ ...hub.stats(), memory: process.memoryUsage() }));
    case '/favicon.ico':
      res.writeHead(204).end();
      return;
    default:
      return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:",
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
