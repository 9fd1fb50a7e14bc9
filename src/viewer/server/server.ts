/**
 * The viewer's HTTP + WebSocket server: serves the page (bundled in memory, see `bundle.ts`) and
 * the `/ws` endpoint the page streams from.
 *
 * Safe by default: it listens on 127.0.0.1 unless told otherwise (the caller prints a warning for
 * any other host). It answers only requests whose `Host` names this machine (see `allowedHostNames`:
 * loopback names, the bound address, and with 0.0.0.0 or :: this machine's name and addresses, plus
 * what `allowHosts` adds), so a web page elsewhere cannot reach it through DNS rebinding, whatever
 * interface it listens on; WebSocket upgrades must come from a page served here (`Origin` matches
 * `Host`); incoming messages are capped at `MAX_CLIENT_MESSAGE_BYTES`; what is buffered per client
 * is bounded by the hub.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
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
  /**
   * More `Host` names (or addresses) to answer to, beyond those of `allowedHostNames`: a name in
   * DNS or /etc/hosts that points here, a reverse proxy's. Names only, no port.
   */
  allowHosts?: readonly string[];
}

export interface ViewerServer {
  /** e.g. `http://127.0.0.1:8080/`. */
  url: string;
  host: string;
  port: number;
  hub: ViewerHub;
  /** The `Host` names (lowercase, IPv6 in brackets) answered besides 127.x.x.x and `[::1]`. */
  allowedHosts: readonly string[];
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host name of a `Host` header value (`[::1]:8080` → `[::1]`, `localhost.:80` → `localhost`). */
function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1]!.replace(/\.$/, '') : '';
}

/** A name or address as it appears in a `Host` header: lowercase, IPv6 in brackets, no zone, no final dot. */
function asHostName(nameOrAddress: string): string {
  const s = nameOrAddress.trim().toLowerCase().replace(/\.$/, '');
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  return bare.includes(':') ? `[${bare.replace(/%.*$/, '')}]` : bare;
}

function isUnspecifiedAddress(host: string): boolean {
  const bare = asHostName(host).replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || /^[0:]+$/.test(bare);
}

/** Checks one `--allow-host` value: a DNS name or an address, without a port or a path. */
function checkAllowHost(name: string): string {
  const s = name.trim();
  const ipv6 = /^\[?[0-9a-f:.]+(%[\w.-]+)?\]?$/i.test(s) && (s.match(/:/g)?.length ?? 0) >= 2;
  if (!ipv6 && !/^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_.])?$/i.test(s)) {
    throw new UsageError(`--allow-host takes a host name or an address without a port (like viewer.lan or 192.168.1.5), got '${name}'`);
  }
  return asHostName(s);
}

/**
 * The `Host` names a viewer bound to `host` answers to, besides any 127.x.x.x and `[::1]`:
 * `localhost`, the bound address or name, this machine's name (and its mDNS `.local` form) and
 * every interface address when bound to all interfaces (0.0.0.0 or ::), and `extra`.
 */
export function allowedHostNames(host: string, extra: readonly string[] = []): string[] {
  const names = new Set<string>(['localhost', '127.0.0.1', '[::1]', asHostName(host)]);
  if (isUnspecifiedAddress(host)) {
    const own = hostname().toLowerCase();
    if (own) {
      names.add(own);
      if (!own.includes('.')) names.add(`${own}.local`);
    }
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(asHostName(a.address));
  }
  for (const name of extra) names.add(checkAllowHost(name));
  return [...names];
}

/** The one-line body of a refused request: which Host, and how to allow it if it is this machine's. */
function refusal(hostHeader: string | undefined): string {
  if (!hostHeader) return 'forbidden: a request without a Host header\n';
  // Printable ASCII only, and not too long, so the reply stays one short line.
  const printable = (s: string) => s.replace(/[^\x21-\x7e]/g, '?').slice(0, 255);
  const name = printable(hostName(hostHeader) || hostHeader);
  return `forbidden: this viewer does not answer to Host '${printable(hostHeader)}' (a guard against DNS rebinding); if that name is this machine's, start the viewer with --allow-host ${name}\n`;
}

export async function startViewerServer(options: ViewerServerOptions = {}): Promise<ViewerServer> {
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? ((line: string) => console.error(line));
  const hub = options.hub ?? new ViewerHub(options.limits, log);
  const allowed = new Set(allowedHostNames(host, options.allowHosts));

  // Start bundling now so the first page load finds it ready; a failure is reported on request.
  clientBundle().catch((e) => log(`viewer: building the page failed: ${(e as Error).message}`));

  const hostAllowed = (req: IncomingMessage): boolean => {
    const h = req.headers.host;
    if (!h) return false;
    const name = hostName(h);
    return allowed.has(name) || isLoopbackHost(name);
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
    const refuse = (status: string, body = '') => {
      const type = body ? 'Content-Type: text/plain; charset=utf-8\r\n' : '';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    if (path !== WS_PATH) return refuse('404 Not Found');
    if (!hostAllowed(req)) return refuse('403 Forbidden', refusal(req.headers.host));
    if (!originAllowed(req)) return refuse('403 Forbidden');
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
  if (!isLoopbackHost(host)) log(`viewer: answering to Host ${[...allowed].join(', ')} (--allow-host NAME adds another)`);

  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    hub,
    allowedHosts: [...allowed],
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
  if (!hostAllowed(req)) return send(res, 403, 'text/plain; charset=utf-8', refusal(req.headers.host));
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
