/**
 * `gymnast mdp list | solve | learn`: tabular MDPs from the command line.
 *
 * - `mdp solve <id> --method vi|pi|eval [--policy random] [--gamma G] [--theta T] [--sync]
 *   [--option k=v] [--json]`: dynamic programming on the explicit model; prints values and the
 *   greedy policy (a grid for grid worlds); JSON: `values`, `policy`, `sweeps`, `backups`.
 * - `mdp learn <id> --method mc|td|sarsa|q|expected-sarsa|double-q|mc-es|mc-on|mc-off
 *   --episodes N [--alpha A] [--epsilon E] [--gamma G] [--seed S] [--every-visit] [--option k=v]
 *   [--json]`: a model-free method on the env; prints the learning curve in slices; JSON:
 *   `returns` per episode and `q` (control) or `values` (prediction: mc, td).
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { make, spec } from '../../envs/registry.ts';
import {
  drawSolution,
  makeMdp,
  mcControl,
  mcPrediction,
  policyEvaluation,
  policyIteration,
  summarizeCurve,
  tabularIds,
  tdControl,
  doubleQLearning,
  tdPrediction,
  terminalStates,
  uniformPolicy,
  valueIteration,
  type DpResult,
  type LearnOptionsInput,
  type TabularProblem,
} from '../../mdp/index.ts';
import { collect, envOptions as envOptionsOf, integerFlag, numberFlag, oneOf, printTable } from '../args.ts';


const SOLVE_METHODS = ['vi', 'pi', 'eval'] as const;
const LEARN_METHODS = ['mc', 'td', 'sarsa', 'q', 'expected-sarsa', 'double-q', 'mc-es', 'mc-on', 'mc-off'] as const;

/** A schedule flag: a plain number, or a schedule string (1/n, linear:…, exp:…) left to the learner to check. */
function schedule(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}

interface SolveFlags {
  method: string;
  policy: string;
  gamma?: string;
  theta?: string;
  sync?: boolean;
  option: string[];
  json?: boolean;
}

interface LearnFlags {
  method: string;
  episodes: string;
  alpha?: string;
  epsilon?: string;
  gamma?: string;
  seed: string;
  everyVisit?: boolean;
  option: string[];
  json?: boolean;
}

export function register(program: Command): void {
  const mdp = program.command('mdp').description('tabular MDPs: dynamic programming and model-free learning');

  mdp
    .command('list')
    .description('list the tabular problems with their sizes and discount')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = tabularIds().map((id) => {
        const p = makeMdp(id);
        return { id, states: p.mdp.numStates, actions: p.mdp.numActions, transitions: p.mdp.numTransitions, gamma: p.gamma, description: spec(id).description };
      });
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else printTable(['id', 'states', 'actions', 'γ', 'description'], rows.map((r) => [r.id, String(r.states), String(r.actions), String(r.gamma), r.description]));
    });

  mdp
    .command('solve <id>')
    .description('dynamic programming on the explicit model: value iteration, policy iteration, or evaluation of a policy')
    .requiredOption('--method <method>', `one of ${SOLVE_METHODS.join(', ')}`)
    .option('--policy <policy>', 'policy evaluated by --method eval (random: equiprobable)', 'random')
    .option('--gamma <g>', "discount in [0, 1] (default: the problem's)")
    .option('--theta <t>', 'stop when the largest change in a sweep is below θ', '1e-8')
    .option('--sync', 'synchronous sweeps (default: in place)')
    .option('--option <key=value>', 'env option (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action((id: string, opts: SolveFlags) => {
      const method = oneOf('--method', opts.method, SOLVE_METHODS);
      const problem = makeMdp(id, envOptionsOf(opts.option));
      const dp = { gamma: numberFlag('--gamma', opts.gamma) ?? problem.gamma, theta: numberFlag('--theta', opts.theta), inPlace: !opts.sync };
      let result: DpResult & { improvements?: number };
      if (method === 'eval') {
        if (opts.policy !== 'random') throw new UsageError(`--policy must be 'random' (the equiprobable policy), got '${opts.policy}'`);
        result = policyEvaluation(problem.mdp, uniformPolicy(problem.mdp), dp);
      } else result = method === 'vi' ? valueIteration(problem.mdp, dp) : policyIteration(problem.mdp, dp);
      if (opts.json) {
        console.log(
          JSON.stringify({
            id,
            method,
            gamma: dp.gamma,
            theta: dp.theta,
            inPlace: dp.inPlace,
            values: Array.from(result.values),
            policy: Array.from(result.policy),
            actions: problem.actionNames,
            sweeps: result.sweeps,
            backups: result.backups,
            delta: result.delta,
            converged: result.converged,
            ...(result.improvements !== undefined ? { improvements: result.improvements } : {}),
          }),
        );
        return;
      }
      const name = { vi: 'value iteration', pi: 'policy iteration', eval: 'evaluation of the random policy' }[method];
      console.log(
        `${id}: ${name}, γ = ${dp.gamma}, θ = ${dp.theta}: ${result.sweeps} sweeps, ${result.backups} backups` +
          (result.improvements !== undefined ? `, ${result.improvements} improvements` : '') +
          (result.converged ? '' : ` — NOT converged (last change ${result.delta})`),
      );
      console.log(drawSolution(problem, result.values, result.policy));
    });

  mdp
    .command('learn <id>')
    .description('a model-free method on the env: returns per episode, and Q (control) or V (prediction of the random policy)')
    .requiredOption('--method <method>', `one of ${LEARN_METHODS.join(', ')}`)
    .requiredOption('--episodes <n>', 'episodes')
    .option('--alpha <a>', 'step size: a number, 1/n, linear:from:to:episodes or exp:from:factor:min (default 0.1; 1/n for Monte Carlo)')
    .option('--epsilon <e>', 'ε of the ε-greedy behaviour, same forms as --alpha', '0.1')
    .option('--gamma <g>', "discount in [0, 1] (default: the problem's)")
    .option('--seed <s>', 'seed', '0')
    .option('--every-visit', 'Monte Carlo prediction: every-visit instead of first-visit')
    .option('--option <key=value>', 'env option (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action((id: string, opts: LearnFlags) => {
      const method = oneOf('--method', opts.method, LEARN_METHODS);
      const envOptions = envOptionsOf(opts.option);
      const problem = makeMdp(id, envOptions);
      const options: LearnOptionsInput = {
        episodes: integerFlag('--episodes', opts.episodes, 1)!,
        gamma: numberFlag('--gamma', opts.gamma) ?? problem.gamma,
        alpha: schedule(opts.alpha),
        epsilon: schedule(opts.epsilon),
        seed: integerFlag('--seed', opts.seed, 0)!,
        firstVisit: !opts.everyVisit,
        startStates: [...startStates(problem)],
      };
      const env = make(id, { options: envOptions });
      try {
        const result = runLearner(method, env, options);
        if (opts.json) {
          const table = 'q' in result ? { q: Array.from(result.q), policy: Array.from(result.policy) } : { values: Array.from(result.values) };
          const { episodes, gamma, alpha, epsilon, seed } = options;
          console.log(JSON.stringify({ id, method, episodes, gamma, alpha: alpha ?? null, epsilon, seed, returns: Array.from(result.returns), lengths: Array.from(result.lengths), steps: result.steps, ...table }));
          return;
        }
        const n = result.returns.length;
        const lastCount = Math.min(100, n);
        let last = 0;
        for (let e = n - lastCount; e < n; e++) last += result.returns[e]!;
        console.log(`${id}: ${method}, ${n} episodes, ${result.steps} steps, seed ${options.seed}`);
        console.log(summarizeCurve(result.returns));
        console.log(`mean return of the last ${lastCount} episodes: ${(last / lastCount).toFixed(3)}`);
        // The env may observe fewer states than the model has (Blackjack's hidden naturals): pad with zeros.
        const S = problem.mdp.numStates;
        const A = problem.mdp.numActions;
        if ('q' in result) {
          const values = new Float64Array(S);
          for (let s = 0; s < result.policy.length; s++) values[s] = result.q[s * A + result.policy[s]!]!;
          const policy = new Int32Array(S);
          policy.set(result.policy);
          console.log(drawSolution(problem, values, policy));
        } else {
          const values = new Float64Array(S);
          values.set(result.values);
          console.log(drawSolution(problem, values));
        }
      } finally {
        env.close();
      }
    });
}

function runLearner(method: (typeof LEARN_METHODS)[number], env: ReturnType<typeof make>, options: LearnOptionsInput) {
  switch (method) {
    case 'mc':
      return mcPrediction(env, options);
    case 'td':
      return tdPrediction(env, options);
    case 'sarsa':
      return tdControl('sarsa', env, options);
    case 'q':
      return tdControl('q-learning', env, options);
    case 'expected-sarsa':
      return tdControl('expected-sarsa', env, options);
    case 'double-q':
      return doubleQLearning(env, options);
    case 'mc-es':
      return mcControl('exploring-starts', env, options);
    case 'mc-on':
      return mcControl('on-policy', env, options);
    case 'mc-off':
      return mcControl('off-policy', env, options);
  }
}

/** Where exploring starts may begin: the problem's list, or every state that is not terminal. */
function startStates(problem: TabularProblem): readonly number[] {
  if (problem.startStates) return problem.startStates;
  const ended = terminalStates(problem.mdp);
  return Array.from({ length: problem.mdp.numStates }, (_, s) => s).filter((s) => !ended[s]);
}
