/**
 * Denoising diffusion on motion windows: DDPM (Ho, Jain, Abbeel 2020) with the linear or cosine
 * (Nichol & Dhariwal 2021) noise schedule, ε- or x₀-prediction (MDM, Tevet et al. 2023, predicts
 * x₀), ancestral sampling with no noise at the last step, DDIM (Song, Meng, Ermon 2021) for
 * few-step deterministic sampling, and classifier-free guidance (Ho & Salimans 2022): the label is
 * replaced by a "no label" token with probability 0.1 in training, and sampling mixes the two
 * predictions, out = (1 − g)·out(∅) + g·out(c), so g = 0 is the unconditional model, g = 1 the
 * conditional one and g > 1 sharpens the condition.
 *
 * Forward process: q(x_t | x_0) = N(√ᾱ_t·x_0, (1 − ᾱ_t)·I), ᾱ_t = Π_{s ≤ t} (1 − β_s).
 *
 * The denoiser is an MLP on the whole window with a sinusoidal timestep embedding and the label's
 * one-hot appended to its input. Its output is added to a skip term, as in the preconditioning of
 * Karras et al. 2022: the posterior mean of the target under a Gaussian model of the data, per
 * number with variance λ: x̂₀ = √ᾱ·λ/(ᾱλ + 1 − ᾱ)·x_t + net(·), ε̂ = √(1 − ᾱ)/(ᾱλ + 1 − ᾱ)·x_t +
 * net(·) (λ = 1 for standardised numbers; with PCA, λ is each principal component's variance, so
 * the skip alone is the Wiener filter). The network learns a residual and never has to carry the
 * whole window through its hidden layers (an MLP narrower than the window cannot represent the
 * identity, and learning even the linear filter through ReLU layers takes thousands of steps). It may work on the window's slow part: with `dctCoefficients` =
 * K > 0 a window is first projected on the K lowest frequencies of an orthonormal DCT along time
 * (ops.ts), halving the numbers for K = W/2 and keeping motion above K/(2W)·30 Hz out of the
 * samples (real motion has little there: 8 of 16 coefficients keep 0–7.5 Hz). K = 0 works on the
 * frames as they are.
 *
 * Long motions are chained by inpainting: the first frames of each new window are known (the end
 * of the motion so far). After every denoising step the window is corrected so that its known
 * frames agree with the known frames noised to the current step (the replacement method of Song
 * et al. 2021 and RePaint), generalised to any linear representation (DCT, PCA) as Gaussian
 * conditioning; the known frames count as observations with a little noise (`inpaintStd`) so
 * that frames the model finds unlikely do not make it extrapolate wildly, and the seam is
 * blended. With inpaintStd = 0 and no PCA the known frames are pinned exactly.
 *
 * Held-out likelihood: the variational bound L_T + Σ L_{t−1} + L_0 (Ho et al. eq. 5) with the
 * reverse variance σ_t² = β̃_t, its sum over t estimated by Monte Carlo over uniform t, in nats per
 * modelled number (per DCT coefficient when K > 0, which then does not compare with the others).
 *
 * An exponential moving average of the weights (decay 0.999, warmed up as (1 + n)/(10 + n)) is
 * kept and used for sampling and evaluation, as DDPM does.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import { requireArray, restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { orthonormalize } from '../nn/init.ts';
import { Mlp, type Param } from '../nn/mlp.ts';
import { Adam, assignArray, clipGradNorm } from '../nn/optim.ts';
import { WindowSampler, type MotionDataset } from './dataset.ts';
import { cholesky, choleskySolve, matMul, symmetricEigen } from './linalg.ts';
import { dctBasis, fromDct, toDct } from './ops.ts';
import { blendPrefix, restoreTrainingState, warmup, type MotionPrior, type PriorContext, type PriorDefinition, type SampleOptions } from './prior.ts';

export const diffusionSchema = z
  .object({
    diffusionSteps: z.number().int().min(2).default(1000).describe('training noise levels T (DDPM and MDM: 1000)'),
    schedule: z.enum(['cosine', 'linear']).default('cosine').describe('noise schedule: cosine (Nichol & Dhariwal, s = 0.008; MDM) or linear β (Ho et al.)'),
    betaStart: z.number().positive().default(1e-4).describe('linear schedule: β_1 (Ho et al.: 1e-4)'),
    betaEnd: z.number().positive().default(0.02).describe('linear schedule: β_T (Ho et al.: 0.02)'),
    prediction: z.enum(['epsilon', 'x0']).default('epsilon').describe('what the network predicts: the noise ε (DDPM) or the clean window x₀ (MDM)'),
    hidden: z.array(z.number().int().min(1)).min(1).default([512, 512, 512]).describe('hidden layer widths of the denoising MLP'),
    activation: z.enum(['relu', 'tanh']).default('relu').describe('activation of the hidden layers (tanh cannot die; relu units can, all of a layer at once)'),
    outputGain: z.number().min(0).default(0.1).describe('orthogonal gain of the last layer: small, so the model starts at the skip term alone'),
    timeEmbedding: z.number().int().min(2).default(64).describe('size of the sinusoidal timestep embedding (even)'),
    dctCoefficients: z.number().int().min(0).default(8).describe('model the K lowest DCT coefficients along time of each window (0: the frames themselves)'),
    pcaComponents: z.number().int().min(0).default(0).describe('model the first P principal components of the standardised window (a rotation, measured on the training data at the first step, the skip term using each component\'s variance; 0: all numbers, no PCA)'),
    conditional: z.boolean().default(true).describe('condition on the clip-family label'),
    condDropProbability: z.number().min(0).max(1).default(0.1).describe('probability of replacing the label by the no-label token in training (classifier-free guidance; Ho & Salimans, MDM: 0.1)'),
    batchSize: z.number().int().min(1).default(64).describe('windows per optimizer step'),
    learningRate: z.number().positive().default(5e-4).describe('Adam learning rate (after warm-up)'),
    warmupSteps: z.number().int().min(0).default(200).describe('steps over which the learning rate ramps linearly from 0'),
    gradClip: z.number().positive().default(1).describe('global gradient-norm clip (DDPM: 1)'),
    emaDecay: z.number().min(0).max(1).default(0.999).describe('decay of the weight moving average used for sampling (0: off)'),
    inpaintStd: z.number().min(0).default(0.1).describe('inpainting: std of the known frames as observations (standardised units); 0 pins them exactly, which can extrapolate wildly from frames the model finds unlikely'),
    clipDenoised: z.number().min(0).default(8).describe('clip the predicted clean window x̂₀ to ±this (standardised units) while sampling, as DDPM clips images to [−1, 1]; keeps few-step DDIM from amplifying early errors (0: off)'),
    samplingSteps: z.number().int().min(1).default(20).describe('default DDIM steps when sampling'),
    guidance: z.number().default(2.5).describe('default classifier-free guidance scale (MDM: 2.5)'),
    elboTimesteps: z.number().int().min(1).default(16).describe('Monte Carlo timesteps per window for the held-out variational bound'),
  })
  .strict();
export type DiffusionConfig = z.output<typeof diffusionSchema>;

/** β_t, α_t, ᾱ_t for t = 1 … T (index t − 1). */
export interface NoiseSchedule {
  betas: Float64Array;
  alphas: Float64Array;
  alphaBars: Float64Array;
}

export function noiseSchedule(kind: 'cosine' | 'linear', T: number, betaStart = 1e-4, betaEnd = 0.02): NoiseSchedule {
  const betas = new Float64Array(T);
  if (kind === 'linear') {
    for (let i = 0; i < T; i++) betas[i] = betaStart + ((betaEnd - betaStart) * i) / Math.max(1, T - 1);
  } else {
    // Nichol & Dhariwal 2021, eq. 17: ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), β clipped at 0.999.
    const s = 0.008;
    const f = (t: number) => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    for (let i = 0; i < T; i++) betas[i] = Math.min(0.999, 1 - f(i + 1) / f(i));
  }
  const alphas = betas.map((b) => 1 - b);
  const alphaBars = new Float64Array(T);
  let prod = 1;
  for (let i = 0; i < T; i++) alphaBars[i] = prod *= alphas[i]!;
  return { betas, alphas, alphaBars };
}

/** Sinusoidal embedding of timestep index t (Vaswani et al.; DDPM), `size` numbers at out[o..]. */
export function timestepEmbedding(t: number, size: number, out: Float32Array, o: number): void {
  const half = size >> 1;
  for (let i = 0; i < half; i++) {
    const freq = Math.exp((-Math.log(10000) * i) / half);
    out[o + i] = Math.sin(t * freq);
    out[o + half + i] = Math.cos(t * freq);
  }
}

export class Diffusion implements MotionPrior {
  readonly family = 'diffusion' as const;
  readonly params: Param[];
  step = 0;
  readonly schedule: NoiseSchedule;
  /** Numbers the network models per window: P (PCA), else K·D (DCT) or W·D. */
  readonly dim: number;
  /** Numbers per window after the time basis: K·D or W·D. */
  readonly coefDim: number;
  private readonly net: Mlp;
  private readonly emaNet: Mlp;
  private readonly ema: Float32Array[];
  private emaFresh = false;
  private readonly optimizer: Adam;
  private readonly W: number;
  private readonly D: number;
  /** Rows of the model's time axis: K coefficients or W frames. */
  private readonly keep: number;
  /** Time basis [W × keep] (the identity when not using the DCT). */
  private readonly basis: Float32Array;
  private readonly inputSize: number;
  /** One-hot slots: labels 0 … L − 1, then the no-label token. */
  private readonly condSize: number;
  private sampler: WindowSampler | null = null;
  private readonly inpainters = new Map<number, (x: Float32Array, knownFrames: Float32Array, n: number, a: number, s: number, rng: Rng) => void>();
  private readonly skipWeights = new Map<number, Float32Array>();
  /**
   * Mean and std of each modelled number over the training windows, measured at the first step:
   * the network sees unit-variance numbers, which the noise schedule assumes (DCT coefficients
   * differ in scale by the window length).
   */
  readonly dataMean: Float32Array;
  readonly dataStd: Float32Array;
  /** PCA: principal directions [coefDim × P] (column j is direction j) and the components' standard deviations [P] (not divided out: the skip term uses them). */
  readonly pcaBasis: Float32Array;
  readonly pcaScale: Float32Array;
  private dataStatsReady = false;

  constructor(
    private readonly ctx: PriorContext,
    readonly cfg: DiffusionConfig,
  ) {
    this.W = ctx.frames;
    this.D = ctx.featureSize;
    if (cfg.dctCoefficients > this.W) throw new UsageError(`diffusion: dctCoefficients ${cfg.dctCoefficients} exceeds the window's ${this.W} frames`);
    if (cfg.timeEmbedding % 2 !== 0) throw new UsageError(`diffusion: timeEmbedding must be even, got ${cfg.timeEmbedding}`);
    this.keep = cfg.dctCoefficients > 0 ? cfg.dctCoefficients : this.W;
    this.basis = cfg.dctCoefficients > 0 ? dctBasis(this.W, this.keep) : identity(this.W);
    this.coefDim = this.keep * this.D;
    if (cfg.pcaComponents > this.coefDim) throw new UsageError(`diffusion: pcaComponents ${cfg.pcaComponents} exceeds the ${this.coefDim} numbers of a window`);
    this.dim = cfg.pcaComponents > 0 ? cfg.pcaComponents : this.coefDim;
    this.dataMean = new Float32Array(this.coefDim);
    this.dataStd = new Float32Array(this.coefDim).fill(1);
    this.pcaBasis = new Float32Array(cfg.pcaComponents > 0 ? this.coefDim * this.dim : 0);
    for (let j = 0; j < (cfg.pcaComponents > 0 ? this.dim : 0); j++) this.pcaBasis[j * this.dim + j] = 1;
    this.pcaScale = new Float32Array(cfg.pcaComponents > 0 ? this.dim : 0).fill(1);
    this.condSize = cfg.conditional ? ctx.numLabels + 1 : 0;
    this.inputSize = this.dim + cfg.timeEmbedding + this.condSize;
    this.schedule = noiseSchedule(cfg.schedule, cfg.diffusionSteps, cfg.betaStart, cfg.betaEnd);
    const spec = { sizes: [this.inputSize, ...cfg.hidden, this.dim], activation: cfg.activation, outputGain: cfg.outputGain };
    this.net = new Mlp('diffusion/denoiser', spec, ctx.rng);
    // The average's own network: a second set of variables, weights copied in before sampling.
    this.emaNet = new Mlp('diffusion/ema', spec, ctx.rng);
    this.ema = this.net.params.map((p) => (p.variable.dataSync() as Float32Array).slice());
    this.params = this.net.params;
    this.optimizer = new Adam(this.params, { lr: cfg.learningRate });
  }

  /** The network that samples: the weight average when on, else the trained weights. */
  private samplingNet(): Mlp {
    if (this.cfg.emaDecay <= 0) return this.net;
    if (!this.emaFresh) {
      this.emaNet.params.forEach((p, i) => assignArray(p.variable, this.ema[i]!));
      this.emaFresh = true;
    }
    return this.emaNet;
  }

  /**
   * Windows [n × W × D] → the modelled vectors [n × dim]: time basis, per-number
   * standardisation, then (with PCA) projection on the principal directions.
   */
  toModel(windows: Float32Array, n: number): Float32Array {
    const c = this.cfg.dctCoefficients > 0 ? toDct(windows, n, this.W, this.D, this.basis, this.keep) : windows.slice(0, n * this.coefDim);
    const { coefDim, dataMean, dataStd } = this;
    for (let k = 0; k < c.length; k++) c[k] = (c[k]! - dataMean[k % coefDim]!) / dataStd[k % coefDim]!;
    if (this.cfg.pcaComponents === 0) return c;
    const P = this.dim, V = this.pcaBasis;
    const z = new Float32Array(n * P);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < coefDim; k++) {
        const v = c[i * coefDim + k]!;
        if (v === 0) continue;
        for (let j = 0; j < P; j++) z[i * P + j] += V[k * P + j]! * v;
      }
    }
    return z;
  }

  /** Modelled vectors → windows [n × W × D]. */
  toWindows(x: Float32Array, n: number): Float32Array {
    const { coefDim, dataMean, dataStd } = this;
    let c: Float32Array;
    if (this.cfg.pcaComponents === 0) c = x.slice(0, n * coefDim);
    else {
      const P = this.dim, V = this.pcaBasis;
      c = new Float32Array(n * coefDim);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < coefDim; k++) {
          let v = 0;
          for (let j = 0; j < P; j++) v += V[k * P + j]! * x[i * P + j]!;
          c[i * coefDim + k] = v;
        }
      }
    }
    for (let k = 0; k < c.length; k++) c[k] = c[k]! * dataStd[k % coefDim]! + dataMean[k % coefDim]!;
    return this.cfg.dctCoefficients > 0 ? fromDct(c, n, this.W, this.D, this.basis, this.keep) : c;
  }

  /**
   * Measures, on 4096 training windows, the per-number mean and std after the time basis and,
   * with PCA, the top principal directions of the standardised numbers (subspace iteration on
   * their covariance, then Rayleigh–Ritz).
   */
  private measureData(): void {
    const n = 4096, windows = new Float32Array(n * this.W * this.D);
    this.sampler!.batch(this.ctx.rng, n, windows, new Int32Array(n));
    const c = this.cfg.dctCoefficients > 0 ? toDct(windows, n, this.W, this.D, this.basis, this.keep) : windows;
    const { coefDim } = this;
    const sum = new Float64Array(coefDim), sq = new Float64Array(coefDim);
    for (let i = 0; i < n; i++) for (let k = 0; k < coefDim; k++) { const v = c[i * coefDim + k]!; sum[k] += v; sq[k] += v * v; }
    for (let k = 0; k < coefDim; k++) {
      const m = sum[k]! / n;
      this.dataMean[k] = m;
      this.dataStd[k] = Math.max(1e-3, Math.sqrt(Math.max(0, sq[k]! / n - m * m)));
    }
    if (this.cfg.pcaComponents > 0) {
      for (let k = 0; k < c.length; k++) c[k] = (c[k]! - this.dataMean[k % coefDim]!) / this.dataStd[k % coefDim]!;
      const cov = tf.tidy(() => {
        const X = tf.tensor2d(c.subarray(0, n * coefDim), [n, coefDim]);
        return tf.div(tf.matMul(tf.transpose(X), X), n - 1).dataSync() as Float32Array;
      });
      const { vectors, values } = topEigenvectors(cov, coefDim, this.dim, this.ctx.rng);
      this.pcaBasis.set(vectors);
      for (let j = 0; j < this.dim; j++) this.pcaScale[j] = Math.sqrt(Math.max(1e-8, values[j]!));
    }
    this.dataStatsReady = true;
    this.inpainters.clear();
    this.skipWeights.clear();
  }

  /** Network inputs for noisy vectors x [n × dim] at timestep indices t, with labels (−1 or ≥ L: no label). */
  private inputs(x: Float32Array, t: ArrayLike<number>, labels: ArrayLike<number>, n: number): Float32Array {
    const { dim, inputSize, condSize } = this;
    const E = this.cfg.timeEmbedding;
    const out = new Float32Array(n * inputSize);
    for (let i = 0; i < n; i++) {
      const o = i * inputSize;
      out.set(x.subarray(i * dim, (i + 1) * dim), o);
      timestepEmbedding(t[i]!, E, out, o + dim);
      if (condSize > 0) {
        const l = labels[i]!;
        out[o + dim + E + (l >= 0 && l < condSize - 1 ? l : condSize - 1)] = 1;
      }
    }
    return out;
  }

  // ------------------------------------------------------------ training

  trainStep(ds: MotionDataset): Record<string, number> {
    const { cfg, ctx, dim, schedule } = this;
    const B = cfg.batchSize, T = cfg.diffusionSteps;
    this.sampler ??= new WindowSampler(ds, this.W);
    if (!this.dataStatsReady) this.measureData();
    const windows = new Float32Array(B * this.W * this.D), labels = new Int32Array(B);
    this.sampler.batch(ctx.rng, B, windows, labels);
    const x0 = this.toModel(windows, B);
    const t = new Int32Array(B), eps = new Float32Array(B * dim), xt = new Float32Array(B * dim);
    ctx.rng.fillNormal(eps);
    for (let i = 0; i < B; i++) {
      t[i] = ctx.rng.int(T);
      if (ctx.rng.random() < cfg.condDropProbability) labels[i] = -1;
      const a = Math.sqrt(schedule.alphaBars[t[i]!]!), s = Math.sqrt(1 - schedule.alphaBars[t[i]!]!);
      for (let k = 0; k < dim; k++) xt[i * dim + k] = a * x0[i * dim + k]! + s * eps[i * dim + k]!;
    }
    const target = cfg.prediction === 'epsilon' ? eps : x0;
    const pred = this.net.forward(this.inputs(xt, t, labels, B), B, { train: true });
    const dOut = new Float32Array(B * dim);
    let loss = 0;
    for (let i = 0; i < B; i++) {
      const skip = this.skip(t[i]!);
      for (let k = i * dim; k < (i + 1) * dim; k++) {
        const d = pred[k]! + skip[k - i * dim]! * xt[k]! - target[k]!;
        loss += d * d;
        dOut[k] = (2 * d) / (B * dim);
      }
    }
    const grads = this.net.backward(dOut);
    const gradNorm = clipGradNorm(grads, cfg.gradClip);
    this.optimizer.lr = cfg.learningRate * warmup(this.step + 1, cfg.warmupSteps);
    this.optimizer.step(grads);
    this.step++;
    this.updateEma();
    return { 'losses/mse': loss / (B * dim), 'losses/grad_norm': gradNorm, 'charts/learning_rate': this.optimizer.lr };
  }

  private updateEma(): void {
    if (this.cfg.emaDecay <= 0) return;
    const d = Math.min(this.cfg.emaDecay, (1 + this.step) / (10 + this.step));
    this.net.params.forEach((p, i) => {
      const w = p.variable.dataSync() as Float32Array;
      const e = this.ema[i]!;
      for (let k = 0; k < e.length; k++) e[k] = d * e[k]! + (1 - d) * w[k]!;
    });
    this.emaFresh = false;
  }

  /**
   * Weight of x_t in the prediction, per modelled number (see the header). Cached per timestep:
   * the loss and every sampling step ask for it per row; the cache is cleared when the PCA scales
   * change (measureData, restore).
   */
  private skip(t: number): Float32Array {
    const hit = this.skipWeights.get(t);
    if (hit) return hit;
    const ab = this.schedule.alphaBars[t]!;
    const out = new Float32Array(this.dim);
    for (let k = 0; k < this.dim; k++) {
      const lambda = this.cfg.pcaComponents > 0 ? this.pcaScale[k]! ** 2 : 1;
      const denom = ab * lambda + 1 - ab;
      out[k] = this.cfg.prediction === 'epsilon' ? Math.sqrt(1 - ab) / denom : (Math.sqrt(ab) * lambda) / denom;
    }
    this.skipWeights.set(t, out);
    return out;
  }

  /** Network output plus the skip term, in place: the prediction for rows of x_t at index t. */
  private withSkip(out: Float32Array, xt: Float32Array, t: number | ArrayLike<number>): Float32Array {
    const dim = this.dim;
    let skip = typeof t === 'number' ? this.skip(t) : null;
    for (let i = 0; i < out.length / dim; i++) {
      if (typeof t !== 'number') skip = this.skip(t[i]!);
      for (let k = 0; k < dim; k++) out[i * dim + k]! += skip![k]! * xt[i * dim + k]!;
    }
    return out;
  }

  // ------------------------------------------------------------ the reverse process

  /**
   * The network's prediction (ε or x₀, per `prediction`) for x_t [n × dim] at timestep index t,
   * guided: (1 − g)·out(∅) + g·out(label). Rows with label −1 are unconditional whatever g is.
   */
  guidedOutput(xt: Float32Array, t: number, labels: Int32Array, guidance: number, net = this.samplingNet()): Float32Array {
    const n = labels.length, dim = this.dim;
    const ts = new Int32Array(n).fill(t);
    const none = new Int32Array(n).fill(-1);
    const conditioned = this.condSize > 0 && labels.some((l) => l >= 0);
    if (!conditioned || guidance === 0) return this.withSkip(net.forward(this.inputs(xt, ts, none, n), n), xt, t);
    if (guidance === 1) return this.withSkip(net.forward(this.inputs(xt, ts, labels, n), n), xt, t);
    // One batch of 2n rows: conditional then unconditional.
    const both = new Float32Array(2 * n * this.inputSize);
    both.set(this.inputs(xt, ts, labels, n), 0);
    both.set(this.inputs(xt, ts, none, n), n * this.inputSize);
    const out = net.forward(both, 2 * n);
    const res = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const g = labels[i]! >= 0 ? guidance : 0;
      for (let k = 0; k < dim; k++) res[i * dim + k] = (1 - g) * out[(n + i) * dim + k]! + g * out[i * dim + k]!;
    }
    return this.withSkip(res, xt, t);
  }

  /**
   * ε̂ and x̂₀ from the network output at timestep index t. With `clip`, x̂₀ is clipped to
   * ±clipDenoised and ε̂ recomputed from it (sampling only; the bound uses the raw output).
   */
  private split(xt: Float32Array, out: Float32Array, t: number, clip = false): { eps: Float32Array; x0: Float32Array } {
    const ab = this.schedule.alphaBars[t]!;
    const a = Math.sqrt(ab), s = Math.sqrt(1 - ab);
    let eps: Float32Array, x0: Float32Array;
    if (this.cfg.prediction === 'epsilon') {
      eps = out;
      x0 = new Float32Array(out.length);
      for (let k = 0; k < out.length; k++) x0[k] = (xt[k]! - s * out[k]!) / a;
    } else {
      x0 = out;
      eps = new Float32Array(out.length);
      for (let k = 0; k < out.length; k++) eps[k] = (xt[k]! - a * out[k]!) / s;
    }
    const c = this.cfg.clipDenoised;
    if (clip && c > 0) {
      let clipped = false;
      const pca = this.cfg.pcaComponents > 0, dim = this.dim;
      for (let k = 0; k < x0.length; k++) {
        // With PCA a component's scale is its std (floored at 1), not 1.
        const lim = pca ? c * Math.max(1, this.pcaScale[k % dim]!) : c;
        if (x0[k]! > lim) { x0[k] = lim; clipped = true; } else if (x0[k]! < -lim) { x0[k] = -lim; clipped = true; }
      }
      if (clipped) {
        eps = new Float32Array(out.length);
        for (let k = 0; k < out.length; k++) eps[k] = (xt[k]! - a * x0[k]!) / s;
      }
    }
    return { eps, x0 };
  }

  /** Timestep indices visited by DDIM with `steps` steps: evenly spaced from T − 1 down to 0. */
  ddimTimesteps(steps: number): Int32Array {
    const T = this.cfg.diffusionSteps;
    const S = Math.max(1, Math.min(steps, T));
    const out = new Int32Array(S);
    for (let i = 0; i < S; i++) out[i] = S === 1 ? T - 1 : Math.round(((S - 1 - i) * (T - 1)) / (S - 1));
    return out;
  }

  /**
   * The reverse process from x_T ~ N(0, I) for n windows. `known`: optional inpainting target
   * (frames 0 … knownFrames − 1 of each window, [n × knownFrames × D]).
   */
  private reverse(labels: Int32Array, rng: Rng, options: SampleOptions, known: { frames: Float32Array; count: number } | null): Float32Array {
    const n = labels.length, dim = this.dim;
    const guidance = options.guidance ?? this.cfg.guidance;
    const sampler = options.sampler ?? 'ddim';
    const { alphaBars, alphas, betas } = this.schedule;
    const T = this.cfg.diffusionSteps;
    let x = new Float32Array(n * dim);
    rng.fillNormal(x);
    let fix = known ? this.inpainters.get(known.count) : undefined;
    if (known && !fix) {
      // M and the gains depend only on the model and the overlap: built once, reused by every window.
      fix = this.inpainter(known.count);
      this.inpainters.set(known.count, fix);
    }
    const constrain = (tIndex: number) => {
      if (!fix || !known) return;
      // tIndex < 0: the clean window, known frames exact; else the known frames noised to t.
      const ab = tIndex >= 0 ? alphaBars[tIndex]! : 1;
      fix(x, known.frames, n, Math.sqrt(ab), Math.sqrt(1 - ab), rng);
    };
    constrain(T - 1);
    if (sampler === 'ddpm') {
      for (let t = T - 1; t >= 0; t--) {
        const { x0 } = this.split(x, this.guidedOutput(x, t, labels, guidance), t, true);
        // Posterior q(x_{t−1} | x_t, x̂₀): mean c0·x̂₀ + ct·x_t (Ho et al. eq. 7), variance
        // σ_t² = β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t); no noise at the last step.
        const abPrev = t > 0 ? alphaBars[t - 1]! : 1;
        const c0 = (Math.sqrt(abPrev) * betas[t]!) / (1 - alphaBars[t]!);
        const ct = (Math.sqrt(alphas[t]!) * (1 - abPrev)) / (1 - alphaBars[t]!);
        const sigma = t > 0 ? Math.sqrt((betas[t]! * (1 - abPrev)) / (1 - alphaBars[t]!)) : 0;
        const next = new Float32Array(n * dim);
        for (let k = 0; k < n * dim; k++) next[k] = c0 * x0[k]! + ct * x[k]! + (sigma > 0 ? sigma * rng.normal() : 0);
        x = next;
        constrain(t - 1);
      }
    } else {
      const ts = this.ddimTimesteps(options.steps ?? this.cfg.samplingSteps);
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        const { eps, x0 } = this.split(x, this.guidedOutput(x, t, labels, guidance), t, true);
        const prev = i + 1 < ts.length ? ts[i + 1]! : -1;
        const abPrev = prev >= 0 ? alphaBars[prev]! : 1;
        const a = Math.sqrt(abPrev), s = Math.sqrt(1 - abPrev);
        for (let k = 0; k < n * dim; k++) x[k] = a * x0[k]! + s * eps[k]!;
        constrain(prev);
      }
    }
    return this.toWindows(x, n);
  }

  /**
   * The inpainting correction for the first `count` frames. Those frames are an affine function
   * of the modelled vector, y = M·x + c (time basis, standardisation and PCA are all linear).
   * After each denoising step x moves to the mean of x_t given the known frames under a Gaussian
   * model of x_t (each modelled number with variance ᾱλ + 1 − ᾱ, λ = 1 or the component's
   * variance): x += G·(y_t − M·x − c), G = Λ_t·Mᵀ·(M·Λ_t·Mᵀ)⁻¹, the move that matches the known
   * frames exactly and is smallest in the model's own scale (so no low-variance component is
   * pushed out of its range; with the identity basis and λ = 1, replacing the known frames).
   * When M has more rows than columns (PCA keeping few components) the match is the
   * least-squares one, (MᵀM)⁻¹Mᵀ. The target is the known frames noised to the step,
   * y_t = a·y + (1 − a)·c + s·M·ε with ε ~ N(0, I), because x_t = a·x_0 + s·ε.
   */
  private inpainter(count: number): (x: Float32Array, knownFrames: Float32Array, n: number, a: number, s: number, rng: Rng) => void {
    const { D, dim, keep, basis, dataMean: mu, dataStd: sd } = this;
    const rows = count * D;
    const pca = this.cfg.pcaComponents > 0, P = this.dim, V = this.pcaBasis;
    // y[(t, d)] = Σ_k B[t, k]·(μ[k, d] + σ[k, d]·coef[k, d]), coef = V·x with PCA, else x itself.
    const c = new Float64Array(rows);
    const M = new Float64Array(rows * dim);
    for (let t = 0; t < count; t++) {
      for (let d = 0; d < D; d++) {
        const r = t * D + d;
        for (let k = 0; k < keep; k++) {
          const q = k * D + d, b = basis[t * keep + k]!;
          c[r] += b * mu[q]!;
          const w = b * sd[q]!;
          if (pca) for (let j = 0; j < P; j++) M[r * dim + j] += w * V[q * P + j]!;
          else M[r * dim + q] += w;
        }
      }
    }
    const lambda = Float64Array.from({ length: dim }, (_, j) => (pca ? this.pcaScale[j]! ** 2 : 1));
    /** Per noise level a = √ᾱ: the model's variances Λ_t and the Cholesky factor of M·Λ_t·Mᵀ + obs·I (or of MᵀM). */
    const levels = new Map<number, { variance: Float64Array; L: Float64Array }>();
    const levelFor = (a: number) => {
      const hit = levels.get(a);
      if (hit) return hit;
      const ab = a * a;
      const variance = lambda.map((l) => Math.max(1e-12, ab * l + 1 - ab));
      // Observation noise on the known frames: conditioning on frames the model finds unlikely
      // (the end of a generated window) must not extrapolate wildly through an ill-conditioned
      // M·Λ·Mᵀ; the frames are matched to about this std, and the seam blended (continueFrom).
      const obs = this.cfg.inpaintStd ** 2;
      let gram: Float64Array;
      if (rows <= dim && obs > 0) {
        // Well conditioned: the large product on the tfjs backend in float32.
        const Mt = tf.tensor2d(Float32Array.from(M), [rows, dim]);
        const scaled = tf.mul(Mt, tf.tensor1d(Float32Array.from(variance)));
        const prod = tf.matMul(scaled, tf.transpose(Mt));
        gram = Float64Array.from(prod.dataSync());
        tf.dispose([Mt, scaled, prod]);
        for (let i = 0; i < rows; i++) gram[i * rows + i]! += obs;
      } else if (rows <= dim) {
        gram = new Float64Array(rows * rows);
        for (let i = 0; i < rows; i++) for (let k = i; k < rows; k++) { let v = 0; for (let j = 0; j < dim; j++) v += M[i * dim + j]! * variance[j]! * M[k * dim + j]!; gram[i * rows + k] = v; gram[k * rows + i] = v; }
      } else {
        gram = new Float64Array(dim * dim);
        for (let i = 0; i < dim; i++) for (let k = i; k < dim; k++) { let v = 0; for (let r = 0; r < rows; r++) v += M[r * dim + i]! * M[r * dim + k]!; gram[i * dim + k] = v; gram[k * dim + i] = v; }
      }
      const size = rows <= dim ? rows : dim;
      addRidge(gram, size);
      const level = { variance, L: cholesky(gram, size) };
      levels.set(a, level);
      return level;
    };
    const resid = new Float64Array(rows), eps = new Float64Array(dim), mtr = new Float64Array(dim);
    return (x, knownFrames, n, a, s, rng) => {
      const { variance, L } = levelFor(a);
      for (let i = 0; i < n; i++) {
        const xo = i * dim;
        if (s > 0) for (let j = 0; j < dim; j++) eps[j] = rng.normal();
        for (let r = 0; r < rows; r++) {
          let cur = c[r]!, noise = 0;
          const mo = r * dim;
          for (let j = 0; j < dim; j++) {
            cur += M[mo + j]! * x[xo + j]!;
            if (s > 0) noise += M[mo + j]! * eps[j]!;
          }
          resid[r] = a * knownFrames[i * rows + r]! + (1 - a) * c[r]! + s * noise - cur;
        }
        if (rows <= dim) {
          // Δx = Λ·Mᵀ·(M·Λ·Mᵀ + obs·I)⁻¹·resid
          const g = choleskySolve(L, resid, rows);
          for (let j = 0; j < dim; j++) {
            let v = 0;
            for (let r = 0; r < rows; r++) v += M[r * dim + j]! * g[r]!;
            x[xo + j]! += variance[j]! * v;
          }
        } else {
          // Least squares: Δx = (MᵀM)⁻¹·Mᵀ·resid
          for (let j = 0; j < dim; j++) { let v = 0; for (let r = 0; r < rows; r++) v += M[r * dim + j]! * resid[r]!; mtr[j] = v; }
          const g = choleskySolve(L, mtr, dim);
          for (let j = 0; j < dim; j++) x[xo + j]! += g[j]!;
        }
      }
    };
  }

  sample(labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    return this.reverse(labels, rng, options, null);
  }

  continueFrom(prefix: Float32Array, known: number, labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    const out = this.reverse(labels, rng, options, { frames: prefix, count: known });
    // Known frames matched only to inpaintStd (or in least squares): blend the seam away.
    return this.cfg.inpaintStd > 0 || this.cfg.pcaComponents > 0 ? blendPrefix(out, prefix, known, labels.length, this.W, this.D) : out;
  }

  /** Samples x_t ~ q(x_t | x_0) for timestep index t (tests and the bound). */
  forwardNoise(x0: Float32Array, t: number, rng: Rng): Float32Array {
    const ab = this.schedule.alphaBars[t]!;
    const a = Math.sqrt(ab), s = Math.sqrt(1 - ab);
    return x0.map((v) => a * v + s * rng.normal());
  }

  // ------------------------------------------------------------ held-out figures

  evaluate(windows: Float32Array, labels: Int32Array, rng: Rng): Record<string, number> {
    const n = labels.length, dim = this.dim, T = this.cfg.diffusionSteps, K = this.cfg.elboTimesteps;
    const net = this.samplingNet();
    const { alphaBars, alphas, betas } = this.schedule;
    const x0 = this.toModel(windows, n);
    // L_T: KL(q(x_T | x_0) ‖ N(0, I)), exact.
    const abT = alphaBars[T - 1]!;
    let lT = 0;
    for (let k = 0; k < n * dim; k++) lT += 0.5 * (abT * x0[k]! ** 2 + (1 - abT) - 1 - Math.log(1 - abT));
    // L_0: −log N(x_0; μ_θ(x_1, 1), β_1), one network pass at t index 0.
    let l0 = 0, lMid = 0;
    const chunk = 256;
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      const xs = x0.subarray(s * dim, (s + m) * dim);
      const lab = labels.subarray(s, s + m);
      {
        const x1 = this.forwardNoise(xs, 0, rng);
        const { eps } = this.split(x1, this.withSkip(net.forward(this.inputs(x1, new Int32Array(m), lab, m), m), x1, 0), 0);
        const c1 = 1 / Math.sqrt(alphas[0]!), c2 = betas[0]! / Math.sqrt(1 - alphaBars[0]!);
        for (let k = 0; k < m * dim; k++) {
          const mu = c1 * (x1[k]! - c2 * eps[k]!);
          l0 += (0.5 * (xs[k]! - mu) ** 2) / betas[0]! + 0.5 * Math.log(2 * Math.PI * betas[0]!);
        }
      }
      // Σ_{t=2}^{T} L_{t−1} ≈ (T − 1)·E_t[L_{t−1}], t uniform; with ε-parametrisation
      // L_{t−1} = β_t² / (2 σ_t² α_t (1 − ᾱ_t)) · ‖ε − ε̂‖², σ_t² = β̃_t (Ho et al. eq. 12).
      for (let r = 0; r < K; r++) {
        const t = new Int32Array(m);
        const eps = new Float32Array(m * dim);
        rng.fillNormal(eps);
        const xt = new Float32Array(m * dim);
        for (let i = 0; i < m; i++) {
          t[i] = 1 + rng.int(T - 1);
          const a = Math.sqrt(alphaBars[t[i]!]!), sd = Math.sqrt(1 - alphaBars[t[i]!]!);
          for (let k = 0; k < dim; k++) xt[i * dim + k] = a * xs[i * dim + k]! + sd * eps[i * dim + k]!;
        }
        const out = this.withSkip(net.forward(this.inputs(xt, t, lab, m), m), xt, t);
        for (let i = 0; i < m; i++) {
          const ti = t[i]!;
          const ab = alphaBars[ti]!, sd = Math.sqrt(1 - ab);
          const sigma2 = (betas[ti]! * (1 - alphaBars[ti - 1]!)) / (1 - ab);
          const w = betas[ti]! ** 2 / (2 * sigma2 * alphas[ti]! * (1 - ab));
          let err = 0;
          for (let k = 0; k < dim; k++) {
            const o = out[i * dim + k]!;
            const epsHat = this.cfg.prediction === 'epsilon' ? o : (xt[i * dim + k]! - Math.sqrt(ab) * o) / sd;
            err += (eps[i * dim + k]! - epsHat) ** 2;
          }
          lMid += ((T - 1) * w * err) / K;
        }
      }
    }
    return {
      nll_elbo_per_dim: (lT + l0 + lMid) / (n * dim),
      elbo_prior_term_per_dim: lT / (n * dim),
      elbo_decoder_term_per_dim: l0 / (n * dim),
      modelled_numbers_per_window: dim,
    };
  }

  // ------------------------------------------------------------ checkpoints

  checkpoint(): CheckpointData {
    return {
      weights: weightsOf(this.params),
      optimizers: { optimizer: this.optimizer.getState() },
      arrays: [
        ...this.net.params.map((p, i) => ({ name: `ema/${p.name}`, shape: [...p.variable.shape], data: this.ema[i]!.slice() })),
        { name: 'data/mean', shape: [this.coefDim], data: this.dataMean.slice() },
        { name: 'data/std', shape: [this.coefDim], data: this.dataStd.slice() },
        { name: 'data/pca_basis', shape: [this.pcaBasis.length], data: this.pcaBasis.slice() },
        { name: 'data/pca_scale', shape: [this.pcaScale.length], data: this.pcaScale.slice() },
      ],
      state: { step: this.step, rng: this.ctx.rng.getState(), dataStatsReady: this.dataStatsReady },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    this.net.params.forEach((p, i) => this.ema[i]!.set(requireArray(data.arrays, `ema/${p.name}`, where, p.variable.size)));
    this.emaFresh = false;
    this.dataMean.set(requireArray(data.arrays, 'data/mean', where, this.coefDim));
    this.dataStd.set(requireArray(data.arrays, 'data/std', where, this.coefDim));
    this.pcaBasis.set(requireArray(data.arrays, 'data/pca_basis', where, this.pcaBasis.length));
    this.pcaScale.set(requireArray(data.arrays, 'data/pca_scale', where, this.pcaScale.length));
    this.dataStatsReady = (data.state as { dataStatsReady?: boolean }).dataStatsReady === true;
    this.inpainters.clear();
    this.skipWeights.clear();
    this.step = restoreTrainingState(data, where, this.optimizer, this.ctx.rng);
  }

  dispose(): void {
    this.net.dispose();
    this.emaNet.dispose();
  }
}

/** Adds a relative ridge (1e-12 of the mean diagonal) so a rank-deficient Gram matrix still factors. */
function addRidge(a: Float64Array, n: number): void {
  let tr = 0;
  for (let i = 0; i < n; i++) tr += a[i * n + i]!;
  const eps = 1e-12 * (tr / n) + 1e-300;
  for (let i = 0; i < n; i++) a[i * n + i]! += eps;
}

/**
 * The top `k` eigenvectors (columns of [n × k]) and eigenvalues of a symmetric PSD matrix by
 * subspace iteration (40 rounds, Gram–Schmidt) and a Rayleigh–Ritz step; eigenvalues descending.
 */
function topEigenvectors(a: ArrayLike<number>, n: number, k: number, rng: Rng): { vectors: Float32Array; values: Float64Array } {
  if (2 * k > n) {
    // Most of the spectrum: a full Jacobi decomposition is cheaper than iterating k vectors.
    const { values, vectors } = symmetricEigen(a, n);
    const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => values[q]! - values[p]!).slice(0, k);
    const out = new Float32Array(n * k);
    order.forEach((src, j) => { for (let r = 0; r < n; r++) out[r * k + j] = vectors[r * n + src]!; });
    return { vectors: out, values: Float64Array.from(order, (i) => values[i]!) };
  }
  let Q: Float64Array<ArrayBuffer> = new Float64Array(n * k);
  for (let i = 0; i < Q.length; i++) Q[i] = rng.normal();
  // Q's columns are the k vectors.
  orthonormalize(Q, k, n, 1, k);
  for (let it = 0; it < 40; it++) {
    Q = matMul(a, Q, n, n, k) as Float64Array<ArrayBuffer>;
    orthonormalize(Q, k, n, 1, k);
  }
  // Rayleigh–Ritz: eigenvectors of Qᵀ A Q rotate Q onto the eigenvectors.
  const AQ = matMul(a, Q, n, n, k);
  const small = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) { let v = 0; for (let r = 0; r < n; r++) v += Q[r * k + i]! * AQ[r * k + j]!; small[i * k + j] = v; }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) { const v = (small[i * k + j]! + small[j * k + i]!) / 2; small[i * k + j] = v; small[j * k + i] = v; }
  const { values, vectors } = symmetricEigen(small, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((p, q) => values[q]! - values[p]!);
  const out = new Float32Array(n * k);
  const vals = new Float64Array(k);
  order.forEach((src, j) => {
    vals[j] = values[src]!;
    for (let r = 0; r < n; r++) { let v = 0; for (let i = 0; i < k; i++) v += Q[r * k + i]! * vectors[i * k + src]!; out[r * k + j] = v; }
  });
  return { vectors: out, values: vals };
}

function identity(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

export const diffusion: PriorDefinition<typeof diffusionSchema> = {
  name: 'diffusion',
  description: 'DDPM on motion windows (linear/cosine schedule, ε or x₀ prediction), DDIM sampling, classifier-free guidance, inpainting for long motions',
  schema: diffusionSchema,
  create: (ctx, cfg) => new Diffusion(ctx, cfg),
};
