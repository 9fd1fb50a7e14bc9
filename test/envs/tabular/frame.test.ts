import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TabularFrame } from '../../../src/envs/tabular/frame.ts';

test('grid frames: one tile per cell, the agent ball over its cell', () => {
  const f = TabularFrame.grid({ rows: 2, cols: 3, cells: 'S.H..G', arrows: [] });
  const frame = f.frame(4, 7);
  assert.is(frame.scene.bodies.length, 7);
  assert.is(frame.scene.bodies[2]!.color, '#1d3557');
  const agent = 6 * 7;
  assert.equal(Array.from(frame.transforms.slice(agent, agent + 3)), [1, 0.3499999940395355, 1]);
  assert.is(frame.time, 7);
  assert.is(f.frame(0, 8).scene, frame.scene);
});

test('track frames place the ball along a 10 m track', () => {
  const frame = TabularFrame.track().frame(0.5, 0);
  assert.is(frame.transforms[7], 5);
});

test.run();
