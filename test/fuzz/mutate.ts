/**
 * Seeded mutations of real input files, for the fuzz suite. Each takes the project's `Rng` and the
 * bytes of a valid file and returns bad (or sometimes still good) bytes and a few words saying what
 * was done, so a failing case can be read and replayed from its seed.
 *
 * The kinds follow what a hostile or unlucky user hands gymnast: cut files, flipped bytes, numbers
 * at the edges of the doubles (1e308, 1e-320, NaN, 9e999), values of the wrong type, nesting
 * thousands deep, lines of a megabyte, bytes that are not UTF-8, and names that climb out of their
 * folder (`../../dev/zero`).
 */
import { Rng } from '../../src/core/rng.ts';

export interface Mutation {
  bytes: Buffer;
  /** What was done, e.g. `number 12.5 → 1e308 at 431; truncate at 2201`. */
  what: string;
}

/** Number spellings at the edges: overflow, underflow, not-a-number, negative zero, huge counts. */
export const EDGE_NUMBERS = [
  '1e308', '-1e308', '1e-320', '9e999', '-9e999', 'NaN', 'Infinity', '-Infinity', '0', '-0', '-1', '1.5',
  '2147483648', '4294967296', '9007199254740993', '1e9', '0x10', '1_000', '', '1'.repeat(400), '.', '-',
];

/** Values of every JSON type, for type swaps; strings include folder escapes and device files. */
export const EDGE_VALUES: unknown[] = [
  null, true, false, 0, -1, 1e308, -1e308, 1.5, '', 'x', '../../../../dev/zero', '/dev/zero', '/etc/passwd', 'a\u0000b',
  '\ud800', 'x'.repeat(100_000), [], {}, [null], [[[[[[[[1]]]]]]]], { a: { b: { c: null } } }, new Array(2000).fill(1e308),
];

/** Path tricks for string values and arguments. */
export const PATH_TRICKS = ['../../../../dev/zero', '/dev/zero', '/dev/null', '/proc/self/mem', '..', '.', '/', '~', 'a/../../b', 'nul\u0000name', 'x'.repeat(5000), '/tmp', '-', '--'];

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)]!;

function truncate(rng: Rng, b: Buffer): Mutation {
  const at = rng.int(b.length + 1);
  return { bytes: b.subarray(0, at), what: `truncate at ${at}` };
}

function flipBytes(rng: Rng, b: Buffer): Mutation {
  const out = Buffer.from(b);
  const n = 1 + rng.int(8);
  const at: number[] = [];
  for (let k = 0; k < n && out.length > 0; k++) {
    const i = rng.int(out.length);
    out[i] = out[i]! ^ (1 << rng.int(8));
    at.push(i);
  }
  return { bytes: out, what: `flip bits at ${at.join(',')}` };
}

function insert(b: Buffer, at: number, piece: Buffer | string): Buffer {
  return Buffer.concat([b.subarray(0, at), typeof piece === 'string' ? Buffer.from(piece) : piece, b.subarray(at)]);
}

function edgeNumber(rng: Rng, b: Buffer): Mutation {
  const text = b.toString('latin1');
  const re = /-?\d+(\.\d+)?([eE][+-]?\d+)?/g;
  const spots: [number, string][] = [];
  for (let m = re.exec(text); m !== null && spots.length < 5000; m = re.exec(text)) spots.push([m.index, m[0]]);
  if (spots.length === 0) return truncate(rng, b);
  const count = 1 + rng.int(3);
  let out = text;
  const done: string[] = [];
  // Replace from the end so earlier offsets stay right.
  const chosen = Array.from({ length: count }, () => pick(rng, spots)).sort((x, y) => y[0] - x[0]);
  let last = Infinity;
  for (const [at, was] of chosen) {
    if (at + was.length > last) continue;
    const now = pick(rng, EDGE_NUMBERS);
    out = out.slice(0, at) + now + out.slice(at + was.length);
    done.push(`${was} → ${now.length > 20 ? `${now.slice(0, 8)}…(${now.length})` : now} at ${at}`);
    last = at;
  }
  return { bytes: Buffer.from(out, 'latin1'), what: `number ${done.join(', ')}` };
}

function deepNesting(rng: Rng, b: Buffer, opener: string): Mutation {
  const depth = pick(rng, [65, 257, 1000, 20_000, 100_000]);
  const at = rng.int(b.length + 1);
  const closer = opener === '[' ? ']' : opener === '{' ? '}' : '';
  const closed = rng.random() < 0.5 && closer !== '';
  return { bytes: insert(b, at, opener.repeat(depth) + (closed ? closer.repeat(depth) : '')), what: `${depth} × '${opener}'${closed ? ' closed' : ''} at ${at}` };
}

function longLine(rng: Rng, b: Buffer): Mutation {
  const length = pick(rng, [10_000, 100_000, 1_000_000]);
  const unit = pick(rng, ['x', '1 ', '0.5 ', ' ', '\t', '"', ',']);
  const at = rng.int(b.length + 1);
  return { bytes: insert(b, at, unit.repeat(Math.ceil(length / unit.length))), what: `${length} × '${unit}' at ${at}` };
}

function notUtf8(rng: Rng, b: Buffer): Mutation {
  const pieces = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0x00]), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0x80, 0x80, 0x80])];
  const piece = pick(rng, pieces);
  const at = rng.int(b.length + 1);
  return { bytes: insert(b, at, piece), what: `bytes ${piece.toString('hex')} at ${at}` };
}

function lines(rng: Rng, b: Buffer): Mutation {
  const ls = b.toString('latin1').split('\n');
  const i = rng.int(ls.length);
  const j = rng.int(ls.length);
  const op = rng.int(3);
  if (op === 0) ls.splice(i, 1);
  else if (op === 1) ls.splice(i, 0, ls[j]!);
  else [ls[i], ls[j]] = [ls[j]!, ls[i]!];
  return { bytes: Buffer.from(ls.join('\n'), 'latin1'), what: `${['delete line', 'copy line', 'swap lines'][op]} ${i + 1}${op > 0 ? ` / ${j + 1}` : ''}` };
}

/** Every place in a parsed JSON value: a container and a key in it. */
function places(v: unknown, out: [Record<string | number, unknown>, string | number][] = [], depth = 0): typeof out {
  if (depth > 64 || v === null || typeof v !== 'object' || out.length > 20_000) return out;
  const container = v as Record<string | number, unknown>;
  for (const key of Array.isArray(v) ? v.keys() : Object.keys(v)) {
    out.push([container, key]);
    places(container[key], out, depth + 1);
  }
  return out;
}

/**
 * A structural mutation of a JSON or YAML document: a value replaced by one of another type, a
 * key deleted or added, a string replaced by a path trick. `parse` and `format` are the format's
 * own (JSON or YAML), so the result is still well-formed text with wrong contents.
 */
export function structural(rng: Rng, b: Buffer, parse: (text: string) => unknown, format: (v: unknown) => string): Mutation | null {
  let doc: unknown;
  try {
    doc = parse(b.toString('utf8'));
  } catch {
    return null;
  }
  const spots = places(doc);
  if (spots.length === 0) return null;
  const done: string[] = [];
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const [parent, key] = pick(rng, spots);
    const op = rng.int(4);
    if (op === 0 && !Array.isArray(parent)) {
      delete parent[key];
      done.push(`delete ${key}`);
    } else if (op === 1 && typeof parent[key] === 'string') {
      const trick = pick(rng, PATH_TRICKS);
      parent[key] = trick;
      done.push(`${key} = path ${JSON.stringify(trick.slice(0, 24))}`);
    } else if (op === 2 && !Array.isArray(parent)) {
      // defineProperty: an own key even for '__proto__', as JSON.parse makes it from the text.
      const name = pick(rng, ['extra', '__proto__', 'constructor', '']);
      Object.defineProperty(parent, name, { value: pick(rng, EDGE_VALUES), enumerable: true, writable: true, configurable: true });
      done.push(`add key ${JSON.stringify(name)}`);
    } else {
      const value = pick(rng, EDGE_VALUES);
      parent[key] = value;
      done.push(`${key} = ${typeof value === 'string' ? `string(${value.length})` : Array.isArray(value) ? `array(${value.length})` : JSON.stringify(value)}`);
    }
  }
  let text: string;
  try {
    text = format(doc);
  } catch {
    return null;
  }
  return { bytes: Buffer.from(text), what: `swap ${done.join(', ')}` };
}

export type Mutator = (rng: Rng, b: Buffer) => Mutation | null;

/** The byte- and text-level mutators every format gets, with `opener` the format's nesting character. */
export function textMutators(opener: string): Mutator[] {
  return [truncate, flipBytes, edgeNumber, edgeNumber, (rng, b) => deepNesting(rng, b, opener), longLine, notUtf8, lines];
}

/** One to three mutations in a row over `seed`, drawn from `mutators`. */
export function mutate(rng: Rng, seed: Buffer, mutators: readonly Mutator[]): Mutation {
  let bytes = seed;
  const what: string[] = [];
  for (let k = 1 + (rng.random() < 0.3 ? rng.int(3) : 0); k > 0; k--) {
    const m = pick(rng, mutators)(rng, bytes);
    if (!m) continue;
    bytes = m.bytes;
    what.push(m.what);
  }
  if (what.length === 0) return { bytes, what: 'unchanged' };
  return { bytes, what: what.join('; ') };
}
