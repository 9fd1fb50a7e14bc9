/**
 * What a new user sees after `npm start`: the real `gymnast start` (bin/gymnast.js) serving its
 * default scene, opened in a real Chromium (headless, software WebGL). Every shipped policy is drawn
 * with all of its character's bodies, its reference beside it as a ghost, and PPO's CartPole run
 * with its curves.
 *
 * Needs /usr/bin/chromium like the viewer's other browser test (test/viewer/browser.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { make } from '../../src/envs/registry.ts';
import { readRunConfig } from '../../src/train/run-config.ts';
import { shippedPolicies } from '../../src/train/shipped-policies.ts';
import { splitGhost } from '../../src/viewer/server/sources/ghost-split.ts';
import { countPixelsLike, decodePng, luminanceStd } from './fixtures/png.ts';
import { browserTests, CHROMIUM } from '../chromium.ts';

const { browserTest, missing: MISSING, skipped: SKIP } = browserTests("the start page's browser test");
const OUT_DIR = new URL('../../test-output/viewer/', import.meta.url).pathname;
const bin = new URL('../../bin/gymnast.js', import.meta.url).pathname;

type ChannelStats = { id: string; framesReceived: number; drawnFrame: number; bodies: number };
type Stats = { connected: boolean; channels: ChannelStats[]; invalidMessages: number; charts: number };

/** Each shipped policy's folder name, with the bodies its env draws for the character and for the ghost. */
const policies = shippedPolicies().map((dir) => {
  const config = readRunConfig(dir);
  const env = make(config.env, { options: config.envOptions });
  env.reset({ seed: 0 });
  const split = splitGhost(env.frame!().scene!);
  env.close();
  return { name: basename(dir), bodies: split.main.bodies.length, ghostBodies: split.ghost?.bodies.length ?? 0 };
});

let start: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];
let stderr = '';
let setupError = MISSING;
let setUpDone = false;

test.before(async () => {
  if (SKIP || !existsSync(CHROMIUM)) return;
  try {
    const url = await startGymnast();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
    page = await browser.newPage({ viewport: { width: 800, height: 450 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    setUpDone = true;
  } catch (e) {
    setupError = `setting up the start page test failed: ${(e as Error).stack ?? e}\n${stderr}`;
  }
});

/** Starts `gymnast start` on a free port; resolves with the URL it prints. */
function startGymnast(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = (start = spawn(process.execPath, [bin, 'start', '--port', '0', '--seconds', '240'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } }));
    let stdout = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
      const url = /gymnast viewer: (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code) => reject(new Error(`gymnast start exited (${code}) before printing its URL:\n${stdout}`)));
  });
}

test.after(async () => {
  await browser?.close();
  start?.kill('SIGTERM');
});

const stats = (): Promise<Stats> => page.evaluate(() => (window as any).__gymnast.stats());

browserTest('every shipped policy is drawn with all its bodies, its reference beside it as a ghost', async () => {
  assert.ok(setUpDone, setupError);
  assert.ok(policies.some((p) => p.name === 'biped-walk'), `policies/biped-walk is shipped: its absence is a failure, not a pass (found ${policies.map((p) => p.name).join(', ')})`);
  const ids = policies.flatMap((p) => [`policy:${p.name}`, `policy:${p.name}/ghost`]);
  // Loading tfjs and the checkpoints on a busy 2-core machine: up to a minute.
  await page.waitForFunction(
    (want) => {
      const s = (window as any).__gymnast?.stats();
      return s && want.every((id: string) => s.channels.some((c: any) => c.id === id && c.framesReceived > 5 && c.drawnFrame >= 0));
    },
    ids,
    { timeout: 60_000 },
  );
  const s = await stats();
  for (const p of policies) {
    assert.ok(p.ghostBodies > 0, `${p.name}: its env draws no reference`);
    assert.is(s.channels.find((c) => c.id === `policy:${p.name}`)!.bodies, p.bodies, `${p.name}: bodies drawn`);
    assert.is(s.channels.find((c) => c.id === `policy:${p.name}/ghost`)!.bodies, p.ghostBodies, `${p.name}: ghost bodies drawn`);
  }
  assert.ok(s.connected);
  assert.is(s.invalidMessages, 0);
  assert.equal(pageErrors, []);
});

browserTest('a shipped skill selected fills the view: the canvas varies and shows the character', async () => {
  assert.ok(setUpDone, setupError);
  const name = policies[0]!.name;
  await page.evaluate((id) => (window as any).__gymnast.select(id), `policy:${name}`);
  await new Promise((r) => setTimeout(r, 1000)); // selecting moves the camera to the source at the next frame
  const px = decodePng(await page.locator('#view canvas').screenshot());
  assert.ok(luminanceStd(px) > 8, 'the canvas looks blank');
  // The page's ground and sky are grey-blue; a character's bodies are saturated colours.
  const coloured = countPixelsLike(px, (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b) > 60);
  assert.ok(coloured > 200, `only ${coloured} saturated pixels: ${name} is not in view`);
  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: `${OUT_DIR}start-page.png` });
});

browserTest("PPO's CartPole run is drawn with its curves", async () => {
  assert.ok(setUpDone, setupError);
  await page.waitForFunction(() => {
    const s = (window as any).__gymnast.stats();
    return s.charts >= 1 && s.channels.some((c: any) => c.id === 'policy:CartPole-v1/ppo' && c.framesReceived > 5);
  }, null, { timeout: 60_000 });
});

test.run();
