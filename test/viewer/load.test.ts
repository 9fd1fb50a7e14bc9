/**
 * Load, on loopback, with clients that really stop reading.
 *
 * First the slow-client limits one by one, in this process (see the comment above `stalledClient`).
 * Then 100 WebSocket clients watch one channel, 10 of which never read (their socket is paused, as
 * a frozen tab's would be); the server (its own process, so its memory is its own) must drop the
 * stalled ones, keep every healthy one served with every tick, and keep its memory bounded. How
 * fast it serves them is measured by `npm run bench -- viewer-load`, not asserted here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { WS_PATH, decodeFrame, encodeMessage, frameByteLength } from '../../src/viewer/protocol.ts';
import { startViewerServer } from '../../src/viewer/server/server.ts';
import { ViewerHub } from '../../src/viewer/server/hub.ts';
import { DEFAULT_CLIENT_LIMITS } from '../../src/viewer/server/client-connection.ts';

/**
 * Clients that really stop reading, on real sockets: each slow-client limit of
 * `client-connection.ts` acting (ticks dropped past 256 KiB queued, disconnected after 5 s of that
 * or past 4 MiB), with a healthy client beside the stalled one that gets everything. The stalled
 * client does the WebSocket handshake itself on a raw TCP socket, then pauses it: nothing more is
 * read, so once the kernel's buffers are full what the server sends stays queued in its process,
 * where the limits look. The limits run on a clock the test steps, so the 5 s are 5 s of that
 * clock, not of the machine's.
 */
const TICK_BODIES = 2000; // 56 kB a tick: the kernel's buffers fill within a hundred or so
const KiB = 1024;

/** A WebSocket client that completes the handshake and then never reads again (a frozen tab). */
async function stalledClient(port: number): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  // The key is RFC 6455's sample nonce (section 1.3); any 16 bytes in base64 would do.
  sock.write(`GET ${WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const [head] = await once(sock, 'data');
  assert.match(String(head).slice(0, 40), /^HTTP\/1\.1 101 /);
  sock.pause();
  return sock;
}

/** A client that reads everything: counts ticks (by frame number) and text messages. */
async function healthyClient(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}`, { perMessageDeflate: false });
  const seen = { frames: [] as number[], texts: 0, closed: false };
  let waiting: { done: () => boolean; resolve: () => void } | undefined;
  ws.on('message', (d: Buffer, isBinary) => {
    if (isBinary) seen.frames.push(decodeFrame(d).frameNumber);
    else seen.texts++;
    if (waiting?.done()) waiting.resolve();
  });
  ws.on('close', () => (seen.closed = true));
  await once(ws, 'open');
  /** Resolves once the client has read what `done` waits for; fails after 30 s rather than hang. */
  const until = (done: () => boolean) =>
    done()
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the healthy client waited 30 s: ${seen.frames.length} ticks, ${seen.texts} messages read`)), 30_000);
          waiting = { done, resolve: () => (clearTimeout(timer), resolve()) };
        });
  return { ws, seen, until };
}

async function stallSetup() {
  const clock = { ms: 0 };
  const hub = new ViewerHub({}, () => {}, () => clock.ms);
  const server = await startViewerServer({ port: 0, hub, log: () => {} });
  const scene = { bodies: Array.from({ length: TICK_BODIES }, (_, i) => ({ name: `b${i}`, shape: 'box' as const, size: [0.1, 0.1, 0.1], color: '#336699' })) };
  const ch = hub.channel({ id: 'load', kind: 'run', scene, maxFps: 1e9 });
  const healthy = await healthyClient(server.port);
  const stalled = await stalledClient(server.port);
  const [healthyConn, stalledConn] = hub.listClients();
  assert.is(hub.clientCount, 2);
  const transforms = new Float32Array(TICK_BODIES * 7);
  let published = 0;
  /** Publishes one tick and waits until the healthy client has read it; returns what the stalled one had queued before. */
  const tick = async (): Promise<number> => {
    const queued = stalledConn!.bufferedAmount;
    assert.is(healthyConn!.bufferedAmount, 0, 'the healthy client had read everything');
    transforms[0] = ++published;
    ch.publish({ transforms, time: published }, { immediate: true });
    await healthy.until(() => healthy.seen.frames.length === published);
    return queued;
  };
  /** Ticks until the stalled client has one dropped; checks each was sent or dropped by the 256 KiB rule. */
  const fillUntilDropping = async () => {
    for (let i = 0; i < 5000 && stalledConn!.framesDropped === 0; i++) {
      const sentBefore = stalledConn!.framesSent;
      const queued = await tick();
      if (queued > 256 * KiB) assert.is(stalledConn!.framesSent, sentBefore, `a tick sent with ${queued} bytes queued`);
      else assert.is(stalledConn!.framesSent, sentBefore + 1, `a tick dropped with only ${queued} bytes queued`);
    }
    assert.is(stalledConn!.framesDropped, 1, `no tick dropped after ${published} ticks (${stalledConn!.bytesSent} bytes sent)`);
    console.log(`  the stalled client had its first tick dropped after ${published} ticks, ${mb(stalledConn!.bytesSent)} MB sent to it, ${(stalledConn!.bufferedAmount / KiB).toFixed(0)} KiB queued in the server`);
    assert.ok(stalledConn!.bufferedAmount > 256 * KiB && stalledConn!.bufferedAmount <= 256 * KiB + frameByteLength(TICK_BODIES));
  };
  const close = async () => {
    healthy.ws.terminate();
    stalled.destroy();
    await server.close();
  };
  return { clock, hub, ch, healthy, stalled, healthyConn: healthyConn!, stalledConn: stalledConn!, tick, fillUntilDropping, published: () => published, close };
}

test('the limits are the documented ones: 256 KiB queued, 4 MiB, 5 s', () => {
  // docs/results/viewer.md, "Safety and limits", and client-connection.ts's description.
  assert.is(DEFAULT_CLIENT_LIMITS.softBufferBytes, 256 * KiB);
  assert.is(DEFAULT_CLIENT_LIMITS.hardBufferBytes, 4 * KiB * KiB);
  assert.is(DEFAULT_CLIENT_LIMITS.stallMs, 5000);
});

test('a client that stops reading: ticks dropped once 256 KiB is queued, disconnected after 5 s of that; a healthy one gets every tick', async () => {
  const s = await stallSetup();
  try {
    await s.fillUntilDropping();
    // Dropping since now on the limits' clock: still connected at 5 s, gone just past it.
    for (const ms of [1000, 2500, 4999, 5000]) {
      s.clock.ms = ms;
      await s.tick();
      assert.not.ok(s.stalledConn.closed, `disconnected after ${ms} ms`);
    }
    assert.is(s.stalledConn.framesDropped, 5);
    s.clock.ms = 5001;
    await s.tick();
    assert.ok(s.stalledConn.closed);
    const stats = s.hub.stats();
    assert.equal(stats.disconnected, { stalled: 1, overflow: 0, closed: 0 });
    assert.is(stats.framesDropped, 6, 'the stalled client\'s six, none of the healthy one\'s');
    assert.is(stats.clients, 1);
    // The healthy client got every tick, in order, and is still connected.
    for (let k = 0; k < 3; k++) await s.tick();
    assert.equal(s.healthy.seen.frames, Array.from({ length: s.published() }, (_, i) => i + 1));
    assert.is(s.healthyConn.framesDropped, 0);
    assert.not.ok(s.healthy.seen.closed);
    // The stalled socket, read again, finds the connection closed by the server.
    s.stalled.resume();
    await once(s.stalled, 'close');
  } finally {
    await s.close();
  }
});

test('past 4 MiB queued (messages that are never dropped), a client that stops reading is disconnected at once', async () => {
  const s = await stallSetup();
  try {
    await s.fillUntilDropping();
    // Metric batches are never dropped (a page needs them), so they queue up to the hard limit.
    const points = Array.from({ length: 2000 }, (_, i) => ({ step: i, values: { 'charts/episodic_return': i / 7 } }));
    const batch = encodeMessage({ type: 'metrics', channel: 'load', points });
    let sends = 0;
    let lastQueued = 0;
    const textsBefore = s.healthy.seen.texts;
    for (let i = 0; i < 1000 && !s.stalledConn.closed; i++) {
      const queued = (lastQueued = s.stalledConn.bufferedAmount);
      s.hub.broadcastText(batch);
      sends++;
      await s.healthy.until(() => s.healthy.seen.texts === textsBefore + sends);
      // Queued while at most 4 MiB was waiting; disconnected by the first message that found more.
      assert.is(s.stalledConn.closed, queued > 4 * KiB * KiB, `${queued} bytes queued`);
    }
    assert.ok(s.stalledConn.closed);
    assert.equal(s.hub.stats().disconnected, { stalled: 0, overflow: 1, closed: 0 });
    assert.ok(lastQueued > 4 * KiB * KiB && lastQueued <= 4 * KiB * KiB + batch.length, `disconnected with ${lastQueued} bytes queued`);
    assert.is(s.clock.ms, 0, 'no time passed on the limits\' clock: the 5 s rule did not act');
    await s.tick();
    assert.equal(s.healthy.seen.frames, Array.from({ length: s.published() }, (_, i) => i + 1));
    assert.not.ok(s.healthy.seen.closed);
  } finally {
    await s.close();
  }
});

const CLIENTS = 100;
const STALLED = 10;
const BODIES = 1024; // 28.7 kB a tick: stalled sockets fill the kernel's buffers within seconds
const TARGET_FPS = 30;
const STALL_MS = 2000;
/** The most the stalled clients may take to be dropped: filling the kernel's buffers (~4 MB each at ~0.9 MB/s) plus STALL_MS, with room for a busy machine. */
const DEADLINE_SECONDS = 60;

interface Stats {
  clients: number;
  framesSent: number;
  framesDropped: number;
  disconnected: { stalled: number; overflow: number; closed: number };
  memory: { rss: number; heapUsed: number; arrayBuffers: number; external: number };
}

let child: ChildProcess | undefined;
let url: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stats = async (): Promise<Stats> => (await fetch(`${url}api/stats`)).json() as Promise<Stats>;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

test.after(() => {
  child?.kill('SIGKILL');
});

test('100 clients, 10 never reading: stalled ones are dropped, healthy ones get every tick and stay, memory stays bounded', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/load-server.ts', import.meta.url).pathname], {
    env: { ...process.env, BODIES: String(BODIES), PUBLISH_HZ: '120', MAX_FPS: String(TARGET_FPS), STALL_MS: String(STALL_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise((resolve, reject) => {
    child!.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).url));
    child!.once('exit', (code) => reject(new Error(`load server exited with ${code}`)));
  });
  const u = new URL(url);
  const received = new Array<number>(CLIENTS).fill(0);
  // Frame numbers seen in the measured window, per client: did a healthy client miss any tick?
  const firstFrame = new Array<number>(CLIENTS).fill(-1);
  const lastFrame = new Array<number>(CLIENTS).fill(-1);
  const inWindow = new Array<number>(CLIENTS).fill(0);
  let measuring = false;
  const closed = new Array<boolean>(CLIENTS).fill(false);
  const sockets: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => {
      const ws = new WebSocket(`ws://${u.host}${WS_PATH}`, { perMessageDeflate: false });
      sockets.push(ws);
      ws.on('message', (d: Buffer, isBinary) => {
        if (!isBinary) return;
        received[i]!++;
        if (!measuring) return;
        const frame = d.readUInt32LE(8);
        if (firstFrame[i] === -1) firstFrame[i] = frame;
        lastFrame[i] = frame;
        inWindow[i]!++;
      });
      ws.on('close', () => (closed[i] = true));
      ws.on('error', () => {});
      return new Promise<void>((resolve) =>
        ws.once('open', () => {
          // A stalled client: stop reading from the socket, like a tab frozen by the browser.
          if (i < STALLED) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
          resolve();
        }),
      );
    }),
  );
  await sleep(1000);
  const baseline = await stats();
  measuring = true;
  const samples: Stats[] = [];
  // Until every stalled client is dropped (at least three samples), at most DEADLINE_SECONDS.
  for (let s = 0; s < DEADLINE_SECONDS; s++) {
    await sleep(1000);
    const now = await stats();
    samples.push(now);
    if (samples.length >= 3 && now.disconnected.stalled + now.disconnected.overflow >= STALLED) break;
  }
  measuring = false;
  const end = samples.at(-1)!;
  const peakHeap = Math.max(...samples.map((x) => x.memory.heapUsed + x.memory.arrayBuffers));
  // Share of the ticks sent in the window that each healthy client received.
  const shares = received.slice(STALLED).map((_, k) => {
    const i = k + STALLED;
    return inWindow[i]! / (lastFrame[i]! - firstFrame[i]! + 1);
  });
  const worstShare = Math.min(...shares);
  const ticks = Math.max(...lastFrame.map((l, i) => l - firstFrame[i]!)) + 1;
  console.log(
    `  ${samples.length} s, ${ticks} ticks sent; healthy clients: worst share of ticks received ${(100 * worstShare).toFixed(1)}%;` +
      ` stalled dropped: ${end.disconnected.stalled + end.disconnected.overflow}/${STALLED}; frames dropped ${end.framesDropped};` +
      ` server rss ${mb(baseline.memory.rss)} → ${mb(end.memory.rss)} MB, heap+buffers ${mb(baseline.memory.heapUsed + baseline.memory.arrayBuffers)} → peak ${mb(peakHeap)} MB`,
  );

  // Every healthy client got (nearly) every tick the server sent while stalled clients were being
  // dropped: 98%, as a healthy client's own process may be starved for a moment on a busy machine.
  assert.ok(worstShare >= 0.98, `a healthy client received only ${(100 * worstShare).toFixed(1)}% of the ticks`);
  assert.ok(received.slice(STALLED).every((_, i) => !closed[i + STALLED]), 'no healthy client was dropped');
  // Every stalled client was dropped after having ticks dropped.
  assert.is(end.disconnected.stalled + end.disconnected.overflow, STALLED);
  assert.ok(end.framesDropped > 0);
  assert.is(end.clients, CLIENTS - STALLED);
  // What the server holds stays bounded: per client at most the soft limit (256 kB) before ticks are
  // dropped, so 100 clients cost at most ~25 MB beyond the baseline, whatever they do.
  assert.ok(peakHeap - (baseline.memory.heapUsed + baseline.memory.arrayBuffers) < 64 * 2 ** 20, `heap + buffers grew by ${mb(peakHeap - baseline.memory.heapUsed - baseline.memory.arrayBuffers)} MB`);
  assert.ok(end.memory.rss - baseline.memory.rss < 96 * 2 ** 20, `rss grew by ${mb(end.memory.rss - baseline.memory.rss)} MB`);
  for (const ws of sockets) ws.terminate();
});

test.run();
