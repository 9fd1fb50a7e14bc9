/**
 * Running mean and variance of a stream of vectors (Chan et al.'s parallel update, as Gymnasium's
 * `RunningMeanStd`), used to normalise observations and rewards. Its state goes into checkpoints.
 */

export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  /** Gymnasium starts the count at a tiny epsilon so the first update is well defined. */
  count = 1e-4;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
  }

  /** Folds in `n` rows of `x` (flat [n × size]). */
  update(x: Float32Array | Float64Array, n: number): void {
    const d = this.size;
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (let r = 0; r < n; r++) m += x[r * d + j]!;
      m /= n;
      let v = 0;
      for (let r = 0; r < n; r++) v += (x[r * d + j]! - m) ** 2;
      v /= n;
      const delta = m - this.mean[j]!;
      const total = this.count + n;
      this.mean[j]! += (delta * n) / total;
      const m2 = this.var[j]! * this.count + v * n + (delta * delta * this.count * n) / total;
      this.var[j] = m2 / total;
    }
    this.count += n;
  }

  /** out = clip((x − mean) / sqrt(var + eps), ±clip), row by row (may be in place). */
  normalize(x: Float32Array, n: number, out: Float32Array, clip = 10, eps = 1e-8): void {
    const d = this.size;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) {
        const z = (x[r * d + j]! - this.mean[j]!) / Math.sqrt(this.var[j]! + eps);
        out[r * d + j] = Math.max(-clip, Math.min(clip, z));
      }
    }
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(s: RunningMeanStdState): void {
    if (!s || s.mean?.length !== this.size || s.var?.length !== this.size || !(s.count > 0)) {
      throw new RangeError(`normalizer state must have mean and var of length ${this.size} and a positive count`);
    }
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }
}
