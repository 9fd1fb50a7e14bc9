/**
 * Sutton & Barto's gambler's problem (Example 4.3): bet on coin flips until the capital reaches
 * the goal (win) or 0 (lose).
 *
 * - States: Discrete(goal + 1): the capital 0 … goal; 0 and goal are terminal.
 * - Actions: Discrete(goal / 2): action a stakes a + 1 coins. A stake above what the capital
 *   allows, min(s, goal − s), is cut to it (so every action is legal everywhere and the actions
 *   past the cap repeat the capped one). The book's stake 0 is left out: with γ = 1 it is always
 *   among the maximizers at convergence and would hide the figure's policy.
 * - Dynamics: heads with probability `ph` (the stake is won), tails otherwise (the stake is lost).
 * - Reward: +1 on reaching the goal, 0 otherwise. Undiscounted (γ = 1): the value of a capital is
 *   the probability of winning from it.
 * - Start: uniform over the capitals 1 … goal − 1. No time limit (every stake is at least 1 coin,
 *   so episodes end with probability 1).
 * - Options: `ph` (default 0.4, the book's Figure 4.3), `goal` (default 100, even).
 *
 * Version history: v0 as in the book, without the stake of 0.
 */
import { z } from 'zod';
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';
import { uniformOver } from './grid.ts';

const optionsSchema = z.object({
  ph: z.number().min(0).max(1).default(0.4).describe('probability of heads (the gambler wins the stake)'),
  goal: z
    .number()
    .int()
    .min(2)
    .max(100_000)
    .refine((g) => g % 2 === 0, 'goal must be even')
    .default(100)
    .describe('capital that wins the game'),
});

export type GamblerOptions = z.infer<typeof optionsSchema>;

/** The stake that action `a` places at capital `s`. */
export function gamblerStake(s: number, a: number, goal = 100): number {
  return Math.min(a + 1, s, goal - s);
}

export function gambler(options: GamblerOptions): TabularProblem {
  const { ph, goal } = options;
  const S = goal + 1;
  const mdp = mdpFromFunction(
    S,
    goal / 2,
    (s, a): Transition[] => {
      if (s === 0 || s === goal) return [[1, s, 0, true]];
      const stake = gamblerStake(s, a, goal);
      const up = s + stake;
      const down = s - stake;
      return [
        [ph, up, up === goal ? 1 : 0, up === goal],
        [1 - ph, down, 0, down === 0],
      ];
    },
    { source: 'Gambler-v0' },
  );
  return {
    id: 'Gambler-v0',
    mdp,
    initial: uniformOver(
      S,
      Array.from({ length: goal - 1 }, (_, i) => i + 1),
    ),
    gamma: 1,
    actionNames: Array.from({ length: goal / 2 }, (_, a) => `stake ${a + 1}`),
    stateName: (s) => `capital ${s}`,
    draw: (values, policy) => {
      const lines = ['capital: value, stake'];
      for (let s = 1; s < goal; s++) lines.push(`${String(s).padStart(4)}: ${values[s]!.toFixed(4)}  ${gamblerStake(s, policy[s]!, goal)}`);
      return lines.join('\n');
    },
  };
}

registerTabular({
  id: 'Gambler-v0',
  description: "Sutton & Barto's gambler's problem (Example 4.3): stake on coin flips to reach 100",
  options: optionsSchema,
  build: gambler,
  module: import.meta.url,
});
