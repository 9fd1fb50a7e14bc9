/**
 * Normalizing flow on motion windows, Glow-style (Kingma & Dhariwal 2018) with RealNVP affine
 * couplings (Dinh et al. 2017), as MoGlow (Henter et al. 2020) uses them on motion, optionally
 * conditioned on the label.
 *
 * A window is W frames × D numbers; like Glow's image, it has "channels" (the D numbers of a
 * frame) and positions (the W frames). Each of K flow steps is
 *
 *   1. ActNorm: y = (x + b) ⊙ exp(s) per channel, b and s set from the first batch so that
 *      every channel has zero mean and unit variance (data-dependent init);   log-det = W·Σ s
 *   2. invertible linear map of the channels, the same at every frame (Glow's invertible 1×1
 *      convolution) in LU form: M = P·L·(U + diag(σ ⊙ exp(ℓ))), P a fixed random permutation,
 *      L unit lower triangular, U strictly upper triangular, σ fixed signs; log-det = W·Σ ℓ
 *      (tfjs has no determinant or inverse: the LU form gives both, the inverse by triangular
 *      substitution in linalg.ts when sampling);
 *   3. affine coupling: the first D/2 channels of every frame pass unchanged and, flattened with
 *      the label's one-hot, feed an MLP that outputs a log-scale and a shift for the other half:
 *      y_b = x_b ⊙ exp(ls) + t, ls = c·tanh(raw / c) (soft clamp for stability); log-det = Σ ls.
 *      The MLP's last layer starts at zero, so the coupling starts as the identity (Glow).
 *
 * The log-likelihood is exact: log p(x) = log N(f(x); 0, I) + Σ log-dets, reported in nats per
 * standardised number. Many features are constant within the data (the neck in most DeepMimic
 * clips), where a flow's density would grow without bound; as with dequantisation of images, the
 * flow models the data plus a little Gaussian noise (`dataNoise`), in training and evaluation. Sampling draws z ~ N(0, T²·I) (Glow's temperature T) and inverts the steps.
 * Long motions: best of `candidates` samples at matching the previous window's end (prior.ts).
 *
 * With `dctCoefficients` = K the flow models the K lowest coefficients of an orthonormal DCT
 * along time of each window (ops.ts) in place of its W frames: samples are smooth by
 * construction and the flow is smaller. The likelihood is then exact for the coefficients, not
 * for the frames (unless K = W, a rotation).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../core/rng.ts';
import { requireArray, restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { Mlp, trainableVariable, type Param } from '../nn/mlp.ts';
import { Adam, assignArray, clipGradNorm, lossAndGrads } from '../nn/optim.ts';
import { WindowSampler, type MotionDataset } from './dataset.ts';
import { inverseFromLU } from './linalg.ts';
import { dctBasis, fromDct, matMul, mlpApply, oneHot, standardNormalLogProb, toDct } from './ops.ts';
import { continueBestOfK, fillLabels, restoreTrainingState, warmup, type MotionPrior, type PriorContext, type PriorDefinition, type SampleOptions } from './prior.ts';

export const flowSchema = z
  .object({
    flowSteps: z.number().int().min(1).default(4).describe('flow steps K (ActNorm → invertible linear → affine coupling)'),
    hidden: z.array(z.number().int().min(1)).min(1).default([256, 256]).describe('hidden layer widths of each coupling network'),
    conditional: z.boolean().default(true).describe('condition every coupling on the clip-family label'),
    scaleClamp: z.number().positive().default(2).describe('soft bound c on the coupling log-scale: ls = c·tanh(raw / c)'),
    zeroInit: z.boolean().default(true).describe('start each coupling as the identity (zero last layer, as Glow)'),
    dctCoefficients: z.number().int().min(0).default(0).describe('model the K lowest DCT coefficients along time of each window instead of its frames (0: the frames; K = window length: all of them, an orthonormal change of basis that keeps the likelihood exact)'),
    dataNoise: z.number().min(0).default(0.02).describe('std of Gaussian noise added to the standardised data in training and evaluation, so features that are constant in the data (the neck of most DeepMimic clips) do not get infinite density'),
    batchSize: z.number().int().min(1).default(64).describe('windows per optimizer step'),
    learningRate: z.number().positive().default(1e-3).describe('Adam learning rate (after warm-up)'),
    warmupSteps: z.number().int().min(0).default(200).describe('steps over which the learning rate ramps linearly from 0 (Glow)'),
    gradClip: z.number().positive().default(50).describe('global gradient-norm clip'),
    temperature: z.number().positive().default(0.7).describe('default sampling temperature T (Glow samples at 0.7)'),
    candidates: z.number().int().min(1).default(16).describe('samples drawn per window when chaining, the best match kept'),
  })
  .strict();
export type FlowConfig = z.output<typeof flowSchema>;

interface FlowStep {
  actBias: tf.Variable;
  actLogScale: tf.Variable;
  lower: tf.Variable;
  upper: tf.Variable;
  logDiag: tf.Variable;
  /** Fixed signs of the diagonal of U + diag(·) and the permutation P. */
  sign: Float32Array;
  perm: Int32Array;
  coupling: Mlp;
}

export class GlowFlow implements MotionPrior {
  readonly family = 'flow' as const;
  readonly params: Param[] = [];
  step = 0;
  /** Whether ActNorm has been initialised from data. */
  initialized = false;
  private readonly steps: FlowStep[] = [];
  private readonly optimizer: Adam;
  private readonly W: number;
  private readonly D: number;
  private readonly Da: number;
  private readonly Db: number;
  private readonly condSize: number;
  /** Frames per window, and the DCT basis [frames × K] when modelling coefficients (else null). */
  private readonly frames: number;
  private readonly basis: Float32Array | null;
  private readonly maskLower: tf.Tensor2D;
  private readonly maskUpper: tf.Tensor2D;
  private readonly eye: tf.Tensor2D;
  private sampler: WindowSampler | null = null;

  constructor(
    private readonly ctx: PriorContext,
    readonly cfg: FlowConfig,
  ) {
    this.frames = ctx.frames;
    if (cfg.dctCoefficients > ctx.frames) throw new RangeError(`flow: dctCoefficients ${cfg.dctCoefficients} exceeds the window's ${ctx.frames} frames`);
    this.basis = cfg.dctCoefficients > 0 ? dctBasis(ctx.frames, cfg.dctCoefficients) : null;
    // The flow's rows: DCT coefficients or frames.
    const W = (this.W = cfg.dctCoefficients > 0 ? cfg.dctCoefficients : ctx.frames);
    const D = (this.D = ctx.featureSize);
    if (D < 2) throw new RangeError('flow: needs at least 2 numbers per frame');
    this.Da = Math.floor(D / 2);
    this.Db = D - this.Da;
    this.condSize = cfg.conditional ? ctx.numLabels : 0;
    const lowerMask = new Float32Array(D * D), upperMask = new Float32Array(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) { if (j < i) lowerMask[i * D + j] = 1; if (j > i) upperMask[i * D + j] = 1; }
    this.maskLower = tf.keep(tf.tensor2d(lowerMask, [D, D]));
    this.maskUpper = tf.keep(tf.tensor2d(upperMask, [D, D]));
    this.eye = tf.keep(tf.eye(D) as tf.Tensor2D);
    for (let k = 0; k < cfg.flowSteps; k++) {
      const name = `flow/step_${k}`;
      const perm = Int32Array.from({ length: D }, (_, i) => i);
      ctx.rng.shuffle(perm);
      const step: FlowStep = {
        actBias: trainableVariable(() => tf.zeros([D]), `${name}/actnorm/bias`),
        actLogScale: trainableVariable(() => tf.zeros([D]), `${name}/actnorm/log_scale`),
        lower: trainableVariable(() => tf.zeros([D, D]), `${name}/invlinear/lower`),
        upper: trainableVariable(() => tf.zeros([D, D]), `${name}/invlinear/upper`),
        logDiag: trainableVariable(() => tf.zeros([D]), `${name}/invlinear/log_diag`),
        sign: new Float32Array(D).fill(1),
        perm,
        coupling: new Mlp(`${name}/coupling`, { sizes: [W * this.Da + this.condSize, ...cfg.hidden, 2 * W * this.Db], activation: 'relu', outputGain: cfg.zeroInit ? 0 : 0.5 }, ctx.rng),
      };
      this.steps.push(step);
      this.params.push(
        { name: `${name}/actnorm/bias`, variable: step.actBias },
        { name: `${name}/actnorm/log_scale`, variable: step.actLogScale },
        { name: `${name}/invlinear/lower`, variable: step.lower },
        { name: `${name}/invlinear/upper`, variable: step.upper },
        { name: `${name}/invlinear/log_diag`, variable: step.logDiag },
        ...step.coupling.params,
      );
    }
    this.optimizer = new Adam(this.params, { lr: cfg.learningRate });
  }

  // ------------------------------------------------------------ the flow as tensors

  private cond(labels: Int32Array): tf.Tensor2D | null {
    return this.condSize > 0 ? tf.tensor2d(oneHot(labels, this.condSize), [labels.length, this.condSize]) : null;
  }

  /** Mᵀ of step k, so that rows map as y = x·Mᵀ (column vectors: y = M·x). */
  private linearT(s: FlowStep): tf.Tensor2D {
    const D = this.D;
    const L = tf.add(tf.mul(s.lower, this.maskLower), this.eye) as tf.Tensor2D;
    const diag = tf.mul(tf.tensor1d(s.sign), tf.exp(s.logDiag));
    const U = tf.add(tf.mul(s.upper, this.maskUpper), tf.mul(this.eye, diag)) as tf.Tensor2D;
    const pT = new Float32Array(D * D);
    for (let i = 0; i < D; i++) pT[s.perm[i]! * D + i] = 1; // P[i][perm[i]] = 1, so Pᵀ[perm[i]][i] = 1
    return matMul(matMul(tf.transpose(U), tf.transpose(L)), tf.tensor2d(pT, [D, D]));
  }

  /** Coupling network outputs for the pass-through half xa [n·W × Da]: log-scale and shift [n·W × Db]. */
  private couplingParams(s: FlowStep, xa: tf.Tensor2D, c: tf.Tensor2D | null, n: number): { logScale: tf.Tensor2D; shift: tf.Tensor2D } {
    const { W, Da, Db } = this;
    let input = tf.reshape(xa, [n, W * Da]) as tf.Tensor2D;
    if (c) input = tf.concat([input, c], 1);
    const h = tf.reshape(mlpApply(s.coupling, input), [n * W, 2 * Db]) as tf.Tensor2D;
    const clampC = this.cfg.scaleClamp;
    const raw = tf.slice(h, [0, 0], [n * W, Db]);
    return { logScale: tf.mul(clampC, tf.tanh(tf.div(raw, clampC))) as tf.Tensor2D, shift: tf.slice(h, [0, Db], [n * W, Db]) };
  }

  /**
   * x [n × W·D] → z [n × W·D] and log|det ∂z/∂x| [n]. With `initActNorm`, each ActNorm is first
   * set from the statistics of its input (call once, outside a tape).
   */
  private forwardTensors(x: tf.Tensor2D, c: tf.Tensor2D | null, initActNorm = false): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    const { W, D, Da, Db } = this;
    const n = x.shape[0];
    let h = tf.reshape(x, [n * W, D]) as tf.Tensor2D;
    let logDet: tf.Tensor1D = tf.zeros([n]);
    for (const s of this.steps) {
      if (initActNorm) {
        const { mean, variance } = tf.moments(h, 0);
        assignArray(s.actBias, tf.neg(mean).dataSync() as Float32Array);
        assignArray(s.actLogScale, tf.neg(tf.log(tf.add(tf.sqrt(variance), 1e-6))).dataSync() as Float32Array);
      }
      h = tf.mul(tf.add(h, s.actBias), tf.exp(s.actLogScale)) as tf.Tensor2D;
      h = matMul(h, this.linearT(s));
      const xa = tf.slice(h, [0, 0], [n * W, Da]);
      const xb = tf.slice(h, [0, Da], [n * W, Db]);
      const { logScale, shift } = this.couplingParams(s, xa, c, n);
      h = tf.concat([xa, tf.add(tf.mul(xb, tf.exp(logScale)), shift)], 1) as tf.Tensor2D;
      const perWindow = tf.add(tf.mul(W, tf.sum(s.actLogScale)), tf.mul(W, tf.sum(s.logDiag)));
      logDet = tf.add(tf.add(logDet, perWindow), tf.sum(tf.reshape(logScale, [n, W * Db]), 1)) as tf.Tensor1D;
    }
    return { z: tf.reshape(h, [n, W * D]) as tf.Tensor2D, logDet };
  }

  /** log p(x) per window [n], nats. */
  private logProb(x: tf.Tensor2D, c: tf.Tensor2D | null): tf.Tensor1D {
    const { z, logDet } = this.forwardTensors(x, c);
    return tf.add(standardNormalLogProb(z), logDet) as tf.Tensor1D;
  }

  /** z [n × W·D] → x, inverting the steps in reverse order. */
  private inverseTensors(zs: tf.Tensor2D, c: tf.Tensor2D | null): tf.Tensor2D {
    const { W, D, Da, Db } = this;
    const n = zs.shape[0];
    let h = tf.reshape(zs, [n * W, D]) as tf.Tensor2D;
    for (let k = this.steps.length - 1; k >= 0; k--) {
      const s = this.steps[k]!;
      const xa = tf.slice(h, [0, 0], [n * W, Da]);
      const yb = tf.slice(h, [0, Da], [n * W, Db]);
      const { logScale, shift } = this.couplingParams(s, xa, c, n);
      h = tf.concat([xa, tf.mul(tf.sub(yb, shift), tf.exp(tf.neg(logScale)))], 1) as tf.Tensor2D;
      h = tf.matMul(h, this.inverseLinearT(s));
      h = tf.sub(tf.mul(h, tf.exp(tf.neg(s.actLogScale))), s.actBias) as tf.Tensor2D;
    }
    return tf.reshape(h, [n, W * D]) as tf.Tensor2D;
  }

  /** (M⁻¹)ᵀ from the LU factors, by triangular substitution in float64. */
  private inverseLinearT(s: FlowStep): tf.Tensor2D {
    const D = this.D;
    const lowerRaw = s.lower.dataSync(), upperRaw = s.upper.dataSync(), logDiag = s.logDiag.dataSync();
    const L = new Float64Array(D * D), U = new Float64Array(D * D);
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < D; j++) {
        if (j < i) L[i * D + j] = lowerRaw[i * D + j]!;
        if (j > i) U[i * D + j] = upperRaw[i * D + j]!;
      }
      L[i * D + i] = 1;
      U[i * D + i] = s.sign[i]! * Math.exp(logDiag[i]!);
    }
    const inv = inverseFromLU(L, U, s.perm, D);
    const invT = new Float32Array(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) invT[j * D + i] = inv[i * D + j]!;
    return tf.tensor2d(invT, [D, D]);
  }

  /** Windows [n × frames × D] → the flow's rows [n × W × D] (DCT coefficients or the frames). */
  private toRows(windows: Float32Array, n: number): Float32Array {
    return this.basis ? toDct(windows, n, this.frames, this.D, this.basis, this.W) : windows;
  }

  private fromRows(rows: Float32Array, n: number): Float32Array {
    return this.basis ? fromDct(rows, n, this.frames, this.D, this.basis, this.W) : rows;
  }

  // ------------------------------------------------------------ plain-array entry points (tests, metrics)

  /** f(x) and log|det ∂f/∂x| for windows [n × W·D]. */
  forward(x: Float32Array, labels: Int32Array): { z: Float32Array; logDet: Float32Array } {
    const n = labels.length;
    return tf.tidy(() => {
      const r = this.forwardTensors(tf.tensor2d(x, [n, this.W * this.D]), this.cond(labels));
      return { z: (r.z.dataSync() as Float32Array).slice(), logDet: (r.logDet.dataSync() as Float32Array).slice() };
    });
  }

  /** f⁻¹(z) for [n × W·D]. */
  inverse(zs: Float32Array, labels: Int32Array): Float32Array {
    const n = labels.length;
    return tf.tidy(() => (this.inverseTensors(tf.tensor2d(zs, [n, this.W * this.D]), this.cond(labels)).dataSync() as Float32Array).slice());
  }

  // ------------------------------------------------------------ training

  trainStep(ds: MotionDataset): Record<string, number> {
    const { cfg, ctx } = this;
    const B = cfg.batchSize, dim = this.W * this.D;
    this.sampler ??= new WindowSampler(ds, this.frames);
    const windows = new Float32Array(B * this.frames * this.D), labels = new Int32Array(B);
    this.sampler.batch(ctx.rng, B, windows, labels);
    const x = addNoise(this.toRows(windows, B), cfg.dataNoise, ctx.rng);
    if (!this.initialized) {
      tf.tidy(() => void this.forwardTensors(tf.tensor2d(x, [B, dim]), this.cond(labels), true));
      this.initialized = true;
    }
    this.optimizer.lr = cfg.learningRate * warmup(this.step + 1, cfg.warmupSteps);
    const { loss, grads } = lossAndGrads(this.params, () => {
      const lp = this.logProb(tf.tensor2d(x, [B, dim]), this.cond(labels));
      return { loss: tf.div(tf.neg(tf.mean(lp)), dim) as tf.Scalar };
    });
    const gradNorm = clipGradNorm(grads, cfg.gradClip);
    this.optimizer.step(grads);
    this.step++;
    return { 'losses/nll_per_dim': loss, 'losses/grad_norm': gradNorm, 'charts/learning_rate': this.optimizer.lr };
  }

  // ------------------------------------------------------------ sampling

  sample(labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    const n = labels.length, dim = this.W * this.D;
    const lab = fillLabels(labels.slice(), this.ctx.labelFrequencies, rng);
    const zs = new Float32Array(n * dim);
    rng.fillNormal(zs, 0, options.temperature ?? this.cfg.temperature);
    return this.fromRows(this.inverse(zs, lab), n);
  }

  continueFrom(prefix: Float32Array, known: number, labels: Int32Array, rng: Rng, options: SampleOptions = {}): Float32Array {
    const k = options.candidates ?? this.cfg.candidates;
    return continueBestOfK((rep) => this.sample(rep, rng, options), prefix, known, labels, rng, k, this.ctx.labelFrequencies, this.frames, this.D);
  }

  // ------------------------------------------------------------ held-out figures

  evaluate(windows: Float32Array, labels: Int32Array, rng: Rng): Record<string, number> {
    const n = labels.length, dim = this.W * this.D;
    const noisy = addNoise(this.toRows(windows, n).slice(), this.cfg.dataNoise, rng);
    let total = 0;
    for (let s = 0; s < n; s += 256) {
      const m = Math.min(256, n - s);
      total += tf.tidy(() => tf.sum(this.logProb(tf.tensor2d(noisy.subarray(s * dim, (s + m) * dim), [m, dim]), this.cond(labels.subarray(s, s + m)))).dataSync()[0]!);
    }
    return { nll_exact_per_dim: -total / (n * dim) };
  }

  // ------------------------------------------------------------ checkpoints

  checkpoint(): CheckpointData {
    const arrays = this.steps.flatMap((s, k) => [
      { name: `flow/step_${k}/invlinear/perm`, shape: [this.D], data: s.perm.slice() },
      { name: `flow/step_${k}/invlinear/sign`, shape: [this.D], data: s.sign.slice() },
    ]);
    return {
      weights: weightsOf(this.params),
      optimizers: { optimizer: this.optimizer.getState() },
      arrays,
      state: { step: this.step, initialized: this.initialized, rng: this.ctx.rng.getState() },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    this.steps.forEach((s, k) => {
      s.perm.set(requireArray(data.arrays, `flow/step_${k}/invlinear/perm`, where, this.D));
      s.sign.set(requireArray(data.arrays, `flow/step_${k}/invlinear/sign`, where, this.D));
    });
    this.step = restoreTrainingState(data, where, this.optimizer, this.ctx.rng);
    this.initialized = (data.state as { initialized?: boolean }).initialized === true;
  }

  dispose(): void {
    for (const s of this.steps) {
      tf.dispose([s.actBias, s.actLogScale, s.lower, s.upper, s.logDiag]);
      s.coupling.dispose();
    }
    tf.dispose([this.maskLower, this.maskUpper, this.eye]);
  }
}

function addNoise(x: Float32Array, std: number, rng: Rng): Float32Array {
  if (std > 0) for (let i = 0; i < x.length; i++) x[i]! += std * rng.normal();
  return x;
}

export const flow: PriorDefinition<typeof flowSchema> = {
  name: 'flow',
  description: 'Glow-style normalizing flow (ActNorm, LU invertible linear, affine coupling) with exact likelihood',
  schema: flowSchema,
  create: (ctx, cfg) => new GlowFlow(ctx, cfg),
};
