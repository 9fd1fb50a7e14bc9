import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Playback, interpolateTransforms, slerpInto } from '../../src/viewer/client/playback.ts';
import { FRAME_DISCONTINUITY } from '../../src/viewer/protocol.ts';

/** One body at x, rotated angleRad about y. */
function pose(x: number, angleRad: number): Float32Array {
  return Float32Array.from([x, 1, 0, 0, Math.sin(angleRad / 2), 0, Math.cos(angleRad / 2)]);
}

const close = (a: number, b: number, eps = 1e-5) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('slerp halfway between 0 and 90° about y is 45° about y, unit length', () => {
  const out = new Float32Array(4);
  slerpInto(out, 0, pose(0, 0), pose(0, Math.PI / 2), 3, 0.5);
  close(out[1]!, Math.sin(Math.PI / 8));
  close(out[3]!, Math.cos(Math.PI / 8));
  close(Math.hypot(...out), 1);
});

test('slerp takes the shorter arc when the quaternions have opposite signs', () => {
  const a = pose(0, 0.2);
  const b = pose(0, 0.4);
  for (let k = 3; k < 7; k++) b[k] = -b[k]!; // same rotation, other sign
  const out = new Float32Array(4);
  slerpInto(out, 0, a, b, 3, 0.5);
  // 0.3 rad about y, up to sign
  const sign = Math.sign(out[3]!);
  close(sign * out[1]!, Math.sin(0.15));
  close(sign * out[3]!, Math.cos(0.15));
});

test('interpolation lerps positions and leaves a body with NaN untouched', () => {
  const a = new Float32Array([...pose(0, 0), ...pose(5, 0)]);
  const b = new Float32Array([...pose(2, 0), ...pose(NaN, 0)]);
  const out = new Float32Array(14).fill(7);
  interpolateTransforms(out, a, b, 0.25, 2);
  close(out[0]!, 0.5);
  assert.equal(Array.from(out.subarray(7)), [7, 7, 7, 7, 7, 7, 7]);
});

test('playback draws one interval in the past and blends the two ticks around that moment', () => {
  const p = new Playback(1);
  // ticks every 20 ms, x = tick index
  for (let i = 0; i < 6; i++) p.push(pose(i, 0), 1000 + 20 * i, i * 0.02, i);
  close(p.delayMs, 30);
  const out = new Float32Array(7);
  assert.ok(p.sample(1100, out)); // render time 1070: between tick 3 (1060) and tick 4 (1080)
  close(out[0]!, 3.5);
  assert.is(p.drawnFrame, 3);
  close(p.drawnTimeSeconds, 0.07);
});

test('playback holds the newest tick when no newer one has come (a pause)', () => {
  const p = new Playback(1);
  for (let i = 0; i < 3; i++) p.push(pose(i, 0), 20 * i, i * 0.02, i);
  const out = new Float32Array(7);
  p.sample(10_000, out);
  assert.is(out[0], 2);
  assert.is(p.drawnFrame, 2);
});

test('a discontinuity (reset) is never blended with the tick before it', () => {
  const p = new Playback(1);
  p.push(pose(0, 0), 0, 0, 0);
  p.push(pose(1, 0), 20, 0.02, 1);
  p.push(pose(-3, 0), 40, 0, 2, FRAME_DISCONTINUITY);
  p.push(pose(-2, 0), 60, 0.02, 3);
  const out = new Float32Array(7);
  p.sample(30 + p.delayMs, out); // render time 30: between tick 1 and the reset
  assert.is(out[0], 1);
  p.sample(50 + p.delayMs, out); // after the reset: blends normally
  close(out[0]!, -2.5);
});

test('the ring reuses its slots: many ticks, bounded memory, latest still drawn', () => {
  const p = new Playback(2);
  const first = p.next();
  for (let i = 0; i < 100; i++) p.push(new Float32Array(14).fill(i), i * 16, i, i);
  assert.is(p.size, 8);
  const seen = new Set<Float32Array>();
  for (let i = 0; i < 16; i++) {
    seen.add(p.next());
    p.push(new Float32Array(14).fill(100 + i), (100 + i) * 16, 100 + i, 100 + i);
  }
  assert.is(seen.size, 8);
  assert.ok(seen.has(first));
  const out = new Float32Array(14);
  p.sample(1e9, out);
  assert.is(out[0], 115);
});

test('nothing to draw before the first tick', () => {
  assert.is(new Playback(3).sample(0, new Float32Array(21)), false);
});

test.run();
