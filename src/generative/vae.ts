/**
 * Conditional β-VAE on motion windows (Kingma & Welling 2014; Higgins et al. 2017 for β; Sohn et
 * al. 2015 for the label condition).
 *
 *   encoder  q(z | x, c) = N(μ, diag σ²)      MLP [x, onehot(c)] → [μ, log σ²]
 *   decoder  p(x | z, c) = N(f(z, c), diag s²) MLP [z, onehot(c)] → f; s one learned value per number
 *   prior    p(z) = N(0, I)
 *   loss     E_q[−log p(x | z, c)] + β·KL(q ‖ p), the expectation with one reparameterised sample
 *            z = μ + σ·ε (ε drawn from the run's Rng), β ramped from 0 over `klWarmupSteps`
 *
 * With β = 1 the loss is the negative ELBO. Held-out figures: −ELBO and the importance-weighted
 * bound (Burda et al. 2016) with K samples, both in nats per standardised number; reconstruction
 * error; KL per latent; active units (latents whose posterior mean varies across the data with
 * variance > 0.01, Burda et al.'s definition: posterior collapse shows as few of them).
 *
 * With `dctCoefficients` = K the decoder outputs K coefficients per number and its mean is their
 * inverse DCT along time (ops.ts): a smooth curve through the window, with the likelihood still
 * a Gaussian on the frames, so the ELBO stays a bound on the frames' likelihood.
 *
 * Sampling decodes z ~ N(0, T²·I) to the decoder mean. Long motions: the VAE cannot inpaint, so
 * each next window is the best of `candidates` samples at matching the previous window's last
 * frames, blended into them (prior.ts, stitchBest).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../core/rng.ts';
import { restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { Mlp, trainableVariable, type Param } from '../nn/mlp.ts';
import { Adam, clipGradNorm, lossAndGrads } from '../nn/optim.ts';
import { WindowSampler, type MotionDataset } from './dataset.ts';
import { dctBasis, matMul, mlpApply, oneHot } from './ops.ts';
import { continueBestOfK, fillLabels, restoreTrainingState, warmup, type MotionPrior, type PriorContext, type PriorDefinition, type SampleOptions } from './prior.ts';

export const vaeSchema = z
  .object({
    latentSize: z.number().int().min(1).default(32).describe('latent dimensions'),
    hidden: z.array(z.number().int().min(1)).default([256, 256]).describe('hidden layer widths of the encoder and of the decoder ([] gives linear maps: the linear-Gaussian model of the tests)'),
    beta: z.number().min(0).default(1).describe('weight of the KL term (β-VAE; 1 gives the ELBO)'),
    klWarmupSteps: z.number().int().min(0).default(1000).describe('steps over which β ramps linearly from 0 (against early posterior collapse)'),
    conditional: z.boolean().default(true).describe('condition encoder and decoder on the clip-family label'),
    dctCoefficients: z.number().int().min(0).default(0).describe('decoder mean as K DCT coefficients per number along time (a smooth curve through the window); 0: one value per frame'),
    minLogStd: z.number().default(-3).describe('floor of the decoder log standard deviation (per standardised number)'),
    batchSize: z.number().int().min(1).default(64).describe('windows per optimizer step'),
    learningRate: z.number().positive().default(1e-3).describe('Adam learning rate'),
    gradClip: z.number().positive().default(10).describe('global gradient-norm clip'),
    iwaeSamples: z.number().int().min(1).default(64).describe('importance samples K of the held-out importance-weighted bound'),
    candidates: z.number().int().min(1).default(16).describe('samples drawn per window when chaining, the best match kept'),
  })
  .strict();
export type VaeConfig = z.output<typeof vaeSchema>;

const LOG_2PI = Math.log(2 * Math.PI);

export class WindowVae implements MotionPrior {
  readonly family = 'vae' as const;
  readonly params: Param[];
  step = 0;
  readonly encoder: Mlp;
  readonly decoder: Mlp;
  /** Decoder log standard deviation per window number (before the floor). */
  private readonly logStd: tf.Variable;
  private readonly optimizer: Adam;
  private readonly dim: number;
  private readonly condSize: number;
  private sampler: WindowSampler | null = null;
  /** Decoder mean basis: [frames × K] DCT basis as a tensor, or null (one value per frame). */
  private readonly basis: tf.Tensor2D | null;
  private readonly decoderRows: number;

  constructor(
    private readonly ctx: PriorContext,
    readonly cfg: VaeConfig,
  ) {
    this.dim = ctx.frames * ctx.featureSize;
    this.condSize = cfg.conditional ? ctx.numLabels : 0;
    const Z = cfg.latentSize;
    this.encoder = new Mlp('vae/encoder', { sizes: [this.dim + this.condSize, ...cfg.hidden, 2 * Z], activation: 'relu', outputGain: 0.1 }, ctx.rng);
    if (cfg.dctCoefficients > ctx.frames) throw new RangeError(`vae: dctCoefficients ${cfg.dctCoefficients} exceeds the window's ${ctx.frames} frames`);
    this.decoderRows = cfg.dctCoefficients > 0 ? cfg.dctCoefficients : ctx.frames;
    this.basis = cfg.dctCoefficients > 0 ? tf.keep(tf.tensor2d(dctBasis(ctx.frames, cfg.dctCoefficients), [ctx.frames, cfg.dctCoefficients])) : null;
    this.decoder = new Mlp('vae/decoder', { sizes: [Z + this.condSize, ...cfg.hidden, this.decoderRows * ctx.featureSize], activation: 'relu' }, ctx.rng);
    this.logStd = trainableVariable(() => tf.zeros([this.dim]), 'vae/decoder/log_std');
    this.params = [...this.encoder.params, ...this.decoder.params, { name: 'vae/decoder/log_std', variable: this.logStd }];
    this.optimizer = new Adam(this.params, { lr: cfg.learningRate });
  }

  // ------------------------------------------------------------ the model as tensors

  private cond(labels: Int32Array): tf.Tensor2D | null {
    return this.condSize > 0 ? tf.tensor2d(oneHot(labels, this.condSize), [labels.length, this.condSize]) : null;
  }

  private withCond(x: tf.Tensor2D, c: tf.Tensor2D | null): tf.Tensor2D {
    return c ? tf.concat([x, c], 1) : x;
  }

  /** Encoder: μ and log σ² [n × Z]. */
  private encode(x: tf.Tensor2D, c: tf.Tensor2D | null): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    const h = mlpApply(this.encoder, this.withCond(x, c));
    const Z = this.cfg.latentSize;
    const n = x.shape[0];
    // Soft bound on log σ² keeps exp() finite early in training.
    const raw = tf.slice(h, [0, Z], [n, Z]);
    return { mu: tf.slice(h, [0, 0], [n, Z]), logVar: tf.mul(6, tf.tanh(tf.div(raw, 6))) as tf.Tensor2D };
  }

  /** Decoder mean [n × frames·D]: the MLP's output, or the curve through its DCT coefficients. */
  private decode(zs: tf.Tensor2D, c: tf.Tensor2D | null): tf.Tensor2D {
    const out = mlpApply(this.decoder, this.withCond(zs, c));
    if (!this.basis) return out;
    const n = zs.shape[0], K = this.decoderRows, D = this.ctx.featureSize, W = this.ctx.frames;
    // [n, K, D] → [K, n·D]; frames = B·coefficients → [W, n·D] → [n, W·D].
    const coef = tf.reshape(tf.transpose(tf.reshape(out, [n, K, D]), [1, 0, 2]), [K, n * D]) as tf.Tensor2D;
    return tf.reshape(tf.transpose(tf.reshape(matMul(this.basis, coef), [W, n, D]), [1, 0, 2]), [n, W * D]) as tf.Tensor2D;
  }

  /** The decoder's log standard deviation per number, floor applied. */
  decoderLogStd(): tf.Tensor1D {
    return tf.maximum(this.logStd, this.cfg.minLogStd) as tf.Tensor1D;
  }

  /** −log p(x | z) per row, nats (sum over the window's numbers). */
  private reconNll(x: tf.Tensor2D, mean: tf.Tensor2D): tf.Tensor1D {
    const ls = this.decoderLogStd();
    const zsq = tf.square(tf.div(tf.sub(x, mean), tf.exp(ls)));
    return tf.add(tf.mul(0.5, tf.sum(zsq, 1)), tf.sum(ls).add(0.5 * this.dim * LOG_2PI)) as tf.Tensor1D;
  }

  /** KL(N(μ, σ²) ‖ N(0, I)) per row and per latent [n × Z]. */
  private klTerms(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
    return tf.mul(0.5, tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1))) as tf.Tensor2D;
  }

  // ------------------------------------------------------------ training

  trainStep(ds: MotionDataset): Record<string, number> {
    const { cfg, ctx } = this;
    const B = cfg.batchSize, Z = cfg.latentSize;
    this.sampler ??= new WindowSampler(ds, ctx.frames);
    const x = new Float32Array(B * this.dim), labels = new Int32Array(B);
    this.sampler.batch(ctx.rng, B, x, labels);
    const eps = new Float32Array(B * Z);
    ctx.rng.fillNormal(eps);
    const beta = cfg.beta * warmup(this.step, cfg.klWarmupSteps);
    const { loss, grads, aux } = lossAndGrads(this.params, () => {
      const xt = tf.tensor2d(x, [B, this.dim]);
      const c = this.cond(labels);
      const { mu, logVar } = this.encode(xt, c);
      const zs = tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVar)), tf.tensor2d(eps, [B, Z]))) as tf.Tensor2D;
      const recon = tf.mean(this.reconNll(xt, this.decode(zs, c)));
      const kl = tf.mean(tf.sum(this.klTerms(mu, logVar), 1));
      // Per standardised number, so learning rates carry across window sizes.
      const total = tf.div(tf.add(recon, tf.mul(beta, kl)), this.dim) as tf.Scalar;
      return { loss: total, aux: { recon: tf.div(recon, this.dim) as tf.Scalar, kl: kl as tf.Scalar } };
    });
    const gradNorm = clipGradNorm(grads, cfg.gradClip);
    this.optimizer.step(grads);
    this.step++;
    return { 'losses/loss': loss, 'losses/recon_nll_per_dim': aux.recon!, 'losses/kl': aux.kl!, 'charts/beta': beta, 'losses/grad_norm': gradNorm };
  }

  // ------------------------------------------------------------ sampling

  sample(labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    const n = labels.length, Z = this.cfg.latentSize;
    const lab = fillLabels(labels.slice(), this.ctx.labelFrequencies, rng);
    const eps = new Float32Array(n * Z);
    rng.fillNormal(eps, 0, options.temperature ?? 1);
    return tf.tidy(() => {
      const out = this.decode(tf.tensor2d(eps, [n, Z]), this.cond(lab));
      return out.dataSync() as Float32Array;
    }).slice();
  }

  continueFrom(prefix: Float32Array, known: number, labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    const k = options.candidates ?? this.cfg.candidates;
    return continueBestOfK((rep) => this.sample(rep, rng, options), prefix, known, labels, rng, k, this.ctx.labelFrequencies, this.ctx.frames, this.ctx.featureSize);
  }

  /** Decoder mean of the posterior mean: the reconstruction of each window. */
  reconstruct(windows: Float32Array, labels: Int32Array): Float32Array {
    const n = labels.length;
    return tf.tidy(() => {
      const c = this.cond(labels);
      const { mu } = this.encode(tf.tensor2d(windows, [n, this.dim]), c);
      return this.decode(mu, c).dataSync() as Float32Array;
    }).slice();
  }

  // ------------------------------------------------------------ held-out figures

  evaluate(windows: Float32Array, labels: Int32Array, rng: Rng): Record<string, number> {
    const n = labels.length, Z = this.cfg.latentSize, K = this.cfg.iwaeSamples, D = this.dim;
    let elbo = 0, iwae = 0, recon = 0, mse = 0;
    const klPer = new Float64Array(Z);
    const muSum = new Float64Array(Z), muSq = new Float64Array(Z);
    const chunk = Math.max(1, Math.floor(2048 / K));
    for (let s = 0; s < n; s += chunk) {
      const m = Math.min(chunk, n - s);
      const xs = windows.subarray(s * D, (s + m) * D);
      const lab = labels.subarray(s, s + m);
      const eps = new Float32Array(m * K * Z);
      rng.fillNormal(eps);
      const r = tf.tidy(() => {
        const x = tf.tensor2d(xs, [m, D]);
        const c = this.cond(lab);
        const { mu, logVar } = this.encode(x, c);
        const kl = this.klTerms(mu, logVar);
        const meanRecon = this.decode(mu, c);
        // K posterior samples per window: rows i·K … i·K + K − 1.
        const rep = (t: tf.Tensor2D) => tf.reshape(tf.tile(tf.expandDims(t, 1), [1, K, 1]), [m * K, t.shape[1]]) as tf.Tensor2D;
        const muK = rep(mu), lvK = rep(logVar);
        const e = tf.tensor2d(eps, [m * K, Z]);
        const zK = tf.add(muK, tf.mul(tf.exp(tf.mul(0.5, lvK)), e)) as tf.Tensor2D;
        const nllK = this.reconNll(rep(x), this.decode(zK, c ? rep(c) : null));
        // log w = log p(x|z) + log p(z) − log q(z|x); log q uses the same ε.
        const logPz = tf.sub(tf.mul(-0.5, tf.sum(tf.square(zK), 1)), 0.5 * Z * LOG_2PI);
        const logQ = tf.sub(tf.sub(tf.mul(-0.5, tf.sum(tf.square(e), 1)), tf.mul(0.5, tf.sum(lvK, 1))), 0.5 * Z * LOG_2PI);
        const logW = tf.reshape(tf.sub(tf.add(tf.neg(nllK), logPz), logQ), [m, K]);
        const iw = tf.sub(tf.logSumExp(logW, 1), Math.log(K));
        // ELBO with the K samples averaged: E_q[log p(x|z)] − KL (analytic).
        const elboRows = tf.sub(tf.neg(tf.mean(tf.reshape(nllK, [m, K]), 1)), tf.sum(kl, 1));
        return {
          elbo: tf.sum(elboRows).dataSync()[0]!,
          iwae: tf.sum(iw).dataSync()[0]!,
          mse: tf.sum(tf.square(tf.sub(x, meanRecon))).dataSync()[0]!,
          recon: tf.sum(tf.mean(tf.reshape(nllK, [m, K]), 1)).dataSync()[0]!,
          kl: tf.sum(kl, 0).dataSync() as Float32Array,
          mu: mu.dataSync() as Float32Array,
        };
      });
      elbo += r.elbo; iwae += r.iwae; mse += r.mse; recon += r.recon;
      for (let j = 0; j < Z; j++) klPer[j] += r.kl[j]!;
      for (let i = 0; i < m; i++) for (let j = 0; j < Z; j++) { const v = r.mu[i * Z + j]!; muSum[j] += v; muSq[j] += v * v; }
    }
    let active = 0;
    for (let j = 0; j < Z; j++) if (muSq[j]! / n - (muSum[j]! / n) ** 2 > 0.01) active++;
    return {
      nll_elbo_per_dim: -elbo / (n * D),
      nll_iwae_per_dim: -iwae / (n * D),
      recon_nll_per_dim: recon / (n * D),
      recon_mse: mse / (n * D),
      kl_per_latent: klPer.reduce((a, b) => a + b, 0) / (n * Z),
      kl_per_latent_max: Math.max(...klPer) / n,
      active_units: active,
      latent_size: Z,
    };
  }

  // ------------------------------------------------------------ checkpoints

  checkpoint(): CheckpointData {
    return {
      weights: weightsOf(this.params),
      optimizers: { optimizer: this.optimizer.getState() },
      arrays: [],
      state: { step: this.step, rng: this.ctx.rng.getState() },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    this.step = restoreTrainingState(data, where, this.optimizer, this.ctx.rng);
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.logStd.dispose();
    this.basis?.dispose();
  }
}

export const vae: PriorDefinition<typeof vaeSchema> = {
  name: 'vae',
  description: 'conditional β-VAE on motion windows (Gaussian latent, reparameterisation trick)',
  schema: vaeSchema,
  create: (ctx, cfg) => new WindowVae(ctx, cfg),
};
