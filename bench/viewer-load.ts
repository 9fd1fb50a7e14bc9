/**
 * `npm run bench -- viewer-load`: does a viewer keep serving its healthy clients at the channel's
 * rate while some clients stall? The claim `test/viewer/load.test.ts` used to assert as a rate.
 *
 * A viewer server in a child process (its CPU is its own) streams one channel of BODIES bodies,
 * published 120 times a second and sent at most 30 times a second. This process connects CLIENTS
 * WebSocket clients that read, and in the measured case STALLED more that never read after the
 * handshake (their sockets paused, as a frozen tab's). Over WINDOW_SECONDS it counts the ticks each
 * healthy client receives.
 *
 * - baseline, same run: the same healthy clients with no stalled client beside them;
 * - printed: ticks/s the server sent, the mean and slowest healthy client's ticks/s, the ratio
 *   slowest(stalled) / slowest(baseline), and how many stalled clients the server dropped.
 *
 * Medians over REPEATS runs. The rates depend on the machine and its load: compare within one run.
 */
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { WS_PATH } from '../src/viewer/protocol.ts';

const BODIES = Number(process.env.BODIES ?? 1024);
const TARGET_FPS = 30;
const CLIENTS = Number(process.env.CLIENTS ?? 90);
const STALLED = Number(process.env.STALLED ?? 10);
const WINDOW_SECONDS = Number(process.env.WINDOW_SECONDS ?? 10);
const REPEATS = Number(process.env.REPEATS ?? 3);

if (process.env.VIEWER_LOAD_ROLE === 'server') {
  const { startViewerServer } = await import('../src/viewer/server/server.ts');
  const server = await startViewerServer({ port: 0, log: () => {}, limits: { stallMs: 2000 } });
  const scene = { bodies: Array.from({ length: BODIES }, (_, i) => ({ name: `b${i}`, shape: 'box' as const, size: [0.1, 0.1, 0.1], color: '#336699' })) };
  const ch = server.hub.channel({ id: 'load', kind: 'run', scene, maxFps: TARGET_FPS });
  const t = new Float32Array(BODIES * 7);
  let k = 0;
  setInterval(() => {
    k++;
    for (let i = 0; i < BODIES; i++) (t[i * 7] = Math.sin(k / 120 + i)), (t[i * 7 + 6] = 1);
    ch.publish({ transforms: t, time: k / 120 });
  }, 1000 / 120);
  console.log(JSON.stringify({ url: server.url }));
} else {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** One run: ticks/s sent, and each healthy client's ticks/s, over WINDOW_SECONDS. */
  async function run(stalled: number): Promise<{ sent: number; mean: number; slowest: number; dropped: number }> {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname], { env: { ...process.env, VIEWER_LOAD_ROLE: 'server' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).url));
        child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      const host = new URL(url).host;
      const counts = new Array<number>(CLIENTS).fill(0);
      let lastFrame = 0;
      const sockets = await Promise.all(
        Array.from({ length: CLIENTS + stalled }, (_, i) => {
          const ws = new WebSocket(`ws://${host}${WS_PATH}`, { perMessageDeflate: false });
          ws.on('error', () => {});
          if (i < CLIENTS) {
            ws.on('message', (d: Buffer, isBinary) => {
              if (!isBinary) return;
              counts[i]!++;
              lastFrame = Math.max(lastFrame, d.readUInt32LE(8));
            });
          }
          return new Promise<WebSocket>((resolve) =>
            ws.once('open', () => {
              // A stalled client reads nothing more: ws keeps its net.Socket in `_socket`.
              if (i >= CLIENTS) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
              resolve(ws);
            }),
          );
        }),
      );
      await sleep(1000);
      const start = [...counts];
      const firstFrame = lastFrame;
      const t0 = performance.now();
      await sleep(WINDOW_SECONDS * 1000);
      const seconds = (performance.now() - t0) / 1000;
      const rates = counts.map((n, i) => (n - start[i]!) / seconds);
      const stats = (await (await fetch(`${url}api/stats`)).json()) as { disconnected: { stalled: number; overflow: number } };
      for (const ws of sockets) ws.terminate();
      return {
        sent: (lastFrame - firstFrame) / seconds,
        mean: rates.reduce((a, b) => a + b, 0) / rates.length,
        slowest: Math.min(...rates),
        dropped: stats.disconnected.stalled + stats.disconnected.overflow,
      };
    } finally {
      child.kill('SIGKILL');
    }
  }

  console.log(`viewer-load bench: ${CLIENTS} healthy clients, ${BODIES} bodies (${(BODIES * 28 + 24) / 1000} kB a tick), target ${TARGET_FPS} ticks/s, ${WINDOW_SECONDS} s × ${REPEATS} repeats, medians\n`);
  console.log('stalled  sent ticks/s  healthy mean  healthy slowest  slowest / baseline  stalled dropped');
  let baseline = NaN;
  for (const stalled of [0, STALLED]) {
    const runs = [];
    for (let r = 0; r < REPEATS; r++) runs.push(await run(stalled));
    const slowest = median(runs.map((x) => x.slowest));
    if (stalled === 0) baseline = slowest;
    console.log(
      `${String(stalled).padStart(7)}  ${median(runs.map((x) => x.sent)).toFixed(1).padStart(12)}  ${median(runs.map((x) => x.mean)).toFixed(1).padStart(12)}  ${slowest.toFixed(1).padStart(15)}  ${(slowest / baseline).toFixed(2).padStart(18)}  ${String(median(runs.map((x) => x.dropped))).padStart(15)}`,
    );
  }
}
