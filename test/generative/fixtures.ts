/** Small datasets and contexts for the generative tests (seconds, not minutes). */
import { Rng } from '../../src/core/rng.ts';
import { finishDataset, loadMotionDataset, type MotionDataset, datasetSchema, type DatasetClip } from '../../src/generative/dataset.ts';
import type { PriorContext } from '../../src/generative/prior.ts';
import { featureLayout } from '../../src/generative/representation.ts';
import { readCharacter } from '../../src/motion/deepmimic-character.ts';
import { resolveCharacterPath } from '../../src/motion/data-path.ts';

/** Walk (train) and run (held-out), 8-frame windows, no mirroring: loads in well under a second. */
export function tinyMotionDataset(windowFrames = 8): MotionDataset {
  return loadMotionDataset({ clips: ['walk', 'run', 'jog'], heldOut: ['jog'], windowFrames, mirror: false, wrapCycles: 2 });
}

/** A dataset of synthetic feature rows (no motion meaning) with `labels` classes. */
export function syntheticDataset(rows: Float32Array[], labels: number[], windowFrames: number, featureSize: number): MotionDataset {
  const skeleton = readCharacter(resolveCharacterPath('humanoid3d'));
  const layout = { ...featureLayout(skeleton), size: featureSize };
  const clips: DatasetClip[] = rows.map((features, i) => ({ id: `c${i}`, label: labels[i]!, split: 'train', mirrored: false, features, numFrames: features.length / featureSize }));
  const config = datasetSchema.parse({ windowFrames, stdFloor: 1e-6 });
  return finishDataset(config, skeleton, layout, [...new Set(labels)].map((l) => `label${l}`), clips);
}

export function contextFor(ds: MotionDataset, seed = 0, totalSteps = 100): PriorContext {
  const counts = new Float64Array(ds.labels.length);
  for (const c of ds.clips) if (c.split === 'train') counts[c.label] += c.numFrames;
  const total = counts.reduce((a, b) => a + b, 0);
  const D = ds.layout.size;
  const first = ds.standardized[0]!;
  return {
    frames: ds.config.windowFrames,
    featureSize: D,
    numLabels: ds.labels.length,
    labelFrequencies: counts.map((c) => c / total),
    seedFrames: first.slice(0, 4 * D),
    seedLabels: new Int32Array(4).fill(ds.clips[0]!.label),
    rng: new Rng(seed),
    totalSteps,
  };
}
