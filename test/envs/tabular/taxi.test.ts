import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/mdp/index.ts';
import { make, spec } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { makeMdp } from '../../../src/envs/tabular/problem.ts';
import { taxiActionMask, taxiDecode, taxiEncode } from '../../../src/envs/tabular/taxi.ts';
import { valueIteration } from '../../../src/mdp/dp/value-iteration.ts';

const [SOUTH, NORTH, EAST, WEST, PICKUP, DROPOFF] = [0, 1, 2, 3, 4, 5];
const [R, G, Y, B, IN_TAXI] = [0, 1, 2, 3, 4];

test("encoding as Gymnasium's: ((row · 5 + col) · 5 + passenger) · 4 + destination", () => {
  assert.is(taxiEncode(3, 1, 2, 0), 328);
  assert.equal(taxiDecode(328), { row: 3, col: 1, passenger: 2, destination: 0 });
  for (let s = 0; s < 500; s++) {
    const d = taxiDecode(s);
    assert.is(taxiEncode(d.row, d.col, d.passenger, d.destination), s);
  }
});

test('rewards −1 / +20 / −10, walls, pickup and dropoff rules', () => {
  const { mdp, initial } = makeMdp('Taxi-v3');
  assert.is(mdp.numStates, 500);
  assert.is(mdp.numActions, 6);
  // Start: passenger at a location other than the destination, taxi anywhere: 25 · 4 · 3 = 300 states.
  assert.is(Array.from(initial).filter((p) => p > 0).length, 300);
  // A wall between (0,1) and (0,2); none between (0,0) and (0,1).
  assert.equal(mdp.transitions(taxiEncode(0, 1, R, G), EAST), [[1, taxiEncode(0, 1, R, G), -1, false]]);
  assert.equal(mdp.transitions(taxiEncode(0, 0, R, G), EAST), [[1, taxiEncode(0, 1, R, G), -1, false]]);
  assert.equal(mdp.transitions(taxiEncode(4, 4, R, G), SOUTH), [[1, taxiEncode(4, 4, R, G), -1, false]]);
  assert.equal(mdp.transitions(taxiEncode(1, 0, R, G), NORTH), [[1, taxiEncode(0, 0, R, G), -1, false]]);
  // Pickup where the passenger waits; elsewhere −10.
  assert.equal(mdp.transitions(taxiEncode(0, 0, R, G), PICKUP), [[1, taxiEncode(0, 0, IN_TAXI, G), -1, false]]);
  assert.equal(mdp.transitions(taxiEncode(0, 1, R, G), PICKUP), [[1, taxiEncode(0, 1, R, G), -10, false]]);
  // Dropoff at the destination: +20, terminated, passenger index becomes the destination.
  assert.equal(mdp.transitions(taxiEncode(0, 4, IN_TAXI, G), DROPOFF), [[1, taxiEncode(0, 4, G, G), 20, true]]);
  // Dropoff at another location leaves the passenger there (−1); anywhere else −10.
  assert.equal(mdp.transitions(taxiEncode(4, 0, IN_TAXI, G), DROPOFF), [[1, taxiEncode(4, 0, Y, G), -1, false]]);
  assert.equal(mdp.transitions(taxiEncode(2, 2, IN_TAXI, G), DROPOFF), [[1, taxiEncode(2, 2, IN_TAXI, G), -10, false]]);
  assert.equal(Array.from(taxiActionMask(taxiEncode(0, 1, R, G))), [1, 0, 0, 1, 0, 0]);
  assert.equal(Array.from(taxiActionMask(taxiEncode(4, 3, IN_TAXI, B))), [0, 1, 1, 0, 0, 1]);
});

test('optimal values equal 20 − (moves to the passenger + pickup + moves to the destination), by breadth-first search', () => {
  const { mdp } = makeMdp('Taxi-v3');
  const { values } = valueIteration(mdp, { gamma: 1, theta: 1e-12 });
  // Independent of the model's arrays: shortest paths on the map's cells with its walls.
  const map = ['+---------+', '|R: | : :G|', '| : | : : |', '| : : : : |', '| | : | : |', '|Y| : |B: |', '+---------+'];
  const cell = (r: number, c: number) => r * 5 + c;
  const dist = (from: number) => {
    const d = new Array(25).fill(Infinity);
    d[from] = 0;
    const queue = [from];
    while (queue.length) {
      const x = queue.shift()!;
      const [r, c] = [Math.floor(x / 5), x % 5];
      const moves: [number, number][] = [];
      if (r < 4) moves.push([r + 1, c]);
      if (r > 0) moves.push([r - 1, c]);
      if (c < 4 && map[1 + r]![2 * c + 2] === ':') moves.push([r, c + 1]);
      if (c > 0 && map[1 + r]![2 * c] === ':') moves.push([r, c - 1]);
      for (const [r2, c2] of moves) if (d[cell(r2, c2)] === Infinity) (d[cell(r2, c2)] = d[x] + 1), queue.push(cell(r2, c2));
    }
    return d;
  };
  const locations = [cell(0, 0), cell(0, 4), cell(4, 0), cell(4, 3)];
  for (let taxiCell = 0; taxiCell < 25; taxiCell++) {
    for (let p = 0; p < 4; p++) {
      for (let dest = 0; dest < 4; dest++) {
        if (p === dest) continue;
        const expected = 20 - (dist(taxiCell)[locations[p]!]! + 1 + dist(locations[p]!)[locations[dest]!]!);
        const s = taxiEncode(Math.floor(taxiCell / 5), taxiCell % 5, p, dest);
        assert.ok(Math.abs(values[s]! - expected) < 1e-9, `state ${s}: ${values[s]} vs ${expected}`);
      }
    }
  }
});

test('time limit 200, threshold 8, info.action_mask, checkEnv', () => {
  assert.is(spec('Taxi-v3').maxEpisodeSteps, 200);
  assert.is(spec('Taxi-v3').rewardThreshold, 8);
  const env = make('Taxi-v3');
  const { obs, info } = env.reset({ seed: 0 });
  assert.equal(Array.from(info.action_mask as Uint8Array), Array.from(taxiActionMask(obs)));
  checkEnv(make('Taxi-v3'));
});

test.run();
