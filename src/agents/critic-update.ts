/**
 * The value half of PPO's update, kept apart from the policy half so that a second thread can run
 * it (train/critic-thread.ts) while the trainer's thread runs the policy half.
 *
 * The actor and the critic are separate networks with separate losses; within a minibatch the only
 * thing they share is the global gradient norm that `maxGradNorm` clips. The policy side sums the
 * squares of its gradients and hands the partial sum over; the critic side continues it over its
 * own gradients (the same additions in the same order as one thread summing them all), and both
 * scale by the same factor before their Adam steps. Adam is per element, so two Adams over the two
 * halves, stepped together, are the one Adam over all parameters. One thread or two: the same bits.
 */
import type { Mlp } from '../nn/mlp.ts';
import { addSquares, scaleGrads, type Adam } from '../nn/optim.ts';

/** The value loss's settings (PPO's clipVloss, clipCoef, vfCoef). */
export interface ValueLossSettings {
  clipVloss: boolean;
  clipCoef: number;
  vfCoef: number;
}

/** The rollout's arrays the value loss reads; sample k is row k. */
export interface ValueTargets {
  /** Normalized observations [rows × obsDim]. */
  obs: Float32Array;
  /** GAE returns, the regression targets. */
  returns: Float32Array;
  /** The values the critic predicted before the update (for the clipped loss). */
  values: Float32Array;
}

/**
 * The value side on the calling thread: the gradient of vfCoef · value loss for one minibatch,
 * then the Adam step scaled by the global clip factor. The worker of train/critic-thread.ts runs
 * this same class.
 */
export class CriticLearner {
  private grads: Float32Array[] = [];
  /** Minibatch buffers, grown to the largest minibatch seen. */
  private mbObs = new Float32Array(0);
  private dValue = new Float32Array(0);

  constructor(
    readonly critic: Mlp,
    readonly optimizer: Adam,
    private readonly loss: ValueLossSettings,
  ) {}

  /**
   * Computes the gradient for the rows `indices[start … start + m)` and returns the minibatch's
   * value loss: ½·mean((v − R)²), or ½·mean(max((v − R)², (v_old + clip(v − v_old, ±ε) − R)²)).
   */
  gradients(data: ValueTargets, indices: ArrayLike<number>, start: number, m: number): number {
    const obsDim = this.critic.inputSize;
    if (this.dValue.length < m) {
      this.mbObs = new Float32Array(m * obsDim);
      this.dValue = new Float32Array(m);
    }
    const mbObs = m * obsDim === this.mbObs.length ? this.mbObs : this.mbObs.subarray(0, m * obsDim);
    for (let j = 0; j < m; j++) {
      const k = indices[start + j]!;
      mbObs.set(data.obs.subarray(k * obsDim, (k + 1) * obsDim), j * obsDim);
    }
    const { clipVloss, clipCoef, vfCoef } = this.loss;
    const value = this.critic.forward(mbObs, m, { train: true });
    const dValue = m === this.dValue.length ? this.dValue : this.dValue.subarray(0, m);
    let vl = 0;
    for (let j = 0; j < m; j++) {
      const k = indices[start + j]!;
      const v = value[j]!;
      const R = data.returns[k]!;
      if (clipVloss) {
        const vOld = data.values[k]!;
        const vClipped = vOld + Math.min(Math.max(v - vOld, -clipCoef), clipCoef);
        const lu = (v - R) ** 2;
        const lc = (vClipped - R) ** 2;
        vl += 0.5 * Math.max(lu, lc);
        // d/dv: the max picks the unclipped term, or the clipped one, whose gradient is zero
        // where the clip is active.
        const inside = Math.abs(v - vOld) < clipCoef;
        dValue[j] = (vfCoef * (lu >= lc ? v - R : inside ? vClipped - R : 0)) / m;
      } else {
        vl += 0.5 * (v - R) ** 2;
        dValue[j] = (vfCoef * (v - R)) / m;
      }
    }
    this.grads = this.critic.backward(dValue);
    return vl / m;
  }

  /** `sq` plus the squares of this side's gradients (the policy side's sum goes in). */
  addSquares(sq: number): number {
    return addSquares(this.grads, sq);
  }

  /** Scales the gradients by the global clip factor and takes the Adam step. */
  step(factor: number): void {
    scaleGrads(this.grads, factor);
    this.optimizer.step(this.grads);
  }
}

/** What PPO's update calls for its value side, run here or on another thread. */
export interface CriticUpdate {
  /** Before the epochs: the rollout's arrays (`rows` samples) and the iteration's learning rate. */
  begin(data: ValueTargets, rows: number, lr: number): void;
  /** Before each epoch: its minibatch order, minibatches of `mbSize` rows from the start of `indices`. */
  epoch(indices: readonly number[], mbSize: number): void;
  /**
   * The minibatch at `start`: its value gradient, computed here or awaited from the other thread.
   * Given the policy side's sum of squares, returns the global one and the minibatch's value loss.
   */
  exchange(start: number, policySquares: number): { squares: number; valueLoss: number };
  /** Scales by the global clip factor and steps (the other thread does this by itself). */
  step(factor: number): void;
  /** After the last epoch: the trainer's critic and its optimizer hold the updated weights and moments. */
  end(): void;
  close(): void;
}

/** The value side in the trainer's own thread (the default). */
export class LocalCriticUpdate implements CriticUpdate {
  private readonly learner: CriticLearner;
  private data: ValueTargets | null = null;
  private indices: readonly number[] = [];
  private mbSize = 0;

  constructor(critic: Mlp, optimizer: Adam, loss: ValueLossSettings) {
    this.learner = new CriticLearner(critic, optimizer, loss);
  }

  begin(data: ValueTargets, _rows: number, lr: number): void {
    this.data = data;
    this.learner.optimizer.lr = lr;
  }

  epoch(indices: readonly number[], mbSize: number): void {
    this.indices = indices;
    this.mbSize = mbSize;
  }

  exchange(start: number, policySquares: number): { squares: number; valueLoss: number } {
    if (!this.data) throw new Error('CriticUpdate.exchange before begin');
    const valueLoss = this.learner.gradients(this.data, this.indices, start, this.mbSize);
    return { squares: this.learner.addSquares(policySquares), valueLoss };
  }

  step(factor: number): void {
    this.learner.step(factor);
  }

  end(): void {
    this.data = null;
  }

  close(): void {}
}

/**
 * Starts the value side on another thread for a trainer's critic and its optimizer (PPO calls it
 * once, when built, if the run asks for a second update thread; train/critic-thread.ts).
 */
export type CriticThreadStarter = (critic: Mlp, optimizer: Adam, loss: ValueLossSettings & { maxGradNorm: number }, rows: number) => CriticUpdate;
