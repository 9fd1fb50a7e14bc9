/**
 * Gymnasium's FrozenLake: cross a frozen lake from the start (S) to the goal (G) over frozen
 * tiles (F) without falling into a hole (H).
 *
 * - States: Discrete(rows · cols), s = row · cols + col (row 0 at the top).
 * - Actions: Discrete(4): 0 left, 1 down, 2 right, 3 up. A move off the edge stays put.
 * - Slippery (default): the agent moves in the intended direction or in either perpendicular one,
 *   1/3 each (the directions (a − 1) mod 4, a, (a + 1) mod 4, as Gymnasium lists them).
 * - Reward: 1 on reaching G, 0 otherwise.
 * - Episode end: terminated on reaching G or a hole; truncated after 100 steps (4×4) or 200 (8×8).
 * - Start: uniform over the S tiles (one on the standard maps).
 * - Options: `map_name` ('4x4' | '8x8'), `is_slippery` (default true), `desc` (a custom map,
 *   rows separated by commas: `SFFF,FHFH,FFFH,HFFG`).
 * - Reward threshold: 0.70 (4×4, optimum 0.74) and 0.85 (8×8, optimum 0.91), as Gymnasium.
 *
 * Version history: v1 as Gymnasium's FrozenLake-v1.
 */
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { mdpFromFunction, type Transition } from './model.ts';
import { registerTabular, type TabularProblem } from './problem.ts';
import { clampedMove, FROZEN_LAKE_ACTIONS, uniformOver } from './grid.ts';

export const FROZEN_LAKE_MAPS: Record<'4x4' | '8x8', readonly string[]> = {
  '4x4': ['SFFF', 'FHFH', 'FFFH', 'HFFG'],
  '8x8': ['SFFFFFFF', 'FFFFFFFF', 'FFFHFFFF', 'FFFFFHFF', 'FFFHFFFF', 'FHHFFFHF', 'FHFFHFHF', 'FFFHFFFG'],
};

const optionsSchema = (defaultMap: '4x4' | '8x8') =>
  z.object({
    map_name: z.enum(['4x4', '8x8']).default(defaultMap).describe('which standard map'),
    is_slippery: z.boolean().default(true).describe('move in the intended or a perpendicular direction, 1/3 each'),
    desc: z.string().optional().describe('custom map, rows separated by commas (overrides map_name)'),
  });

export type FrozenLakeOptions = z.infer<ReturnType<typeof optionsSchema>>;

function parseDesc(desc: string, id: string): string[] {
  const rows = desc.split(',').map((r) => r.trim());
  const problems: string[] = [];
  if (rows.some((r) => r.length !== rows[0]!.length || r.length === 0)) problems.push('rows must all have the same non-zero length');
  if (rows.some((r) => /[^SFHG]/.test(r))) problems.push('only the letters S, F, H and G are allowed');
  if (!rows.some((r) => r.includes('S'))) problems.push('the map needs a start tile S');
  if (problems.length > 0) throw new ValidationError(`${id} options`, problems.map((message) => ({ path: 'desc', message: `${message} (got '${desc}')` })));
  return rows;
}

export function frozenLake(options: FrozenLakeOptions, id = 'FrozenLake-v1'): TabularProblem {
  const map = options.desc !== undefined ? parseDesc(options.desc, id) : FROZEN_LAKE_MAPS[options.map_name];
  const rows = map.length;
  const cols = map[0]!.length;
  const cells = map.join('');
  const S = rows * cols;
  const mdp = mdpFromFunction(
    S,
    4,
    (s, a): Transition[] => {
      if (cells[s] === 'G' || cells[s] === 'H') return [[1, s, 0, true]];
      const directions = options.is_slippery ? [(a + 3) % 4, a, (a + 1) % 4] : [a];
      return directions.map((d): Transition => {
        const [dRow, dCol] = FROZEN_LAKE_ACTIONS.moves[d]!;
        const s2 = clampedMove(rows, cols, Math.floor(s / cols), s % cols, dRow, dCol);
        const letter = cells[s2];
        return [1 / directions.length, s2, letter === 'G' ? 1 : 0, letter === 'G' || letter === 'H'];
      });
    },
    { source: id },
  );
  const starts = [...cells].flatMap((c, s) => (c === 'S' ? [s] : []));
  return {
    id,
    mdp,
    initial: uniformOver(S, starts),
    gamma: 1,
    actionNames: FROZEN_LAKE_ACTIONS.names,
    grid: { rows, cols, cells, arrows: FROZEN_LAKE_ACTIONS.arrows },
  };
}

registerTabular({
  id: 'FrozenLake-v1',
  description: "Gymnasium's FrozenLake 4×4: slippery walk to the goal past holes, reward 1 at the goal",
  options: optionsSchema('4x4'),
  maxEpisodeSteps: 100,
  rewardThreshold: 0.7,
  build: (o: FrozenLakeOptions) => frozenLake(o, 'FrozenLake-v1'),
  module: import.meta.url,
});

registerTabular({
  id: 'FrozenLake8x8-v1',
  description: "Gymnasium's FrozenLake 8×8: slippery walk to the goal past holes, reward 1 at the goal",
  options: optionsSchema('8x8'),
  maxEpisodeSteps: 200,
  rewardThreshold: 0.85,
  build: (o: FrozenLakeOptions) => frozenLake(o, 'FrozenLake8x8-v1'),
  module: import.meta.url,
});
