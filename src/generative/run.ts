/**
 * Training runs of motion priors, in the same run-folder layout as the agents' runs (src/train):
 *
 *   <out>/config.json       kind 'motion-prior', family, steps, seed, backend, dataset and model
 *                           hyperparameters (all defaults resolved)
 *   <out>/metrics.jsonl     one JSON object per line with CleanRL-style tags (written by the caller
 *                           through `onMetrics`: the CLI uses src/train's MetricsLog)
 *   <out>/checkpoints/…     atomic checkpoints (src/nn/checkpoint.ts): the model's weights,
 *                           optimizer, RNG and counters, plus what generation needs without the
 *                           dataset (labels, standardiser, layout, seed frames)
 *
 * A run resumed from checkpoint k continues exactly as the run that was never stopped: the
 * dataset is rebuilt from the same files and config, and everything random comes from the
 * prior's checkpointed Rng.
 *
 * `loadPrior(dir)` opens a run folder for generation and metrics and refuses, with a message that
 * says what the folder is, anything that is not a motion prior of a known family, or whose
 * checkpoint does not belong to its config.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FileFormatError, UsageError, ValidationError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { coerceToSchema, readYamlMapping } from '../core/settings.ts';
import { resolveCharacterPath } from '../motion/data-path.ts';
import { readCharacter } from '../motion/deepmimic-character.ts';
import type { Skeleton } from '../motion/skeleton.ts';
import { initBackend, type BackendInfo } from '../nn/backend.ts';
import { latestCheckpoint, readCheckpoint, requireArray, writeCheckpoint, type CheckpointData } from '../nn/checkpoint.ts';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { datasetSchema, gatherWindows, listWindows, loadMotionDataset, Standardizer, type DatasetConfig, type MotionDataset } from './dataset.ts';
import { priorDefinition } from './families.ts';
import type { Family, MotionPrior, PriorContext } from './prior.ts';
import { featureLayout, type FeatureLayout } from './representation.ts';

const VERSION = '0.1.0';
export const RUN_KIND = 'motion-prior';

export interface PriorRunConfig {
  gymnast: string;
  kind: typeof RUN_KIND;
  family: Family;
  steps: number;
  seed: number;
  checkpointEvery: number;
  logEvery: number;
  evalWindows: number;
  backend: { requested: string; name: string; simd?: boolean; threads?: number };
  dataset: DatasetConfig;
  config: Record<string, unknown>;
}

export interface TrainPriorArgs {
  family: string;
  /** Optimizer steps (default 2000). */
  steps?: number;
  seed?: number;
  /** YAML/JSON file: model hyperparameters, plus a `dataset:` mapping for dataset settings. */
  configFile?: string;
  /** Overrides, `key` for the model and `dataset.key` for the dataset. */
  set?: Record<string, unknown>;
  /** Run folder (default runs/prior-<family>-<seed>). */
  out?: string;
  /** Continue the run in this folder from its last checkpoint. */
  resume?: string;
  backend?: string;
  /** Steps between checkpoints (default a tenth of the run, at least 100). */
  checkpointEvery?: number;
  /** Steps between metric records (default 50). */
  logEvery?: number;
  /** Held-out windows evaluated at each checkpoint (0: none; default 128). */
  evalWindows?: number;
  /** Stop (with a checkpoint) once training has taken this long, seconds; resume continues. */
  maxSeconds?: number;
  /** A dataset already loaded with the run's dataset config (tests). */
  dataset?: MotionDataset;
}

export interface PriorRunCallbacks {
  onStart?(info: { runDir: string; config: PriorRunConfig; backend: BackendInfo; resumedFrom: number | null; trainWindows: number }): void;
  onMetrics?(step: number, values: Record<string, number>): void;
  onCheckpoint?(info: { step: number; path: string; eval?: Record<string, number> }): void;
}

export interface TrainPriorResult {
  runDir: string;
  config: PriorRunConfig;
  step: number;
  lastCheckpoint: string;
  seconds: number;
  /** True when `maxSeconds` ended the run before `steps`. */
  stoppedEarly: boolean;
}

// ---------------------------------------------------------------- configuration

function issues(error: z.ZodError, prefix: string, known: string[]): { path: string; message: string }[] {
  return error.issues.map((i) => {
    const keys = (i as { keys?: string[] }).keys;
    const path = [prefix, ...i.path.map(String), ...(keys ?? [])].filter(Boolean).join('.');
    return { path, message: keys ? `${i.message}; known: ${known.join(', ')}` : i.message };
  });
}

/** Resolves model and dataset hyperparameters: schema defaults, then the file, then the overrides. */
export function resolvePriorConfig(family: string, file?: string, set: Record<string, unknown> = {}): { config: Record<string, unknown>; dataset: DatasetConfig } {
  const def = priorDefinition(family);
  const fromFile = file ? readYamlMapping(file, 'hyperparameter names to values') : {};
  const { dataset: fileDataset, ...fileModel } = fromFile as { dataset?: unknown };
  if (fileDataset !== undefined && (typeof fileDataset !== 'object' || fileDataset === null || Array.isArray(fileDataset))) {
    throw new ValidationError(file ?? 'config', [{ path: 'dataset', message: 'expected a mapping of dataset settings' }]);
  }
  const model: Record<string, unknown> = { ...fileModel }, dataset: Record<string, unknown> = { ...(fileDataset as object | undefined) };
  for (const [k, v] of Object.entries(set)) {
    if (k.startsWith('dataset.')) dataset[k.slice('dataset.'.length)] = v;
    else model[k] = v;
  }
  const source = `${def.name} hyperparameters${file ? ` (${file} and --set)` : ''}`;
  const m = def.schema.safeParse(coerceToSchema(def.schema, model));
  const d = datasetSchema.safeParse(coerceToSchema(datasetSchema, dataset));
  const all = [...(m.success ? [] : issues(m.error, '', Object.keys(def.schema.shape))), ...(d.success ? [] : issues(d.error, 'dataset', Object.keys(datasetSchema.shape)))];
  if (all.length > 0) throw new ValidationError(source, all);
  return { config: m.data as Record<string, unknown>, dataset: d.data! };
}

// ---------------------------------------------------------------- what a checkpoint carries beyond the model

/** Everything generation needs that is not a weight: written into every checkpoint's state and arrays. */
export interface PriorMeta {
  family: Family;
  labels: string[];
  labelFrequencies: number[];
  standardizer: { mean: number[]; std: number[] };
  windowFrames: number;
  featureSize: number;
  featureNames: string[];
}

export function priorContext(meta: PriorMeta, seedFrames: Float32Array, seedLabels: Int32Array, rng: Rng, totalSteps: number): PriorContext {
  return {
    frames: meta.windowFrames,
    featureSize: meta.featureSize,
    numLabels: meta.labels.length,
    labelFrequencies: Float64Array.from(meta.labelFrequencies),
    seedFrames,
    seedLabels,
    rng,
    totalSteps,
  };
}

/** Label shares (by training windows), up to 64 seed frames per label, from the dataset. */
export function datasetMeta(ds: MotionDataset, family: Family, rng: Rng): { meta: PriorMeta; seedFrames: Float32Array; seedLabels: Int32Array } {
  const counts = new Float64Array(ds.labels.length);
  const framesByLabel: { clip: number; frame: number }[][] = ds.labels.map(() => []);
  ds.clips.forEach((c, i) => {
    if (c.split !== 'train') return;
    counts[c.label] += Math.max(0, c.numFrames - ds.config.windowFrames + 1);
    for (let f = 0; f < c.numFrames; f++) framesByLabel[c.label]!.push({ clip: i, frame: f });
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const D = ds.layout.size;
  const seeds: number[] = [];
  const seedRows: Float32Array[] = [];
  framesByLabel.forEach((list, label) => {
    for (let k = 0; k < Math.min(64, list.length); k++) {
      const pick = list[rng.int(list.length)]!;
      seedRows.push(ds.standardized[pick.clip]!.subarray(pick.frame * D, (pick.frame + 1) * D));
      seeds.push(label);
    }
  });
  const seedFrames = new Float32Array(seeds.length * D);
  seedRows.forEach((r, i) => seedFrames.set(r, i * D));
  return {
    meta: {
      family,
      labels: ds.labels,
      labelFrequencies: Array.from(counts, (c) => c / total),
      standardizer: ds.standardizer.toJSON(),
      windowFrames: ds.config.windowFrames,
      featureSize: D,
      featureNames: ds.layout.names,
    },
    seedFrames,
    seedLabels: Int32Array.from(seeds),
  };
}

function withMeta(data: CheckpointData, meta: PriorMeta, seedFrames: Float32Array, seedLabels: Int32Array): CheckpointData {
  return {
    ...data,
    arrays: [
      ...data.arrays,
      { name: 'prior/seed_frames', shape: [seedFrames.length], data: seedFrames },
      { name: 'prior/seed_labels', shape: [seedLabels.length], data: seedLabels },
    ],
    state: { ...data.state, prior: meta },
  };
}

// ---------------------------------------------------------------- training

export async function trainPrior(args: TrainPriorArgs, callbacks: PriorRunCallbacks = {}): Promise<TrainPriorResult> {
  const t0 = performance.now();
  const { runDir, config, resumeFrom } = args.resume ? loadRunConfig(args) : newRun(args);
  const def = priorDefinition(config.family);
  const backend = await initBackend(args.backend ?? (args.resume ? config.backend.name || 'auto' : 'auto'));
  config.backend = { requested: backend.requested, name: backend.name, simd: backend.simd, threads: backend.threads };
  const hp = def.schema.parse(config.config);
  const ds = args.dataset ?? loadMotionDataset(config.dataset);
  if (!args.resume) {
    mkdirSync(runDir, { recursive: true });
    writeFileAtomic(join(runDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  }
  // The meta (labels, standardiser, seed frames) comes from its own stream so the model's is untouched.
  const { meta, seedFrames, seedLabels } = datasetMeta(ds, config.family, new Rng(config.seed + 1));
  const rng = new Rng(config.seed);
  const model = def.create(priorContext(meta, seedFrames, seedLabels, rng, config.steps), hp);
  const checkpointsDir = join(runDir, 'checkpoints');
  const heldOut = listWindows(ds, 'heldout');
  const evalRows = heldOut.length > 0 && config.evalWindows > 0 ? evenRows(heldOut.length, config.evalWindows) : null;
  const evalData = evalRows ? { x: gatherWindows(ds, heldOut, evalRows), labels: Int32Array.from(evalRows, (r) => heldOut.label[r]!) } : null;
  try {
    let lastCheckpoint = '';
    if (resumeFrom) {
      const data = readCheckpoint(resumeFrom);
      checkCheckpointFamily(data, config.family, resumeFrom);
      model.restore(data, resumeFrom);
      lastCheckpoint = resumeFrom;
    }
    const resumedFrom = resumeFrom ? model.step : null;
    callbacks.onStart?.({ runDir, config, backend, resumedFrom, trainWindows: listWindows(ds, 'train', 1).length });
    const sums: Record<string, number> = {};
    let count = 0, windowStart = performance.now();
    const seconds = () => (performance.now() - t0) / 1000;
    let stoppedEarly = false;
    const save = () => {
      const data = withMeta(model.checkpoint(), meta, seedFrames, seedLabels);
      lastCheckpoint = writeCheckpoint(checkpointsDir, `step-${String(model.step).padStart(9, '0')}`, model.step, data);
      let evalValues: Record<string, number> | undefined;
      if (evalData) {
        // Evaluation draws from its own stream: the training stream must not depend on it.
        evalValues = prefixed('eval/', model.evaluate(evalData.x, evalData.labels, new Rng(config.seed + 7 + model.step)));
        callbacks.onMetrics?.(model.step, evalValues);
      }
      callbacks.onCheckpoint?.({ step: model.step, path: lastCheckpoint, eval: evalValues });
    };
    while (model.step < config.steps) {
      const values = model.trainStep(ds);
      for (const [k, v] of Object.entries(values)) sums[k] = (sums[k] ?? 0) + v;
      count++;
      if (model.step % config.logEvery === 0 || model.step === config.steps) {
        const out: Record<string, number> = {};
        for (const [k, v] of Object.entries(sums)) out[k] = v / count;
        const dt = (performance.now() - windowStart) / 1000;
        out['charts/SPS'] = Math.round((count / dt) * 100) / 100;
        callbacks.onMetrics?.(model.step, out);
        for (const k of Object.keys(sums)) delete sums[k];
        count = 0;
        windowStart = performance.now();
      }
      const timeUp = args.maxSeconds !== undefined && seconds() >= args.maxSeconds;
      if (model.step % config.checkpointEvery === 0 || model.step === config.steps || timeUp) save();
      if (timeUp && model.step < config.steps) {
        stoppedEarly = true;
        break;
      }
    }
    if (!lastCheckpoint) save();
    return { runDir, config, step: model.step, lastCheckpoint, seconds: seconds(), stoppedEarly };
  } finally {
    model.dispose();
  }
}

function evenRows(total: number, want: number): Int32Array {
  const n = Math.min(total, want);
  return Int32Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
}

function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [prefix + k, v]));
}

function newRun(args: TrainPriorArgs): { runDir: string; config: PriorRunConfig; resumeFrom: null } {
  const def = priorDefinition(args.family);
  const steps = args.steps ?? 2000, seed = args.seed ?? 0;
  for (const [name, v, min] of [['steps', steps, 1], ['seed', seed, 0]] as const) {
    if (!Number.isSafeInteger(v) || v < min) throw new ValidationError('train-prior arguments', [{ path: name, message: `must be an integer ≥ ${min}, got ${v}` }]);
  }
  const { config, dataset } = resolvePriorConfig(def.name, args.configFile, args.set);
  const checkpointEvery = args.checkpointEvery ?? Math.max(100, Math.ceil(steps / 10));
  const logEvery = args.logEvery ?? 50;
  for (const [name, v] of [['checkpointEvery', checkpointEvery], ['logEvery', logEvery]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ValidationError('train-prior arguments', [{ path: name, message: `must be a positive integer, got ${v}` }]);
  }
  const runDir = resolve(args.out ?? join('runs', `prior-${def.name}-${seed}`));
  if (existsSync(join(runDir, 'config.json'))) throw new UsageError(`${runDir} already holds a run: use --resume ${runDir} to continue it, or another --out`);
  return {
    runDir,
    resumeFrom: null,
    config: {
      gymnast: VERSION,
      kind: RUN_KIND,
      family: def.name,
      steps,
      seed,
      checkpointEvery,
      logEvery,
      evalWindows: args.evalWindows ?? 128,
      backend: { requested: args.backend ?? 'auto', name: '' },
      dataset,
      config,
    },
  };
}

/** Reads a run folder's config.json and checks that it is a motion prior (of `family`, if given). */
export function readPriorRunConfig(dir: string, family?: string): PriorRunConfig {
  const runDir = resolve(dir);
  const file = join(runDir, 'config.json');
  if (!existsSync(runDir)) throw new UsageError(`${dir}: no such folder`);
  if (!existsSync(file)) throw new UsageError(`${dir}: no config.json there; is it a run folder? (train a prior with gymnast train-prior)`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new FileFormatError(file, 'JSON', `cannot be parsed: ${(e as Error).message}`);
  }
  if (raw.kind !== RUN_KIND) {
    const what = typeof raw.agent === 'string' ? `a run of agent '${raw.agent}'${typeof raw.env === 'string' ? ` on ${raw.env}` : ''}` : 'not a motion-prior run';
    throw new UsageError(`${dir} is ${what}, not a motion prior (train one with gymnast train-prior --family vae|mvae|flow|diffusion)`);
  }
  const fam = String(raw.family);
  priorDefinition(fam); // unknown family → UnknownIdError
  if (family !== undefined && fam !== family) throw new UsageError(`${dir} holds a ${fam} prior, not a ${family} prior`);
  for (const key of ['steps', 'seed', 'checkpointEvery', 'dataset', 'config'] as const) {
    if (raw[key] === undefined) throw new FileFormatError(file, key, 'missing');
  }
  const config = raw as unknown as PriorRunConfig;
  config.logEvery ??= 50;
  config.evalWindows ??= 128;
  config.backend ??= { requested: 'auto', name: '' };
  const d = datasetSchema.safeParse(config.dataset);
  if (!d.success) throw new ValidationError(`${file} dataset`, issues(d.error, 'dataset', Object.keys(datasetSchema.shape)));
  config.dataset = d.data;
  return config;
}

function loadRunConfig(args: TrainPriorArgs): { runDir: string; config: PriorRunConfig; resumeFrom: string } {
  const runDir = resolve(args.resume!);
  const config = readPriorRunConfig(runDir, args.family || undefined);
  if (args.steps !== undefined) config.steps = args.steps;
  const resumeFrom = latestCheckpoint(join(runDir, 'checkpoints'));
  if (!resumeFrom) throw new UsageError(`--resume ${args.resume}: the run has no checkpoint yet`);
  return { runDir, config, resumeFrom };
}

function checkCheckpointFamily(data: CheckpointData, family: Family, where: string): PriorMeta {
  const meta = (data.state as { prior?: PriorMeta }).prior;
  if (!meta || typeof meta !== 'object') throw new FileFormatError(join(where, 'state.json'), 'prior', 'missing: not a motion-prior checkpoint');
  if (meta.family !== family) throw new FileFormatError(join(where, 'state.json'), 'prior.family', `is '${meta.family}', but the run's config.json says '${family}'`);
  return meta;
}

// ---------------------------------------------------------------- loading for generation

export interface LoadedPrior {
  runDir: string;
  config: PriorRunConfig;
  model: MotionPrior;
  meta: PriorMeta;
  skeleton: Skeleton;
  layout: FeatureLayout;
  standardizer: Standardizer;
  checkpoint: string;
}

/** Opens the newest checkpoint of a prior's run folder. */
export async function loadPrior(dir: string, options: { backend?: string; checkpoint?: string } = {}): Promise<LoadedPrior> {
  const config = readPriorRunConfig(dir);
  const runDir = resolve(dir);
  const path = options.checkpoint ?? latestCheckpoint(join(runDir, 'checkpoints'));
  if (!path) throw new UsageError(`${dir}: the run has no checkpoint yet`);
  await initBackend(options.backend ?? 'auto');
  const data = readCheckpoint(path);
  const meta = checkCheckpointFamily(data, config.family, path);
  const skeleton = readCharacter(resolveCharacterPath(config.dataset.character));
  const layout = featureLayout(skeleton, { contacts: config.dataset.contacts, fps: config.dataset.fps });
  if (meta.featureSize !== layout.size || meta.windowFrames !== config.dataset.windowFrames) {
    throw new FileFormatError(join(path, 'state.json'), 'prior', `describes windows of ${meta.windowFrames} × ${meta.featureSize}, the run's dataset config gives ${config.dataset.windowFrames} × ${layout.size}`);
  }
  const standardizer = Standardizer.fromJSON(meta.standardizer, join(path, 'state.json'));
  const seedFrames = requireArray(data.arrays, 'prior/seed_frames', path) as Float32Array;
  const seedLabels = requireArray(data.arrays, 'prior/seed_labels', path) as Int32Array;
  const def = priorDefinition(config.family);
  const model = def.create(priorContext(meta, seedFrames, seedLabels, new Rng(config.seed), config.steps), def.schema.parse(config.config));
  try {
    model.restore(data, path);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { runDir, config, model, meta, skeleton, layout, standardizer, checkpoint: path };
}
