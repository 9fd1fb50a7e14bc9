/**
 * State aggregation: a continuous observation becomes one tabular state by cutting each feature
 * into equal bins over a range (values outside fall into the edge bins) and numbering the cells
 * of the grid row-major, the last feature fastest. Features are the observation itself, or a map
 * of it: the angle atan2(sin, cos) of a (cos, sin) pair bins better than the pair (Pendulum,
 * Acrobot).
 */
import { ValidationError, type ValidationIssue } from '../../core/errors.ts';

export interface AggregationSpec {
  /** Names of the features, for messages and tables. */
  names: readonly string[];
  low: readonly number[];
  high: readonly number[];
  bins: readonly number[];
  /** Observation → features (default: the observation as it is). */
  features?: (obs: Float32Array, out: Float64Array) => void;
}

export class StateAggregation {
  readonly numStates: number;
  readonly spec: AggregationSpec;
  private readonly scratch: Float64Array;
  private readonly strides: Int32Array;

  constructor(spec: AggregationSpec) {
    const d = spec.bins.length;
    const issues: ValidationIssue[] = [];
    if (spec.low.length !== d || spec.high.length !== d || spec.names.length !== d) {
      issues.push({ path: 'bins', message: `names, low, high and bins must have the same length, got ${spec.names.length}, ${spec.low.length}, ${spec.high.length}, ${d}` });
    }
    spec.bins.forEach((b, i) => {
      if (!Number.isInteger(b) || b < 1) issues.push({ path: `bins.${i}`, message: `${spec.names[i] ?? i}: bins must be a positive integer, got ${b}` });
    });
    spec.low.forEach((lo, i) => {
      if (!(lo < spec.high[i]!)) issues.push({ path: `low.${i}`, message: `${spec.names[i] ?? i}: low ${lo} must be below high ${spec.high[i]}` });
    });
    const numStates = spec.bins.reduce((a, b) => a * b, 1);
    if (numStates > 50_000_000) issues.push({ path: 'bins', message: `${numStates} cells is too many for a table` });
    if (issues.length > 0) throw new ValidationError('state aggregation', issues);
    this.spec = spec;
    this.numStates = numStates;
    this.scratch = new Float64Array(d);
    this.strides = new Int32Array(d);
    for (let i = d - 1, stride = 1; i >= 0; i--) {
      this.strides[i] = stride;
      stride *= spec.bins[i]!;
    }
  }

  /** The cell of an observation. */
  index(obs: Float32Array): number {
    const { low, high, bins, features } = this.spec;
    const x = this.scratch;
    if (features) features(obs, x);
    else for (let i = 0; i < x.length; i++) x[i] = obs[i]!;
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const b = bins[i]!;
      const k = Math.floor(((x[i]! - low[i]!) / (high[i]! - low[i]!)) * b);
      s += (k < 0 ? 0 : k >= b ? b - 1 : k) * this.strides[i]!;
    }
    return s;
  }

  /** Feature values at the centre of a cell. */
  center(s: number): number[] {
    const { low, high, bins } = this.spec;
    return bins.map((b, i) => {
      const k = Math.floor(s / this.strides[i]!) % b;
      return low[i]! + ((k + 0.5) * (high[i]! - low[i]!)) / b;
    });
  }
}

/** The angle of a (cos, sin) pair. */
export const angleOf = (cos: number, sin: number) => Math.atan2(sin, cos);
