import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ViewerHub } from '../../src/viewer/server/hub.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { FRAME_DISCONTINUITY, decodeFrame, parseServerMessage, type ServerMessage } from '../../src/viewer/protocol.ts';
import type { Sink } from '../../src/viewer/server/client-connection.ts';

/** A socket that records what is sent; `backlog` plays the bytes a slow reader leaves queued. */
class FakeSink implements Sink {
  readyState = 1;
  backlog = 0;
  texts: ServerMessage[] = [];
  frames: Uint8Array[] = [];
  terminated = false;
  get bufferedAmount(): number {
    return this.backlog;
  }
  send(data: string | Uint8Array): void {
    if (typeof data === 'string') this.texts.push(parseServerMessage(data));
    else this.frames.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
}

const scene = { bodies: [{ name: 'b', shape: 'sphere' as const, size: [0.1], color: '#ff0000' }] };
const frameAt = (x: number, time: number) => ({ scene, transforms: Float32Array.of(x, 0, 0, 0, 0, 0, 1), time });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a new client is greeted with every channel, then gets the current pose', () => {
  const hub = new ViewerHub();
  const ch = hub.channel({ id: 'a', kind: 'rollout', scene });
  ch.publish(frameAt(3, 0.5));
  const sink = new FakeSink();
  hub.addClient(sink);
  assert.is(sink.texts[0]!.type, 'welcome');
  assert.equal((sink.texts[0] as any).channels.map((c: any) => c.id), ['a']);
  assert.is(sink.frames.length, 1);
  const f = decodeFrame(sink.frames[0]!);
  assert.is(f.transforms[0], 3);
  assert.is(f.timeSeconds, 0.5);
  assert.ok(f.flags & FRAME_DISCONTINUITY);
});

test('with nobody watching, publish sends nothing and wantsFrame is false', () => {
  const hub = new ViewerHub();
  const ch = hub.channel({ id: 'a', kind: 'run', scene });
  assert.is(ch.wantsFrame(), false);
  for (let i = 0; i < 1000; i++) ch.publish(frameAt(i, i));
  assert.is(hub.stats().framesSent, 0);
});

test('ticks faster than maxFps: latest wins, the trailing one is sent by a timer', async () => {
  const hub = new ViewerHub();
  const ch = hub.channel({ id: 'a', kind: 'run', scene, maxFps: 20 });
  const sink = new FakeSink();
  hub.addClient(sink);
  sink.frames = [];
  for (let i = 1; i <= 100; i++) ch.publish(frameAt(i, i * 0.01)); // all within a few ms
  assert.is(sink.frames.length, 1, 'the first is sent at once');
  assert.is(decodeFrame(sink.frames[0]!).transforms[0], 1);
  await sleep(80);
  assert.is(sink.frames.length, 2, 'then one trailing tick');
  const last = decodeFrame(sink.frames[1]!);
  assert.is(last.transforms[0], 100);
  assert.is(last.frameNumber, decodeFrame(sink.frames[0]!).frameNumber + 1);
});

test('time going backwards marks a discontinuity (an episode reset)', async () => {
  const hub = new ViewerHub();
  const ch = hub.channel({ id: 'a', kind: 'run', scene, maxFps: 1000 });
  const sink = new FakeSink();
  hub.addClient(sink);
  sink.frames = [];
  ch.publish(frameAt(1, 0.5));
  await sleep(3);
  ch.publish(frameAt(2, 0.52));
  await sleep(3);
  ch.publish(frameAt(3, 0));
  const flags = sink.frames.map((f) => decodeFrame(f).flags & FRAME_DISCONTINUITY);
  assert.equal(flags, [0, 0, FRAME_DISCONTINUITY]);
});

test('a client that reads too slowly has ticks dropped, then is disconnected; others are served', () => {
  // The limits run on a clock stepped here: a tick every 5 ms of it.
  const clock = { ms: 0 };
  const hub = new ViewerHub({ softBufferBytes: 1000, hardBufferBytes: 1_000_000, stallMs: 50 }, () => {}, () => clock.ms);
  const ch = hub.channel({ id: 'a', kind: 'rollout', scene });
  const slow = new FakeSink();
  const fast = new FakeSink();
  hub.addClient(slow);
  hub.addClient(fast);
  slow.backlog = 5000;
  const before = fast.frames.length;
  for (let i = 0; i < 20; i++) {
    clock.ms = 5 * i;
    ch.publish(frameAt(i, i), { immediate: true });
    // Dropping since 0 ms: still connected at 50 ms, disconnected at the first tick after (55 ms).
    assert.is(slow.terminated, clock.ms > 50, `at ${clock.ms} ms`);
  }
  assert.is(fast.frames.length - before, 20, 'the healthy client got every tick');
  const s = hub.stats();
  assert.is(s.clients, 1);
  assert.is(s.disconnected.stalled, 1);
  assert.is(s.framesDropped, 12, 'the ticks at 0, 5, …, 55 ms');
});

test('a client past the hard limit is disconnected at once', () => {
  const hub = new ViewerHub({ hardBufferBytes: 100 });
  const ch = hub.channel({ id: 'a', kind: 'rollout', scene });
  const sink = new FakeSink();
  hub.addClient(sink);
  sink.backlog = 101;
  ch.publish(frameAt(1, 1), { immediate: true });
  assert.ok(sink.terminated);
  assert.is(hub.stats().disconnected.overflow, 1);
});

test('malformed, unknown and binary messages get an error reply and change nothing', () => {
  const hub = new ViewerHub();
  hub.channel({ id: 'a', kind: 'run', scene });
  const sink = new FakeSink();
  const client = hub.addClient(sink);
  const cases: [unknown, boolean, string][] = [
    ['{oops', false, 'bad-message'],
    ['{"type":"dance"}', false, 'unknown-type'],
    [Buffer.from([1, 2, 3]), true, 'bad-message'],
    ['{"type":"control","channel":"nope","action":"pause"}', false, 'unknown-channel'],
    ['{"type":"control","channel":"a","action":"pause"}', false, 'not-controllable'],
  ];
  for (const [data, binary, code] of cases) {
    sink.texts = [];
    // Error replies are limited to one per 200 ms: step the clock past it.
    (client as any).lastErrorMs = -Infinity;
    hub.receive(client, data, binary);
    assert.is(sink.texts.length, 1, `one reply to ${String(data)}`);
    const reply = sink.texts[0]!;
    assert.ok(reply.type === 'error' && reply.code === code, `expected ${code}, got ${JSON.stringify(reply)}`);
  }
  assert.is(hub.stats().clients, 1);
  // The last two are well-formed (refused, not malformed).
  assert.is(hub.stats().badMessages, 3);
});

test('an error reply is one line of at most 1000 characters, whatever the message quoted (found by test/fuzz/websocket.test.ts)', () => {
  const hub = new ViewerHub();
  const sink = new FakeSink();
  const client = hub.addClient(sink);
  // JSON.parse's message quotes the text around the error: here a newline, and a type of 5000 characters.
  for (const data of ['{"type":\n"hello"x}', JSON.stringify({ type: 'x'.repeat(5000) })]) {
    sink.texts = [];
    (client as any).lastErrorMs = -Infinity;
    hub.receive(client, data, false);
    const reply = sink.texts[0]!; // FakeSink parsed it: the page's parser accepts it (it refused 4096+ characters)
    assert.ok(reply.type === 'error' && !reply.message.includes('\n') && reply.message.length <= 1000, JSON.stringify(reply).slice(0, 200));
  }
});

test('a flood of messages is rate limited', () => {
  const clock = { ms: 0 };
  const hub = new ViewerHub({ maxMessagesPerSecond: 10 }, () => {}, () => clock.ms);
  const calls: string[] = [];
  hub.channel({ id: 'a', kind: 'rollout', scene, control: (a) => calls.push(a) });
  const client = hub.addClient(new FakeSink());
  const flood = () => {
    for (let i = 0; i < 100; i++) hub.receive(client, '{"type":"control","channel":"a","action":"pause"}', false);
  };
  flood();
  // A burst of the rate's size (client-connection.ts), then 10 a second: 0.5 s later, 5 more.
  assert.is(calls.length, 10);
  clock.ms = 500;
  flood();
  assert.is(calls.length, 15);
  assert.is(hub.stats().badMessages, 185);
});

test('control messages reach the channel controller; its state is broadcast', () => {
  const hub = new ViewerHub();
  const calls: [string, number | undefined][] = [];
  const ch = hub.channel({
    id: 'a',
    kind: 'rollout',
    scene,
    control: (action, speed) => {
      calls.push([action, speed]);
      ch.setState({ paused: action === 'pause', speed });
    },
  });
  const sink = new FakeSink();
  const client = hub.addClient(sink);
  hub.receive(client, '{"type":"control","channel":"a","action":"speed","speed":4}', false);
  hub.receive(client, '{"type":"control","channel":"a","action":"pause"}', false);
  assert.equal(calls, [['speed', 4], ['pause', undefined]]);
  const states = sink.texts.filter((t) => t.type === 'state');
  assert.equal(states.at(-1), { type: 'state', channel: 'a', paused: true, speed: 4 });
  assert.is(ch.describe().paused, true);
});

test('subscribing to some channels stops the ticks of the others', () => {
  const hub = new ViewerHub();
  const a = hub.channel({ id: 'a', kind: 'rollout', scene, maxFps: 1e6 });
  const b = hub.channel({ id: 'b', kind: 'rollout', scene, maxFps: 1e6 });
  const sink = new FakeSink();
  const client = hub.addClient(sink);
  hub.receive(client, '{"type":"subscribe","channels":["b"]}', false);
  sink.frames = [];
  a.publish(frameAt(1, 1), { immediate: true });
  b.publish(frameAt(2, 1), { immediate: true });
  assert.equal(sink.frames.map((f) => decodeFrame(f).channelIndex), [b.index]);
  assert.is(a.wantsFrame(), false);
});

test('metrics are batched to clients and kept, thinned, for pages that come later', async () => {
  const hub = new ViewerHub();
  const ch = hub.channel({ id: 'run', kind: 'run', scene });
  for (let i = 0; i < 5000; i++) ch.metrics(i, { 'charts/SPS': i });
  assert.ok(ch.metricHistory().length <= 4000);
  assert.is(ch.metricHistory().at(-1)!.step, 4999);
  const sink = new FakeSink();
  hub.addClient(sink);
  const history = sink.texts.find((t) => t.type === 'metrics');
  assert.ok(history && history.type === 'metrics' && history.points.length === ch.metricHistory().length);
  sink.texts = [];
  ch.metrics(5000, { 'charts/SPS': 1 });
  ch.metrics(5001, { 'charts/SPS': 2 });
  await sleep(150);
  const batches = sink.texts.filter((t) => t.type === 'metrics');
  assert.is(batches.length, 1);
  assert.ok(batches[0]!.type === 'metrics' && batches[0]!.points.length === 2);
});

test('a scene change bumps the revision and is announced; a wrong-sized frame is refused', () => {
  const hub = new ViewerHub();
  const ch = hub.channel({ id: 'a', kind: 'rollout', scene });
  const sink = new FakeSink();
  hub.addClient(sink);
  const two = { bodies: [...scene.bodies, { name: 'c', shape: 'box' as const, size: [1, 1, 1], color: '#00ff00' }] };
  ch.publish({ scene: two, transforms: new Float32Array(14), time: 0 });
  const announced = sink.texts.filter((t) => t.type === 'channel');
  assert.is(announced.length, 1);
  assert.ok(announced[0]!.type === 'channel' && announced[0]!.channel.sceneRevision === 1 && announced[0]!.channel.scene.bodies.length === 2);
  assert.throws(() => ch.publish({ transforms: new Float32Array(7), time: 0 }), /14/);
});

test('a bad scene is refused with the path of the field; duplicate ids are refused', () => {
  const hub = new ViewerHub();
  try {
    hub.channel({ id: 'x', kind: 'run', scene: { bodies: [{ name: 'b', shape: 'cone' as never, size: [1], color: '#ffffff' }] } });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, /scene\.bodies\[0\]\.shape/);
  }
  hub.channel({ id: 'a', kind: 'run', scene });
  assert.throws(() => hub.channel({ id: 'a', kind: 'run', scene }), /already exists/);
});

test('closing a channel tells clients and frees its index for reuse', () => {
  const hub = new ViewerHub();
  const a = hub.channel({ id: 'a', kind: 'run', scene });
  const sink = new FakeSink();
  hub.addClient(sink);
  a.close();
  assert.ok(sink.texts.some((t) => t.type === 'channel-closed' && t.id === 'a'));
  assert.is(hub.channel({ id: 'b', kind: 'run', scene }).index, a.index);
});

test.run();
