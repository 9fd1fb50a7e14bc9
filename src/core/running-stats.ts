/**
 * Running mean and variance over vectors (Gymnasium's / SB3's `RunningMeanStd`): batches are
 * merged with Chan et al.'s parallel update, the count starts at ε so the first batch dominates.
 * The state is plain numbers, so it saves with a checkpoint and restores exactly.
 */

export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;
  private readonly batchMean: Float64Array;
  private readonly batchVar: Float64Array;

  constructor(
    readonly size: number,
    epsilon = 1e-4,
  ) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
    this.batchMean = new Float64Array(size);
    this.batchVar = new Float64Array(size);
  }

  /** Merges `n` rows of `size` values each, laid out row after row in `batch`. */
  update(batch: ArrayLike<number>, n = 1): void {
    const d = this.size;
    if (batch.length < n * d) throw new RangeError(`RunningMeanStd.update: need ${n * d} values, got ${batch.length}`);
    this.batchMean.fill(0);
    this.batchVar.fill(0);
    for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) this.batchMean[i]! += batch[r * d + i]!;
    for (let i = 0; i < d; i++) this.batchMean[i]! /= n;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        const dx = batch[r * d + i]! - this.batchMean[i]!;
        this.batchVar[i]! += dx * dx;
      }
    }
    for (let i = 0; i < d; i++) this.batchVar[i]! /= n;
    const total = this.count + n;
    for (let i = 0; i < d; i++) {
      const delta = this.batchMean[i]! - this.mean[i]!;
      const m2 = this.var[i]! * this.count + this.batchVar[i]! * n + (delta * delta * this.count * n) / total;
      this.mean[i]! += (delta * n) / total;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  /** out[i] = (x[i] − mean) / sqrt(var + eps), optionally clipped to ±clip; works on n rows. */
  normalize(x: ArrayLike<number>, out: Float32Array | Float64Array, n = 1, clip = Infinity, eps = 1e-8): void {
    const d = this.size;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        const v = (x[r * d + i]! - this.mean[i]!) / Math.sqrt(this.var[i]! + eps);
        out[r * d + i] = v > clip ? clip : v < -clip ? -clip : v;
      }
    }
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(s: RunningMeanStdState): void {
    if (s.mean.length !== this.size || s.var.length !== this.size) {
      throw new RangeError(`RunningMeanStd.setState: expected ${this.size} values, got ${s.mean.length}`);
    }
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }
}
