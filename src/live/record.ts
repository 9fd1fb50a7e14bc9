/**
 * `gymnast record (--run DIR | --env ID | --clip FILE) --seconds S --out FILE.webm|FILE.gif`:
 * a video of a policy, an env or a clip, rendered by the viewer's three.js world in headless
 * Chromium (playwright-core, as the browser tests use it).
 *
 * The frame rate is steady whatever the machine's speed: for video frame k this steps the
 * simulation to time k / fps, sends the bodies' poses to the page, which draws that one frame,
 * captures the canvas and encodes it (src/viewer/client/record.ts), and only then goes on. So a
 * slow machine takes longer to record, and the video is the same.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { UsageError } from '../core/errors.ts';
import type { RenderFrame } from '../core/frame.ts';
import type { AnyEnv } from '../envs/env.ts';
import { make, type EnvOptions } from '../envs/registry.ts';
import { loadClip } from '../motion/load.ts';
import { ClipRenderer } from '../motion/render.ts';
import { latestCheckpoint } from '../nn/checkpoint.ts';
import { initBackend } from '../nn/backend.ts';
import { buildRunAgent, greedyActor } from '../train/evaluate.ts';
import { readRunConfig } from '../train/run-config.ts';
import type { ChannelInfo } from '../viewer/protocol.ts';
import { loadEsbuild } from '../viewer/server/bundle.ts';
import { ViewerHub } from '../viewer/server/hub.ts';
import { gatherBodies, splitGhost } from '../viewer/server/sources/ghost-split.ts';
import { makePolicy, type Policy } from '../viewer/server/sources/policies.ts';
import type { RecordSetup } from '../viewer/client/record.ts';

export interface RecordOptions {
  run?: string;
  env?: string;
  clip?: string;
  envOptions?: EnvOptions;
  seconds: number;
  out: string;
  width?: number;
  height?: number;
  fps?: number;
  seed?: number;
  /** The Chromium binary (default GYMNAST_CHROMIUM, else /usr/bin/chromium). */
  chromium?: string;
}

export interface RecordResult {
  out: string;
  format: 'webm' | 'gif';
  frames: number;
  bytes: number;
  simulatedSeconds: number;
}

/** What is filmed: its bodies' frame at a simulated time. */
interface Subject {
  title: string;
  first: RenderFrame;
  /** Advances to `seconds` of simulated time and returns the frame there. */
  at(seconds: number): RenderFrame;
  close(): void;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** The record page's script: prebuilt beside the viewer's page in dist/, else bundled from the sources. */
async function recordScript(): Promise<Uint8Array> {
  const prebuilt = join(here, '..', 'viewer', 'client', 'record.js');
  if (existsSync(prebuilt)) return readFileSync(prebuilt);
  return bundleRecordScript(join(here, '..', 'viewer', 'client', 'record.ts'));
}

/** Bundles the record page (the build step writes it to dist/viewer/client/record.js). */
export async function bundleRecordScript(entry: string): Promise<Uint8Array> {
  const build = await loadEsbuild('the record page');
  const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', target: ['chrome115'], minify: true, legalComments: 'none', logLevel: 'silent' });
  return result.outputFiles[0]!.contents;
}

function envSubject(env: AnyEnv, policy: Policy, seed: number, title: string, close: () => void): Subject {
  if (typeof env.frame !== 'function') throw new UsageError(`${env.id} does not render frames, so it cannot be recorded`);
  env.actionSpace.seed(seed);
  let obs = env.reset({ seed }).obs;
  const first = env.frame();
  let dt = 0;
  let time = 0;
  return {
    title,
    first,
    at(seconds) {
      // Step until the time reached is the step time closest to `seconds`.
      for (;;) {
        if (dt > 0 && time + dt - seconds > seconds - time) break;
        const before = env.frame!().time;
        const r = env.step(policy(obs));
        if (dt === 0) dt = env.frame!().time - before || 1 / 60;
        time += dt;
        obs = r.terminated || r.truncated ? env.reset().obs : r.obs;
      }
      return env.frame!();
    },
    close() {
      env.close();
      close();
    },
  };
}

async function subjectFor(o: RecordOptions): Promise<Subject> {
  const seed = o.seed ?? 0;
  if (o.clip !== undefined) {
    const clip = loadClip(o.clip);
    const renderer = new ClipRenderer(clip);
    return { title: clip.name, first: renderer.frame(0), at: (s) => renderer.frame(s), close() {} };
  }
  if (o.env !== undefined) {
    const env = make(o.env, { options: o.envOptions ?? {} });
    return envSubject(env, makePolicy('heuristic', o.env, env), seed, `${o.env}, ${o.env === 'CartPole-v1' || o.env === 'Pendulum-v1' ? 'hand-written controller' : 'random actions'}`, () => {});
  }
  const runDir = o.run!;
  const config = readRunConfig(runDir);
  await initBackend(config.backend.name || 'auto');
  const checkpoint = latestCheckpoint(join(runDir, 'checkpoints'));
  if (!checkpoint) throw new UsageError(`${runDir}: the run has no checkpoint yet`);
  const { agent, env: vec, close } = buildRunAgent(runDir, config, checkpoint);
  const policy: Policy = greedyActor(agent, vec);
  return envSubject(make(config.env, { options: config.envOptions }), policy, seed, `${config.agent.toUpperCase()} on ${config.env}`, close);
}

function chromiumPath(o: RecordOptions): string {
  const path = o.chromium ?? process.env.GYMNAST_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new UsageError(`record needs Chromium, and ${path} is missing: install it (Debian/Ubuntu: sudo apt-get install chromium) or point GYMNAST_CHROMIUM at a Chromium binary`);
  }
  return path;
}

export async function recordVideo(o: RecordOptions): Promise<RecordResult> {
  const given = [o.run, o.env, o.clip].filter((x) => x !== undefined).length;
  if (given !== 1) throw new UsageError('record: give exactly one of --run DIR, --env ID, --clip FILE');
  const format = extname(o.out).toLowerCase() === '.gif' ? 'gif' : extname(o.out).toLowerCase() === '.webm' ? 'webm' : null;
  if (!format) throw new UsageError(`--out ${o.out}: the file must end in .webm or .gif`);
  const fps = o.fps ?? (format === 'gif' ? 20 : 30);
  const width = o.width ?? 640;
  const height = o.height ?? 360;
  if (!(o.seconds > 0 && o.seconds <= 600)) throw new UsageError(`--seconds must be in (0, 600], got ${o.seconds}`);
  if (width % 2 || height % 2 || width < 16 || height < 16 || width > 1920 || height > 1080) throw new UsageError(`--size ${width}x${height}: even sizes from 16x16 to 1920x1080`);
  const executablePath = chromiumPath(o);
  const { chromium } = await import('playwright-core');
  const subject = await subjectFor(o);
  let server: Server | null = null;
  const browser = await chromium.launch({ executablePath, args: ['--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox'] });
  try {
    const script = await recordScript();
    const html = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body style="margin:0;overflow:hidden"><div id="view"></div><script src="record.js"></script></body></html>';
    // Served from 127.0.0.1: WebCodecs needs a secure context, which localhost is.
    server = createServer((req, res) => {
      if (req.url === '/record.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const page = await browser.newPage({ viewport: { width, height } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);

    // The scene as the viewer shows it: the body, and a tracking env's reference as a see-through ghost.
    const hub = new ViewerHub();
    const split = splitGhost(subject.first.scene);
    const channels: ChannelInfo[] = [hub.channel({ id: 'subject', title: subject.title, kind: 'rollout', scene: split.main }).describe()];
    if (split.ghost) channels.push(hub.channel({ id: 'ghost', title: 'reference', kind: 'rollout', ghost: true, scene: split.ghost }).describe());
    const mainOut = new Float32Array(split.mainBodies.length * 7);
    const ghostOut = new Float32Array(split.ghostBodies.length * 7);
    const setup: RecordSetup = { width, height, fps, format, channels, follow: split.mainBodies.length > 0 ? { id: 'subject', body: 0 } : null };
    await page.evaluate((s) => (window as any).__record.start(s), setup);

    const frames = Math.round(o.seconds * fps);
    let last = subject.first;
    for (let k = 0; k < frames; k++) {
      last = k === 0 ? subject.first : subject.at(k / fps);
      const poses: Record<string, number[]> = { subject: Array.from(gatherBodies(last.transforms, split.mainBodies, mainOut)) };
      if (split.ghost) poses.ghost = Array.from(gatherBodies(last.transforms, split.ghostBodies, ghostOut));
      await page.evaluate((p) => (window as any).__record.frame(p), poses);
      if (errors.length > 0) throw new Error(`the record page failed: ${errors[0]}`);
    }
    const base64 = (await page.evaluate(() => (window as any).__record.finish())) as string;
    const bytes = Buffer.from(base64, 'base64');
    writeFileAtomic(o.out, bytes);
    return { out: o.out, format, frames, bytes: bytes.byteLength, simulatedSeconds: frames / fps };
  } finally {
    await browser.close();
    server?.close();
    subject.close();
  }
}
