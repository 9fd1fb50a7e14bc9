/**
 * The viewer's wire protocol: the one file the server (Node) and the client (browser) share.
 *
 * Two kinds of WebSocket messages:
 *
 * - **JSON text** for control and description: the server's `welcome` (protocol version and every
 *   channel), `channel` (a channel added, or its scene / state changed), `channel-closed`,
 *   `metrics` (batches of training curves), `state` (paused, speed) and `error`; the client's
 *   `hello`, `subscribe` and `control`.
 * - **Binary** for each tick of a channel: a 24-byte little-endian header, then a `Float32Array` of
 *   7 floats per body (px, py, pz, qx, qy, qz, qw; metres, y up), in the order of the channel's
 *   scene. The header:
 *
 *   | offset | type | field |
 *   |---|---|---|
 *   | 0  | u8  | message type (`BINARY_FRAME` = 1) |
 *   | 1  | u8  | protocol version |
 *   | 2  | u16 | channel index (the number given in the channel's JSON description) |
 *   | 4  | u32 | scene revision (bumped when a channel's bodies change) |
 *   | 8  | u32 | frame number |
 *   | 12 | u16 | body count |
 *   | 14 | u16 | flags (`FRAME_DISCONTINUITY`: do not interpolate into this frame, e.g. after a reset) |
 *   | 16 | f64 | simulated time in seconds |
 *
 * A channel is one source shown in the page: a training run, a rollout, a clip, env i of a vector
 * env. It has a string id (in JSON) and a small integer index (in the binary header, to keep ticks
 * small).
 *
 * Both ends validate what they receive with the `parse*` functions here; a bad message throws a
 * `ProtocolError` naming the field. This file imports nothing, so the browser bundle stays small
 * and the server does not depend on the client's libraries.
 */

export const PROTOCOL_VERSION = 1;
/** The WebSocket endpoint, on the same host and port as the page. */
export const WS_PATH = '/ws';
/** The server refuses client messages larger than this (the client only sends small JSON). */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

export const BINARY_FRAME = 1;
export const FRAME_HEADER_BYTES = 24;
/** Floats per body in a tick: px, py, pz, qx, qy, qz, qw. */
export const FLOATS_PER_BODY = 7;
export const MAX_BODIES = 0xffff;
export const MAX_CHANNELS = 0xffff;
/** Flag bit: the frame starts a new episode (or follows a jump); draw it without interpolating. */
export const FRAME_DISCONTINUITY = 1;

// ---------------------------------------------------------------------------------------------
// Shapes of the JSON messages

export type BodyShape = 'box' | 'sphere' | 'capsule' | 'cylinder';
export const BODY_SHAPES: readonly BodyShape[] = ['box', 'sphere', 'capsule', 'cylinder'];
/** How many numbers `size` holds for each shape (see `core/frame.ts`). */
export const SHAPE_SIZE_LENGTH: Record<BodyShape, number> = { box: 3, sphere: 1, capsule: 2, cylinder: 2 };

/** One body: the same fields as `BodySpec` in `core/frame.ts` (the server checks they agree). */
export interface BodyDesc {
  name: string;
  shape: BodyShape;
  /** box: half extents [x, y, z]; sphere: [radius]; capsule: [radius, half length]; cylinder: [radius, half height]. */
  size: number[];
  /** '#rrggbb'. */
  color: string;
}

export interface SceneDesc {
  bodies: BodyDesc[];
  /** Skeleton topology: parent index per body, -1 for a root. */
  parents?: number[];
}

/** Where a channel's frames come from; the page groups and labels channels by it. */
export type ChannelKind = 'run' | 'rollout' | 'clip' | 'generated';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['run', 'rollout', 'clip', 'generated'];

export type MetaValue = string | number | boolean | null;

export interface ChannelInfo {
  /** Unique string id, e.g. `rollout:CartPole-v1/3` or `clip:walk`. */
  id: string;
  /** Index used in the binary header. */
  index: number;
  title: string;
  kind: ChannelKind;
  scene: SceneDesc;
  sceneRevision: number;
  /** Where the channel's origin sits in the page's world (side-by-side layouts), metres. */
  offset: [number, number, number];
  /** Drawn see-through (a reference clip behind a tracking character). */
  ghost: boolean;
  /** Whether the server honours pause / step / speed for this channel (a player it drives). */
  controllable: boolean;
  paused: boolean;
  /** Playback speed relative to real time. */
  speed: number;
  /** Run metadata: env id, agent, seed, clip file… */
  meta: Record<string, MetaValue>;
}

export interface MetricPoint {
  /** Environment steps (or clip frame) at which the values were taken. */
  step: number;
  /** CleanRL-style tags: `charts/episodic_return`, `charts/SPS`, `losses/value_loss`… */
  values: Record<string, number>;
}

export type ErrorCode = 'bad-message' | 'unknown-type' | 'unknown-channel' | 'not-controllable' | 'version-mismatch' | 'rate-limited';

export type ServerMessage =
  | { type: 'welcome'; protocol: number; server: string; channels: ChannelInfo[] }
  | { type: 'channel'; channel: ChannelInfo }
  | { type: 'channel-closed'; id: string }
  | { type: 'metrics'; channel: string; points: MetricPoint[] }
  | { type: 'state'; channel: string; paused: boolean; speed: number }
  | { type: 'error'; code: ErrorCode; message: string };

export type ControlAction = 'pause' | 'resume' | 'step' | 'speed';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['pause', 'resume', 'step', 'speed'];
export const MIN_SPEED = 1 / 64;
export const MAX_SPEED = 64;

export type ClientMessage =
  | { type: 'hello'; protocol: number }
  /** Which channels to receive ticks for; null = all (the default). Descriptions and metrics always come. */
  | { type: 'subscribe'; channels: string[] | null }
  | { type: 'control'; channel: string; action: ControlAction; speed?: number };

// ---------------------------------------------------------------------------------------------
// Validation

/** A message that does not follow this protocol. `path` names the bad field. */
export class ProtocolError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly code: ErrorCode = 'bad-message',
  ) {
    super(`${path || '(message)'}: ${problem}`);
    this.name = 'ProtocolError';
  }
}

type Obj = Record<string, unknown>;

function fail(path: string, problem: string, code?: ErrorCode): never {
  throw new ProtocolError(path, problem, code);
}
function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
  return v as Obj;
}
function str(v: unknown, path: string, maxLength = 256): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  if (v.length > maxLength) fail(path, `longer than ${maxLength} characters`);
  return v;
}
function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'expected a finite number');
  return v;
}
function int(v: unknown, path: string, min: number, max: number): number {
  const n = num(v, path);
  if (!Number.isInteger(n) || n < min || n > max) fail(path, `expected an integer in [${min}, ${max}], got ${n}`);
  return n;
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected true or false');
  return v;
}
function arr(v: unknown, path: string, maxLength: number): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected an array');
  if (v.length > maxLength) fail(path, `more than ${maxLength} items`);
  return v;
}
function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) fail(path, `expected one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

const COLOR = /^#[0-9a-fA-F]{6}$/;

export function parseBody(v: unknown, path: string): BodyDesc {
  const o = obj(v, path);
  const shape = oneOf(o.shape, `${path}.shape`, BODY_SHAPES);
  const size = arr(o.size, `${path}.size`, 3).map((x, i) => num(x, `${path}.size[${i}]`));
  if (size.length !== SHAPE_SIZE_LENGTH[shape]) fail(`${path}.size`, `a ${shape} takes ${SHAPE_SIZE_LENGTH[shape]} numbers, got ${size.length}`);
  size.forEach((x, i) => x >= 0 || fail(`${path}.size[${i}]`, `must be ≥ 0, got ${x}`));
  const color = str(o.color, `${path}.color`);
  if (!COLOR.test(color)) fail(`${path}.color`, `expected '#rrggbb', got ${JSON.stringify(color)}`);
  return { name: str(o.name, `${path}.name`), shape, size, color };
}

export function parseScene(v: unknown, path = 'scene'): SceneDesc {
  const o = obj(v, path);
  const bodies = arr(o.bodies, `${path}.bodies`, MAX_BODIES).map((b, i) => parseBody(b, `${path}.bodies[${i}]`));
  const scene: SceneDesc = { bodies };
  if (o.parents !== undefined) {
    const parents = arr(o.parents, `${path}.parents`, MAX_BODIES).map((p, i) => int(p, `${path}.parents[${i}]`, -1, bodies.length - 1));
    if (parents.length !== bodies.length) fail(`${path}.parents`, `expected ${bodies.length} entries (one per body), got ${parents.length}`);
    parents.forEach((p, i) => p !== i || fail(`${path}.parents[${i}]`, 'a body cannot be its own parent'));
    scene.parents = parents;
  }
  return scene;
}

function parseMeta(v: unknown, path: string): Record<string, MetaValue> {
  const o = obj(v, path);
  const out: Record<string, MetaValue> = {};
  const keys = Object.keys(o);
  if (keys.length > 64) fail(path, 'more than 64 entries');
  for (const k of keys) {
    const x = o[k];
    if (x === null || typeof x === 'boolean' || typeof x === 'string') out[k] = typeof x === 'string' ? str(x, `${path}.${k}`, 1024) : x;
    else out[k] = num(x, `${path}.${k}`);
  }
  return out;
}

export function parseChannelInfo(v: unknown, path = 'channel'): ChannelInfo {
  const o = obj(v, path);
  const offset = arr(o.offset, `${path}.offset`, 3).map((x, i) => num(x, `${path}.offset[${i}]`));
  if (offset.length !== 3) fail(`${path}.offset`, 'expected [x, y, z]');
  return {
    id: str(o.id, `${path}.id`),
    index: int(o.index, `${path}.index`, 0, MAX_CHANNELS - 1),
    title: str(o.title, `${path}.title`),
    kind: oneOf(o.kind, `${path}.kind`, CHANNEL_KINDS),
    scene: parseScene(o.scene, `${path}.scene`),
    sceneRevision: int(o.sceneRevision, `${path}.sceneRevision`, 0, 0xffffffff),
    offset: offset as [number, number, number],
    ghost: bool(o.ghost, `${path}.ghost`),
    controllable: bool(o.controllable, `${path}.controllable`),
    paused: bool(o.paused, `${path}.paused`),
    speed: parseSpeed(o.speed, `${path}.speed`),
    meta: parseMeta(o.meta, `${path}.meta`),
  };
}

function parseSpeed(v: unknown, path: string): number {
  const s = num(v, path);
  if (s < MIN_SPEED || s > MAX_SPEED) fail(path, `expected a speed in [${MIN_SPEED}, ${MAX_SPEED}], got ${s}`);
  return s;
}

function parseMetricPoint(v: unknown, path: string): MetricPoint {
  const o = obj(v, path);
  const values = obj(o.values, `${path}.values`);
  const out: Record<string, number> = {};
  const keys = Object.keys(values);
  if (keys.length > 256) fail(`${path}.values`, 'more than 256 metrics');
  // NaN and ±Infinity do not survive JSON (they become null): a null value is a gap in the curve.
  for (const k of keys) out[k] = values[k] === null ? NaN : num(values[k], `${path}.values.${k}`);
  return { step: num(o.step, `${path}.step`), values: out };
}

function parseJson(text: unknown): Obj {
  if (typeof text !== 'string') fail('', 'expected a JSON text message');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    fail('', `not JSON (${(e as Error).message})`);
  }
  return obj(v, '');
}

/** Validates a text message from the server (client side). */
export function parseServerMessage(text: unknown): ServerMessage {
  const o = parseJson(text);
  switch (o.type) {
    case 'welcome':
      return {
        type: 'welcome',
        protocol: int(o.protocol, 'protocol', 0, 255),
        server: str(o.server, 'server'),
        channels: arr(o.channels, 'channels', MAX_CHANNELS).map((c, i) => parseChannelInfo(c, `channels[${i}]`)),
      };
    case 'channel':
      return { type: 'channel', channel: parseChannelInfo(o.channel) };
    case 'channel-closed':
      return { type: 'channel-closed', id: str(o.id, 'id') };
    case 'metrics':
      return {
        type: 'metrics',
        channel: str(o.channel, 'channel'),
        points: arr(o.points, 'points', 100_000).map((p, i) => parseMetricPoint(p, `points[${i}]`)),
      };
    case 'state':
      return { type: 'state', channel: str(o.channel, 'channel'), paused: bool(o.paused, 'paused'), speed: parseSpeed(o.speed, 'speed') };
    case 'error':
      return { type: 'error', code: str(o.code, 'code') as ErrorCode, message: str(o.message, 'message', 4096) };
    default:
      return fail('type', `unknown message type ${JSON.stringify(o.type)}`, 'unknown-type');
  }
}

/** Validates a text message from a client (server side). */
export function parseClientMessage(text: unknown): ClientMessage {
  const o = parseJson(text);
  switch (o.type) {
    case 'hello': {
      const protocol = int(o.protocol, 'protocol', 0, 255);
      if (protocol !== PROTOCOL_VERSION) fail('protocol', `this server speaks protocol ${PROTOCOL_VERSION}, the page sent ${protocol}: reload the page`, 'version-mismatch');
      return { type: 'hello', protocol };
    }
    case 'subscribe':
      return {
        type: 'subscribe',
        channels: o.channels === null ? null : arr(o.channels, 'channels', 1024).map((c, i) => str(c, `channels[${i}]`)),
      };
    case 'control': {
      const action = oneOf(o.action, 'action', CONTROL_ACTIONS);
      const msg: ClientMessage = { type: 'control', channel: str(o.channel, 'channel'), action };
      if (action === 'speed') msg.speed = parseSpeed(o.speed, 'speed');
      return msg;
    }
    default:
      return fail('type', `unknown message type ${JSON.stringify(o.type)}`, 'unknown-type');
  }
}

/** Serialises a message; NaN metric values become null (a gap in the plot). */
export function encodeMessage(msg: ServerMessage | ClientMessage): string {
  return JSON.stringify(msg);
}

// ---------------------------------------------------------------------------------------------
// Binary ticks

export interface FrameHeader {
  channelIndex: number;
  sceneRevision: number;
  frameNumber: number;
  bodyCount: number;
  flags: number;
  timeSeconds: number;
}

export interface DecodedFrame extends FrameHeader {
  /** FLOATS_PER_BODY × bodyCount floats. */
  transforms: Float32Array;
}

/** Bytes of one tick for `bodyCount` bodies. */
export function frameByteLength(bodyCount: number): number {
  return FRAME_HEADER_BYTES + bodyCount * FLOATS_PER_BODY * 4;
}

/**
 * Writes a tick into `out` (at least `frameByteLength(bodyCount)` bytes, starting at a multiple of
 * 4) and returns the bytes written. `transforms` holds at least 7 × bodyCount floats.
 */
export function encodeFrame(out: Uint8Array, header: FrameHeader, transforms: ArrayLike<number>): number {
  const { channelIndex, sceneRevision, frameNumber, bodyCount, flags, timeSeconds } = header;
  if (!Number.isInteger(bodyCount) || bodyCount < 0 || bodyCount > MAX_BODIES) throw new RangeError(`bodyCount must be in [0, ${MAX_BODIES}], got ${bodyCount}`);
  if (!Number.isInteger(channelIndex) || channelIndex < 0 || channelIndex >= MAX_CHANNELS) throw new RangeError(`channelIndex must be in [0, ${MAX_CHANNELS}), got ${channelIndex}`);
  const floats = bodyCount * FLOATS_PER_BODY;
  if (transforms.length < floats) throw new RangeError(`${bodyCount} bodies need ${floats} floats, got ${transforms.length}`);
  const bytes = frameByteLength(bodyCount);
  if (out.byteLength < bytes) throw new RangeError(`output buffer holds ${out.byteLength} bytes, the frame needs ${bytes}`);
  if (out.byteOffset % 4 !== 0) throw new RangeError('output buffer must start at a multiple of 4 bytes');
  const view = new DataView(out.buffer, out.byteOffset, bytes);
  view.setUint8(0, BINARY_FRAME);
  view.setUint8(1, PROTOCOL_VERSION);
  view.setUint16(2, channelIndex, true);
  view.setUint32(4, sceneRevision >>> 0, true);
  view.setUint32(8, frameNumber >>> 0, true);
  view.setUint16(12, bodyCount, true);
  view.setUint16(14, flags & 0xffff, true);
  view.setFloat64(16, timeSeconds, true);
  const body = new Float32Array(out.buffer, out.byteOffset + FRAME_HEADER_BYTES, floats);
  if (transforms instanceof Float32Array) body.set(transforms.length === floats ? transforms : transforms.subarray(0, floats));
  else for (let i = 0; i < floats; i++) body[i] = transforms[i]!;
  return bytes;
}

/** Reads a tick's header; throws `ProtocolError` if the bytes are not a well-formed tick. */
export function decodeFrameHeader(data: ArrayBuffer | ArrayBufferView): FrameHeader {
  const bytes = asBytes(data);
  if (bytes.byteLength < FRAME_HEADER_BYTES) fail('frame', `${bytes.byteLength} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint8(0);
  if (type !== BINARY_FRAME) fail('frame.type', `unknown binary message type ${type}`, 'unknown-type');
  const version = view.getUint8(1);
  if (version !== PROTOCOL_VERSION) fail('frame.version', `protocol ${version}, expected ${PROTOCOL_VERSION}`, 'version-mismatch');
  const header: FrameHeader = {
    channelIndex: view.getUint16(2, true),
    sceneRevision: view.getUint32(4, true),
    frameNumber: view.getUint32(8, true),
    bodyCount: view.getUint16(12, true),
    flags: view.getUint16(14, true),
    timeSeconds: view.getFloat64(16, true),
  };
  const expected = frameByteLength(header.bodyCount);
  if (bytes.byteLength !== expected) fail('frame', `${header.bodyCount} bodies need ${expected} bytes, got ${bytes.byteLength}`);
  if (!Number.isFinite(header.timeSeconds)) fail('frame.time', 'not a finite number');
  return header;
}

/**
 * Decodes a tick. The transforms are copied into `into` when given (it must hold 7 × bodyCount
 * floats), so a hot receive loop allocates nothing; otherwise a fresh array is returned.
 */
export function decodeFrame(data: ArrayBuffer | ArrayBufferView, into?: Float32Array): DecodedFrame {
  const header = decodeFrameHeader(data);
  const bytes = asBytes(data);
  const floats = header.bodyCount * FLOATS_PER_BODY;
  let transforms: Float32Array;
  const start = bytes.byteOffset + FRAME_HEADER_BYTES;
  if (start % 4 === 0) {
    const src = new Float32Array(bytes.buffer, start, floats);
    transforms = into ? copyInto(into, src) : src.slice();
  } else {
    // Node may hand a message over as a slice of a larger buffer at an odd offset: copy via bytes.
    const aligned = new Uint8Array(floats * 4);
    aligned.set(bytes.subarray(FRAME_HEADER_BYTES));
    const src = new Float32Array(aligned.buffer);
    transforms = into ? copyInto(into, src) : src;
  }
  return { ...header, transforms };
}

function copyInto(into: Float32Array, src: Float32Array): Float32Array {
  if (into.length < src.length) throw new RangeError(`decode target holds ${into.length} floats, the frame has ${src.length}`);
  into.set(src);
  return into;
}

function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return fail('frame', 'expected binary data');
}
