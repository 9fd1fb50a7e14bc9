import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { readBvh } from '../../src/motion/bvh.ts';
import { dataPath, resolveClipPath } from '../../src/motion/data-path.ts';
import { readDeepMimicMotion } from '../../src/motion/deepmimic-motion.ts';
import { loadMotionDataset } from '../../src/generative/dataset.ts';
import { chainWindows, generateMotion } from '../../src/generative/generate.ts';
import { loadPrior } from '../../src/generative/run.ts';
import { trainPrior } from '../../src/train/prior-run.ts';

await initBackend('wasm');

const root = mkdtempSync(join(tmpdir(), 'gymnast-generate-'));
const dataset = loadMotionDataset({ clips: ['walk', 'run', 'jog'], heldOut: ['jog'], windowFrames: 8, mirror: false, wrapCycles: 2 });
const set = { 'dataset.clips': ['walk', 'run', 'jog'], 'dataset.heldOut': ['jog'], 'dataset.windowFrames': 8, 'dataset.mirror': false, 'dataset.wrapCycles': 2, hidden: [16], diffusionSteps: 50, timeEmbedding: 8, dctCoefficients: 0, batchSize: 8, inpaintStd: 0 };
await trainPrior({ family: 'diffusion', steps: 5, set, out: join(root, 'diffusion'), evalWindows: 0, dataset });
const prior = await loadPrior(join(root, 'diffusion'));

test('generateMotion: the asked length at 30 fps, deterministic per seed, labels by name', () => {
  const a = generateMotion(prior, { label: 'walk', seconds: 2, seed: 4, steps: 5 });
  assert.is(a.frames, 61);
  assert.is(a.clips[0]!.numFrames, 61);
  assert.ok(Math.abs(a.clips[0]!.fps - 30) < 1e-9);
  assert.equal(a.labels, ['walk']);
  const b = generateMotion(prior, { label: 'walk', seconds: 2, seed: 4, steps: 5 });
  assert.equal(Array.from(b.features), Array.from(a.features));
  const c = generateMotion(prior, { label: 'walk', seconds: 2, seed: 5, steps: 5 });
  assert.not.equal(Array.from(c.features), Array.from(a.features));
  assert.equal(generateMotion(prior, { seconds: 1, steps: 3, count: 2 }).labels, ['none', 'none']);
});

test('chained windows: every window after the first starts with the end of the motion so far (inpainted overlap)', () => {
  const D = prior.layout.size, W = 8, O = 3;
  const labels = new Int32Array([0]);
  // A spy around the prior: record what each continuation was given and returned.
  const calls: { prefix: Float32Array; out: Float32Array }[] = [];
  const model = prior.model;
  const spy = Object.create(model) as typeof model;
  spy.continueFrom = (prefix, known, l, rng, o) => {
    const out = model.continueFrom(prefix, known, l, rng, o);
    calls.push({ prefix: prefix.slice(), out });
    return out;
  };
  const seq = chainWindows(spy, W, D, labels, 20, new Rng(1), { steps: 4, overlapFrames: O });
  assert.is(seq.length, 20 * D);
  assert.ok(seq.every(Number.isFinite));
  // 8 frames, then +5 per window: 13, 18, 23 → three continuations, at frames 5, 10, 15.
  assert.is(calls.length, 3);
  calls.forEach((c, i) => {
    const at = 5 + 5 * i;
    for (let q = 0; q < O * D; q++) assert.ok(Math.abs(c.out[q]! - c.prefix[q]!) < 1e-3, `window ${i + 1}: overlap number ${q}`);
    // The next window's overlap replaces the last O frames of this one (with values equal to 1e-3).
    const keep = Math.min(i + 1 < calls.length ? W - O : W, 20 - at);
    for (let q = 0; q < keep * D; q++) assert.is(seq[at * D + q], c.out[q], `window ${i + 1} placed at frame ${at}`);
  });
  assert.throws(() => chainWindows(prior.model, W, D, labels, 20, new Rng(1), { overlapFrames: W }), /overlapFrames must be in 1 … 7/);
});

test('continuing a motion starts with it; a motion of another skeleton and an unknown label are refused', () => {
  const walk = readDeepMimicMotion(resolveClipPath('walk'), prior.skeleton);
  const g = generateMotion(prior, { prefix: walk, seconds: 2, steps: 3 });
  assert.ok(g.frames >= 61);
  const cmu = readBvh(dataPath('bvh/cmu131/scaled_131_01.bvh'));
  assert.throws(() => generateMotion(prior, { prefix: cmu }), (e: Error) => e.name === 'UsageError' && /skeleton 'scaled_131_01' \(38 joints\) is not the model's skeleton 'humanoid3d'/.test(e.message));
  assert.throws(() => generateMotion(prior, { label: 'moonwalk' }), (e: Error) => e.name === 'UnknownIdError' && /unknown label 'moonwalk'. Known labels: jog, run, walk/.test(e.message));
});

test.after(() => {
  prior.model.dispose();
  rmSync(root, { recursive: true, force: true });
});
test.run();
