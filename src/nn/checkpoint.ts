/**
 * Checkpoint files: one folder per checkpoint, written atomically.
 *
 *   checkpoints/step-000050000/
 *     model.json      tfjs's weights layout: { format, generatedBy, modelTopology: null,
 *                     weightsManifest: [{ paths: ['weights.bin'], weights: [{ name, shape, dtype }] }] }
 *     weights.bin     the network weights, little-endian, in manifest order
 *     optimizer.json  the same layout for the optimizer slots (Adam moments), plus step and lr
 *     optimizer.bin
 *     arrays.json     the same layout for other large arrays an agent keeps (a replay buffer)
 *     arrays.bin
 *     state.json      everything else, as JSON: RNG states, normalizer statistics, counters
 *     index.json      written last: the byte size and SHA-256 of every file above
 *   checkpoints/latest.json   { "name": "step-000050000", "step": 50000 }
 *
 * A checkpoint is written into `<name>.tmp/` and renamed into place only once every file is
 * complete and flushed; `latest.json` is then replaced by rename. A run killed at any moment leaves
 * the previous checkpoint and pointer untouched. Reading checks the sizes and hashes in index.json
 * and the manifests against the .bin sizes, so a truncated or corrupt checkpoint fails with a
 * `FileFormatError` naming the file and the problem, never with garbage weights.
 */
import { ensureFolder, writeFileAtomic, writeFileSynced } from '../core/atomic-write.ts';
import { files } from '../core/files.ts';
import { nodeBuiltin } from '../core/node-builtins.ts';
import { joinPath as join } from '../core/paths.ts';
import { sha256Hex as sha256 } from '../core/sha256.ts';
import { z } from 'zod';
import { FileFormatError, GymnastError } from '../core/errors.ts';
import type { Param } from './mlp.ts';
import { assignArray, type OptimizerState } from './optim.ts';

export type ArrayDtype = 'float32' | 'int32';
export type NumericArray = Float32Array | Int32Array;

export interface NamedArray {
  name: string;
  shape: number[];
  data: NumericArray;
}

export interface CheckpointData {
  /** Network weights (model.json + weights.bin). */
  weights: NamedArray[];
  /** Optimizer states by name (e.g. `optimizer`, `critic_optimizer`). */
  optimizers: Record<string, OptimizerState>;
  /** Other large arrays (arrays.json + arrays.bin). */
  arrays: NamedArray[];
  /** Small state as JSON: rng, normalizers, counters, agent fields. */
  state: Record<string, unknown>;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: ArrayDtype;
}

interface ManifestFile {
  format: string;
  generatedBy: string;
  convertedBy: null;
  modelTopology: null;
  weightsManifest: { paths: string[]; weights: ManifestEntry[] }[];
  /** optimizer.json only: per optimizer, its kind, step and lr (slots are in the manifest). */
  optimizers?: Record<string, { kind: OptimizerState['kind']; step: number; lr: number; slots: string[] }>;
}

/** What a reader needs of model.json, optimizer.json and arrays.json; checked before any of it is used. */
const manifestSchema = z
  .object({
    weightsManifest: z
      .array(
        z
          .object({
            paths: z.array(z.string()).min(1),
            weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), dtype: z.enum(['float32', 'int32']) }).loose()),
          })
          .loose(),
      )
      .min(1),
    optimizers: z
      .record(z.string(), z.object({ kind: z.enum(['adam', 'sgd', 'rmsprop']), step: z.number().int().min(0), lr: z.number().min(0), slots: z.array(z.string()) }).loose())
      .optional(),
  })
  .loose();

function parseManifest(file: string, bytes: Uint8Array): ManifestFile {
  const r = manifestSchema.safeParse(parseJson(file, bytes));
  if (r.success) return r.data as unknown as ManifestFile;
  const issue = r.error.issues[0]!;
  throw new FileFormatError(file, issue.path.map(String).join('.') || '(root)', oneLine(issue.message));
}

/** A message as one line of at most 300 characters (V8's JSON errors quote the text, newlines and all). */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** A value of a file in a message: its JSON, on one line, cut to 300 characters. */
function shown(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = `(a ${Array.isArray(v) ? 'list' : typeof v} too deeply nested to show)`; // JSON.stringify overflowed the stack
  }
  return oneLine(text);
}

/**
 * Runs `restore` (an agent's or model's) on checkpoint data read from `where`. The files passed
 * their checks, but what is inside them may not fit the agent (a string where state.json should
 * hold a number, an RNG state of the wrong shape): that is a damaged file, reported as one
 * FileFormatError naming the checkpoint, never a TypeError from deep inside the restore.
 */
export function restoreFrom(where: string, restore: () => void): void {
  try {
    restore();
  } catch (e) {
    if (e instanceof GymnastError) throw e;
    throw new FileFormatError(where, 'state', `does not fit this run: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
}

const FORMAT = 'gymnast-checkpoint/1';
const GENERATED_BY = 'gymnast 0.1.0';
const INDEX = 'index.json';

// ---------------------------------------------------------------- writing

/** Writes `data` as checkpoint `name` under `dir` (the run's checkpoints folder) and points latest.json at it. */
export function writeCheckpoint(dir: string, name: string, step: number, data: CheckpointData, keep = 2): string {
  // Writing is Node-only; reading goes through core/files.ts and also runs in a page.
  const { mkdirSync, renameSync, rmSync } = nodeBuiltin('fs', 'writing a checkpoint');
  ensureFolder(dir);
  const final = join(dir, name);
  const tmp = join(dir, `${name}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const written: Record<string, { bytes: number; sha256: string }> = {};
  const put = (file: string, content: Uint8Array | string) => {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    writeFileSynced(join(tmp, file), bytes);
    written[file] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
  };

  writeGroup(put, 'model', data.weights);
  const slotArrays: NamedArray[] = [];
  const optimizers: NonNullable<ManifestFile['optimizers']> = {};
  for (const [optName, st] of Object.entries(data.optimizers)) {
    const slots = Object.keys(st.slots);
    optimizers[optName] = { kind: st.kind, step: st.step, lr: st.lr, slots };
    for (const s of slots) slotArrays.push({ name: `${optName}/${s}`, shape: [st.slots[s]!.length], data: st.slots[s]! });
  }
  writeGroup(put, 'optimizer', slotArrays, optimizers);
  writeGroup(put, 'arrays', data.arrays);
  put('state.json', JSON.stringify({ format: FORMAT, step, ...data.state }, null, 1));
  // The index goes last: a folder without a complete index.json is not a checkpoint.
  writeFileSynced(join(tmp, INDEX), new TextEncoder().encode(JSON.stringify({ format: FORMAT, step, files: written }, null, 1)));

  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  writeFileAtomic(join(dir, 'latest.json'), JSON.stringify({ name, step }) + '\n');
  prune(dir, name, keep);
  return final;
}

function writeGroup(put: (file: string, content: Uint8Array | string) => void, base: string, arrays: NamedArray[], optimizers?: ManifestFile['optimizers']): void {
  let total = 0;
  for (const a of arrays) {
    const expected = a.shape.reduce((x, y) => x * y, 1);
    if (expected !== a.data.length) throw new RangeError(`checkpoint array ${a.name}: shape [${a.shape}] needs ${expected} values, has ${a.data.length}`);
    total += a.data.byteLength;
  }
  const bin = new Uint8Array(total);
  let offset = 0;
  for (const a of arrays) {
    bin.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), offset);
    offset += a.data.byteLength;
  }
  const manifest: ManifestFile = {
    format: FORMAT,
    generatedBy: GENERATED_BY,
    convertedBy: null,
    modelTopology: null,
    weightsManifest: [{ paths: [`${base === 'model' ? 'weights' : base}.bin`], weights: arrays.map((a) => ({ name: a.name, shape: a.shape, dtype: dtypeOf(a.data) })) }],
  };
  if (optimizers) manifest.optimizers = optimizers;
  put(`${base}.json`, JSON.stringify(manifest, null, 1));
  put(`${base === 'model' ? 'weights' : base}.bin`, bin);
}

function dtypeOf(a: NumericArray): ArrayDtype {
  return a instanceof Int32Array ? 'int32' : 'float32';
}

function prune(dir: string, current: string, keep: number): void {
  const { readdirSync, rmSync } = nodeBuiltin('fs', 'writing a checkpoint');
  const names = listCheckpoints(dir).filter((n) => n !== current);
  // Newest first by name (step-%09d sorts by step); keep `keep - 1` besides the current one.
  for (const old of names.slice(Math.max(0, keep - 1))) rmSync(join(dir, old), { recursive: true, force: true });
  for (const entry of readdirSync(dir)) if (entry.endsWith('.tmp')) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** Checkpoint folder names in `dir`, newest first. */
export function listCheckpoints(dir: string): string[] {
  return files()
    .list(dir)
    .filter((n) => !n.endsWith('.tmp') && files().isFile(join(dir, n, INDEX)))
    .sort()
    .reverse();
}

// ---------------------------------------------------------------- reading

/** The folder of the newest checkpoint under `dir` (from latest.json, else the newest name). */
export function latestCheckpoint(dir: string): string | null {
  const pointer = join(dir, 'latest.json');
  if (files().exists(pointer)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(files().readText(pointer));
    } catch (err) {
      throw new FileFormatError(pointer, 'JSON', `cannot be parsed (${oneLine((err as Error).message)}); delete it to resume from the newest complete checkpoint folder`);
    }
    if (!isObject(parsed)) throw new FileFormatError(pointer, '(root)', `expected { "name": …, "step": … }, got ${shown(parsed)}`);
    if (typeof parsed.name !== 'string' || !FILE_NAME.test(parsed.name) || !files().exists(join(dir, parsed.name))) {
      throw new FileFormatError(pointer, 'name', `points to ${shown(parsed.name)}, which is not a checkpoint folder in ${dir}`);
    }
    return join(dir, parsed.name);
  }
  const names = listCheckpoints(dir);
  return names.length > 0 ? join(dir, names[0]!) : null;
}

/** Reads and verifies the checkpoint in folder `path`. Throws `FileFormatError` on any damage. */
export function readCheckpoint(path: string): CheckpointData & { step: number } {
  const indexPath = join(path, INDEX);
  if (!files().isFile(indexPath)) throw new FileFormatError(indexPath, 'file', 'missing: the checkpoint was not completely written');
  const index = parseJson(indexPath, files().readBytes(indexPath)) as { format?: string; step?: number; files?: Record<string, { bytes: number; sha256: string }> } | null;
  if (!isObject(index)) throw new FileFormatError(indexPath, '(root)', 'expected a JSON object');
  if (index.format !== FORMAT) throw new FileFormatError(indexPath, 'format', `expected '${FORMAT}', got ${shown(index.format)}`);
  if (!Number.isSafeInteger(index.step) || index.step! < 0) throw new FileFormatError(indexPath, 'step', `expected a step count, got ${shown(index.step)}`);
  if (!isObject(index.files)) throw new FileFormatError(indexPath, 'files', 'missing');
  const contents = new Map<string, Uint8Array>();
  for (const [file, meta] of Object.entries(index.files)) {
    // Only plain names of files in this folder: nothing is read from a path index.json makes up.
    if (!FILE_NAME.test(file)) throw new FileFormatError(indexPath, 'files', `${shown(file)} is not the name of a file in the checkpoint folder`);
    if (!isObject(meta) || !Number.isSafeInteger(meta.bytes) || meta.bytes < 0 || typeof meta.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(meta.sha256)) {
      throw new FileFormatError(indexPath, `files.${file}`, 'expected { bytes: a size, sha256: 64 hex digits }');
    }
    const p = join(path, file);
    if (!files().exists(p)) throw new FileFormatError(p, 'file', 'missing');
    // The size is checked before reading: a file that is not what index.json says is never read whole.
    const size = files().regularFileSize(p);
    if (size === null) throw new FileFormatError(p, 'file', 'not a regular file');
    if (size !== meta.bytes) throw new FileFormatError(p, 'size', `${size} bytes, expected ${meta.bytes}: the file is truncated or was changed`);
    const bytes = files().readBytes(p); // changed since the size check: the hash below tells
    if (sha256(bytes) !== meta.sha256) throw new FileFormatError(p, 'SHA-256', 'does not match index.json: the file is corrupt');
    contents.set(file, bytes);
  }
  const get = (file: string): Uint8Array => {
    const b = contents.get(file);
    if (!b) throw new FileFormatError(indexPath, 'files', `does not list ${shown(file)}`);
    return b;
  };
  const weights = readGroup(path, 'model', get);
  const slots = readGroup(path, 'optimizer', get);
  const optManifest = parseManifest(join(path, 'optimizer.json'), get('optimizer.json'));
  const optimizers: Record<string, OptimizerState> = {};
  const slotByName = new Map(slots.map((s) => [s.name, s.data]));
  for (const [name, o] of Object.entries(optManifest.optimizers ?? {})) {
    const st: OptimizerState = { kind: o.kind, step: o.step, lr: o.lr, slots: {} };
    for (const s of o.slots) {
      const data = slotByName.get(`${name}/${s}`);
      if (!(data instanceof Float32Array)) throw new FileFormatError(join(path, 'optimizer.json'), `optimizers.${name}.slots`, `slot ${shown(s)} has no float32 data`);
      st.slots[s] = data;
    }
    optimizers[name] = st;
  }
  const arrays = readGroup(path, 'arrays', get);
  const state = parseJson(join(path, 'state.json'), get('state.json')) as Record<string, unknown>;
  checkFiniteState(join(path, 'state.json'), state);
  return { weights, optimizers, arrays, state, step: Number(index.step) };
}

function readGroup(path: string, base: string, get: (file: string) => Uint8Array): NamedArray[] {
  const manifestPath = join(path, `${base}.json`);
  const manifest = parseManifest(manifestPath, get(`${base}.json`));
  const group = manifest.weightsManifest[0]!;
  const binName = group.paths[0]!;
  const bin = get(binName);
  const out: NamedArray[] = [];
  let offset = 0;
  for (const [i, w] of group.weights.entries()) {
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new FileFormatError(manifestPath, `weightsManifest[0].weights[${i}].dtype`, `unsupported dtype ${JSON.stringify(w.dtype)}`);
    const count = w.shape.reduce((a, b) => a * b, 1);
    const bytes = count * 4;
    if (offset + bytes > bin.byteLength) throw new FileFormatError(join(path, binName), `weight ${shown(w.name)}`, `needs bytes ${offset}..${offset + bytes}, the file has ${bin.byteLength}`);
    // Copy into an aligned buffer of our own.
    const copy = new Uint8Array(bytes);
    copy.set(bin.subarray(offset, offset + bytes));
    const data = w.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    // A NaN or infinity would load and play quietly (a greedy policy of NaN logits picks action
    // 0): a run that diverged, or a file rewritten with its hash, is refused here.
    if (data instanceof Float32Array) {
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new FileFormatError(join(path, binName), `${w.name}[${bad}]`, `${data[bad]}: a checkpoint holds finite numbers only (did training diverge?)`);
    }
    out.push({ name: w.name, shape: w.shape, data });
    offset += bytes;
  }
  if (offset !== bin.byteLength) throw new FileFormatError(join(path, binName), 'size', `${bin.byteLength} bytes, the manifest describes ${offset}`);
  return out;
}

/**
 * state.json's numbers (normalizer statistics, counters) must be finite. JSON has no NaN or
 * infinity: JSON.stringify writes them as null, and 1e999 parses as Infinity. So a null in a list
 * of numbers (`"mean": [0.1, null]`) is a non-finite value that was written, and an infinite
 * number one that was typed in; either is refused, naming the field.
 */
function checkFiniteState(file: string, state: unknown): void {
  const visit = (v: unknown, where: string, depth: number): void => {
    // gymnast's states nest a few levels; a deeper file is not one of them (and is not walked).
    if (depth > 64) throw new FileFormatError(file, where, 'nested more than 64 levels deep');
    if (typeof v === 'number' && !Number.isFinite(v)) throw new FileFormatError(file, where || '(root)', `${v}: expected a finite number`);
    if (Array.isArray(v)) {
      const numbers = v.some((x) => typeof x === 'number');
      v.forEach((x, i) => {
        if (x === null && numbers) throw new FileFormatError(file, `${where}[${i}]`, 'null in a list of numbers: a NaN or infinity was written there (did training diverge?)');
        visit(x, `${where}[${i}]`, depth + 1);
      });
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) visit(x, where ? `${where}.${k}` : k, depth + 1);
    }
  };
  visit(state, '', 0);
}

/** A file name inside a checkpoint folder: no separator, no leading dot (so no '..'). */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new FileFormatError(file, 'JSON', `cannot be parsed: ${oneLine((err as Error).message)}`);
  }
}

/** Finds the array `name` in `arrays` or throws a `FileFormatError` naming the checkpoint. */
export function requireArray(arrays: NamedArray[], name: string, where: string, length?: number): NumericArray {
  const a = arrays.find((x) => x.name === name);
  if (!a) throw new FileFormatError(where, name, 'missing from the checkpoint');
  if (length !== undefined && a.data.length !== length) throw new FileFormatError(where, name, `has ${a.data.length} values, this run needs ${length}`);
  return a.data;
}

/** The current values of `params` as named arrays for `CheckpointData.weights`. */
export function weightsOf(params: readonly Param[]): NamedArray[] {
  return params.map((p) => ({ name: p.name, shape: [...p.variable.shape], data: (p.variable.dataSync() as Float32Array).slice() }));
}

/** Loads named arrays into `params` (matched by name, shapes checked). `where` names the file for errors. */
export function restoreWeights(params: readonly Param[], arrays: NamedArray[], where: string): void {
  for (const p of params) {
    const a = arrays.find((x) => x.name === p.name);
    if (!a) throw new FileFormatError(where, p.name, 'missing from the checkpoint: was it written by another agent or network size?');
    if (a.shape.join(',') !== p.variable.shape.join(',')) {
      throw new FileFormatError(where, p.name, `has shape [${a.shape.join(', ')}], this network needs [${p.variable.shape.join(', ')}]`);
    }
    assignArray(p.variable, a.data as Float32Array);
  }
}
