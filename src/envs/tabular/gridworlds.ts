/**
 * Sutton & Barto's small grid worlds (Reinforcement Learning: An Introduction, 2nd ed., 2018).
 *
 * ## GridWorld4x4-v0 (Example 4.1)
 * - States: 16 cells, s = row · 4 + col; 0 (top-left) and 15 (bottom-right) are terminal.
 * - Actions: Discrete(4): 0 up, 1 right, 2 down, 3 left. A move off the grid leaves the state unchanged.
 * - Reward: −1 on every transition until a terminal corner is reached. Undiscounted (γ = 1).
 * - Start: uniform over the 14 non-terminal cells. No time limit.
 * - Under the equiprobable random policy, v = 0 −14 −20 −22 / −14 −18 −20 −20 / … (Figure 4.1).
 *
 * ## GridWorld5x5-v0 (Example 3.5)
 * - States: 25 cells, s = row · 5 + col. A = (0, 1), A′ = (4, 1), B = (0, 3), B′ = (2, 3).
 * - Actions: Discrete(4): 0 up, 1 right, 2 down, 3 left.
 * - Reward: from A every action moves to A′ with +10; from B to B′ with +5; a move off the grid
 *   costs −1 and leaves the state unchanged; every other move 0. Continuing task, γ = 0.9.
 * - Start: uniform over the 25 cells. As an env the task never terminates: a time limit of 100
 *   steps truncates it.
 * - Random-policy values in Figure 3.2 (3.3 8.8 4.4 5.3 1.5 …), optimal values in Figure 3.5
 *   (22.0 24.4 22.0 19.4 17.5 …).
 *
 * Version history: v0 as in the book.
 */
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';
import { clampedMove, COMPASS_ACTIONS, uniformOver } from './grid.ts';

export function gridWorld4x4(): TabularProblem {
  const size = 4;
  const S = size * size;
  const isTerminal = (s: number) => s === 0 || s === S - 1;
  const mdp = mdpFromFunction(
    S,
    4,
    (s, a): Transition[] => {
      if (isTerminal(s)) return [[1, s, 0, true]];
      const [dRow, dCol] = COMPASS_ACTIONS.moves[a]!;
      const s2 = clampedMove(size, size, Math.floor(s / size), s % size, dRow, dCol);
      return [[1, s2, -1, isTerminal(s2)]];
    },
    { source: 'GridWorld4x4-v0' },
  );
  const starts = Array.from({ length: S }, (_, s) => s).filter((s) => !isTerminal(s));
  return {
    id: 'GridWorld4x4-v0',
    mdp,
    initial: uniformOver(S, starts),
    gamma: 1,
    actionNames: COMPASS_ACTIONS.names,
    grid: { rows: size, cols: size, cells: 'T..............T', arrows: COMPASS_ACTIONS.arrows },
  };
}

export function gridWorld5x5(): TabularProblem {
  const size = 5;
  const S = size * size;
  const A = 0 * size + 1;
  const A_PRIME = 4 * size + 1;
  const B = 0 * size + 3;
  const B_PRIME = 2 * size + 3;
  const mdp = mdpFromFunction(
    S,
    4,
    (s, a): Transition[] => {
      if (s === A) return [[1, A_PRIME, 10, false]];
      if (s === B) return [[1, B_PRIME, 5, false]];
      const [dRow, dCol] = COMPASS_ACTIONS.moves[a]!;
      const row = Math.floor(s / size);
      const col = s % size;
      const offGrid = row + dRow < 0 || row + dRow >= size || col + dCol < 0 || col + dCol >= size;
      return [[1, clampedMove(size, size, row, col, dRow, dCol), offGrid ? -1 : 0, false]];
    },
    { source: 'GridWorld5x5-v0' },
  );
  const cells = [...'.'.repeat(S)];
  cells[A] = 'A';
  cells[A_PRIME] = 'a';
  cells[B] = 'B';
  cells[B_PRIME] = 'b';
  return {
    id: 'GridWorld5x5-v0',
    mdp,
    initial: uniformOver(S, Array.from({ length: S }, (_, s) => s)),
    gamma: 0.9,
    actionNames: COMPASS_ACTIONS.names,
    grid: { rows: size, cols: size, cells: cells.join(''), arrows: COMPASS_ACTIONS.arrows },
  };
}

registerTabular({
  id: 'GridWorld4x4-v0',
  description: "Sutton & Barto's 4×4 grid world (Example 4.1): −1 a step to a terminal corner",
  build: gridWorld4x4,
  module: import.meta.url,
});

registerTabular({
  id: 'GridWorld5x5-v0',
  description: "Sutton & Barto's 5×5 grid world (Example 3.5): teleports A→A′ (+10), B→B′ (+5), γ = 0.9",
  build: gridWorld5x5,
  maxEpisodeSteps: 100,
  module: import.meta.url,
});
