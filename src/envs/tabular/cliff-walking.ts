/**
 * Gymnasium's CliffWalking (Sutton & Barto, Example 6.6): walk along a 4×12 grid from the start
 * (3, 0) to the goal (3, 11) without stepping off the cliff (3, 1 … 10).
 *
 * - States: Discrete(48), s = row · 12 + col; start 36, goal 47.
 * - Actions: Discrete(4): 0 up, 1 right, 2 down, 3 left. A move off the grid stays put.
 * - Reward: −1 per step; stepping into the cliff gives −100 and sends the agent back to the start
 *   (the episode goes on).
 * - Episode end: terminated on reaching the goal. No time limit (as Gymnasium's registration).
 * - Options: `is_slippery` (default false): the move goes in the intended or a perpendicular
 *   direction, 1/3 each, as Gymnasium's option.
 * - With ε = 0.1, SARSA's online return settles near −25 (the safe path) and Q-learning's near
 *   −50 (the optimal path along the cliff, with exploratory falls): Figure 6.4.
 *
 * Version history: v0 as Gymnasium's CliffWalking-v0.
 */
import { z } from 'zod';
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';
import { clampedMove, COMPASS_ACTIONS, uniformOver } from './grid.ts';

const ROWS = 4;
const COLS = 12;
export const CLIFF_START = 3 * COLS;
export const CLIFF_GOAL = 3 * COLS + COLS - 1;

const optionsSchema = z.object({
  is_slippery: z.boolean().default(false).describe('move in the intended or a perpendicular direction, 1/3 each'),
});

const isCliff = (s: number) => s > CLIFF_START && s < CLIFF_GOAL;

export function cliffWalking(options: z.infer<typeof optionsSchema>): TabularProblem {
  const S = ROWS * COLS;
  const mdp = mdpFromFunction(
    S,
    4,
    (s, a): Transition[] => {
      // The goal is absorbing here; Gymnasium's P gives it ordinary moves, which no episode takes.
      if (s === CLIFF_GOAL) return [[1, s, 0, true]];
      const directions = options.is_slippery ? [(a + 3) % 4, a, (a + 1) % 4] : [a];
      return directions.map((d): Transition => {
        const [dRow, dCol] = COMPASS_ACTIONS.moves[d]!;
        const s2 = clampedMove(ROWS, COLS, Math.floor(s / COLS), s % COLS, dRow, dCol);
        const p = 1 / directions.length;
        return isCliff(s2) ? [p, CLIFF_START, -100, false] : [p, s2, -1, s2 === CLIFF_GOAL];
      });
    },
    { source: 'CliffWalking-v0' },
  );
  const cells = Array.from({ length: S }, (_, s) => (s === CLIFF_START ? 'S' : s === CLIFF_GOAL ? 'G' : isCliff(s) ? 'C' : '.')).join('');
  return {
    id: 'CliffWalking-v0',
    mdp,
    initial: uniformOver(S, [CLIFF_START]),
    gamma: 1,
    actionNames: COMPASS_ACTIONS.names,
    grid: { rows: ROWS, cols: COLS, cells, arrows: COMPASS_ACTIONS.arrows },
  };
}

registerTabular({
  id: 'CliffWalking-v0',
  description: "Gymnasium's CliffWalking (Sutton & Barto Example 6.6): −1 a step, −100 and back to start on the cliff",
  options: optionsSchema,
  build: cliffWalking,
  module: import.meta.url,
});
