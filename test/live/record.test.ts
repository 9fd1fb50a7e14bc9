/**
 * `gymnast record`: 2 s of CartPole as a GIF and as a WebM, each with exactly fps × seconds
 * frames (counted by walking the files' own structure: GIF image descriptors, WebM SimpleBlocks),
 * at the size asked; a run's policy records too; a bad request is one clear error.
 *
 * Needs Chromium as the viewer's browser test does (skipped with the reason outside CI).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packageRoot } from '../../src/motion/data-path.ts';
import { recordVideo } from '../../src/live/record.ts';

import { browserTests } from '../chromium.ts';

const { browserTest } = browserTests('gymnast record');

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-record-'));

/** GIF89a: the logical screen size and the number of image descriptors (one per frame). */
function gifFrames(bytes: Uint8Array): { width: number; height: number; frames: number } {
  assert.is(new TextDecoder().decode(bytes.subarray(0, 6)), 'GIF89a');
  const width = bytes[6]! | (bytes[7]! << 8);
  const height = bytes[8]! | (bytes[9]! << 8);
  let p = 13;
  if (bytes[10]! & 0x80) p += 3 << ((bytes[10]! & 7) + 1);
  const skipSubBlocks = () => {
    while (bytes[p] !== 0) p += bytes[p]! + 1;
    p++;
  };
  let frames = 0;
  for (;;) {
    const b = bytes[p++];
    if (b === 0x3b) break; // trailer
    if (b === 0x21) {
      p++; // extension label
      skipSubBlocks();
    } else if (b === 0x2c) {
      const packed = bytes[p + 8]!;
      p += 9;
      if (packed & 0x80) p += 3 << ((packed & 7) + 1);
      p++; // LZW minimum code size
      skipSubBlocks();
      frames++;
    } else throw new Error(`GIF: unexpected byte ${b} at ${p - 1}`);
  }
  return { width, height, frames };
}

/** WebM (EBML): the video track's pixel size and the number of SimpleBlocks in its clusters. */
function webmFrames(bytes: Uint8Array): { width: number; height: number; frames: number } {
  const vint = (p: number, keepMarker: boolean): [number, number] => {
    const first = bytes[p]!;
    let len = 1;
    while (len <= 8 && !(first & (0x80 >> (len - 1)))) len++;
    let v = keepMarker ? first : first & (0xff >> len);
    for (let i = 1; i < len; i++) v = v * 256 + bytes[p + i]!;
    return [v, len];
  };
  // Master elements to descend into: Segment, Cluster, Tracks, TrackEntry, Video, BlockGroup.
  const masters = new Set([0x18538067, 0x1f43b675, 0x1654ae6b, 0xae, 0xe0, 0xa0]);
  let frames = 0, width = 0, height = 0;
  const walk = (start: number, end: number) => {
    let p = start;
    while (p < end) {
      const [id, idLen] = vint(p, true);
      const [size, sizeLen] = vint(p + idLen, false);
      const body = p + idLen + sizeLen;
      if (masters.has(id)) walk(body, body + size);
      else if (id === 0xa3) frames++; // SimpleBlock
      else if (id === 0xb0) width = bytes.subarray(body, body + size).reduce((a, x) => a * 256 + x, 0);
      else if (id === 0xba) height = bytes.subarray(body, body + size).reduce((a, x) => a * 256 + x, 0);
      p = body + size;
    }
  };
  assert.equal([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], 'an EBML header');
  walk(0, bytes.length);
  return { width, height, frames };
}

browserTest('2 s of CartPole as a GIF: 20 fps × 2 s = 40 frames at 320×240', async () => {
  const out = join(tmp, 'cartpole.gif');
  const r = await recordVideo({ env: 'CartPole-v1', seconds: 2, out, width: 320, height: 240 });
  assert.is(r.frames, 40);
  const gif = gifFrames(readFileSync(out));
  assert.equal(gif, { width: 320, height: 240, frames: 40 });
});

browserTest('2 s of CartPole as a WebM (VP9): 30 fps × 2 s = 60 frames at 320×240', async () => {
  const out = join(tmp, 'cartpole.webm');
  const r = await recordVideo({ env: 'CartPole-v1', seconds: 2, out, width: 320, height: 240 });
  assert.is(r.format, 'webm');
  const webm = webmFrames(readFileSync(out));
  assert.equal(webm, { width: 320, height: 240, frames: 60 });
});

browserTest("the shipped biped policy records (a run folder's greedy policy, with its reference ghost)", async () => {
  const out = join(tmp, 'biped.gif');
  const r = await recordVideo({ run: join(packageRoot, 'policies', 'biped-walk'), seconds: 0.5, out, width: 160, height: 120, fps: 10 });
  assert.is(gifFrames(readFileSync(out)).frames, 5);
  assert.is(r.simulatedSeconds, 0.5);
});

test('bad requests: one clear error each, before any browser starts', async () => {
  const fails = async (o: Parameters<typeof recordVideo>[0], message: RegExp) => {
    try {
      await recordVideo(o);
      assert.unreachable(`${JSON.stringify(o)} must fail`);
    } catch (e) {
      assert.match((e as Error).message, message);
    }
  };
  await fails({ env: 'CartPole-v1', seconds: 1, out: join(tmp, 'x.mp4') }, /must end in \.webm or \.gif/);
  await fails({ env: 'CartPole-v1', seconds: 1, out: join(tmp, 'x.gif'), width: 15 }, /even sizes/);
  await fails({ seconds: 1, out: join(tmp, 'x.gif') }, /exactly one of --run DIR, --env ID, --clip FILE/);
  await fails({ env: 'CartPole-v1', seconds: 1, out: join(tmp, 'x.gif'), chromium: '/no/such/chromium' }, /record needs Chromium, and \/no\/such\/chromium is missing: install it/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
