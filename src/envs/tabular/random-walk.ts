/**
 * Sutton & Barto's random walks: a row of states between two terminal ends.
 *
 * ## RandomWalk5-v0 (Example 6.2)
 * - States: Discrete(7): 0 the left end, 1 … 5 the states A … E, 6 the right end (both ends terminal).
 * - Actions: Discrete(2): 0 left, 1 right. The book's walk is the uniformly random policy over
 *   these: prediction methods evaluate that policy.
 * - Reward: +1 on reaching the right end, 0 otherwise. Start: C (state 3). γ = 1.
 * - True values under the random policy: 1/6, 2/6, 3/6, 4/6, 5/6 for A … E.
 *
 * ## RandomWalk19-v0 (Example 7.1)
 * - States: Discrete(21): 0 and 20 terminal, 1 … 19 the walk. Actions as above.
 * - Reward: −1 on reaching the left end, +1 on the right, 0 otherwise. Start: the centre (10). γ = 1.
 * - True values: −0.9, −0.8, …, 0.9 (v(s) = s/10 − 1).
 *
 * No time limit: the walk ends with probability 1. Version history: v0 as in the book.
 */
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';
import { uniformOver } from './grid.ts';

export function randomWalk(nonTerminal: number, leftReward: number, id: string): TabularProblem {
  const S = nonTerminal + 2;
  const right = S - 1;
  const mdp = mdpFromFunction(
    S,
    2,
    (s, a): Transition[] => {
      if (s === 0 || s === right) return [[1, s, 0, true]];
      const s2 = a === 0 ? s - 1 : s + 1;
      const reward = s2 === right ? 1 : s2 === 0 ? leftReward : 0;
      return [[1, s2, reward, s2 === 0 || s2 === right]];
    },
    { source: id },
  );
  return {
    id,
    mdp,
    initial: uniformOver(S, [(S - 1) / 2]),
    gamma: 1,
    actionNames: ['left', 'right'],
    grid: { rows: 1, cols: S, cells: `T${'.'.repeat(nonTerminal)}T`, arrows: ['←', '→'] },
  };
}

/** Values of the random policy: the probability of ending right, scaled to the end rewards. */
export function randomWalkTrueValues(nonTerminal: number, leftReward: number): Float64Array {
  const S = nonTerminal + 2;
  const v = new Float64Array(S);
  for (let s = 1; s < S - 1; s++) {
    const pRight = s / (S - 1);
    v[s] = pRight + (1 - pRight) * leftReward;
  }
  return v;
}

registerTabular({
  id: 'RandomWalk5-v0',
  description: "Sutton & Barto's 5-state random walk (Example 6.2): +1 at the right end",
  build: () => randomWalk(5, 0, 'RandomWalk5-v0'),
  module: import.meta.url,
});

registerTabular({
  id: 'RandomWalk19-v0',
  description: "Sutton & Barto's 19-state random walk (Example 7.1): −1 at the left end, +1 at the right",
  build: () => randomWalk(19, -1, 'RandomWalk19-v0'),
  module: import.meta.url,
});
