/**
 * What the grid worlds share: action sets with their moves and arrows, a clamped move
 * (a move off the edge leaves the agent where it is), and start distributions. States are
 * numbered row-major from the top-left cell, s = row · cols + col, as Gymnasium numbers them.
 */

export interface GridActions {
  names: readonly string[];
  /** (Δrow, Δcol) per action; row 0 is the top row, so "up" is Δrow = −1. */
  moves: readonly (readonly [number, number])[];
  arrows: readonly string[];
}

/** Up, right, down, left: CliffWalking's order, used for Sutton & Barto's grids too. */
export const COMPASS_ACTIONS: GridActions = {
  names: ['up', 'right', 'down', 'left'],
  moves: [
    [-1, 0],
    [0, 1],
    [1, 0],
    [0, -1],
  ],
  arrows: ['↑', '→', '↓', '←'],
};

/** Left, down, right, up: FrozenLake's order. */
export const FROZEN_LAKE_ACTIONS: GridActions = {
  names: ['left', 'down', 'right', 'up'],
  moves: [
    [0, -1],
    [1, 0],
    [0, 1],
    [-1, 0],
  ],
  arrows: ['←', '↓', '→', '↑'],
};

/** The cell reached from (row, col) by (dRow, dCol), kept inside the grid, as a state index. */
export function clampedMove(rows: number, cols: number, row: number, col: number, dRow: number, dCol: number): number {
  const r = Math.min(Math.max(row + dRow, 0), rows - 1);
  const c = Math.min(Math.max(col + dCol, 0), cols - 1);
  return r * cols + c;
}

/** Uniform over the given states. */
export function uniformOver(numStates: number, states: readonly number[]): Float64Array {
  const d = new Float64Array(numStates);
  for (const s of states) d[s] = 1 / states.length;
  return d;
}
