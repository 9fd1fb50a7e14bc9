/**
 * Gradients, gradient-norm clipping and the optimizers (Adam, SGD with momentum, RMSprop).
 *
 * The gradient comes out of tfjs once per update as one Float32Array per parameter; clipping and
 * the optimizer step then run on those arrays in plain JS and the new weights go back with one
 * `assign` per variable. For RL-sized networks (a few thousand to a few hundred thousand weights)
 * this is much cheaper than tfjs's optimizers, which dispatch some ten backend ops per variable per
 * step; it is also exactly reproducible across backends and its state (moments, step count) is
 * plain arrays that go into a checkpoint as they are.
 *
 * The update rules are PyTorch's (`torch.optim.Adam` with bias correction and `eps` outside the
 * square root; `torch.optim.SGD` with momentum and dampening 0; `torch.optim.RMSprop` without
 * momentum or centering, as Stable-Baselines3's A2C uses it), so CleanRL's and SB3's
 * hyperparameters carry over.
 */
import * as tf from '@tensorflow/tfjs';
import type { Param } from './mlp.ts';

/** Scalars read out of a loss function next to the loss (value loss, entropy, KL, …). */
export type Aux = Record<string, tf.Scalar>;

export interface LossAndGrads {
  loss: number;
  grads: Float32Array[];
  aux: Record<string, number>;
}

/**
 * Evaluates `f` under a gradient tape and returns the loss, d loss / d param for every param (in
 * the order given) and the values of the auxiliary scalars `f` returns. Leaves no tensor behind.
 */
export function lossAndGrads(params: readonly Param[], f: () => { loss: tf.Scalar; aux?: Aux }): LossAndGrads {
  let auxTensors: Aux = {};
  const vars = params.map((p) => p.variable);
  const { value, grads } = tf.variableGrads(() => {
    const { loss, aux } = f();
    auxTensors = aux ?? {};
    for (const t of Object.values(auxTensors)) tf.keep(t);
    return loss;
  }, vars);
  const out: Float32Array[] = [];
  for (const v of vars) {
    const g = grads[v.name];
    // A parameter the loss does not touch gets a zero gradient.
    out.push(g ? (g.dataSync() as Float32Array).slice() : new Float32Array(v.size));
  }
  const aux: Record<string, number> = {};
  for (const [k, t] of Object.entries(auxTensors)) {
    aux[k] = t.dataSync()[0]!;
    t.dispose();
  }
  const loss = value.dataSync()[0]!;
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return { loss, grads: out, aux };
}

/**
 * `sq` plus the sum of squares of every gradient value, added in order. Two threads that each own
 * some of a model's parameters get the same global sum as one thread by passing the first one's
 * result to the second (agents/critic-update.ts).
 */
export function addSquares(grads: readonly Float32Array[], sq = 0): number {
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  return sq;
}

/** Global L2 norm of a list of gradients. */
export function globalNorm(grads: readonly Float32Array[]): number {
  return Math.sqrt(addSquares(grads));
}

/**
 * The factor `clip_grad_norm_` scales every gradient by, given their global sum of squares: PyTorch's
 * maxNorm / (norm + 1e-6) when that is below 1, else 1 (as also for a maxNorm of 0 or ∞: no clipping).
 */
export function clipFactor(sumOfSquares: number, maxNorm: number): number {
  if (!(Number.isFinite(maxNorm) && maxNorm > 0)) return 1;
  const coef = maxNorm / (Math.sqrt(sumOfSquares) + 1e-6);
  return coef < 1 ? coef : 1;
}

/** Multiplies every gradient value by `factor` (nothing to do for 1). */
export function scaleGrads(grads: readonly Float32Array[], factor: number): void {
  if (factor !== 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= factor;
}

/**
 * Scales the gradients in place so their global norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`, which multiplies by maxNorm / (norm + 1e-6) when above). Returns the norm
 * before clipping.
 */
export function clipGradNorm(grads: Float32Array[], maxNorm: number): number {
  const sq = addSquares(grads);
  scaleGrads(grads, clipFactor(sq, maxNorm));
  return Math.sqrt(sq);
}

/** Optimizer state as stored in a checkpoint: the step count and named slot arrays. */
export interface OptimizerState {
  kind: 'adam' | 'sgd' | 'rmsprop';
  step: number;
  lr: number;
  /** `<param name>/<slot>` → values, e.g. `policy/dense_0/kernel/m`. */
  slots: Record<string, Float32Array>;
}

export interface Optimizer {
  readonly kind: 'adam' | 'sgd' | 'rmsprop';
  /** Learning rate; callers anneal it by assignment. */
  lr: number;
  readonly params: readonly Param[];
  /** Applies one update with `grads` (same order as `params`). */
  step(grads: readonly Float32Array[]): void;
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  /** PyTorch's default is 1e-8; CleanRL's PPO uses 1e-5. */
  eps?: number;
}

export class Adam implements Optimizer {
  readonly kind = 'adam' as const;
  lr: number;
  private t = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;

  constructor(
    readonly params: readonly Param[],
    opts: AdamOptions,
  ) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.m = params.map((p) => new Float32Array(p.variable.size));
    this.v = params.map((p) => new Float32Array(p.variable.size));
  }

  step(grads: readonly Float32Array[]): void {
    checkGrads(this.params, grads);
    this.t++;
    const { beta1: b1, beta2: b2, eps, lr } = this;
    const bc1 = 1 - b1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.t);
    const stepSize = lr / bc1;
    for (let p = 0; p < this.params.length; p++) {
      const variable = this.params[p]!.variable;
      const theta = (variable.dataSync() as Float32Array).slice();
      const g = grads[p]!;
      const m = this.m[p]!;
      const v = this.v[p]!;
      for (let i = 0; i < theta.length; i++) {
        const gi = g[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        theta[i]! -= (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
      }
      assignArray(variable, theta);
    }
  }

  getState(): OptimizerState {
    const slots: Record<string, Float32Array> = {};
    this.params.forEach((p, i) => {
      slots[`${p.name}/m`] = this.m[i]!.slice();
      slots[`${p.name}/v`] = this.v[i]!.slice();
    });
    return { kind: 'adam', step: this.t, lr: this.lr, slots };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== 'adam') throw new Error(`optimizer state is for ${state.kind}, not adam`);
    this.t = state.step;
    this.lr = state.lr;
    this.params.forEach((p, i) => {
      copySlot(state, `${p.name}/m`, this.m[i]!);
      copySlot(state, `${p.name}/v`, this.v[i]!);
    });
  }
}

export interface SgdOptions {
  lr: number;
  /** 0 gives plain SGD. */
  momentum?: number;
  nesterov?: boolean;
}

export class Sgd implements Optimizer {
  readonly kind = 'sgd' as const;
  lr: number;
  private t = 0;
  private readonly buf: Float32Array[];
  private readonly momentum: number;
  private readonly nesterov: boolean;

  constructor(
    readonly params: readonly Param[],
    opts: SgdOptions,
  ) {
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.buf = params.map((p) => new Float32Array(p.variable.size));
  }

  step(grads: readonly Float32Array[]): void {
    checkGrads(this.params, grads);
    const { momentum: mu, lr } = this;
    for (let p = 0; p < this.params.length; p++) {
      const variable = this.params[p]!.variable;
      const theta = (variable.dataSync() as Float32Array).slice();
      const g = grads[p]!;
      const b = this.buf[p]!;
      for (let i = 0; i < theta.length; i++) {
        let d = g[i]!;
        if (mu !== 0) {
          // PyTorch: the first step's buffer is the gradient itself.
          b[i] = this.t === 0 ? d : mu * b[i]! + d;
          d = this.nesterov ? d + mu * b[i]! : b[i]!;
        }
        theta[i]! -= lr * d;
      }
      assignArray(variable, theta);
    }
    this.t++;
  }

  getState(): OptimizerState {
    const slots: Record<string, Float32Array> = {};
    this.params.forEach((p, i) => (slots[`${p.name}/momentum`] = this.buf[i]!.slice()));
    return { kind: 'sgd', step: this.t, lr: this.lr, slots };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== 'sgd') throw new Error(`optimizer state is for ${state.kind}, not sgd`);
    this.t = state.step;
    this.lr = state.lr;
    this.params.forEach((p, i) => copySlot(state, `${p.name}/momentum`, this.buf[i]!));
  }
}

export interface RmspropOptions {
  lr: number;
  /** Smoothing constant of the squared-gradient average (PyTorch: alpha, default 0.99). */
  alpha?: number;
  /** PyTorch's default is 1e-8; Stable-Baselines3's A2C uses 1e-5. */
  eps?: number;
}

export class Rmsprop implements Optimizer {
  readonly kind = 'rmsprop' as const;
  lr: number;
  private t = 0;
  private readonly sq: Float32Array[];
  private readonly alpha: number;
  private readonly eps: number;

  constructor(
    readonly params: readonly Param[],
    opts: RmspropOptions,
  ) {
    this.lr = opts.lr;
    this.alpha = opts.alpha ?? 0.99;
    this.eps = opts.eps ?? 1e-8;
    this.sq = params.map((p) => new Float32Array(p.variable.size));
  }

  step(grads: readonly Float32Array[]): void {
    checkGrads(this.params, grads);
    const { alpha, eps, lr } = this;
    for (let p = 0; p < this.params.length; p++) {
      const variable = this.params[p]!.variable;
      const theta = (variable.dataSync() as Float32Array).slice();
      const g = grads[p]!;
      const v = this.sq[p]!;
      for (let i = 0; i < theta.length; i++) {
        v[i] = alpha * v[i]! + (1 - alpha) * g[i]! * g[i]!;
        theta[i]! -= (lr * g[i]!) / (Math.sqrt(v[i]!) + eps);
      }
      assignArray(variable, theta);
    }
    this.t++;
  }

  getState(): OptimizerState {
    const slots: Record<string, Float32Array> = {};
    this.params.forEach((p, i) => (slots[`${p.name}/square_avg`] = this.sq[i]!.slice()));
    return { kind: 'rmsprop', step: this.t, lr: this.lr, slots };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== 'rmsprop') throw new Error(`optimizer state is for ${state.kind}, not rmsprop`);
    this.t = state.step;
    this.lr = state.lr;
    this.params.forEach((p, i) => copySlot(state, `${p.name}/square_avg`, this.sq[i]!));
  }
}

/** Writes `values` into `variable` (same size) without leaving a tensor behind. */
export function assignArray(variable: tf.Variable, values: Float32Array): void {
  const t = tf.tensor(values, variable.shape, 'float32');
  variable.assign(t);
  t.dispose();
}

function checkGrads(params: readonly Param[], grads: readonly Float32Array[]): void {
  if (grads.length !== params.length) throw new RangeError(`optimizer got ${grads.length} gradients for ${params.length} parameters`);
  for (let i = 0; i < params.length; i++) {
    if (grads[i]!.length !== params[i]!.variable.size) {
      throw new RangeError(`gradient of ${params[i]!.name} has ${grads[i]!.length} values, the parameter has ${params[i]!.variable.size}`);
    }
  }
}

/**
 * One checkpoint state for optimizers of the same kind stepped together over disjoint parameters
 * (PPO's policy and value halves, agents/critic-update.ts): the slots of all, the first one's step
 * and learning rate. Each optimizer's `setState` takes its own slots back out of it.
 */
export function combinedState(optimizers: readonly Optimizer[]): OptimizerState {
  const states = optimizers.map((o) => o.getState());
  const first = states[0]!;
  for (const s of states) {
    if (s.kind !== first.kind || s.step !== first.step) throw new Error(`optimizers stepped apart: ${s.kind} at step ${s.step}, ${first.kind} at ${first.step}`);
  }
  return { kind: first.kind, step: first.step, lr: first.lr, slots: Object.assign({}, ...states.map((s) => s.slots)) };
}

function copySlot(state: OptimizerState, key: string, into: Float32Array): void {
  const src = state.slots[key];
  if (!src) throw new Error(`optimizer state has no slot '${key}'`);
  if (src.length !== into.length) throw new Error(`optimizer slot '${key}' has ${src.length} values, expected ${into.length}`);
  into.set(src);
}
