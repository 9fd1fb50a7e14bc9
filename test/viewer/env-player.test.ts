import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ViewerHub } from '../../src/viewer/server/hub.ts';
import { EnvPlayer } from '../../src/viewer/server/sources/env-player.ts';
import { ShapesEnv } from './fixtures/shapes-env.ts';
import { UsageError } from '../../src/core/errors.ts';
import { FRAME_DISCONTINUITY, decodeFrame } from '../../src/viewer/protocol.ts';
import type { Sink } from '../../src/viewer/server/client-connection.ts';
import type { AnyEnv } from '../../src/envs/env.ts';

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));



/** Players left running by a failed assertion would keep the process alive: closed after each test. */
const running: { close(): void }[] = [];
function track<T extends { close(): void }>(p: T): T {
  running.push(p);
  return p;
}
test.after.each(() => {
  for (const p of running.splice(0)) p.close();
});

test('steps in real time × speed: 1 / dt steps per second of its clock, episodes reported as curves', async () => {
  const hub = new ViewerHub();
  // The player's clock is stepped by hand: its timer still ticks, but time passes only here.
  const clock = { ms: 0 };
  const player = track(new EnvPlayer(hub, new ShapesEnv(), { speed: 4, now: () => clock.ms }).start());
  const counts: number[] = [];
  for (let k = 1; k <= 20; k++) {
    const before = player.totalSteps;
    clock.ms = 50 * k;
    // The next timer tick hands the player those 50 ms.
    for (let wait = 0; wait < 2000 && player.totalSteps === before; wait++) await sleep(5);
    counts.push(player.totalSteps);
  }
  await sleep(50); // more timer ticks, no time passing: no more steps
  player.close();
  // ShapesEnv steps 0.02 s, so 1 s of clock at 4× speed is 4 / 0.02 = 200 steps, 10 per 50 ms;
  // the budget is carried over by subtraction, so a step may land one tick late.
  assert.ok(Math.abs(player.totalSteps - 200) <= 1, `${player.totalSteps} steps`);
  assert.is(counts.at(-1), player.totalSteps);
  counts.forEach((n, i) => assert.ok(Math.abs(n - 10 * (i + 1)) <= 1, `${n} steps after ${50 * (i + 1)} ms`));
  assert.ok(player.episodes >= 1);
  const point = player.channel.metricHistory()[0]!;
  assert.equal(point.values, { 'charts/episodic_return': 100, 'charts/episodic_length': 100 });
});

test('pause stops stepping, step advances exactly one env step and sends it, resume goes on', async () => {
  const hub = new ViewerHub();
  const sink = new Collect();
  hub.addClient(sink);
  const player = track(new EnvPlayer(hub, new ShapesEnv()).start());
  player.control('pause');
  const steps = player.totalSteps;
  await sleep(200);
  assert.is(player.totalSteps, steps);
  assert.ok(player.channel.describe().paused);
  const before = sink.frames.length;
  player.control('step');
  assert.is(player.totalSteps, steps + 1);
  assert.is(sink.frames.length, before + 1);
  const f = decodeFrame(sink.frames.at(-1)!);
  assert.ok(Math.abs(f.timeSeconds - (steps + 1) * 0.02) < 1e-9, `time ${f.timeSeconds}`);
  player.control('speed', 2);
  assert.is(player.channel.describe().speed, 2);
  player.control('resume');
  await sleep(200);
  assert.ok(player.totalSteps > steps + 5);
  player.close();
});

test('an episode reset is flagged as a discontinuity', async () => {
  const hub = new ViewerHub();
  const sink = new Collect();
  hub.addClient(sink);
  const player = track(new EnvPlayer(hub, new ShapesEnv()));
  player.control('pause');
  for (let i = 0; i < 100; i++) player.control('step'); // the 100th step ends the episode
  const last = decodeFrame(sink.frames.at(-1)!);
  assert.is(last.timeSeconds, 0);
  assert.ok(last.flags & FRAME_DISCONTINUITY);
  assert.not.ok(decodeFrame(sink.frames.at(-2)!).flags & FRAME_DISCONTINUITY);
  player.close();
});

test('with nobody watching the env still steps but no frame is read', async () => {
  const hub = new ViewerHub();
  const env = new ShapesEnv();
  let reads = 0;
  const frame = env.frame.bind(env);
  env.frame = () => (reads++, frame());
  const player = track(new EnvPlayer(hub, env, { speed: 4 }).start());
  const readsAtStart = reads;
  await sleep(300);
  player.close();
  assert.ok(player.totalSteps > 20);
  // Only the first step's two reads to learn the env's dt.
  assert.ok(reads - readsAtStart <= 2, `${reads - readsAtStart} frames read`);
});

test('an env without frame() is a clear usage error', () => {
  const env = new ShapesEnv() as unknown as AnyEnv;
  (env as { frame?: unknown }).frame = undefined;
  assert.throws(() => new EnvPlayer(new ViewerHub(), env), (e: Error) => e instanceof UsageError && /does not render frames/.test(e.message));
});

test('a failing env is reset, then stopped after three failures in a row; the server lives on', async () => {
  const hub = new ViewerHub();
  const env = new ShapesEnv();
  env.step = () => {
    throw new Error('boom');
  };
  const log: string[] = [];
  const player = track(new EnvPlayer(hub, env, { log: (l) => log.push(l) }));
  player.control('pause');
  for (let i = 0; i < 5; i++) player.control('step');
  assert.ok(log.some((l) => /step failed: boom/.test(l)));
  assert.ok(log.some((l) => /stopped after 3 failures/.test(l)));
  player.close();
});

test.run();
