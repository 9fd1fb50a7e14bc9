/**
 * Spaces, as Gymnasium's: `Box` (a Float32Array with per-element bounds) and `Discrete`
 * (integers start … start + n − 1). Each space owns an RNG for `sample()`, seeded by `seed()`.
 */
import { Rng } from './rng.ts';

export interface Space<T> {
  readonly kind: 'box' | 'discrete';
  /** Shape of one element (Discrete: []). */
  readonly shape: readonly number[];
  sample(): T;
  contains(x: unknown): x is T;
  seed(seed: number): void;
  /** A short human description, e.g. `Box(-inf, inf, [4], float32)`. */
  toString(): string;
  /** JSON description for `gymnast envs --json` and run configs. */
  toJSON(): SpaceJSON;
}

export type SpaceJSON =
  | { kind: 'box'; shape: number[]; low: (number | null)[]; high: (number | null)[] }
  | { kind: 'discrete'; n: number; start: number };

function fmtBound(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(Math.round(x * 1e4) / 1e4);
}

export class Box implements Space<Float32Array> {
  readonly kind = 'box' as const;
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly shape: readonly number[];
  readonly size: number;
  private rng = new Rng(0);

  /**
   * `low` and `high` are scalars (broadcast over `shape`) or arrays of the full size.
   * `shape` defaults to the array length.
   */
  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const inferred = typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined;
    const sh = shape ?? inferred;
    if (!sh) throw new RangeError('Box: give a shape when both bounds are scalars');
    if (sh.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`Box: bad shape [${sh.join(', ')}]`);
    this.shape = [...sh];
    this.size = sh.reduce((a, b) => a * b, 1);
    this.low = broadcast(low, this.size, 'low');
    this.high = broadcast(high, this.size, 'high');
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]!) || Number.isNaN(this.high[i]!) || this.low[i]! > this.high[i]!) {
        throw new RangeError(`Box: bound ${i} is [${this.low[i]}, ${this.high[i]}]`);
      }
    }
  }

  isBounded(): boolean {
    for (let i = 0; i < this.size; i++) if (!Number.isFinite(this.low[i]!) || !Number.isFinite(this.high[i]!)) return false;
    return true;
  }

  /** Uniform where bounded on both sides; exponential on a half-line; normal where unbounded (as Gymnasium). */
  sample(): Float32Array {
    const out = new Float32Array(this.size);
    this.sampleInto(out);
    return out;
  }

  sampleInto(out: Float32Array): void {
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const loF = Number.isFinite(lo);
      const hiF = Number.isFinite(hi);
      let x: number;
      if (loF && hiF) x = this.rng.uniform(lo, hi);
      else if (loF) x = lo - Math.log(1 - this.rng.random());
      else if (hiF) x = hi + Math.log(1 - this.rng.random());
      else x = this.rng.normal();
      out[i] = Math.min(Math.max(Math.fround(x), lo), hi);
    }
  }

  /**
   * Clips `rows` flat elements of this space (rows × size numbers in `values`) into the bounds,
   * into `out` (which may be `values`). NaN stays NaN, so a later check still reports it. The one
   * clipping rule of actions: the `ClipAction` wrapper and the agents both use it.
   */
  clip(values: ArrayLike<number>, out: Float32Array, rows = 1): Float32Array {
    const d = this.size;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        const v = values[r * d + j]!;
        out[r * d + j] = v < this.low[j]! ? this.low[j]! : v > this.high[j]! ? this.high[j]! : v;
      }
    }
    return out;
  }

  contains(x: unknown): x is Float32Array {
    if (!(x instanceof Float32Array) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i]!;
      if (!(v >= this.low[i]! && v <= this.high[i]!)) return false;
    }
    return true;
  }

  /** Why `x` is not in the space, or null if it is. */
  explain(x: unknown): string | null {
    if (!(x instanceof Float32Array)) {
      if (Array.isArray(x) || ArrayBuffer.isView(x)) return `expected a Float32Array, got ${x.constructor.name}`;
      return `expected a Float32Array of length ${this.size}, got ${typeof x === 'number' ? `the number ${x}` : typeof x}`;
    }
    if (x.length !== this.size) return `expected length ${this.size}, got ${x.length}`;
    for (let i = 0; i < this.size; i++) {
      const v = x[i]!;
      if (!(v >= this.low[i]! && v <= this.high[i]!)) return `element ${i} is ${v}, outside [${fmtBound(this.low[i]!)}, ${fmtBound(this.high[i]!)}]`;
    }
    return null;
  }

  seed(seed: number): void {
    this.rng.seed(seed);
  }

  toString(): string {
    const allSame = (a: Float32Array) => a.every((v) => v === a[0]);
    const b = (a: Float32Array) => (allSame(a) ? fmtBound(a[0]!) : `[${Array.from(a, fmtBound).join(' ')}]`);
    return `Box(${b(this.low)}, ${b(this.high)}, [${this.shape.join(', ')}], float32)`;
  }

  toJSON(): SpaceJSON {
    const enc = (v: number) => (Number.isFinite(v) ? v : null);
    return { kind: 'box', shape: [...this.shape], low: Array.from(this.low, enc), high: Array.from(this.high, enc) };
  }
}

export class Discrete implements Space<number> {
  readonly kind = 'discrete' as const;
  readonly shape: readonly number[] = [];
  private rng = new Rng(0);

  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Discrete: n must be a positive integer, got ${n}`);
    if (!Number.isInteger(start)) throw new RangeError(`Discrete: start must be an integer, got ${start}`);
  }

  sample(): number {
    return this.start + this.rng.int(this.n);
  }

  contains(x: unknown): x is number {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  explain(x: unknown): string | null {
    if (this.contains(x)) return null;
    return `expected an integer in [${this.start}, ${this.start + this.n - 1}], got ${typeof x === 'number' ? x : typeof x}`;
  }

  seed(seed: number): void {
    this.rng.seed(seed);
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }

  toJSON(): SpaceJSON {
    return { kind: 'discrete', n: this.n, start: this.start };
  }
}

export type AnySpace = Box | Discrete;

/** Why `x` is not in `space`, or null. */
export function explainNotContained(space: Space<unknown>, x: unknown): string | null {
  if (space instanceof Box || space instanceof Discrete) return space.explain(x);
  return space.contains(x) ? null : `not contained in ${space.toString()}`;
}

/** Number of floats an observation of this space takes in a flat buffer (Discrete: 1). */
export function flatSize(space: Space<unknown>): number {
  return space instanceof Box ? space.size : 1;
}

function broadcast(v: number | ArrayLike<number>, size: number, name: string): Float32Array {
  if (typeof v === 'number') return new Float32Array(size).fill(v);
  if (v.length !== size) throw new RangeError(`Box: ${name} has ${v.length} values, shape needs ${size}`);
  return Float32Array.from(v);
}
