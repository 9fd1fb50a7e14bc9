/**
 * `npm run bench -- viewer`: what the viewer server costs per tick and per client, how many bytes a
 * tick takes, and how long a tick takes from `publish` to a client's receipt on loopback.
 *
 * - cost: the synchronous time of `Channel.publish` (encode once, hand the same bytes to every
 *   client's socket), divided by clients, for 1, 8 and 64 bodies and 1, 8 and 64 clients. The
 *   clients are `ws` sockets in this process; between ticks the event loop runs so they read.
 * - baseline, same process, same clients: a naive protocol that sends each tick as JSON
 *   (`{"channel", "frame", "time", "transforms": [...]}`), stringified once and sent to every
 *   client through the same hub;
 *   the ratio says what the binary ticks save.
 * - latency: one client, a tick published every 10 ms; time from `publish` to the client's
 *   'message' event (same process, same clock), median and p99.
 *
 * Medians over REPEATS runs. Numbers depend on the machine and its load: compare within one run.
 */
import WebSocket from 'ws';
import { startViewerServer } from '../src/viewer/server/server.ts';
import { WS_PATH, frameByteLength } from '../src/viewer/protocol.ts';
import type { Channel } from '../src/viewer/server/hub.ts';

const REPEATS = Number(process.env.REPEATS ?? 5);
const TICKS = Number(process.env.TICKS ?? 200);
const BODY_COUNTS = [1, 8, 64];
const CLIENT_COUNTS = [1, 8, 64];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const tick = () => new Promise<void>((r) => setImmediate(r));

const server = await startViewerServer({ port: 0, log: () => {} });
const host = new URL(server.url).host;

async function connect(n: number): Promise<{ sockets: WebSocket[]; received: () => number }> {
  let count = 0;
  const sockets = await Promise.all(
    Array.from({ length: n }, () => {
      const ws = new WebSocket(`ws://${host}${WS_PATH}`, { perMessageDeflate: false });
      ws.on('message', () => count++);
      return new Promise<WebSocket>((resolve) => ws.once('open', () => resolve(ws)));
    }),
  );
  return { sockets, received: () => count };
}

function sceneOf(bodies: number) {
  return { bodies: Array.from({ length: bodies }, (_, i) => ({ name: `b${i}`, shape: 'box' as const, size: [0.1, 0.1, 0.1], color: '#336699' })) };
}

function fill(t: Float32Array, k: number): void {
  for (let i = 0; i < t.length; i += 7) {
    t[i] = Math.sin(k + i);
    t[i + 1] = Math.cos(k + i);
    t[i + 2] = k * 1e-3;
    t[i + 6] = 1;
  }
}

/** µs of synchronous server work per tick per client, binary protocol. */
async function costBinary(ch: Channel, bodies: number, clients: number): Promise<number> {
  const t = new Float32Array(bodies * 7);
  let total = 0;
  for (let k = 0; k < TICKS; k++) {
    fill(t, k);
    const t0 = performance.now();
    ch.publish({ transforms: t, time: k * 0.02 }, { immediate: true });
    total += performance.now() - t0;
    await tick();
  }
  return (total * 1000) / TICKS / clients;
}

/** Same work with naive JSON ticks: stringify once, send to every client through the hub. */
async function costJson(bodies: number, clients: number): Promise<{ us: number; bytes: number }> {
  const t = new Float32Array(bodies * 7);
  let total = 0;
  let bytes = 0;
  for (let k = 0; k < TICKS; k++) {
    fill(t, k);
    const t0 = performance.now();
    const text = JSON.stringify({ channel: 'bench', frame: k, time: k * 0.02, transforms: Array.from(t) });
    server.hub.broadcastText(text);
    total += performance.now() - t0;
    bytes = Buffer.byteLength(text);
    await tick();
  }
  return { us: (total * 1000) / TICKS / clients, bytes };
}

// Warm-up (JIT, socket buffers), not measured.
{
  const { sockets } = await connect(8);
  const ch = server.hub.channel({ id: 'warmup', kind: 'run', scene: sceneOf(64), maxFps: 1e9 });
  await costBinary(ch, 64, 8);
  await costJson(64, 8);
  ch.close();
  for (const ws of sockets) ws.terminate();
  await new Promise((r) => setTimeout(r, 100));
}

console.log(`viewer bench: ${REPEATS} repeats × ${TICKS} ticks; median µs of server work per tick per client (binary vs JSON baseline)\n`);
console.log('bodies  clients  bytes/tick (json)   µs/tick/client (json)   ratio');
for (const bodies of BODY_COUNTS) {
  for (const clients of CLIENT_COUNTS) {
    const { sockets, received } = await connect(clients);
    await new Promise((r) => setTimeout(r, 50));
    const ch = server.hub.channel({ id: `bench-${bodies}-${clients}`, kind: 'run', scene: sceneOf(bodies), maxFps: 1e9 });
    if (server.hub.clientCount !== clients) throw new Error(`expected ${clients} clients, the hub has ${server.hub.clientCount}`);
    const bin: number[] = [];
    const json: number[] = [];
    let jsonBytes = 0;
    for (let r = 0; r < REPEATS; r++) {
      bin.push(await costBinary(ch, bodies, clients));
      const j = await costJson(bodies, clients);
      json.push(j.us);
      jsonBytes = j.bytes;
    }
    await new Promise((r) => setTimeout(r, 100));
    if (received() === 0) throw new Error('clients received nothing');
    const b = median(bin);
    const j = median(json);
    console.log(
      `${String(bodies).padStart(6)}  ${String(clients).padStart(7)}  ${String(frameByteLength(bodies)).padStart(10)} (${String(jsonBytes).padStart(6)})  ${b.toFixed(2).padStart(12)} (${j.toFixed(2).padStart(7)})  ${(j / b).toFixed(1).padStart(8)}×`,
    );
    ch.close();
    for (const ws of sockets) ws.terminate();
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Latency: publish → client 'message', one client, a tick every 10 ms.
console.log('\nlatency publish → client receipt, loopback, one client, a tick every 10 ms');
console.log('bodies  median µs  p99 µs');
for (const bodies of BODY_COUNTS) {
  const ws = new WebSocket(`ws://${host}${WS_PATH}`, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  const ch = server.hub.channel({ id: `latency-${bodies}`, kind: 'run', scene: sceneOf(bodies), maxFps: 1e9 });
  const sentAt = new Map<number, number>();
  const lat: number[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const frame = data.readUInt32LE(8);
    const t0 = sentAt.get(frame);
    if (t0 !== undefined) lat.push((performance.now() - t0) * 1000);
  });
  const t = new Float32Array(bodies * 7);
  const n = REPEATS * TICKS;
  for (let k = 1; k <= n; k++) {
    fill(t, k);
    // The hub numbers ticks 1, 2, …; a client connected before the first gets them all.
    sentAt.set(k, performance.now());
    ch.publish({ transforms: t, time: k * 0.01 }, { immediate: true });
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 50));
  console.log(`${String(bodies).padStart(6)}  ${median(lat).toFixed(0).padStart(9)}  ${quantile(lat, 0.99).toFixed(0).padStart(6)}   (${lat.length} ticks)`);
  ch.close();
  ws.terminate();
}

await server.close();
