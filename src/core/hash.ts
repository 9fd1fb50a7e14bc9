/**
 * A running 64-bit hash (two 32-bit FNV-1a style lanes with different odd multipliers and
 * offsets) over numbers' exact bits: two
 * trajectories hash the same only if every observation, reward and flag is bit-identical, so a
 * scenario can pin determinism with one string.
 */
export class BitHash {
  private h1 = 0x811c9dc5;
  private h2 = 0x050c5d1f;
  private readonly f64 = new Float64Array(1);
  private readonly bytes = new Uint8Array(this.f64.buffer);

  private byte(b: number): void {
    this.h1 = Math.imul(this.h1 ^ b, 0x01000193) >>> 0;
    // An odd multiplier: an even one would shift zeros into the low bits at every byte.
    this.h2 = Math.imul(this.h2 ^ b, 0x5bd1e995) >>> 0;
  }

  /** Adds one number (as its float64 bits). */
  number(x: number): this {
    this.f64[0] = x;
    for (let i = 0; i < 8; i++) this.byte(this.bytes[i]!);
    return this;
  }

  /** Adds every element of a typed array or number list. */
  numbers(xs: ArrayLike<number>): this {
    for (let i = 0; i < xs.length; i++) this.number(xs[i]!);
    return this;
  }

  hex(): string {
    return this.h1.toString(16).padStart(8, '0') + this.h2.toString(16).padStart(8, '0');
  }
}
