/**
 * Motion priors' run folders, from the generative side: what `config.json` of a prior's run holds
 * (`priorRunConfigSchema`, kind 'motion-prior'), what its checkpoints carry beyond the model
 * (labels, standardiser, feature layout, seed frames: everything generation needs without the
 * dataset), and `loadPrior(dir)`, which opens a run folder for generation and metrics and refuses,
 * with a message that says what the folder is, anything that is not a motion prior of a known
 * family, or whose checkpoint does not belong to its config.
 *
 * Training a prior is the trainer's (`src/train/prior-run.ts`), in the same run-folder layout as
 * the agents' runs (`src/nn/run-folder.ts`).
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FileFormatError, UsageError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { resolveCharacterPath } from '../motion/data-path.ts';
import { readCharacter } from '../motion/deepmimic-character.ts';
import type { Skeleton } from '../motion/skeleton.ts';
import { initBackend } from '../nn/backend.ts';
import { latestCheckpoint, readCheckpoint, requireArray, restoreFrom, type CheckpointData } from '../nn/checkpoint.ts';
import { readRunConfigFile, runHyperparameters } from '../nn/run-folder.ts';
import { datasetSchema, type MotionDataset, Standardizer } from './dataset.ts';
import { priorDefinition } from './families.ts';
import type { Family, MotionPrior, PriorContext } from './prior.ts';
import { featureLayout, type FeatureLayout } from './representation.ts';

export const RUN_KIND = 'motion-prior';

/** A prior run's config.json. */
export const priorRunConfigSchema = z.object({
  gymnast: z.string().default('0.1.0'),
  kind: z.literal(RUN_KIND),
  family: z.string(),
  steps: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  checkpointEvery: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  logEvery: z.number().int().min(1).default(50),
  evalWindows: z.number().int().min(0).default(128),
  backend: z
    .object({ requested: z.string(), name: z.string(), simd: z.boolean().optional(), threads: z.number().optional() })
    .default({ requested: 'auto', name: '' }),
  dataset: datasetSchema,
  /** The model's hyperparameters, validated by the family's schema when the model is built. */
  config: z.record(z.string(), z.unknown()),
});

export type PriorRunConfig = Omit<z.output<typeof priorRunConfigSchema>, 'family'> & { family: Family };

/** Reads a run folder's config.json and checks that it is a motion prior (of `family`, if given). */
export function readPriorRunConfig(dir: string, family?: string): PriorRunConfig {
  const config = readRunConfigFile(dir, priorRunConfigSchema, {
    hint: 'train a prior with gymnast train-prior',
    kind: (raw) => {
      if (raw.kind === RUN_KIND) return;
      const what = typeof raw.agent === 'string' ? `a run of agent '${raw.agent}'${typeof raw.env === 'string' ? ` on ${raw.env}` : ''}` : 'not a motion-prior run';
      throw new UsageError(`${dir} is ${what}, not a motion prior (train one with gymnast train-prior --family vae|mvae|flow|diffusion)`);
    },
  });
  priorDefinition(config.family); // unknown family → UnknownIdError
  if (family !== undefined && config.family !== family) throw new UsageError(`${dir} holds a ${config.family} prior, not a ${family} prior`);
  return config as PriorRunConfig;
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

export function withMeta(data: CheckpointData, meta: PriorMeta, seedFrames: Float32Array, seedLabels: Int32Array): CheckpointData {
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

export function checkCheckpointFamily(data: CheckpointData, family: Family, where: string): PriorMeta {
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
  const model = def.create(priorContext(meta, seedFrames, seedLabels, new Rng(config.seed), config.steps), runHyperparameters(def.schema, dir, config.config));
  try {
    restoreFrom(path, () => model.restore(data, path));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { runDir, config, model, meta, skeleton, layout, standardizer, checkpoint: path };
}
