import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ViewerHub } from '../../src/viewer/server/hub.ts';
import { ClipPlayer } from '../../src/viewer/server/sources/clip-player.ts';
import { makeJoint, Skeleton } from '../../src/motion/skeleton.ts';
import { MotionClip, uniformTimes } from '../../src/motion/clip.ts';
import { FRAME_DISCONTINUITY, decodeFrame } from '../../src/viewer/protocol.ts';
import type { Sink } from '../../src/viewer/server/client-connection.ts';

class Collect implements Sink {
  readyState = 1;
  bufferedAmount = 0;
  frames: Uint8Array[] = [];
  send(d: string | Uint8Array): void {
    if (typeof d !== 'string') this.frames.push(d);
  }
  close(): void {}
  terminate(): void {}
}

/** A BVH-like arm (no bodies: drawn as capsules per bone) whose root moves 1 m along x per second, 30 fps, 1 s. */
function slideClip(loop: 'wrap' | 'none'): MotionClip {
  const skeleton = new Skeleton('arm', [makeJoint('root', 'root', -1, [0, 0, 0]), makeJoint('shoulder', 'spherical', 0, [0, 1, 0]), makeJoint('hand', 'fixed', 1, [0, 0.5, 0])]);
  const n = 31;
  const stride = 3 + 4 * 3;
  const frames = new Float64Array(n * stride);
  for (let f = 0; f < n; f++) {
    frames[f * stride] = f / 30;
    for (let j = 0; j < 3; j++) frames[f * stride + 3 + 4 * j + 3] = 1;
  }
  return new MotionClip({ skeleton, frames, frameTimes: uniformTimes(n, 1 / 30), loop, name: 'slide' });
}


/** Players left running by a failed assertion would keep the process alive: closed after each test. */
const running: { close(): void }[] = [];
function track<T extends { close(): void }>(p: T): T {
  running.push(p);
  return p;
}
test.after.each(() => {
  for (const p of running.splice(0)) p.close();
});

test('plays the clip: one body per bone, named and parented, root advancing with time', async () => {
  const hub = new ViewerHub();
  const sink = new Collect();
  hub.addClient(sink);
  const player = track(new ClipPlayer(hub, slideClip('none')));
  const info = player.channel.describe();
  assert.is(info.kind, 'clip');
  assert.equal(info.scene.bodies.map((b) => b.name), ['root-shoulder', 'shoulder-hand']);
  assert.equal(info.scene.parents, [-1, 0]);
  player.control('pause');
  for (let i = 0; i < 15; i++) player.control('step'); // 15 clip frames = 0.5 s
  const f = decodeFrame(sink.frames.at(-1)!);
  assert.ok(Math.abs(f.timeSeconds - 0.5) < 1e-9);
  assert.ok(Math.abs(f.transforms[0]! - 0.5) < 1e-5, `root x ${f.transforms[0]}`);
  assert.ok(Math.abs(f.transforms[1]! - 0.5) < 1e-5, 'first bone centred halfway up');
  player.close();
});

test('a clip that does not loop starts again at its end, flagged as a jump', () => {
  const hub = new ViewerHub();
  const sink = new Collect();
  hub.addClient(sink);
  const player = track(new ClipPlayer(hub, slideClip('none')));
  player.control('pause');
  for (let i = 0; i < 31; i++) player.control('step');
  const f = decodeFrame(sink.frames.at(-1)!);
  assert.is(f.timeSeconds, 0);
  assert.ok(f.flags & FRAME_DISCONTINUITY);
  player.close();
});

test('runs in real time × speed, and pauses', async () => {
  const hub = new ViewerHub();
  const sink = new Collect();
  hub.addClient(sink);
  // The player's clock is stepped by hand: its timer still ticks, but time passes only here.
  const clock = { ms: 0 };
  const player = track(new ClipPlayer(hub, slideClip('wrap'), { speed: 0.5, now: () => clock.ms }).start());
  const lastTime = () => decodeFrame(sink.frames.at(-1)!).timeSeconds;
  clock.ms = 400;
  // The next timer tick plays 0.4 s × 0.5; its frame may wait for the channel's 60/s limit.
  for (let wait = 0; wait < 2000 && lastTime() === 0; wait++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(Math.abs(lastTime() - 0.2) < 1e-9, `clip time ${lastTime()} after 0.4 s at half speed`);
  player.control('pause');
  await new Promise((r) => setTimeout(r, 50)); // a tick held back by the 60/s limit still goes out
  const n = sink.frames.length;
  clock.ms = 1400;
  await new Promise((r) => setTimeout(r, 150));
  assert.is(sink.frames.length, n, 'paused: a second of clock plays nothing');
  assert.ok(Math.abs(lastTime() - 0.2) < 1e-9);
  player.close();
});

test.run();
