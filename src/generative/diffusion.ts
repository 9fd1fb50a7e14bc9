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
 * Karras et al. 2022: ε̂ = √(1 − ᾱ_t)·x_t + net(·) (x̂₀ = √ᾱ_t·x_t + net(·)), the posterior means for
 * unit-variance data; so the network learns a residual and never has to carry the whole window
 * through its hidden layers (an MLP narrower than the window cannot represent the identity). It may work on the window's slow part: with `dctCoefficients` =
 * K > 0 a window is first projected on the K lowest frequencies of an orthonormal DCT along time
 * (ops.ts), halving the numbers for K = W/2 and keeping motion above K/(2W)·30 Hz out of the
 * samples (real motion has little there: 8 of 16 coefficients keep 0–7.5 Hz). K = 0 works on the
 * frames as they are.
 *
 * Long motions are chained by inpainting: the first frames of each new window are known (the end
 * of the motion so far). After every denoising step the window is corrected so that its known
 * frames equal the known frames noised to the current step (the replacement method of Song et al.
 * 2021 and RePaint); in DCT space the correction is the least-squares update of the coefficients
 * that makes the known frames match exactly. At the last step the known frames are matched
 * without noise, so the new window starts exactly where the motion was.
 *
 * Held-out likelihood: the variational bound L_T + Σ L_{t−1} + L_0 (Ho et al. eq. 5) with the
 * reverse variance σ_t² = β̃_t, its sum over t estimated by Monte Carlo over uniform t, in nats per
 * modelled number (per DCT coefficient when K > 0, which then does not compare with the others).
 *
 * An exponential moving average of the weights (decay 0.999, warmed up as (1 + n)/(10 + n)) is
 * kept and used for sampling and evaluation, as DDPM does.
 */
import { z } from 'zod';
import { FileFormatError, UsageError } from '../core/errors.ts';
import type { Rng, RngState } from '../core/rng.ts';
import { requireArray, restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { Mlp, type Param } from '../nn/mlp.ts';
import { Adam, assignArray, clipGradNorm } from '../nn/optim.ts';
import { WindowSampler, type MotionDataset } from './dataset.ts';
import { solveSpd } from './linalg.ts';
import { dctBasis, fromDct, toDct } from './ops.ts';
import { warmup, type MotionPrior, type PriorContext, type PriorDefinition, type SampleOptions } from './prior.ts';

export const diffusionSchema = z
  .object({
    diffusionSteps: z.number().int().min(2).default(1000).describe('training noise levels T (DDPM and MDM: 1000)'),
    schedule: z.enum(['cosine', 'linear']).default('cosine').describe('noise schedule: cosine (Nichol & Dhariwal, s = 0.008; MDM) or linear β (Ho et al.)'),
    betaStart: z.number().positive().default(1e-4).describe('linear schedule: β_1 (Ho et al.: 1e-4)'),
    betaEnd: z.number().positive().default(0.02).describe('linear schedule: β_T (Ho et al.: 0.02)'),
    prediction: z.enum(['epsilon', 'x0']).default('epsilon').describe('what the network predicts: the noise ε (DDPM) or the clean window x₀ (MDM)'),
    hidden: z.array(z.number().int().min(1)).min(1).default([512, 512, 512]).describe('hidden layer widths of the denoising MLP'),
    timeEmbedding: z.number().int().min(2).default(64).describe('size of the sinusoidal timestep embedding (even)'),
    dctCoefficients: z.number().int().min(0).default(8).describe('model the K lowest DCT coefficients along time of each window (0: the frames themselves)'),
    conditional: z.boolean().default(true).describe('condition on the clip-family label'),
    condDropProbability: z.number().min(0).max(1).default(0.1).describe('probability of replacing the label by the no-label token in training (classifier-free guidance; Ho & Salimans, MDM: 0.1)'),
    batchSize: z.number().int().min(1).default(64).describe('windows per optimizer step'),
    learningRate: z.number().positive().default(5e-4).describe('Adam learning rate (after warm-up)'),
    warmupSteps: z.number().int().min(0).default(200).describe('steps over which the learning rate ramps linearly from 0'),
    gradClip: z.number().positive().default(1).describe('global gradient-norm clip (DDPM: 1)'),
    emaDecay: z.number().min(0).max(1).default(0.999).describe('decay of the weight moving average used for sampling (0: off)'),
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
  /** Numbers the network models per window: K·D (DCT) or W·D. */
  readonly dim: number;
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
  /**
   * Mean and std of each modelled number over the training windows, measured at the first step:
   * the network sees unit-variance numbers, which the noise schedule assumes (DCT coefficients
   * differ in scale by the window length).
   */
  readonly dataMean: Float32Array;
  readonly dataStd: Float32Array;
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
    this.dim = this.keep * this.D;
    this.dataMean = new Float32Array(this.dim);
    this.dataStd = new Float32Array(this.dim).fill(1);
    this.condSize = cfg.conditional ? ctx.numLabels + 1 : 0;
    this.inputSize = this.dim + cfg.timeEmbedding + this.condSize;
    this.schedule = noiseSchedule(cfg.schedule, cfg.diffusionSteps, cfg.betaStart, cfg.betaEnd);
    this.net = new Mlp('diffusion/denoiser', { sizes: [this.inputSize, ...cfg.hidden, this.dim], activation: 'relu' }, ctx.rng);
    // The average's own network: a second set of variables, weights copied in before sampling.
    this.emaNet = new Mlp('diffusion/ema', { sizes: [this.inputSize, ...cfg.hidden, this.dim], activation: 'relu' }, ctx.rng);
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

  /** Windows [n × W × D] → the modelled vectors [n × dim]: time basis, then per-number standardisation. */
  toModel(windows: Float32Array, n: number): Float32Array {
    const c = this.cfg.dctCoefficients > 0 ? toDct(windows, n, this.W, this.D, this.basis, this.keep) : windows.slice(0, n * this.dim);
    const { dim, dataMean, dataStd } = this;
    for (let k = 0; k < c.length; k++) c[k] = (c[k]! - dataMean[k % dim]!) / dataStd[k % dim]!;
    return c;
  }

  /** Modelled vectors → windows [n × W × D]. */
  toWindows(x: Float32Array, n: number): Float32Array {
    const { dim, dataMean, dataStd } = this;
    const c = x.map((v, k) => v * dataStd[k % dim]! + dataMean[k % dim]!);
    return this.cfg.dctCoefficients > 0 ? fromDct(c, n, this.W, this.D, this.basis, this.keep) : c;
  }

  /** Measures the per-number mean and std of the modelled vectors on 4096 training windows. */
  private measureData(): void {
    const n = 4096, windows = new Float32Array(n * this.W * this.D);
    this.sampler!.batch(this.ctx.rng, n, windows, new Int32Array(n));
    const c = this.cfg.dctCoefficients > 0 ? toDct(windows, n, this.W, this.D, this.basis, this.keep) : windows;
    const { dim } = this;
    const sum = new Float64Array(dim), sq = new Float64Array(dim);
    for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) { const v = c[i * dim + k]!; sum[k] += v; sq[k] += v * v; }
    for (let k = 0; k < dim; k++) {
      const m = sum[k]! / n;
      this.dataMean[k] = m;
      this.dataStd[k] = Math.max(1e-3, Math.sqrt(Math.max(0, sq[k]! / n - m * m)));
    }
    this.dataStatsReady = true;
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
        const d = pred[k]! + skip * xt[k]! - target[k]!;
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

  /** Weight of x_t in the prediction (see the header). */
  private skip(t: number): number {
    const ab = this.schedule.alphaBars[t]!;
    return this.cfg.prediction === 'epsilon' ? Math.sqrt(1 - ab) : Math.sqrt(ab);
  }

  /** Network output plus the skip term, in place: the prediction for rows of x_t at index t. */
  private withSkip(out: Float32Array, xt: Float32Array, t: number | ArrayLike<number>): Float32Array {
    const dim = this.dim;
    for (let i = 0; i < out.length / dim; i++) {
      const skip = this.skip(typeof t === 'number' ? t : t[i]!);
      for (let k = i * dim; k < (i + 1) * dim; k++) out[k]! += skip * xt[k]!;
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
      for (let k = 0; k < x0.length; k++) {
        if (x0[k]! > c) { x0[k] = c; clipped = true; } else if (x0[k]! < -c) { x0[k] = -c; clipped = true; }
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
    const fix = known ? this.inpainter(known.count) : null;
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
   * The inpainting correction for the first `count` frames: B_k (their rows of the time basis),
   * and P = B_kᵀ(B_k B_kᵀ)⁻¹, so that c ← c + P·(y − B_k·c) makes B_k·c = y with the smallest
   * change (with the identity basis: replace the known frames). It works on the unstandardised
   * coefficients c = μ + σ ⊙ x, where noising x_t = a·x_0 + s·ε reads c_t = a·c_0 + (1 − a)·μ +
   * s·σ ⊙ ε; so the known frames noised to the step are y = a·x_known + B_k·((1 − a)·μ + s·σ ⊙ ε).
   */
  private inpainter(count: number): (x: Float32Array, knownFrames: Float32Array, n: number, a: number, s: number, rng: Rng) => void {
    const { keep, D, basis, dim } = this;
    if (count > keep) throw new UsageError(`diffusion: cannot pin ${count} frames with ${keep} DCT coefficients`);
    const G = new Float64Array(count * count);
    for (let i = 0; i < count; i++) for (let j = 0; j < count; j++) { let v = 0; for (let k = 0; k < keep; k++) v += basis[i * keep + k]! * basis[j * keep + k]!; G[i * count + j] = v; }
    // P columns: P[:, j] = B_kᵀ · G⁻¹ e_j.
    const P = new Float64Array(keep * count);
    for (let j = 0; j < count; j++) {
      const e = new Float64Array(count); e[j] = 1;
      const g = solveSpd(G, e, count);
      for (let k = 0; k < keep; k++) { let v = 0; for (let i = 0; i < count; i++) v += basis[i * keep + k]! * g[i]!; P[k * count + j] = v; }
    }
    const resid = new Float64Array(count), offset = new Float64Array(keep);
    const { dataMean: mu, dataStd: sd } = this;
    return (x, knownFrames, n, a, s, rng) => {
      for (let r = 0; r < n; r++) {
        const xo = r * dim;
        for (let d = 0; d < D; d++) {
          for (let k = 0; k < keep; k++) offset[k] = (1 - a) * mu[k * D + d]! + (s > 0 ? s * sd[k * D + d]! * rng.normal() : 0);
          for (let i = 0; i < count; i++) {
            let cur = 0, off = 0;
            for (let k = 0; k < keep; k++) {
              const b = basis[i * keep + k]!;
              cur += b * (mu[k * D + d]! + sd[k * D + d]! * x[xo + k * D + d]!);
              off += b * offset[k]!;
            }
            resid[i] = a * knownFrames[(r * count + i) * D + d]! + off - cur;
          }
          for (let k = 0; k < keep; k++) {
            let v = 0;
            for (let i = 0; i < count; i++) v += P[k * count + i]! * resid[i]!;
            x[xo + k * D + d]! += v / sd[k * D + d]!;
          }
        }
      }
    };
  }

  sample(labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    return this.reverse(labels, rng, options, null);
  }

  continueFrom(prefix: Float32Array, known: number, labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    return this.reverse(labels, rng, options, { frames: prefix, count: known });
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
        { name: 'data/mean', shape: [this.dim], data: this.dataMean.slice() },
        { name: 'data/std', shape: [this.dim], data: this.dataStd.slice() },
      ],
      state: { step: this.step, rng: this.ctx.rng.getState(), dataStatsReady: this.dataStatsReady },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    this.net.params.forEach((p, i) => this.ema[i]!.set(requireArray(data.arrays, `ema/${p.name}`, where, p.variable.size)));
    this.emaFresh = false;
    this.dataMean.set(requireArray(data.arrays, 'data/mean', where, this.dim));
    this.dataStd.set(requireArray(data.arrays, 'data/std', where, this.dim));
    this.dataStatsReady = (data.state as { dataStatsReady?: boolean }).dataStatsReady === true;
    const opt = data.optimizers.optimizer;
    if (!opt) throw new FileFormatError(where, 'optimizer', 'missing');
    this.optimizer.setState(opt);
    const s = data.state as { step?: number; rng?: RngState };
    if (typeof s.step !== 'number' || !s.rng) throw new FileFormatError(where, 'state.json', 'missing step or rng');
    this.step = s.step;
    this.ctx.rng.setState(s.rng);
  }

  dispose(): void {
    this.net.dispose();
    this.emaNet.dispose();
  }
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
