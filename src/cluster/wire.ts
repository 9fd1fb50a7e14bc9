/**
 * What travels between learner and actors, in binary: a rollout command (the acting policy's
 * weights with its version, the seeds, the segment's reset) and a rollout batch (one slot's T × w
 * block of a rollout, tagged with the policy version, the actor, its batch counter and the env).
 *
 * Both are a little-endian u32 length, a JSON header, zero padding to 8 bytes, then the arrays
 * back to back. Decoding a batch checks everything against what the learner expects (env id,
 * shapes, byte length, finite numbers, 0/1 flags) and returns a reason instead of throwing: a bad
 * batch is refused with a log line, never a crash.
 *
 * A batch larger than a NATS message (1 MiB by default) goes as chunks (`chunk`/`Assembler`).
 */
import type { ActingPolicy, CollectedRollout } from '../agents/policy-rollouts.ts';
import type { Info } from '../envs/env.ts';

/** Bumped when a message's layout changes; learner and actors of different protocols refuse each other. */
export const PROTOCOL = 1;

/** The reset of the current segment: sub-env i of the whole resets with seed + i at this sample count. */
export interface SegmentReset {
  /** The version of the command that brought it (an actor resets once per id). */
  id: number;
  seed: number;
  sampleCount: number;
}

export interface RolloutCommand {
  protocol: number;
  /** The policy's version: grows by one with every command of the job, across learner restarts. */
  version: number;
  /** The learner process that sent it. */
  learner: string;
  /** Deterministic mode: sub-env i draws from streamSeed(seed, 'rollout', i). Elastic: the base of the actors' streams. */
  seed: number;
  /** The trainer's sample count when the rollout starts (curricula read it). */
  sampleCount: number;
  reset: SegmentReset;
  policy: ActingPolicy;
}

export interface BatchHeader {
  protocol: number;
  version: number;
  actor: string;
  slot: number;
  /** The actor's batch counter (with `actor`, the batch's identity: no batch is counted twice). */
  batch: number;
  env: string;
  T: number;
  width: number;
  obsDim: number;
  actionDim: number;
  /** True when the rollout normalized observations: the raw ones travel too. */
  hasRaw: boolean;
  /** True when the actor reset its envs on joining in the middle of a segment. */
  fresh: boolean;
  infos: { t: number; env: number; info: Info }[];
}

/** One slot's block: arrays in CollectedRollout's layout with N = width. */
export interface Batch {
  header: BatchHeader;
  rollout: CollectedRollout;
}

function frame(header: unknown, arrays: ArrayBufferView[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((4 + json.length) / 8) * 8;
  let size = start;
  for (const a of arrays) size += a.byteLength;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** The header and the offset of the first array, or a reason. */
function unframe(bytes: Uint8Array): { header: unknown; start: number } | string {
  if (bytes.length < 4) return `${bytes.length} bytes, too short for a header`;
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (len > bytes.length - 4 || len > 16 << 20) return `a header of ${len} bytes in a message of ${bytes.length}`;
  try {
    return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))), start: Math.ceil((4 + len) / 8) * 8 };
  } catch {
    return 'the header is not JSON';
  }
}

/** Copies `count` elements of a typed array kind out of `bytes` at `at` (a copy: aligned, and owned). */
function read<T extends Float32Array | Float64Array | Uint8Array>(kind: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, bytes: Uint8Array, at: number, count: number): T {
  const n = count * kind.BYTES_PER_ELEMENT;
  // A copy through the Uint8Array constructor: a Node Buffer's slice() is a view of a shared pool.
  return new kind(new Uint8Array(bytes.subarray(at, at + n)).buffer);
}

// ---------------------------------------------------------------- commands

export function encodeCommand(c: RolloutCommand): Uint8Array {
  const { weights, obsNorm, ...policy } = c.policy;
  const header = {
    ...c,
    policy: { ...policy, lengths: weights.map((w) => w.length), obsNorm: obsNorm ? { mean: Array.from(obsNorm.mean), var: Array.from(obsNorm.var), clip: obsNorm.clip } : null },
  };
  return frame(header, weights as Float32Array[]);
}

/** The command in `bytes`, or a reason it is not one. */
export function decodeCommand(bytes: Uint8Array): RolloutCommand | string {
  const u = unframe(bytes);
  if (typeof u === 'string') return u;
  const h = u.header as Omit<RolloutCommand, 'policy'> & { policy: Omit<ActingPolicy, 'weights' | 'obsNorm'> & { lengths: number[]; obsNorm: { mean: number[]; var: number[]; clip: number } | null } };
  if (h?.protocol !== PROTOCOL) return `protocol ${JSON.stringify(h?.protocol)}, this gymnast speaks ${PROTOCOL}`;
  if (!Array.isArray(h.policy?.lengths) || !h.policy.lengths.every((n) => Number.isInteger(n) && n >= 0)) return 'no weight lengths';
  const total = h.policy.lengths.reduce((a, n) => a + n, 0);
  if (u.start + 4 * total !== bytes.length) return `${bytes.length} bytes, expected ${u.start + 4 * total}`;
  let at = u.start;
  const weights = h.policy.lengths.map((n) => {
    const w = read(Float32Array, bytes, at, n);
    at += 4 * n;
    return w;
  });
  const { lengths, obsNorm, ...policy } = h.policy;
  void lengths;
  return {
    ...h,
    policy: { ...policy, weights, obsNorm: obsNorm ? { mean: Float64Array.from(obsNorm.mean), var: Float64Array.from(obsNorm.var), clip: obsNorm.clip } : null },
  };
}

// ---------------------------------------------------------------- batches

export function encodeBatch(header: BatchHeader, r: CollectedRollout): Uint8Array {
  const arrays: ArrayBufferView[] = [r.rewards, r.obs, ...(header.hasRaw ? [r.rawNextObs] : []), r.actions, r.logprobs, r.terminated, r.dones, r.valid];
  return frame(header, arrays);
}

/** What the learner expects of every batch. */
export interface BatchShape {
  env: string;
  T: number;
  width: number;
  obsDim: number;
  actionDim: number;
  /** Whether raw observations must come too (undefined: as the batch says). */
  hasRaw?: boolean;
}

/** The batch in `bytes` if it has the expected shape and sane numbers, else the reason it is refused. */
export function decodeBatch(bytes: Uint8Array, expect: BatchShape): Batch | string {
  const u = unframe(bytes);
  if (typeof u === 'string') return u;
  const h = u.header as BatchHeader;
  if (typeof h !== 'object' || h === null) return 'the header is not an object';
  if (h.protocol !== PROTOCOL) return `protocol ${JSON.stringify(h.protocol)}, this learner speaks ${PROTOCOL}`;
  if (h.env !== expect.env) return `env ${JSON.stringify(h.env)}, this run trains ${expect.env}`;
  for (const k of ['T', 'width', 'obsDim', 'actionDim'] as const) {
    if (h[k] !== expect[k]) return `${k} ${JSON.stringify(h[k])}, expected ${expect[k]}`;
  }
  if (typeof h.hasRaw !== 'boolean') return 'a header field is missing or of the wrong type';
  if (expect.hasRaw !== undefined && h.hasRaw !== expect.hasRaw) return `raw observations ${h.hasRaw ? 'sent' : 'missing'}, expected ${expect.hasRaw ? 'them' : 'none'}`;
  if (!Number.isSafeInteger(h.version) || !Number.isSafeInteger(h.slot) || !Number.isSafeInteger(h.batch) || typeof h.actor !== 'string' || !Array.isArray(h.infos)) return 'a header field is missing or of the wrong type';
  const { T, width: w, obsDim, actionDim } = expect;
  const rows = T * w;
  const size = u.start + 8 * rows + 4 * (rows + w) * obsDim + (h.hasRaw ? 4 * rows * obsDim : 0) + 4 * rows * actionDim + 4 * rows + 3 * rows;
  if (bytes.length !== size) return `${bytes.length} bytes, a ${T} × ${w} batch has ${size}`;
  let at = u.start;
  const take = <K extends Float32Array | Float64Array | Uint8Array>(kind: { new (buffer: ArrayBuffer): K; BYTES_PER_ELEMENT: number }, count: number): K => {
    const a = read(kind, bytes, at, count);
    at += count * kind.BYTES_PER_ELEMENT;
    return a;
  };
  const rewards = take(Float64Array, rows);
  const obs = take(Float32Array, (rows + w) * obsDim);
  const rawNextObs = h.hasRaw ? take(Float32Array, rows * obsDim) : obs.slice(w * obsDim);
  const actions = take(Float32Array, rows * actionDim);
  const logprobs = take(Float32Array, rows);
  const terminated = take(Uint8Array, rows);
  const dones = take(Uint8Array, rows);
  const valid = take(Uint8Array, rows);
  for (const [name, a] of [['rewards', rewards], ['observations', obs], ['actions', actions], ['log-probabilities', logprobs]] as const) {
    for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k]!)) return `${name}[${k}] is ${a[k]}`;
  }
  for (const [name, a] of [['terminated', terminated], ['dones', dones], ['valid', valid]] as const) {
    for (let k = 0; k < a.length; k++) if (a[k]! > 1) return `${name}[${k}] is ${a[k]}, not 0 or 1`;
  }
  for (const i of h.infos) {
    if (!Number.isInteger(i?.t) || !Number.isInteger(i?.env) || i.t < 0 || i.t >= T || i.env < 0 || i.env >= w || typeof i.info !== 'object') return 'an info outside the batch';
  }
  return { header: h, rollout: { obs, rawNextObs, actions, logprobs, rewards, terminated, dones, valid, infos: h.infos } };
}

// ---------------------------------------------------------------- chunks

/** At most this many bytes a message (NATS allows 1 MiB by default; headers need room). */
export const CHUNK_BYTES = 512 * 1024;

export function chunk(bytes: Uint8Array, size = CHUNK_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || out.length === 0; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/**
 * Puts chunked messages back together: `add(id, index, count, data)` returns the whole message
 * when its last chunk arrives. Chunks of a message whose sender died stay until `expire`.
 */
export class Assembler {
  private readonly parts = new Map<string, { chunks: (Uint8Array | undefined)[]; got: number; since: number }>();

  add(id: string, index: number, count: number, data: Uint8Array, now = Date.now()): Uint8Array | null {
    if (count === 1 && index === 0) return data;
    if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || count > 4096 || index < 0 || index >= count) return null;
    let p = this.parts.get(id);
    if (!p || p.chunks.length !== count) {
      p = { chunks: new Array(count), got: 0, since: now };
      this.parts.set(id, p);
    }
    if (!p.chunks[index]) {
      p.chunks[index] = new Uint8Array(data);
      p.got++;
    }
    if (p.got < count) return null;
    this.parts.delete(id);
    const out = new Uint8Array(p.chunks.reduce((a, c) => a + c!.length, 0));
    let at = 0;
    for (const c of p.chunks) {
      out.set(c!, at);
      at += c!.length;
    }
    return out;
  }

  /** Drops the messages begun more than `ageMs` ago; returns their ids. */
  expire(ageMs: number, now = Date.now()): string[] {
    const gone: string[] = [];
    for (const [id, p] of this.parts) if (now - p.since > ageMs) gone.push(id);
    for (const id of gone) this.parts.delete(id);
    return gone;
  }
}
