/**
 * The static site's page: the viewer's page (three.js scene, panel, curves) fed by Web Workers
 * instead of a server. `site.json` lists the jobs; each gets a worker; `WorkerLink` stands where
 * the WebSocket stands in the viewer, merging the workers' messages into one stream.
 *
 * Every worker's hub numbers its channels from 0; the page's channel index is the worker's
 * number × 256 + the worker's index, rewritten in channel descriptions and in each binary tick's
 * header. A control message goes to the worker that owns the channel.
 *
 * `window.__gymnast` has the viewer's `stats()` and `select(id)`, plus `site()`: each job's status
 * (simulated seconds, episodes and falls, training returns) and errors, which the browser test reads.
 */
import '../viewer/client/style.css';
import { App, type PageStats } from '../viewer/client/app.ts';
import type { ConnectionHandlers, ConnectionState, PageConnection } from '../viewer/client/connection.ts';
import { findPageElements } from '../viewer/client/elements.ts';
import { parseServerMessage, type ChannelInfo, type ClientMessage, type ServerMessage } from '../viewer/protocol.ts';
import { SITE_FORMAT, type FromWorker, type JobStatus, type SiteManifest, type ToWorker } from './messages.ts';
import type { TrajectoryHash } from './trajectory.ts';

/** Channels one worker may have (its hub's indices 0..255). */
const CHANNELS_PER_WORKER = 256;

interface SiteState {
  jobs: Record<string, JobStatus | null>;
  errors: string[];
}

class WorkerLink implements PageConnection {
  state: ConnectionState = 'connecting';
  private readonly owner = new Map<string, Worker>();

  constructor(
    private readonly workers: Worker[],
    private readonly handlers: ConnectionHandlers,
    private readonly onStatus: (k: number, status: JobStatus) => void,
    private readonly onFailed: (k: number, message: string) => void,
  ) {
    workers.forEach((w, k) => {
      w.onmessage = (ev: MessageEvent<FromWorker>) => this.fromWorker(k, ev.data);
      w.onerror = (ev) => this.onFailed(k, ev.message || 'the worker failed to start');
    });
    // Open at once: the workers' channels arrive as they start.
    queueMicrotask(() => {
      this.state = 'open';
      handlers.onOpen();
      handlers.onMessage({ type: 'welcome', protocol: 1, server: 'gymnast site', channels: [] });
    });
  }

  send(msg: ClientMessage): void {
    if (msg.type === 'hello') return;
    const text = JSON.stringify(msg);
    if (msg.type === 'control') this.owner.get(msg.channel)?.postMessage({ type: 'client', text } satisfies ToWorker);
    else for (const w of this.workers) w.postMessage({ type: 'client', text } satisfies ToWorker);
  }

  close(): void {
    for (const w of this.workers) w.terminate();
    this.state = 'closed';
  }

  private fromWorker(k: number, msg: FromWorker): void {
    if (msg.type === 'status') return this.onStatus(k, msg.status);
    if (msg.type === 'failed') return this.onFailed(k, msg.message);
    if (msg.type === 'trajectory') return;
    if (msg.type === 'frame') {
      const view = new DataView(msg.data);
      if (msg.data.byteLength >= 4) view.setUint16(2, k * CHANNELS_PER_WORKER + view.getUint16(2, true), true);
      this.handlers.onFrame(msg.data, performance.now());
      return;
    }
    let parsed: ServerMessage;
    try {
      parsed = parseServerMessage(msg.text);
    } catch (e) {
      this.handlers.onInvalid(e as Error);
      return;
    }
    const remap = (info: ChannelInfo): ChannelInfo => {
      this.owner.set(info.id, this.workers[k]!);
      return { ...info, index: k * CHANNELS_PER_WORKER + info.index };
    };
    // A worker's welcome lists its channels: to the page they are channels added, not a new session.
    if (parsed.type === 'welcome') for (const info of parsed.channels) this.handlers.onMessage({ type: 'channel', channel: remap(info) });
    else if (parsed.type === 'channel') this.handlers.onMessage({ type: 'channel', channel: remap(parsed.channel) });
    else this.handlers.onMessage(parsed);
  }
}

async function main(): Promise<void> {
  const site: SiteState = { jobs: {}, errors: [] };
  const fail = (message: string) => {
    site.errors.push(message);
    console.error(`gymnast site: ${message}`);
  };
  expose({ stats: () => ({}) as PageStats, select: () => {}, site: () => structuredClone(site) });
  const base = new URL('.', window.location.href).href;
  const response = await fetch(new URL('site.json', base));
  if (!response.ok) throw new Error(`site.json: HTTP ${response.status}`);
  const manifest = (await response.json()) as SiteManifest;
  if (manifest.format !== SITE_FORMAT) throw new Error(`site.json: format ${JSON.stringify(manifest.format)}, this page reads ${SITE_FORMAT}`);
  const speed = Number(new URLSearchParams(window.location.search).get('speed') ?? '1') || 1;

  const workers = manifest.jobs.map(() => new Worker(new URL('worker.js', base), { type: 'module' }));
  for (const job of manifest.jobs) site.jobs[job.id] = null;
  const app = new App(findPageElements(), (handlers) =>
    new WorkerLink(
      workers,
      handlers,
      (_k, status) => (site.jobs[status.id] = status),
      (k, message) => fail(`${manifest.jobs[k]!.id}: ${message}`),
    ),
  );
  manifest.jobs.forEach((job, k) => workers[k]!.postMessage({ type: 'start', job, base, speed } satisfies ToWorker));
  /** A policy's trajectory hash, computed in a worker of its own (the Node-versus-browser test). */
  const trajectory = (jobId: string, seed: number, steps: number) =>
    new Promise<TrajectoryHash>((resolve, reject) => {
      const job = manifest.jobs.find((j) => j.id === jobId);
      if (!job || job.kind !== 'policy') return reject(new Error(`no policy job '${jobId}' in site.json`));
      const w = new Worker(new URL('worker.js', base), { type: 'module' });
      w.onmessage = (ev: MessageEvent<FromWorker>) => {
        if (ev.data.type === 'trajectory') resolve(ev.data.result);
        else if (ev.data.type === 'failed') reject(new Error(ev.data.message));
        else return;
        w.terminate();
      };
      w.postMessage({ type: 'start', job: { kind: 'trajectory', id: `${jobId}/trajectory`, run: job.run, files: job.files, seed, steps }, base, speed: 1 } satisfies ToWorker);
    });
  expose({ stats: () => app.stats(), select: (id) => app.select(id), site: () => structuredClone(site), trajectory });
}

/** The debug hook: the viewer's, plus `site()` (main.ts declares the viewer's part on Window). */
function expose(hook: { stats(): PageStats; select(id: string): void; site(): SiteState; trajectory?(jobId: string, seed: number, steps: number): Promise<TrajectoryHash> }): void {
  (window as unknown as { __gymnast: typeof hook }).__gymnast = hook;
}

main().catch((e: unknown) => console.error(`gymnast site: ${e instanceof Error ? e.message : String(e)}`));
