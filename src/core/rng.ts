/**
 * Seeded random numbers: xoshiro128** (Blackman & Vigna, 2018) seeded through splitmix32.
 *
 * Why our own and not `pure-rand`: the state is four uint32 words plus a cached normal, so it
 * saves to JSON and restores exactly (checkpoints carry it), it runs without allocation in hot
 * loops, and the stream is fixed by this file alone, so a scenario's numbers never change with a
 * dependency upgrade. Nothing in `src/` draws from the global, unseeded Math RNG.
 */

export interface RngState {
  s: [number, number, number, number];
  /** A second normal from the last Box–Muller pair, or null. */
  spareNormal: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The seed of a named stream of a run: `streamSeed(seed, 'agent')`, `streamSeed(seed, 'envs', k)`.
 * One seed comes in; every consumer (the agent, the training envs of segment k, evaluation, …)
 * draws from its own stream, so no two are the same sequence (an env seeded with the run's seed
 * would otherwise replay the agent's random numbers). Chained splitmix32 over the seed's two
 * halves, an FNV-1a hash of the name and the index; the result is in [0, 2^31), so a vector env can
 * still add its sub-env index.
 */
export function streamSeed(seed: number, stream: string, index = 0): number {
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(index) || index < 0) throw new RangeError(`streamSeed: seed and index must be safe integers (index ≥ 0), got ${seed}, ${index}`);
  let name = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) name = Math.imul(name ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  let x = splitmix32(seed >>> 0)();
  x = splitmix32(x ^ (Math.floor(seed / 4294967296) >>> 0))();
  x = splitmix32(x ^ name)();
  x = splitmix32(x ^ (index >>> 0))();
  x = splitmix32(x ^ (Math.floor(index / 4294967296) >>> 0))();
  return x >>> 1;
}

export class Rng {
  private readonly s = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the stream from an integer seed (any safe integer; the high bits are folded in). */
  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const next = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d));
    for (let i = 0; i < 4; i++) this.s[i] = next();
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    this.spareNormal = null;
  }

  /** Next uint32. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`int(n) needs a positive integer n, got ${n}`);
    if (n <= 4294967296) {
      const limit = 4294967296 - (4294967296 % n);
      let x: number;
      do x = this.nextUint32();
      while (x >= limit);
      return x % n;
    }
    return Math.floor(this.random() * n);
  }

  /** Standard normal (Box–Muller; the pair's second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with uniforms in [low, high). */
  fillUniform(out: Float32Array | Float64Array, low: number, high: number): void {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
  }

  /** Fills `out` with normals. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
  }

  /** Index drawn from unnormalized non-negative weights. */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    let u = this.random() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: any }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A new independent generator seeded from this one's stream (key splitting). */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4294967296 + this.nextUint32());
  }

  getState(): RngState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spareNormal: this.spareNormal };
  }

  setState(state: RngState): void {
    if (!state || !Array.isArray(state.s) || state.s.length !== 4 || state.s.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError('RNG state must be { s: four uint32 words, spareNormal }');
    }
    for (let i = 0; i < 4; i++) this.s[i] = state.s[i]!;
    this.spareNormal = state.spareNormal ?? null;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
