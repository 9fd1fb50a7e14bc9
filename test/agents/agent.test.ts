import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Box, Discrete } from '../../src/core/spaces.ts';
import { linearSchedule, mlpObservationProblem, reportEpisodes, type EpisodeReport } from '../../src/agents/agent.ts';

test('linearSchedule decays then holds (CleanRL linear_schedule)', () => {
  assert.is(linearSchedule(1, 0.05, 100, 0), 1);
  assert.ok(Math.abs(linearSchedule(1, 0.05, 100, 50) - 0.525) < 1e-12);
  assert.is(linearSchedule(1, 0.05, 100, 1000), 0.05);
});

test('Box.clip clips each dimension of each row to its bounds (as the agents clip actions); NaN stays NaN', () => {
  const space = new Box([-1, 0], [1, 2]);
  const out = new Float32Array(4);
  space.clip(Float32Array.of(-3, 5, 0.5, -1), out, 2);
  assert.equal(Array.from(out), [-1, 2, 0.5, 0]);
  const inPlace = Float32Array.of(NaN, 3);
  space.clip(inPlace, inPlace);
  assert.ok(Number.isNaN(inPlace[0]));
  assert.is(inPlace[1], 2);
});

test('reportEpisodes forwards the episodes of infos', () => {
  const got: EpisodeReport[] = [];
  reportEpisodes([{}, { episode: { r: 12, l: 12, t: 0.1 } }], 80, { metrics() {}, episode: (e) => got.push(e) });
  assert.equal(got, [{ step: 80, return: 12, length: 12, env: 1 }]);
});

test('observation spaces an MLP takes', () => {
  assert.is(mlpObservationProblem(new Box(-1, 1, [4])), null);
  assert.is(mlpObservationProblem(new Discrete(16)), null);
  assert.match(mlpObservationProblem(new Box(0, 1, [8, 8]))!, /not flat/);
});

test.run();
