/**
 * Generating motions of any length from a prior: windows chained with an overlap. The first
 * window is sampled; each next one continues the last `overlapFrames` frames so far (diffusion
 * inpaints them, the autoregressive VAE rolls on from the last frame, the window VAE and the flow
 * keep the best of several samples at matching them and blend into them; prior.ts). Then the
 * features are un-standardised and decoded into a clip at 30 fps (representation.ts), starting at
 * the origin facing +x.
 */
import { UsageError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { MotionClip } from '../motion/clip.ts';
import { resample } from '../motion/resample.ts';
import { labelIndex } from './dataset.ts';
import type { MotionPrior, SampleOptions } from './prior.ts';
import { decodeFeatures, encodeClip, type FeatureLayout } from './representation.ts';
import type { LoadedPrior } from './run.ts';

export interface GenerateOptions extends SampleOptions {
  /** Label name (`walk`); none: diffusion samples unconditionally, the others draw a label. */
  label?: string;
  /** Length of each motion, seconds (default 4). */
  seconds?: number;
  seed?: number;
  /** Frames shared by consecutive windows (default a quarter of a window, at least 1). */
  overlapFrames?: number;
  /** Motions generated side by side (default 1). */
  count?: number;
  /** A motion to continue (on the model's skeleton); the result starts with it. */
  prefix?: MotionClip;
}

export interface Generated {
  clips: MotionClip[];
  /** Standardised features, count × frames × D. */
  features: Float32Array;
  frames: number;
  labels: string[];
}

/**
 * Standardised feature sequences [n × frames × D] by chaining windows; `start` optionally gives
 * the first `startFrames` frames of every sequence. Lower level than `generateMotion`: metrics
 * use it directly.
 */
export function chainWindows(model: MotionPrior, windowFrames: number, D: number, labels: Int32Array, frames: number, rng: Rng, options: SampleOptions & { overlapFrames?: number }, start?: { features: Float32Array; frames: number }): Float32Array {
  const n = labels.length, W = windowFrames;
  const O = options.overlapFrames ?? Math.max(1, Math.floor(W / 4));
  if (!(O >= 1 && O < W)) throw new UsageError(`overlapFrames must be in 1 … ${W - 1} for ${W}-frame windows, got ${O}`);
  let len: number;
  let seq: Float32Array;
  const cap = Math.max(frames, start?.frames ?? 0) + W;
  seq = new Float32Array(n * cap * D);
  if (start) {
    if (start.frames < O) throw new UsageError(`the motion to continue has ${start.frames} frames; at least ${O} are needed`);
    for (let i = 0; i < n; i++) seq.set(start.features.subarray(0, start.frames * D), i * cap * D);
    len = start.frames;
  } else {
    const first = model.sample(labels, rng, options);
    for (let i = 0; i < n; i++) seq.set(first.subarray(i * W * D, (i + 1) * W * D), i * cap * D);
    len = W;
  }
  const prefix = new Float32Array(n * O * D);
  while (len < frames) {
    for (let i = 0; i < n; i++) prefix.set(seq.subarray((i * cap + len - O) * D, (i * cap + len) * D), i * O * D);
    const next = model.continueFrom(prefix, O, labels, rng, options);
    for (let i = 0; i < n; i++) seq.set(next.subarray(i * W * D, (i + 1) * W * D), (i * cap + len - O) * D);
    len += W - O;
  }
  const out = new Float32Array(n * frames * D);
  for (let i = 0; i < n; i++) out.set(seq.subarray(i * cap * D, (i * cap + frames) * D), i * frames * D);
  return out;
}

/** A clip at the layout's rate, encoded and standardised, for continuing it. */
export function encodeForPrior(clip: MotionClip, layout: FeatureLayout, standardize: (x: Float32Array) => Float32Array): { features: Float32Array; frames: number } {
  let c = clip;
  if (!c.isUniform || Math.abs(c.fps - layout.fps) > 1e-6 * layout.fps) {
    c = clip.clone();
    c.loop = 'none'; // exact rate (a looping clip would keep its duration instead)
    c = resample(c, layout.fps);
  }
  const enc = encodeClip(c, layout);
  return { features: standardize(enc.features), frames: enc.numFrames };
}

export function generateMotion(prior: LoadedPrior, options: GenerateOptions = {}): Generated {
  const { model, meta, layout, skeleton, standardizer } = prior;
  const seconds = options.seconds ?? 4;
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`--seconds must be a positive number, got ${seconds}`);
  const count = options.count ?? 1;
  const D = layout.size, W = meta.windowFrames;
  const label = options.label === undefined ? -1 : labelIndex(meta.labels, options.label);
  const rng = new Rng(options.seed ?? 0);
  const labels = new Int32Array(count).fill(label);
  // Without a label, each motion gets one drawn here (diffusion: none, unconditional), so every
  // window of a motion has the same one.
  if (label < 0 && model.family !== 'diffusion') for (let i = 0; i < count; i++) labels[i] = rng.categorical(meta.labelFrequencies);
  const start = options.prefix ? encodeForPrior(options.prefix, layout, (x) => standardizer.forward(x)) : undefined;
  const frames = Math.max(W, Math.round(seconds * layout.fps) + 1, start ? start.frames + 1 : 0);
  const features = chainWindows(model, W, D, labels, frames, rng, options, start);
  const clips: MotionClip[] = [];
  for (let i = 0; i < count; i++) {
    const raw = standardizer.inverse(features.slice(i * frames * D, (i + 1) * frames * D));
    const name = `${meta.family}_${labels[i]! >= 0 ? meta.labels[labels[i]!] : 'unconditional'}_${i}`;
    clips.push(decodeFeatures(raw, frames, layout, skeleton, name));
  }
  return { clips, features, frames, labels: Array.from(labels, (l) => (l >= 0 ? meta.labels[l]! : 'none')) };
}
