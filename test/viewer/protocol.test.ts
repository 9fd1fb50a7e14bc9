import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FRAME_DISCONTINUITY,
  FRAME_HEADER_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  decodeFrame,
  decodeFrameHeader,
  encodeFrame,
  encodeMessage,
  frameByteLength,
  parseClientMessage,
  parseScene,
  parseServerMessage,
  type ChannelInfo,
  type ClientMessage,
  type ServerMessage,
} from '../../src/viewer/protocol.ts';

const scene = {
  bodies: [
    { name: 'cart', shape: 'box' as const, size: [0.25, 0.1, 0.15], color: '#3366cc' },
    { name: 'pole', shape: 'capsule' as const, size: [0.03, 0.5], color: '#cc6633' },
    { name: 'head', shape: 'sphere' as const, size: [0.1], color: '#aabbcc' },
    { name: 'wheel', shape: 'cylinder' as const, size: [0.05, 0.02], color: '#000000' },
  ],
  parents: [-1, 0, 1, 0],
};

const info: ChannelInfo = {
  id: 'rollout:CartPole-v1/0',
  index: 3,
  title: 'CartPole-v1 #0',
  kind: 'rollout',
  scene,
  sceneRevision: 2,
  offset: [0, 0, 1.5],
  ghost: false,
  controllable: true,
  paused: false,
  speed: 1,
  meta: { env: 'CartPole-v1', seed: 0, heuristic: true, note: null },
};

function throwsProtocol(fn: () => unknown, pathPart: string, code?: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ProtocolError);
    assert.ok((e as ProtocolError).message.includes(pathPart), `message '${(e as Error).message}' should mention '${pathPart}'`);
    if (code) assert.is((e as ProtocolError).code, code);
    return;
  }
  assert.unreachable(`expected a ProtocolError about ${pathPart}`);
}

test('a tick round-trips: header fields and every float, bit for bit', () => {
  const n = 4;
  const transforms = new Float32Array(n * 7);
  for (let i = 0; i < transforms.length; i++) transforms[i] = Math.fround(Math.sin(i) * 10 + i * 1e-3);
  const out = new Uint8Array(frameByteLength(n));
  const bytes = encodeFrame(out, { channelIndex: 513, sceneRevision: 70000, frameNumber: 123456789, bodyCount: n, flags: FRAME_DISCONTINUITY, timeSeconds: 12.345678901234 }, transforms);
  assert.is(bytes, FRAME_HEADER_BYTES + n * 28);
  assert.is(out[0], 1);
  assert.is(out[1], PROTOCOL_VERSION);
  const d = decodeFrame(out);
  assert.is(d.channelIndex, 513);
  assert.is(d.sceneRevision, 70000);
  assert.is(d.frameNumber, 123456789);
  assert.is(d.bodyCount, n);
  assert.is(d.flags, FRAME_DISCONTINUITY);
  assert.is(d.timeSeconds, 12.345678901234);
  assert.equal(Array.from(d.transforms), Array.from(transforms));
});

test('decoding works from a Node Buffer slice at an odd offset, and into a caller array', () => {
  const transforms = Float32Array.from({ length: 14 }, (_, i) => i + 0.5);
  const out = new Uint8Array(frameByteLength(2));
  encodeFrame(out, { channelIndex: 0, sceneRevision: 0, frameNumber: 1, bodyCount: 2, flags: 0, timeSeconds: 0.02 }, transforms);
  const big = Buffer.alloc(out.length + 3);
  big.set(out, 3);
  const slice = big.subarray(3);
  assert.equal(Array.from(decodeFrame(slice).transforms), Array.from(transforms));
  const into = new Float32Array(14);
  const d = decodeFrame(slice, into);
  assert.is(d.transforms, into);
  assert.equal(Array.from(into), Array.from(transforms));
});

test('malformed ticks are refused with the field named', () => {
  const out = new Uint8Array(frameByteLength(1));
  encodeFrame(out, { channelIndex: 0, sceneRevision: 0, frameNumber: 0, bodyCount: 1, flags: 0, timeSeconds: 0 }, new Float32Array(7));
  throwsProtocol(() => decodeFrameHeader(out.subarray(0, 10)), 'header');
  throwsProtocol(() => decodeFrameHeader(out.subarray(0, out.length - 4)), 'bytes');
  const wrongType = out.slice();
  wrongType[0] = 9;
  throwsProtocol(() => decodeFrameHeader(wrongType), 'frame.type', 'unknown-type');
  const wrongVersion = out.slice();
  wrongVersion[1] = 99;
  throwsProtocol(() => decodeFrameHeader(wrongVersion), 'frame.version', 'version-mismatch');
  const nanTime = out.slice();
  new DataView(nanTime.buffer).setFloat64(16, NaN, true);
  throwsProtocol(() => decodeFrameHeader(nanTime), 'frame.time');
});

test('encodeFrame refuses too few floats, a small buffer and a bad body count', () => {
  const h = { channelIndex: 0, sceneRevision: 0, frameNumber: 0, bodyCount: 2, flags: 0, timeSeconds: 0 };
  assert.throws(() => encodeFrame(new Uint8Array(frameByteLength(2)), h, new Float32Array(7)), /14 floats/);
  assert.throws(() => encodeFrame(new Uint8Array(10), h, new Float32Array(14)), /needs/);
  assert.throws(() => encodeFrame(new Uint8Array(10), { ...h, bodyCount: 70000 }, new Float32Array(14)), /bodyCount/);
});

test('every server message survives encode → parse unchanged', () => {
  const msgs: ServerMessage[] = [
    { type: 'welcome', protocol: PROTOCOL_VERSION, server: 'gymnast', channels: [info] },
    { type: 'channel', channel: info },
    { type: 'channel-closed', id: info.id },
    { type: 'metrics', channel: info.id, points: [{ step: 10, values: { 'charts/episodic_return': 21.5, 'charts/SPS': 1234 } }] },
    { type: 'state', channel: info.id, paused: true, speed: 0.25 },
    { type: 'error', code: 'bad-message', message: 'nope' },
  ];
  for (const m of msgs) assert.equal(parseServerMessage(encodeMessage(m)), m);
});

test('a NaN metric travels as null and comes back as NaN (a gap in the curve)', () => {
  const text = encodeMessage({ type: 'metrics', channel: 'c', points: [{ step: 1, values: { 'losses/value_loss': NaN } }] });
  assert.ok(text.includes('null'));
  const back = parseServerMessage(text);
  assert.ok(back.type === 'metrics' && Number.isNaN(back.points[0]!.values['losses/value_loss']));
});

test('every client message survives encode → parse unchanged', () => {
  const msgs: ClientMessage[] = [
    { type: 'hello', protocol: PROTOCOL_VERSION },
    { type: 'subscribe', channels: null },
    { type: 'subscribe', channels: ['a', 'b'] },
    { type: 'control', channel: 'a', action: 'pause' },
    { type: 'control', channel: 'a', action: 'speed', speed: 4 },
  ];
  for (const m of msgs) {
    assert.equal(parseClientMessage(encodeMessage(m)), m);
  }
});

test('bad client messages are refused with the field named', () => {
  throwsProtocol(() => parseClientMessage('{not json'), 'not JSON', 'bad-message');
  throwsProtocol(() => parseClientMessage('[1,2]'), 'expected an object');
  throwsProtocol(() => parseClientMessage(42), 'JSON text');
  throwsProtocol(() => parseClientMessage('{"type":"launch-missiles"}'), 'type', 'unknown-type');
  throwsProtocol(() => parseClientMessage('{"type":"hello","protocol":7}'), 'protocol', 'version-mismatch');
  throwsProtocol(() => parseClientMessage('{"type":"control","channel":"a","action":"explode"}'), 'action');
  throwsProtocol(() => parseClientMessage('{"type":"control","channel":"a","action":"speed","speed":1000}'), 'speed');
  throwsProtocol(() => parseClientMessage('{"type":"control","channel":"a","action":"speed"}'), 'speed');
  throwsProtocol(() => parseClientMessage('{"type":"subscribe","channels":[1]}'), 'channels[0]');
  throwsProtocol(() => parseClientMessage(JSON.stringify({ type: 'control', channel: 'x'.repeat(300), action: 'pause' })), 'channel');
});

test('bad scenes and channel descriptions are refused with the path of the field', () => {
  throwsProtocol(() => parseScene({ bodies: [{ name: 'a', shape: 'cone', size: [1], color: '#ffffff' }] }), 'scene.bodies[0].shape');
  throwsProtocol(() => parseScene({ bodies: [{ name: 'a', shape: 'box', size: [1, 2], color: '#ffffff' }] }), 'scene.bodies[0].size');
  throwsProtocol(() => parseScene({ bodies: [{ name: 'a', shape: 'sphere', size: [-1], color: '#ffffff' }] }), 'scene.bodies[0].size[0]');
  throwsProtocol(() => parseScene({ bodies: [{ name: 'a', shape: 'sphere', size: [1], color: 'red' }] }), 'scene.bodies[0].color');
  throwsProtocol(() => parseScene({ bodies: scene.bodies, parents: [-1, 0] }), 'scene.parents');
  throwsProtocol(() => parseScene({ bodies: scene.bodies, parents: [-1, 0, 9, 0] }), 'scene.parents[2]');
  throwsProtocol(() => parseScene({ bodies: scene.bodies, parents: [-1, 1, 1, 0] }), 'scene.parents[1]');
  throwsProtocol(() => parseServerMessage(encodeMessage({ type: 'channel', channel: { ...info, kind: 'movie' as never } })), 'channel.kind');
  throwsProtocol(() => parseServerMessage(encodeMessage({ type: 'channel', channel: { ...info, offset: [0, 0] as never } })), 'channel.offset');
  throwsProtocol(() => parseServerMessage(JSON.stringify({ type: 'channel', channel: { ...info, meta: { a: [1] } } })), 'channel.meta.a');
});

test.run();
