/**
 * Autoregressive motion VAE (Ling, Zinno, Cheng, van de Panne 2020, "Character Controllers Using
 * Motion VAEs"): a conditional VAE of the next frame given the previous one, rolled out frame by
 * frame for motions of any length.
 *
 *   encoder  q(z | x_t, x_{t−1}, c)      MLP [x_t, x_{t−1}, onehot(c)] → [μ, log σ²]
 *   decoder  p(x_t | z, x_{t−1}, c)      MLP [z, x_{t−1}, onehot(c)] → mean; one learned std per number
 *   loss     per step: −log p(x_t | z, x_{t−1}) + β·KL(q ‖ N(0, I))
 *
 * Scheduled sampling (Bengio et al. 2015, as Motion VAE trains): each batch is a sequence of
 * `rolloutFrames` steps; at each step the previous frame fed in is, per sequence, the model's own
 * prediction with probability p and the data otherwise. p is 0 for the first `supervisedFraction`
 * of training (teacher forcing), rises linearly over the next `scheduledFraction`, and is 1 after
 * (fully autoregressive), so the model learns to recover from its own errors over long rollouts.
 * Predictions fed back are constants (no gradient through them), as in Motion VAE. The gradients
 * of the steps of a sequence are averaged into one optimizer step.
 *
 * Ling et al. use a mixture-of-experts decoder; this one is a plain MLP (a smaller model for this
 * machine). Sampling: start from a training frame of the label, roll out `burnInFrames` frames
 * (discarded), then the window, drawing z ~ N(0, T²·I) every frame.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../core/rng.ts';
import { restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { Mlp, trainableVariable, type Param } from '../nn/mlp.ts';
import { Adam, clipGradNorm, lossAndGrads } from '../nn/optim.ts';
import { WindowSampler, type MotionDataset } from './dataset.ts';
import { mlpApply, oneHot } from './ops.ts';
import { fillLabels, restoreTrainingState, warmup, type MotionPrior, type PriorContext, type PriorDefinition, type SampleOptions } from './prior.ts';

export const mvaeSchema = z
  .object({
    latentSize: z.number().int().min(1).default(32).describe('latent dimensions per frame (Motion VAE: 32)'),
    hidden: z.array(z.number().int().min(1)).min(1).default([256, 256]).describe('hidden layer widths of the encoder and of the decoder (Motion VAE: 256)'),
    beta: z.number().min(0).default(1).describe('weight of the KL term'),
    klWarmupSteps: z.number().int().min(0).default(500).describe('steps over which β ramps linearly from 0'),
    conditional: z.boolean().default(true).describe('condition on the clip-family label'),
    minLogStd: z.number().default(-3).describe('floor of the decoder log standard deviation (per standardised number)'),
    rolloutFrames: z.number().int().min(1).default(8).describe('steps per training sequence (Motion VAE: 8)'),
    supervisedFraction: z.number().min(0).max(1).default(0.1).describe('share of training with teacher forcing (p = 0)'),
    scheduledFraction: z.number().min(0).max(1).default(0.3).describe('share of training over which p rises linearly from 0 to 1'),
    batchSize: z.number().int().min(1).default(64).describe('sequences per optimizer step'),
    learningRate: z.number().positive().default(1e-3).describe('Adam learning rate'),
    gradClip: z.number().positive().default(10).describe('global gradient-norm clip'),
    burnInFrames: z.number().int().min(0).default(10).describe('frames rolled out and discarded after the seed frame when sampling'),
    temperature: z.number().positive().default(1).describe('default scale of the per-frame latent noise when sampling'),
  })
  .strict();
export type MvaeConfig = z.output<typeof mvaeSchema>;

const LOG_2PI = Math.log(2 * Math.PI);

export class MotionVae implements MotionPrior {
  readonly family = 'mvae' as const;
  readonly params: Param[];
  step = 0;
  readonly encoder: Mlp;
  readonly decoder: Mlp;
  private readonly logStd: tf.Variable;
  private readonly optimizer: Adam;
  private readonly D: number;
  private readonly condSize: number;
  private sampler: WindowSampler | null = null;

  constructor(
    private readonly ctx: PriorContext,
    readonly cfg: MvaeConfig,
  ) {
    const D = (this.D = ctx.featureSize);
    this.condSize = cfg.conditional ? ctx.numLabels : 0;
    const Z = cfg.latentSize;
    this.encoder = new Mlp('mvae/encoder', { sizes: [2 * D + this.condSize, ...cfg.hidden, 2 * Z], activation: 'relu', outputGain: 0.1 }, ctx.rng);
    this.decoder = new Mlp('mvae/decoder', { sizes: [Z + D + this.condSize, ...cfg.hidden, D], activation: 'relu' }, ctx.rng);
    this.logStd = trainableVariable(() => tf.zeros([D]), 'mvae/decoder/log_std');
    this.params = [...this.encoder.params, ...this.decoder.params, { name: 'mvae/decoder/log_std', variable: this.logStd }];
    this.optimizer = new Adam(this.params, { lr: cfg.learningRate });
  }

  /** Probability of feeding back the model's own prediction at `step` (the scheduled-sampling schedule). */
  feedbackProbability(step: number): number {
    const t = step / Math.max(1, this.ctx.totalSteps);
    const a = this.cfg.supervisedFraction, b = this.cfg.scheduledFraction;
    if (t < a) return 0;
    return b > 0 ? Math.min(1, (t - a) / b) : 1;
  }

  private cond(labels: Int32Array): tf.Tensor2D | null {
    return this.condSize > 0 ? tf.tensor2d(oneHot(labels, this.condSize), [labels.length, this.condSize]) : null;
  }

  private cat(parts: (tf.Tensor2D | null)[]): tf.Tensor2D {
    return tf.concat(parts.filter((p): p is tf.Tensor2D => p !== null), 1);
  }

  /** Per row: −log p(x | z, prev), KL per latent, and the decoder mean, for one step under the tape. */
  private stepTerms(x: tf.Tensor2D, prev: tf.Tensor2D, c: tf.Tensor2D | null, eps: tf.Tensor2D) {
    const Z = this.cfg.latentSize, n = x.shape[0];
    const h = mlpApply(this.encoder, this.cat([x, prev, c]));
    const mu = tf.slice(h, [0, 0], [n, Z]);
    const logVar = tf.mul(6, tf.tanh(tf.div(tf.slice(h, [0, Z], [n, Z]), 6))) as tf.Tensor2D;
    const zs = tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps)) as tf.Tensor2D;
    const mean = mlpApply(this.decoder, this.cat([zs, prev, c]));
    const ls = tf.maximum(this.logStd, this.cfg.minLogStd);
    const nll = tf.add(tf.mul(0.5, tf.sum(tf.square(tf.div(tf.sub(x, mean), tf.exp(ls))), 1)), tf.sum(ls).add(0.5 * this.D * LOG_2PI)) as tf.Tensor1D;
    const kl = tf.mul(0.5, tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1))) as tf.Tensor2D;
    return { nll, kl, mean, mu };
  }

  // ------------------------------------------------------------ training

  trainStep(ds: MotionDataset): Record<string, number> {
    const { cfg, ctx, D } = this;
    const B = cfg.batchSize, L = cfg.rolloutFrames, Z = cfg.latentSize;
    this.sampler ??= new WindowSampler(ds, L + 1);
    const seq = new Float32Array(B * (L + 1) * D), labels = new Int32Array(B);
    this.sampler.batch(ctx.rng, B, seq, labels);
    const beta = cfg.beta * warmup(this.step, cfg.klWarmupSteps);
    const p = this.feedbackProbability(this.step);
    const prev = new Float32Array(B * D), x = new Float32Array(B * D), eps = new Float32Array(B * Z);
    for (let b = 0; b < B; b++) prev.set(seq.subarray(b * (L + 1) * D, (b * (L + 1) + 1) * D), b * D);
    const acc = this.params.map((q) => new Float32Array(q.variable.size));
    let lossSum = 0, reconSum = 0, klSum = 0;
    for (let t = 1; t <= L; t++) {
      for (let b = 0; b < B; b++) x.set(seq.subarray((b * (L + 1) + t) * D, (b * (L + 1) + t + 1) * D), b * D);
      ctx.rng.fillNormal(eps);
      let pred: tf.Tensor | null = null;
      const r = lossAndGrads(this.params, () => {
        const { nll, kl, mean } = this.stepTerms(tf.tensor2d(x, [B, D]), tf.tensor2d(prev, [B, D]), this.cond(labels), tf.tensor2d(eps, [B, Z]));
        pred = tf.keep(mean);
        const recon = tf.mean(nll), klMean = tf.mean(tf.sum(kl, 1));
        return { loss: tf.div(tf.add(recon, tf.mul(beta, klMean)), D) as tf.Scalar, aux: { recon: tf.div(recon, D) as tf.Scalar, kl: klMean as tf.Scalar } };
      });
      r.grads.forEach((g, i) => { const a = acc[i]!; for (let k = 0; k < g.length; k++) a[k]! += g[k]! / L; });
      lossSum += r.loss; reconSum += r.aux.recon!; klSum += r.aux.kl!;
      const predData = (pred as unknown as tf.Tensor).dataSync() as Float32Array;
      (pred as unknown as tf.Tensor).dispose();
      // Scheduled sampling: per sequence, the next input is the prediction (prob p) or the data.
      for (let b = 0; b < B; b++) {
        const src = ctx.rng.random() < p ? predData.subarray(b * D, (b + 1) * D) : x.subarray(b * D, (b + 1) * D);
        prev.set(src, b * D);
      }
    }
    const gradNorm = clipGradNorm(acc, cfg.gradClip);
    this.optimizer.step(acc);
    this.step++;
    return {
      'losses/loss': lossSum / L,
      'losses/recon_nll_per_dim': reconSum / L,
      'losses/kl': klSum / L,
      'charts/beta': beta,
      'charts/feedback_probability': p,
      'losses/grad_norm': gradNorm,
    };
  }

  // ------------------------------------------------------------ rollouts

  /** `frames` new frames after `start` [n × D], one decoder pass per frame for the whole batch. */
  rollout(start: Float32Array, frames: number, labels: Int32Array, rng: Rng, temperature = this.cfg.temperature): Float32Array {
    const n = labels.length, D = this.D, Z = this.cfg.latentSize, C = this.condSize;
    const out = new Float32Array(n * frames * D);
    const input = new Float32Array(n * (Z + D + C));
    const onehot = oneHot(labels, C);
    let prev = start;
    for (let t = 0; t < frames; t++) {
      for (let i = 0; i < n; i++) {
        const o = i * (Z + D + C);
        for (let k = 0; k < Z; k++) input[o + k] = temperature * rng.normal();
        input.set(prev.subarray(i * D, (i + 1) * D), o + Z);
        if (C > 0) input.set(onehot.subarray(i * C, (i + 1) * C), o + Z + D);
      }
      const next = this.decoder.forward(input, n);
      for (let i = 0; i < n; i++) out.set(next.subarray(i * D, (i + 1) * D), (i * frames + t) * D);
      prev = next;
    }
    return out;
  }

  sample(labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    const n = labels.length, D = this.D, W = this.ctx.frames;
    const lab = fillLabels(labels.slice(), this.ctx.labelFrequencies, rng);
    const start = new Float32Array(n * D);
    const { seedFrames, seedLabels } = this.ctx;
    for (let i = 0; i < n; i++) {
      const candidates: number[] = [];
      for (let s = 0; s < seedLabels.length; s++) if (seedLabels[s] === lab[i]) candidates.push(s);
      const s = candidates.length > 0 ? candidates[rng.int(candidates.length)]! : rng.int(seedLabels.length);
      start.set(seedFrames.subarray(s * D, (s + 1) * D), i * D);
    }
    const burn = this.cfg.burnInFrames;
    const all = this.rollout(start, burn + W, lab, rng, options.temperature);
    const out = new Float32Array(n * W * D);
    for (let i = 0; i < n; i++) out.set(all.subarray((i * (burn + W) + burn) * D, (i + 1) * (burn + W) * D), i * W * D);
    return out;
  }

  continueFrom(prefix: Float32Array, known: number, labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    const n = labels.length, D = this.D, W = this.ctx.frames;
    const lab = fillLabels(labels.slice(), this.ctx.labelFrequencies, rng);
    const last = new Float32Array(n * D);
    for (let i = 0; i < n; i++) last.set(prefix.subarray(((i + 1) * known - 1) * D, (i + 1) * known * D), i * D);
    const next = this.rollout(last, W - known, lab, rng, options.temperature);
    const out = new Float32Array(n * W * D);
    for (let i = 0; i < n; i++) {
      out.set(prefix.subarray(i * known * D, (i + 1) * known * D), i * W * D);
      out.set(next.subarray(i * (W - known) * D, (i + 1) * (W - known) * D), (i * W + known) * D);
    }
    return out;
  }

  // ------------------------------------------------------------ held-out figures

  /** Teacher-forced per-frame figures: −ELBO of x_t given x_{t−1}, reconstruction error, KL, active units. */
  evaluate(windows: Float32Array, labels: Int32Array, rng: Rng): Record<string, number> {
    const n = labels.length, D = this.D, W = this.ctx.frames, Z = this.cfg.latentSize;
    const rows = n * (W - 1);
    const x = new Float32Array(rows * D), prev = new Float32Array(rows * D), lab = new Int32Array(rows);
    let r = 0;
    for (let i = 0; i < n; i++) {
      for (let t = 1; t < W; t++, r++) {
        x.set(windows.subarray((i * W + t) * D, (i * W + t + 1) * D), r * D);
        prev.set(windows.subarray((i * W + t - 1) * D, (i * W + t) * D), r * D);
        lab[r] = labels[i]!;
      }
    }
    let nll = 0, kl = 0, mse = 0;
    const muSum = new Float64Array(Z), muSq = new Float64Array(Z);
    for (let s = 0; s < rows; s += 1024) {
      const m = Math.min(1024, rows - s);
      const eps = new Float32Array(m * Z);
      rng.fillNormal(eps);
      const out = tf.tidy(() => {
        const xs = tf.tensor2d(x.subarray(s * D, (s + m) * D), [m, D]);
        const t = this.stepTerms(xs, tf.tensor2d(prev.subarray(s * D, (s + m) * D), [m, D]), this.cond(lab.subarray(s, s + m)), tf.tensor2d(eps, [m, Z]));
        return { nll: tf.sum(t.nll).dataSync()[0]!, kl: tf.sum(t.kl).dataSync()[0]!, mse: tf.sum(tf.square(tf.sub(xs, t.mean))).dataSync()[0]!, mu: t.mu.dataSync() as Float32Array };
      });
      nll += out.nll; kl += out.kl; mse += out.mse;
      for (let i = 0; i < m; i++) for (let j = 0; j < Z; j++) { const v = out.mu[i * Z + j]!; muSum[j] += v; muSq[j] += v * v; }
    }
    let active = 0;
    for (let j = 0; j < Z; j++) if (muSq[j]! / rows - (muSum[j]! / rows) ** 2 > 0.01) active++;
    return { nll_next_frame_elbo_per_dim: (nll + kl) / (rows * D), recon_mse: mse / (rows * D), kl_per_latent: kl / (rows * Z), active_units: active, latent_size: Z };
  }

  // ------------------------------------------------------------ checkpoints

  checkpoint(): CheckpointData {
    return { weights: weightsOf(this.params), optimizers: { optimizer: this.optimizer.getState() }, arrays: [], state: { step: this.step, rng: this.ctx.rng.getState() } };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    this.step = restoreTrainingState(data, where, this.optimizer, this.ctx.rng);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.logStd.dispose();
  }
}

export const mvae: PriorDefinition<typeof mvaeSchema> = {
  name: 'mvae',
  description: 'autoregressive motion VAE (next frame from the previous frame and a latent, scheduled sampling)',
  schema: mvaeSchema,
  create: (ctx, cfg) => new MotionVae(ctx, cfg),
};
