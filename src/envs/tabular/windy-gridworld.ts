/**
 * Sutton & Barto's windy gridworld (Example 6.5): a 7×10 grid where an upward wind, of a
 * strength set per column, pushes the agent.
 *
 * - States: Discrete(70), s = row · 10 + col; start (3, 0) = 30, goal (3, 7) = 37.
 * - Actions: Discrete(4): 0 up, 1 right, 2 down, 3 left.
 * - Dynamics: the next row is row + Δrow − wind[col], with the wind of the column the agent
 *   leaves (0 0 0 1 1 1 2 2 1 0), then clamped to the grid.
 * - Reward: −1 per step until the goal. Episode end: terminated at the goal; no time limit.
 * - The shortest path takes 15 steps (the book's figure); ε-greedy SARSA finds it.
 *
 * Version history: v0 as in the book.
 */
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';
import { clampedMove, COMPASS_ACTIONS, uniformOver } from './grid.ts';

const ROWS = 7;
const COLS = 10;
export const WIND = [0, 0, 0, 1, 1, 1, 2, 2, 1, 0] as const;
export const WINDY_START = 3 * COLS + 0;
export const WINDY_GOAL = 3 * COLS + 7;

export function windyGridworld(): TabularProblem {
  const S = ROWS * COLS;
  const mdp = mdpFromFunction(
    S,
    4,
    (s, a): Transition[] => {
      if (s === WINDY_GOAL) return [[1, s, 0, true]];
      const row = Math.floor(s / COLS);
      const col = s % COLS;
      const [dRow, dCol] = COMPASS_ACTIONS.moves[a]!;
      const s2 = clampedMove(ROWS, COLS, row, col, dRow - WIND[col]!, dCol);
      return [[1, s2, -1, s2 === WINDY_GOAL]];
    },
    { source: 'WindyGridworld-v0' },
  );
  const cells = Array.from({ length: S }, (_, s) => (s === WINDY_START ? 'S' : s === WINDY_GOAL ? 'G' : '.')).join('');
  return {
    id: 'WindyGridworld-v0',
    mdp,
    initial: uniformOver(S, [WINDY_START]),
    gamma: 1,
    actionNames: COMPASS_ACTIONS.names,
    grid: { rows: ROWS, cols: COLS, cells, arrows: COMPASS_ACTIONS.arrows },
  };
}

registerTabular({
  id: 'WindyGridworld-v0',
  description: "Sutton & Barto's windy gridworld (Example 6.5): upward wind per column, −1 a step",
  build: windyGridworld,
  module: import.meta.url,
});
