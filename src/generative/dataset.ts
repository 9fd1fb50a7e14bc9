/**
 * The motion dataset the priors learn from: every bundled DeepMimic humanoid3d clip (the short
 * skills and the long walks in `motions/long/`) and the CMU BVH clips retargeted onto humanoid3d,
 * resampled to 30 fps, encoded (representation.ts), split train / held-out by clip, mirrored for
 * augmentation, and standardised with statistics of the training frames.
 *
 * Looping clips (`wrap`) are unrolled over `wrapCycles` cycles, the root carried forward each
 * cycle as DeepMimic plays them, so a 1.3 s walk cycle yields windows that cross the loop point.
 *
 * Every window carries the label of its clip's family (walk, run, …) for conditioning. The split
 * is by clip, never by frame: held-out clips are named in the config.
 */
import { z } from 'zod';
import { UnknownIdError, UsageError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import { readBvh } from '../motion/bvh.ts';
import { MotionClip, uniformTimes } from '../motion/clip.ts';
import { dataFile, resolveCharacterPath } from '../motion/data-path.ts';
import { readCharacter } from '../motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../motion/deepmimic-motion.ts';
import { mirror } from '../motion/mirror.ts';
import { retargetCmu } from '../motion/retarget.ts';
import { locateTime, poseAt, type TimeLocation } from '../motion/sample.ts';
import type { Skeleton } from '../motion/skeleton.ts';
import { encodeClip, type FeatureLayout, featureLayout, sampleAtRate } from './representation.ts';

/** One source clip of the catalogue. */
export interface ClipSource {
  /** Short id (`walk`, `long_walk1`, `cmu131_01`). */
  id: string;
  /** Path relative to the data folder. */
  file: string;
  format: 'deepmimic' | 'cmu-bvh';
  /** Family label used for conditioning. */
  label: string;
}

const dm = (id: string, label: string, long = false): ClipSource => ({
  id,
  file: long ? `deepmimic/motions/long/humanoid3d_${id}.txt` : `deepmimic/motions/humanoid3d_${id}.txt`,
  format: 'deepmimic',
  label,
});

/**
 * Every clip the dataset can use, with its label. CMU 01_01 is "playground: forward jumps, turn
 * around" in the CMU index, so it joins `jump`; CMU 131_01/02 are start–walk–stop.
 */
export const CLIP_CATALOGUE: readonly ClipSource[] = [
  dm('walk', 'walk'),
  dm('long_walk1', 'walk', true),
  dm('long_walk2', 'walk', true),
  dm('long_walk3', 'walk', true),
  { id: 'cmu131_01', file: 'bvh/cmu131/scaled_131_01.bvh', format: 'cmu-bvh', label: 'walk' },
  { id: 'cmu131_02', file: 'bvh/cmu131/scaled_131_02.bvh', format: 'cmu-bvh', label: 'walk' },
  dm('run', 'run'),
  dm('jog', 'jog'),
  dm('stealthy_walk', 'stealthy_walk'),
  dm('stealthy_walk0', 'stealthy_walk', true),
  dm('stealthy_walk1', 'stealthy_walk', true),
  dm('zombie_walk', 'zombie_walk'),
  dm('long_zombie', 'zombie_walk', true),
  dm('dance_a', 'dance'),
  dm('dance_b', 'dance'),
  dm('dance_spin', 'dance'),
  dm('getup_facedown', 'getup'),
  dm('getup_faceup', 'getup'),
  dm('jump', 'jump'),
  { id: 'cmu01_01', file: 'bvh/fairmotion/cmu_01_01.bvh', format: 'cmu-bvh', label: 'jump' },
  dm('backflip', 'backflip'),
  dm('sideflip', 'sideflip'),
  dm('cartwheel', 'cartwheel'),
  dm('roll', 'roll'),
  dm('crawl', 'crawl'),
  dm('kick', 'kick'),
  dm('punch', 'punch'),
  dm('spin', 'spin'),
  dm('spinkick', 'spinkick'),
];

export const datasetSchema = z
  .object({
    fps: z.number().positive().default(30).describe('frame rate every clip is resampled to before encoding, frames/s'),
    windowFrames: z.number().int().min(1).default(16).describe('frames per training window (16 at 30 fps = 0.53 s)'),
    evalStrideFrames: z.number().int().min(1).default(6).describe('stride between the windows listed for metrics and nearest-neighbour search, frames (training batches draw any start frame)'),
    clips: z.array(z.string()).default(CLIP_CATALOGUE.map((c) => c.id)).describe('catalogue ids of the clips to use (default: all 29)'),
    heldOut: z
      .array(z.string())
      .default(['long_walk3', 'cmu131_02', 'stealthy_walk', 'zombie_walk', 'dance_b', 'getup_faceup'])
      .describe('clips kept out of training for held-out likelihood and metrics (split by clip, never by frame)'),
    mirror: z.boolean().default(true).describe('add the left/right mirror image of every clip (training and held-out alike)'),
    wrapCycles: z.number().int().min(1).default(3).describe('cycles a looping clip is unrolled over before cutting windows'),
    contacts: z.boolean().default(false).describe('append two foot-contact numbers to each frame (informative only; the inverse ignores them)'),
    stdFloor: z.number().positive().default(0.01).describe('smallest standard deviation used to standardise a feature, so near-constant features do not blow up'),
    character: z.string().default('humanoid3d').describe('character the clips are for (a bundled name or a file)'),
  })
  .strict();
export type DatasetConfig = z.output<typeof datasetSchema>;

/** A clip after loading, encoding and (maybe) mirroring. */
export interface DatasetClip {
  id: string;
  label: number;
  split: 'train' | 'heldout';
  mirrored: boolean;
  /** Raw (not standardised) features, numFrames × layout.size. */
  features: Float32Array;
  numFrames: number;
}

/** Mean and standard deviation per feature: x_std = (x − mean) / std. */
export class Standardizer {
  constructor(
    readonly mean: Float32Array,
    readonly std: Float32Array,
  ) {}

  /** Statistics of `rows` rows of `size` numbers from several arrays, std floored at `floor`. */
  static fit(arrays: { data: Float32Array; rows: number }[], size: number, floor: number): Standardizer {
    const mean = new Float64Array(size), sq = new Float64Array(size);
    let count = 0;
    for (const { data, rows } of arrays) {
      for (let r = 0; r < rows; r++) for (let k = 0; k < size; k++) mean[k] += data[r * size + k]!;
      count += rows;
    }
    for (let k = 0; k < size; k++) mean[k]! /= count;
    for (const { data, rows } of arrays) {
      for (let r = 0; r < rows; r++) for (let k = 0; k < size; k++) sq[k] += (data[r * size + k]! - mean[k]!) ** 2;
    }
    const std = new Float32Array(size);
    for (let k = 0; k < size; k++) std[k] = Math.max(floor, Math.sqrt(sq[k]! / Math.max(1, count - 1)));
    return new Standardizer(Float32Array.from(mean), std);
  }

  get size(): number {
    return this.mean.length;
  }

  /** In place on rows of `size`. */
  forward(x: Float32Array): Float32Array {
    const d = this.size;
    for (let i = 0; i < x.length; i++) x[i] = (x[i]! - this.mean[i % d]!) / this.std[i % d]!;
    return x;
  }

  /** In place on rows of `size`. */
  inverse(x: Float32Array): Float32Array {
    const d = this.size;
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * this.std[i % d]! + this.mean[i % d]!;
    return x;
  }

  /** Σ log std: the log-Jacobian that turns a density of standardised frames into one of raw frames. */
  logScalePerFrame(): number {
    let s = 0;
    for (const v of this.std) s += Math.log(v);
    return s;
  }

  toJSON(): { mean: number[]; std: number[] } {
    return { mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  static fromJSON(j: { mean: number[]; std: number[] }, where: string): Standardizer {
    if (!j || !Array.isArray(j.mean) || !Array.isArray(j.std) || j.mean.length !== j.std.length || j.std.some((v) => !(v > 0))) {
      throw new UsageError(`${where}: standardizer must have mean and std of equal length, std > 0`);
    }
    return new Standardizer(Float32Array.from(j.mean), Float32Array.from(j.std));
  }
}

export interface MotionDataset {
  config: DatasetConfig;
  skeleton: Skeleton;
  layout: FeatureLayout;
  labels: string[];
  clips: DatasetClip[];
  standardizer: Standardizer;
  /** Standardised features of every clip (same order as `clips`). */
  standardized: Float32Array[];
}

/** A catalogue entry by id (UnknownIdError listing the ids otherwise). */
export function clipSource(id: string): ClipSource {
  const c = CLIP_CATALOGUE.find((s) => s.id === id);
  if (!c) throw new UnknownIdError('dataset clip', id, CLIP_CATALOGUE.map((s) => s.id));
  return c;
}

/** Reads one catalogue clip onto the character and resamples it to `fps`, unrolling loops. */
export function loadSourceClip(source: ClipSource, skeleton: Skeleton, fps: number, wrapCycles: number): MotionClip {
  const file = dataFile(source.file);
  if (source.format === 'deepmimic') {
    const clip = readDeepMimicMotion(file, skeleton, { onWarning: () => {}, name: source.id });
    return clip.loop === 'wrap' ? unrollAt(clip, fps, wrapCycles) : sampleAtRate(clip, fps);
  }
  const bvh = readBvh(file, { name: source.id });
  return sampleAtRate(retargetCmu(bvh, skeleton, { name: source.id }), fps);
}

/** Samples a looping clip at `fps` over `cycles` cycles (root carried forward each cycle). */
function unrollAt(clip: MotionClip, fps: number, cycles: number): MotionClip {
  const n = Math.max(2, Math.round(clip.duration * cycles * fps) + 1);
  const stride = clip.frameStride;
  const frames = new Float64Array(n * stride);
  const loc: TimeLocation = { index: 0, blend: 0, cycle: 0 };
  for (let f = 0; f < n; f++) {
    locateTime(clip, f / fps, loc, true);
    poseAt(clip, loc, frames.subarray(f * stride, (f + 1) * stride));
  }
  return new MotionClip({ skeleton: clip.skeleton, frames, frameTimes: uniformTimes(n, 1 / fps), loop: 'none', name: clip.name });
}

/** Loads, encodes, splits, mirrors and standardises the dataset. */
export function loadMotionDataset(input: Partial<z.input<typeof datasetSchema>> = {}): MotionDataset {
  const config = datasetSchema.parse(input);
  const skeleton = readCharacter(resolveCharacterPath(config.character));
  const layout = featureLayout(skeleton, { contacts: config.contacts, fps: config.fps });
  const sources = config.clips.map(clipSource);
  for (const h of config.heldOut) {
    if (!config.clips.includes(h)) throw new UsageError(`dataset: held-out clip '${h}' is not among the clips used (${config.clips.join(', ')})`);
  }
  const labels = [...new Set(sources.map((s) => s.label))].sort();
  const clips: DatasetClip[] = [];
  for (const src of sources) {
    const clip = loadSourceClip(src, skeleton, config.fps, config.wrapCycles);
    const split = config.heldOut.includes(src.id) ? 'heldout' : 'train';
    const versions = config.mirror ? [clip, mirror(clip)] : [clip];
    versions.forEach((c, i) => {
      const enc = encodeClip(c, layout);
      clips.push({ id: i === 0 ? src.id : `${src.id}_mirrored`, label: labels.indexOf(src.label), split, mirrored: i > 0, features: enc.features, numFrames: enc.numFrames });
    });
  }
  return finishDataset(config, skeleton, layout, labels, clips);
}

/** Builds a dataset from clips already encoded (tests, custom data). */
export function finishDataset(config: DatasetConfig, skeleton: Skeleton, layout: FeatureLayout, labels: string[], clips: DatasetClip[]): MotionDataset {
  const train = clips.filter((c) => c.split === 'train');
  if (train.length === 0) throw new UsageError('dataset: no training clips');
  for (const c of clips) {
    if (c.numFrames < config.windowFrames) throw new UsageError(`dataset clip '${c.id}' has ${c.numFrames} frames, fewer than a window (${config.windowFrames})`);
  }
  const standardizer = Standardizer.fit(train.map((c) => ({ data: c.features, rows: c.numFrames })), layout.size, config.stdFloor);
  const standardized = clips.map((c) => standardizer.forward(c.features.slice()));
  return { config, skeleton, layout, labels, clips, standardizer, standardized };
}

// ---------------------------------------------------------------- windows

/** Windows as (clip, start frame) pairs. */
export interface WindowIndex {
  clip: Int32Array;
  start: Int32Array;
  label: Int32Array;
  length: number;
}

/**
 * Every window of `split` at the given stride (the last window of each clip ends on its last
 * frame); `frames` long (default the dataset's window). Clips shorter than that are left out.
 */
export function listWindows(ds: MotionDataset, split: 'train' | 'heldout', strideFrames = ds.config.evalStrideFrames, frames = ds.config.windowFrames): WindowIndex {
  const W = frames;
  const clip: number[] = [], start: number[] = [], label: number[] = [];
  ds.clips.forEach((c, i) => {
    if (c.split !== split || c.numFrames < W) return;
    const last = c.numFrames - W;
    for (let s = 0; s <= last; s += strideFrames) { clip.push(i); start.push(s); label.push(c.label); }
    if (last % strideFrames !== 0) { clip.push(i); start.push(last); label.push(c.label); }
  });
  return { clip: Int32Array.from(clip), start: Int32Array.from(start), label: Int32Array.from(label), length: clip.length };
}

/** Copies the standardised windows of `index` (rows `rows`, default all) into one array [n × W × D]. */
export function gatherWindows(ds: MotionDataset, index: WindowIndex, rows?: ArrayLike<number>, frames = ds.config.windowFrames): Float32Array {
  const D = ds.layout.size;
  const n = rows ? rows.length : index.length;
  const out = new Float32Array(n * frames * D);
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r]! : r;
    const src = ds.standardized[index.clip[i]!]!;
    const s = index.start[i]!;
    out.set(src.subarray(s * D, (s + frames) * D), r * frames * D);
  }
  return out;
}

/**
 * Draws training batches: a start frame uniformly over every training frame that begins a full
 * window (so long clips weigh by their length), from the run's Rng.
 */
export class WindowSampler {
  private readonly starts: { clip: number; start: number }[] = [];
  readonly labels: Int32Array;

  constructor(
    readonly ds: MotionDataset,
    readonly frames = ds.config.windowFrames,
  ) {
    ds.clips.forEach((c, i) => {
      if (c.split !== 'train') return;
      for (let s = 0; s + frames <= c.numFrames; s++) this.starts.push({ clip: i, start: s });
    });
    if (this.starts.length === 0) throw new UsageError(`dataset: no training clip is ${frames} frames long`);
    this.labels = Int32Array.from(this.starts, (s) => ds.clips[s.clip]!.label);
  }

  get size(): number {
    return this.starts.length;
  }

  /** Fills x [n × frames × D] and labels [n] with a random batch. */
  batch(rng: Rng, n: number, x: Float32Array, labels: Int32Array): void {
    const D = this.ds.layout.size, F = this.frames;
    for (let r = 0; r < n; r++) {
      const k = rng.int(this.starts.length);
      const { clip, start } = this.starts[k]!;
      x.set(this.ds.standardized[clip]!.subarray(start * D, (start + F) * D), r * F * D);
      labels[r] = this.labels[k]!;
    }
  }
}

/** Index of a label by name (UnknownIdError listing the labels otherwise). */
export function labelIndex(labels: readonly string[], name: string): number {
  const i = labels.indexOf(name);
  if (i < 0) throw new UnknownIdError('label', name, labels);
  return i;
}
