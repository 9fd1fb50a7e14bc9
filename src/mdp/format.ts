/**
 * Text drawings of values, policies and learning curves for the terminal: grid worlds as grids
 * (terminal cells show their letter), problems with their own layout through `problem.draw`, the
 * rest as a table of states.
 */
import { terminalStates } from '../envs/tabular/model.ts';
import type { TabularProblem } from '../envs/tabular/problem.ts';

/** Rows of states shown in the plain table before it is cut short. */
const TABLE_ROWS = 60;

function formatNumber(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return s === `-${(0).toFixed(decimals)}` ? s.slice(1) : s;
}

/** Values laid out as the grid, right-aligned in equal columns. */
export function drawValueGrid(values: ArrayLike<number>, rows: number, cols: number, decimals = 1): string {
  const cells = Array.from({ length: rows * cols }, (_, s) => formatNumber(values[s]!, decimals));
  const width = Math.max(...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) lines.push(cells.slice(r * cols, r * cols + cols).map((c) => c.padStart(width)).join(' '));
  return lines.join('\n');
}

/** The policy as arrows on the grid; cells where the episode has ended show their letter (or ■). */
export function drawPolicyGrid(problem: TabularProblem, policy: ArrayLike<number>): string {
  const grid = problem.grid!;
  const ended = terminalStates(problem.mdp);
  const lines: string[] = [];
  for (let r = 0; r < grid.rows; r++) {
    let line = '';
    for (let c = 0; c < grid.cols; c++) {
      const s = r * grid.cols + c;
      const letter = grid.cells[s] ?? '.';
      line += ended[s] || letter === 'C' ? (letter === '.' ? '■' : letter) : grid.arrows[policy[s]!]!;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** Values and a policy in the problem's best layout. */
export function drawSolution(problem: TabularProblem, values: Float64Array, policy?: Int32Array, decimals = 2): string {
  const grid = problem.grid;
  if (grid && !grid.cellOf && grid.rows * grid.cols === problem.mdp.numStates) {
    const parts = [`values:\n${drawValueGrid(values, grid.rows, grid.cols, decimals)}`];
    if (policy) parts.push(`greedy policy (${problem.actionNames.map((n, a) => `${grid.arrows[a]} ${n}`).join(', ')}):\n${drawPolicyGrid(problem, policy)}`);
    return parts.join('\n\n');
  }
  if (problem.draw && policy) return problem.draw(values, policy);
  const ended = terminalStates(problem.mdp);
  const lines = ['state    value  action'];
  let shown = 0;
  for (let s = 0; s < problem.mdp.numStates && shown < TABLE_ROWS; s++) {
    if (ended[s]) continue;
    const name = problem.stateName?.(s) ?? String(s);
    lines.push(`${String(s).padStart(5)}  ${formatNumber(values[s]!, decimals).padStart(7)}  ${policy ? problem.actionNames[policy[s]!] : ''}  ${name === String(s) ? '' : name}`.trimEnd());
    shown++;
  }
  const rest = problem.mdp.numStates - ended.reduce((a, b) => a + b, 0) - shown;
  if (rest > 0) lines.push(`… ${rest} more states (--json prints them all)`);
  return lines.join('\n');
}

/** A learning curve in ten slices: mean return per slice of the episodes. */
export function summarizeCurve(returns: ArrayLike<number>, slices = 10): string {
  const n = returns.length;
  const lines: string[] = [];
  const k = Math.min(slices, n);
  for (let i = 0; i < k; i++) {
    const from = Math.floor((i * n) / k);
    const to = Math.floor(((i + 1) * n) / k);
    let sum = 0;
    for (let e = from; e < to; e++) sum += returns[e]!;
    lines.push(`  episodes ${String(from + 1).padStart(String(n).length)}–${String(to).padEnd(String(n).length)}  mean return ${formatNumber(sum / (to - from), 3)}`);
  }
  return lines.join('\n');
}
