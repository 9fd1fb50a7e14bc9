/**
 * What every motion prior (vae.ts, mvae.ts, flow.ts, diffusion.ts) exports, and the few pieces
 * all of them use. Each family's file reads top to bottom: hyperparameter schema, networks,
 * training step, sampling, held-out likelihood, checkpoint.
 *
 * All priors work on standardised feature windows [n × frames × D] (representation.ts,
 * dataset.ts). Long motions are chained from windows by generate.ts through `continueFrom`.
 */
import type { z } from 'zod';
import { FileFormatError } from '../core/errors.ts';
import type { Rng, RngState } from '../core/rng.ts';
import type { CheckpointData } from '../nn/checkpoint.ts';
import type { OptimizerState } from '../nn/optim.ts';
import type { Param } from '../nn/mlp.ts';
import type { MotionDataset } from './dataset.ts';

export const FAMILIES = ['vae', 'mvae', 'flow', 'diffusion'] as const;
export type Family = (typeof FAMILIES)[number];

export interface PriorContext {
  /** Frames per window. */
  frames: number;
  /** Numbers per frame. */
  featureSize: number;
  /** Number of labels (conditioning classes). */
  numLabels: number;
  /** Share of training windows per label (to draw a label when none is asked for). */
  labelFrequencies: Float64Array;
  /**
   * Training frames to start autoregressive rollouts from (standardised, [n × featureSize]) with
   * their labels: the autoregressive VAE needs a first frame.
   */
  seedFrames: Float32Array;
  seedLabels: Int32Array;
  /** The prior's random stream: initialisation, batches, noise. Checkpointed. */
  rng: Rng;
  /** The run's length in optimizer steps (schedules anneal over it). */
  totalSteps: number;
}

export interface SampleOptions {
  /** Diffusion: classifier-free guidance scale (0: unconditional, 1: conditional). */
  guidance?: number;
  /** Diffusion: denoising steps (DDIM when fewer than the training steps). */
  steps?: number;
  /** Diffusion: 'ddim' (deterministic, any number of steps) or 'ddpm' (ancestral, all steps). */
  sampler?: 'ddim' | 'ddpm';
  /** VAE / flow / MVAE: scale of the latent noise (Glow samples at 0.7; 1 is the model). */
  temperature?: number;
  /** VAE / flow: candidates drawn per window when continuing, the best-matching one kept. */
  candidates?: number;
}

export interface MotionPrior {
  readonly family: Family;
  /** Every trainable parameter. */
  readonly params: Param[];
  /** Optimizer steps taken. */
  readonly step: number;
  /** One optimizer step on a batch drawn from the dataset's training windows; returns CleanRL-style tags. */
  trainStep(ds: MotionDataset): Record<string, number>;
  /**
   * `labels.length` new windows [n × frames × D] (standardised). A label of −1 asks for none:
   * diffusion samples unconditionally, the others draw a label from the training frequencies.
   */
  sample(labels: Int32Array, rng: Rng, options?: SampleOptions): Float32Array;
  /**
   * Windows that continue `prefix` ([n × known × D], the last `known` frames so far): the first
   * `known` frames of each result replace the prefix (equal to it, or blended into it), the rest
   * are new.
   */
  continueFrom(prefix: Float32Array, known: number, labels: Int32Array, rng: Rng, options?: SampleOptions): Float32Array;
  /** Held-out figures for windows [n × frames × D] (likelihoods in nats per standardised number). */
  evaluate(windows: Float32Array, labels: Int32Array, rng: Rng): Record<string, number>;
  /** Weights, optimizer, RNG and counters. */
  checkpoint(): CheckpointData;
  restore(data: CheckpointData, where: string): void;
  dispose(): void;
}

export interface PriorDefinition<S extends z.ZodObject<any> = z.ZodObject<any>> {
  readonly name: Family;
  readonly description: string;
  /** Every hyperparameter, one `.describe()`d field each, with the reference default. */
  readonly schema: S;
  create(ctx: PriorContext, config: z.output<S>): MotionPrior;
}

/** Draws labels for −1 entries from the training frequencies (in place; returns the array). */
export function fillLabels(labels: Int32Array, frequencies: Float64Array, rng: Rng): Int32Array {
  for (let i = 0; i < labels.length; i++) if (labels[i]! < 0) labels[i] = rng.categorical(frequencies);
  return labels;
}

/** Linear warm-up then constant: the factor at `step` of a ramp `steps` long (1 when steps = 0). */
export function warmup(step: number, steps: number): number {
  return steps > 0 ? Math.min(1, step / steps) : 1;
}

/**
 * Of `candidates` windows per row ([n·k × frames × D], row i's candidates at i·k … i·k + k − 1),
 * keeps for each row the one whose first `known` frames are closest (squared error) to the row's
 * prefix, then blends the prefix into it over the known frames (weight of the new window rising
 * linearly from 0 to 1), so the chained motion has no seam. Used by the VAE and the flow, which
 * cannot inpaint.
 */
/**
 * Continues `prefix` the way the VAE and the flow do: `k` candidate windows per row (labels filled
 * from the training frequencies where unset), `sample` draws them all at once, and the candidate
 * that joins the prefix best is kept (`stitchBest`).
 */
export function continueBestOfK(
  sample: (labels: Int32Array) => Float32Array,
  prefix: Float32Array,
  known: number,
  labels: Int32Array,
  rng: Rng,
  k: number,
  labelFrequencies: Float64Array,
  frames: number,
  D: number,
): Float32Array {
  const n = labels.length;
  const lab = fillLabels(labels.slice(), labelFrequencies, rng);
  const rep = new Int32Array(n * k);
  for (let i = 0; i < n * k; i++) rep[i] = lab[Math.floor(i / k)]!;
  return stitchBest(sample(rep), k, prefix, known, n, frames, D);
}

export function stitchBest(cands: Float32Array, k: number, prefix: Float32Array, known: number, n: number, frames: number, D: number): Float32Array {
  const out = new Float32Array(n * frames * D);
  const win = frames * D;
  for (let i = 0; i < n; i++) {
    let best = 0, bestErr = Infinity;
    for (let c = 0; c < k; c++) {
      const o = (i * k + c) * win;
      let err = 0;
      for (let q = 0; q < known * D; q++) err += (cands[o + q]! - prefix[i * known * D + q]!) ** 2;
      if (err < bestErr) { bestErr = err; best = c; }
    }
    const src = (i * k + best) * win;
    out.set(cands.subarray(src, src + win), i * win);
  }
  return blendPrefix(out, prefix, known, n, frames, D);
}

/**
 * Blends each row's prefix into the first `known` frames of its window, in place: frame t gets
 * weight (t + 1)/(known + 1) for the window and the rest for the prefix, so a window that only
 * nearly continues the motion joins it without a seam.
 */
export function blendPrefix(out: Float32Array, prefix: Float32Array, known: number, n: number, frames: number, D: number): Float32Array {
  const win = frames * D;
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < known; t++) {
      const w = (t + 1) / (known + 1);
      for (let d = 0; d < D; d++) {
        const q = t * D + d;
        out[i * win + q] = (1 - w) * prefix[i * known * D + q]! + w * out[i * win + q]!;
      }
    }
  }
  return out;
}

/**
 * What every prior's checkpoint carries besides its weights: the optimizer's state, the step
 * count and the Rng's state. Restores the optimizer and the Rng, and returns the step; a missing
 * piece is a FileFormatError naming the checkpoint.
 */
export function restoreTrainingState(data: CheckpointData, where: string, optimizer: { setState(state: OptimizerState): void }, rng: Rng): number {
  const opt = data.optimizers.optimizer;
  if (!opt) throw new FileFormatError(where, 'optimizer', 'missing');
  optimizer.setState(opt);
  const s = data.state as { step?: number; rng?: RngState };
  if (typeof s.step !== 'number' || !s.rng) throw new FileFormatError(where, 'state.json', 'missing step or rng');
  rng.setState(s.rng);
  return s.step;
}
