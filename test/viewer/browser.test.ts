/**
 * The viewer as a user sees it: a real Chromium (headless, software WebGL) opens the page served
 * by the real server, which streams a rollout (a player the page can pause and step) and a
 * training-like run (frames and metrics published from outside, as the trainer does).
 *
 * Needs /usr/bin/chromium (Debian's `chromium` package; `.ci/run` installs it). Without it, on a
 * developer's machine, the tests report themselves as skipped with the reason and the command that
 * installs it; under CI (CI=true) a missing browser fails them: a browser test that passes without
 * a browser proves nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startViewerServer, EnvPlayer, type ViewerServer, type Channel } from '../../src/viewer/server/index.ts';
import { ShapesEnv, SHAPES_SCENE } from './fixtures/shapes-env.ts';
import { countPixelsLike, decodePng, luminanceStd } from './fixtures/png.ts';

import { browserTests, CHROMIUM } from '../chromium.ts';

const { browserTest, missing: MISSING, skipped: SKIP } = browserTests("the viewer's browser test");
const OUT_DIR = new URL('../../test-output/viewer', import.meta.url).pathname;

const RUN_SCENE = {
  bodies: [
    { name: 'torso', shape: 'capsule' as const, size: [0.1, 0.25], color: '#7048e8' },
    { name: 'head', shape: 'sphere' as const, size: [0.12], color: '#f783ac' },
    { name: 'foot', shape: 'box' as const, size: [0.1, 0.03, 0.15], color: '#495057' },
  ],
  parents: [-1, 0, 0],
};

let server: ViewerServer;
let player: EnvPlayer;
let run: Channel;
let runTimer: ReturnType<typeof setInterval>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

type Stats = {
  connected: boolean;
  selected: string | null;
  channels: { id: string; framesReceived: number; drawnFrame: number; paused: boolean; bodies: number }[];
  drawnBodies: number;
  sceneBodies: number;
  renderedFrames: number;
  invalidMessages: number;
  charts: number;
};
const stats = (): Promise<Stats> => page.evaluate(() => (window as any).__gymnast.stats());
const channel = (s: Stats, id: string) => s.channels.find((c) => c.id === id)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// uvu swallows an error thrown in `before`: instead, every test fails with the reason (`setupError`).
let setupError = MISSING;
let setUpDone = false;
test.before(async () => {
  if (SKIP || !existsSync(CHROMIUM)) return;
  try {
    await setUp();
    setUpDone = true;
  } catch (e) {
    setupError = `setting up the browser test failed: ${(e as Error).stack ?? e}`;
  }
});

async function setUp(): Promise<void> {
  server = await startViewerServer({ port: 0, log: () => {} });
  player = new EnvPlayer(server.hub, new ShapesEnv(), { id: 'rollout:Shapes-v0', title: 'shapes' }).start();
  // A run driven from outside, as the trainer's callbacks drive one: frames and metrics, no controls.
  run = server.hub.channel({ id: 'run:demo', title: 'demo run', kind: 'run', scene: RUN_SCENE, offset: [0, 0, -2], meta: { agent: 'ppo' } });
  let step = 0;
  const t = new Float32Array(21);
  runTimer = setInterval(() => {
    step += 64;
    const s = step / 6400;
    t.set([0, 0.6, 0, 0, 0, 0, 1, 0, 1.0 + 0.1 * Math.sin(s), 0, 0, 0, 0, 1, 0.2 * Math.sin(s), 0.03, 0.1, 0, 0, 0, 1]);
    run.publish({ transforms: t, time: s });
    if (step % 640 === 0) run.metrics(step, { 'charts/episodic_return': Math.sqrt(step), 'losses/value_loss': 1 / step, 'charts/SPS': 5000 });
  }, 20);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  page = await browser.newPage({ viewport: { width: 800, height: 450 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url);
}

test.after(async () => {
  clearInterval(runTimer);
  await browser?.close();
  player?.close();
  await server?.close();
});

browserTest('the page connects and frames of every channel arrive and are drawn', async () => {
  assert.ok(setUpDone, setupError);
  await page.waitForFunction(() => {
    const s = (window as any).__gymnast?.stats();
    return s && s.channels.length === 2 && s.channels.every((c: any) => c.framesReceived > 5 && c.drawnFrame >= 0) && s.renderedFrames > 2;
  }, null, { timeout: 20_000 });
  const s = await stats();
  assert.ok(s.connected);
  assert.is(s.invalidMessages, 0);
  assert.equal(pageErrors, []);
});

browserTest('the drawn body count matches the scenes', async () => {
  assert.ok(setUpDone, setupError);
  const s = await stats();
  assert.is(channel(s, 'rollout:Shapes-v0').bodies, SHAPES_SCENE.bodies.length);
  assert.is(s.sceneBodies, SHAPES_SCENE.bodies.length + RUN_SCENE.bodies.length);
  assert.is(s.drawnBodies, s.sceneBodies);
});

browserTest('the canvas is not blank: it varies, and the red ball is in it', async () => {
  assert.ok(setUpDone, setupError);
  await page.evaluate(() => (window as any).__gymnast.select('rollout:Shapes-v0'));
  await sleep(600); // selecting moves the camera to the source at the next frame
  const png = await page.locator('#view canvas').screenshot();
  const px = decodePng(png);
  const std = luminanceStd(px);
  // A single-colour canvas has std 0; sky, ground and bodies give tens.
  assert.ok(std > 8, `luminance std ${std.toFixed(2)} looks blank`);
  const red = countPixelsLike(px, (r, g, b) => r > 140 && g < 90 && b < 90);
  assert.ok(red > 100, `only ${red} red pixels: the red sphere of the scene is not drawn`);
  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: `${OUT_DIR}page.png` });
});

browserTest('pause stops the frames of a player; step sends exactly one; resume restarts them', async () => {
  assert.ok(setUpDone, setupError);
  const id = 'rollout:Shapes-v0';
  await page.click('#pause');
  await page.waitForFunction((cid) => (window as any).__gymnast.stats().channels.find((c: any) => c.id === cid).paused, id, { timeout: 5000 });
  assert.is(await page.textContent('#pause'), 'Resume');
  await sleep(300); // ticks already in flight
  const before = channel(await stats(), id).framesReceived;
  await sleep(800);
  const after = channel(await stats(), id).framesReceived;
  assert.is(after, before, 'frames kept arriving after pause');

  await page.click('#step');
  await page.waitForFunction(([cid, n]) => (window as any).__gymnast.stats().channels.find((c: any) => c.id === cid).framesReceived > (n as number), [id, after] as const, { timeout: 5000 });
  await sleep(300);
  assert.is(channel(await stats(), id).framesReceived, after + 1);

  await page.click('#pause'); // now "Resume"
  await page.waitForFunction(([cid, n]) => (window as any).__gymnast.stats().channels.find((c: any) => c.id === cid).framesReceived > (n as number) + 10, [id, after] as const, { timeout: 5000 });
});

browserTest('a training run is frozen in the page only: frames keep coming, the drawing stops', async () => {
  assert.ok(setUpDone, setupError);
  await page.evaluate(() => (window as any).__gymnast.select('run:demo'));
  await page.click('#pause');
  await sleep(500);
  const a = channel(await stats(), 'run:demo');
  await sleep(800);
  const b = channel(await stats(), 'run:demo');
  assert.ok(b.paused);
  assert.ok(b.framesReceived > a.framesReceived, 'the trainer must not be paused by a page');
  assert.is(b.drawnFrame, a.drawnFrame);
  await page.click('#pause');
});

browserTest('training curves are plotted with uPlot', async () => {
  assert.ok(setUpDone, setupError);
  await page.waitForFunction(() => (window as any).__gymnast.stats().charts >= 3, null, { timeout: 5000 });
  const titles = await page.$$eval('#plots .u-title', (els) => els.map((e) => e.textContent));
  assert.equal(titles, ['charts/episodic_return', 'charts/SPS', 'losses/value_loss']);
  writeFileSync(`${OUT_DIR}page.json`, JSON.stringify(await stats(), null, 2));
});

test.run();
