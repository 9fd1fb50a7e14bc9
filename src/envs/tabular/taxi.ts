/**
 * Gymnasium's Taxi-v3 (Dietterich's taxi domain, 2000), transition for transition.
 *
 * ```
 * +---------+
 * |R: | : :G|
 * | : | : : |
 * | : : : : |
 * | | : | : |
 * |Y| : |B: |
 * +---------+
 * ```
 *
 * - States: Discrete(500), s = ((taxi_row · 5 + taxi_col) · 5 + passenger) · 4 + destination, where
 *   passenger is 0 R, 1 G, 2 Y, 3 B or 4 in the taxi and destination is 0 R, 1 G, 2 Y, 3 B
 *   (`taxiEncode` / `taxiDecode`).
 * - Actions: Discrete(6): 0 south, 1 north, 2 east, 3 west, 4 pickup, 5 dropoff. Walls ('|')
 *   block east/west moves; a blocked move costs a step and changes nothing.
 * - Reward: −1 per step; +20 for dropping the passenger at the destination (the episode
 *   terminates); −10 for a pickup or dropoff where it is not allowed. Dropping the passenger at
 *   another of the four locations is allowed (−1) and leaves them there.
 * - Start: uniform over the 300 states with the passenger at a location other than the destination.
 * - Time limit 200 steps; reward threshold 8 (optimum 8.46), as Gymnasium.
 * - `info.action_mask`: 1 for the actions that change the state (Gymnasium ≥ 0.25).
 *
 * Version history: v3 as Gymnasium's Taxi-v3.
 */
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';

const MAP = ['+---------+', '|R: | : :G|', '| : | : : |', '| : : : : |', '| | : | : |', '|Y| : |B: |', '+---------+'];
/** (row, col) of R, G, Y, B. */
const LOCATIONS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 4],
  [4, 0],
  [4, 3],
];
const LOCATION_NAMES = ['R', 'G', 'Y', 'B', 'taxi'];
const SIZE = 5;
const IN_TAXI = 4;

export function taxiEncode(row: number, col: number, passenger: number, destination: number): number {
  return ((row * SIZE + col) * 5 + passenger) * 4 + destination;
}

export function taxiDecode(s: number): { row: number; col: number; passenger: number; destination: number } {
  return { destination: s % 4, passenger: Math.floor(s / 4) % 5, col: Math.floor(s / 20) % SIZE, row: Math.floor(s / 100) };
}

const canGoEast = (row: number, col: number) => MAP[1 + row]![2 * col + 2] === ':';
const canGoWest = (row: number, col: number) => MAP[1 + row]![2 * col] === ':';
const locationAt = (row: number, col: number) => LOCATIONS.findIndex(([r, c]) => r === row && c === col);

function taxiTransition(s: number, action: number): Transition {
  const { row, col, passenger, destination } = taxiDecode(s);
  let newRow = row;
  let newCol = col;
  let newPassenger = passenger;
  let reward = -1;
  let terminated = false;
  const here = locationAt(row, col);
  if (action === 0) newRow = Math.min(row + 1, SIZE - 1);
  else if (action === 1) newRow = Math.max(row - 1, 0);
  else if (action === 2) {
    if (canGoEast(row, col)) newCol = Math.min(col + 1, SIZE - 1);
  } else if (action === 3) {
    if (canGoWest(row, col)) newCol = Math.max(col - 1, 0);
  } else if (action === 4) {
    if (passenger < IN_TAXI && here === passenger) newPassenger = IN_TAXI;
    else reward = -10;
  } else {
    if (here === destination && passenger === IN_TAXI) {
      newPassenger = destination;
      terminated = true;
      reward = 20;
    } else if (here >= 0 && passenger === IN_TAXI) newPassenger = here;
    else reward = -10;
  }
  return [1, taxiEncode(newRow, newCol, newPassenger, destination), reward, terminated];
}

/** Gymnasium's `action_mask(state)`. */
export function taxiActionMask(s: number): Uint8Array {
  const { row, col, passenger, destination } = taxiDecode(s);
  const here = locationAt(row, col);
  return Uint8Array.of(
    row < SIZE - 1 ? 1 : 0,
    row > 0 ? 1 : 0,
    col < SIZE - 1 && canGoEast(row, col) ? 1 : 0,
    col > 0 && canGoWest(row, col) ? 1 : 0,
    passenger < IN_TAXI && here === passenger ? 1 : 0,
    passenger === IN_TAXI && (here === destination || here >= 0) ? 1 : 0,
  );
}

export function taxi(): TabularProblem {
  const S = 500;
  const mdp = mdpFromFunction(S, 6, (s, a) => [taxiTransition(s, a)], { source: 'Taxi-v3' });
  const initial = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    const { passenger, destination } = taxiDecode(s);
    if (passenger < IN_TAXI && passenger !== destination) initial[s] = 1 / 300;
  }
  return {
    id: 'Taxi-v3',
    mdp,
    initial,
    gamma: 1,
    actionNames: ['south', 'north', 'east', 'west', 'pickup', 'dropoff'],
    stateName: (s) => {
      const { row, col, passenger, destination } = taxiDecode(s);
      return `taxi (${row},${col}), passenger ${LOCATION_NAMES[passenger]}, destination ${LOCATION_NAMES[destination]}`;
    },
    actionMask: taxiActionMask,
    grid: {
      rows: SIZE,
      cols: SIZE,
      cells: 'R...G' + '.'.repeat(15) + 'Y..B.',
      arrows: ['↓', '↑', '→', '←', 'P', 'D'],
      cellOf: (s) => {
        const { row, col } = taxiDecode(s);
        return row * SIZE + col;
      },
    },
  };
}

registerTabular({
  id: 'Taxi-v3',
  description: "Gymnasium's Taxi-v3: pick up and drop off a passenger on a 5×5 map with walls",
  maxEpisodeSteps: 200,
  rewardThreshold: 8,
  build: taxi,
  module: import.meta.url,
});
