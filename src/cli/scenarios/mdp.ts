/**
 * Scenario agents of the mdp room (see scenarios/README.md):
 *
 * - `mdp-vi`, `mdp-pi`, `mdp-eval` (dynamic programming on the explicit model; `config`: gamma,
 *   theta, inPlace). Metrics: `sweeps`, `backups`, `converged` (1/0), `improvements` (pi),
 *   `mean_start_value` (values weighted by the start distribution), `value.<s>` and `action.<s>`
 *   for every state of problems up to 128 states, and `greedy_mean_return` /
 *   `greedy_mean_length`: the greedy policy run in the env for `budget.episodes` (default 100).
 * - `mdp-mc`, `mdp-td` (prediction of the random policy), `mdp-sarsa`, `mdp-q`,
 *   `mdp-expected-sarsa`, `mdp-double-q`, `mdp-mc-es`, `mdp-mc-on`, `mdp-mc-off` (control), for
 *   `budget.episodes` episodes; `config`: the learning options (alpha, epsilon, gamma,
 *   initialValue, firstVisit, maxEpisodeSteps) and `evalEpisodes` (default 100). Metrics:
 *   `mean_return` and `mean_length` (last 100 episodes of the learning curve), `first_return`
 *   (first 100), `episodes`, `steps`; prediction: `rms_error` against the exact values of the
 *   random policy (non-terminal states); control: `greedy_mean_return`, `greedy_mean_length`, and
 *   `optimal_action_share`, the share of states (the problem's exploring-start states, else the
 *   reachable non-terminal ones) whose greedy action is optimal by value iteration.
 * - `mdp-discretized-vi`, `mdp-discretized-q`, `mdp-discretized-sarsa` on CartPole-v1,
 *   Pendulum-v1, Acrobot-v1 (state aggregation; `config`: bins, actionLevels, gamma, and rounds,
 *   transitions, epsilon (vi) or alpha, epsilon (q, sarsa)). Metrics: `mean_return` (the
 *   greedy table policy in the physics env for `budget.episodes`, default 20),
 *   `random_mean_return` (the random policy, same episodes and seed), `states`, `visited_pairs`
 *   and `samples` (vi), `train_return` (last 50 training episodes; q, sarsa), `steps`.
 */
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { make } from '../../envs/registry.ts';
import { mean, randomRollout } from '../../envs/rollout.ts';
import {
  actionValues,
  DiscretizedEnv,
  doubleQLearning,
  exactPolicyValues,
  makeMdp,
  mcControl,
  mcPrediction,
  policyEvaluation,
  policyIteration,
  presetAggregation,
  reachableStates,
  runTablePolicy,
  solveByDiscretization,
  tdControl,
  tdPrediction,
  terminalStates,
  uniformPolicy,
  valueIteration,
  type ControlResult,
  type DpResult,
  type LearnOptionsInput,
  type PredictionResult,
} from '../../mdp/index.ts';
import type { Scenario } from './schema.ts';
import { registerScenarioAgent, type ScenarioMetrics } from './agents.ts';

/** Largest problem whose per-state values and actions become metrics. */
const PER_STATE_METRICS = 128;

function parseConfig<T extends z.ZodType>(schema: T, s: Scenario): z.output<T> {
  const r = schema.safeParse(s.config);
  if (r.success) return r.data;
  throw new ValidationError(`${s.name}: config`, r.error.issues.map((i) => ({ path: [...i.path, ...((i as { keys?: string[] }).keys ?? [])].join('.'), message: i.message })));
}

function lastMean(xs: ArrayLike<number>, count: number, fromEnd: boolean): number {
  const n = Math.min(count, xs.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[fromEnd ? xs.length - 1 - i : i]!;
  return sum / n;
}

// ---------------------------------------------------------------------------------------------
// Dynamic programming

const dpConfig = z.object({ gamma: z.number().optional(), theta: z.number().optional(), inPlace: z.boolean().optional() }).strict();

for (const method of ['vi', 'pi', 'eval'] as const) {
  registerScenarioAgent(`mdp-${method}`, (s) => {
    const c = parseConfig(dpConfig, s);
    const problem = makeMdp(s.env, s.options);
    const options = { gamma: c.gamma ?? problem.gamma, theta: c.theta, inPlace: c.inPlace };
    const r: DpResult & { improvements?: number } =
      method === 'vi' ? valueIteration(problem.mdp, options) : method === 'pi' ? policyIteration(problem.mdp, options) : policyEvaluation(problem.mdp, uniformPolicy(problem.mdp), options);
    const metrics: ScenarioMetrics = {
      sweeps: r.sweeps,
      backups: r.backups,
      converged: r.converged ? 1 : 0,
      mean_start_value: problem.initial.reduce((a, p, st) => a + p * r.values[st]!, 0),
    };
    if (r.improvements !== undefined) metrics.improvements = r.improvements;
    if (problem.mdp.numStates <= PER_STATE_METRICS) {
      for (let st = 0; st < problem.mdp.numStates; st++) {
        metrics[`value.${st}`] = r.values[st]!;
        metrics[`action.${st}`] = r.policy[st]!;
      }
    }
    const env = make(s.env, { options: s.options });
    try {
      const run = runTablePolicy(env, r.policy, s.budget.episodes ?? 100, s.seed);
      metrics.greedy_mean_return = mean(run.returns);
      metrics.greedy_mean_length = mean(run.lengths);
    } finally {
      env.close();
    }
    return metrics;
  });
}

// ---------------------------------------------------------------------------------------------
// Model-free learning

const learnConfig = z
  .object({
    alpha: z.union([z.number(), z.string()]).optional(),
    epsilon: z.union([z.number(), z.string()]).optional(),
    gamma: z.number().optional(),
    initialValue: z.number().optional(),
    firstVisit: z.boolean().optional(),
    maxEpisodeSteps: z.number().int().positive().optional(),
    evalEpisodes: z.number().int().positive().default(100),
  })
  .strict();

const LEARNERS = {
  mc: (env, o) => mcPrediction(env, o),
  td: (env, o) => tdPrediction(env, o),
  sarsa: (env, o) => tdControl('sarsa', env, o),
  q: (env, o) => tdControl('q-learning', env, o),
  'expected-sarsa': (env, o) => tdControl('expected-sarsa', env, o),
  'double-q': (env, o) => doubleQLearning(env, o),
  'mc-es': (env, o) => mcControl('exploring-starts', env, o),
  'mc-on': (env, o) => mcControl('on-policy', env, o),
  'mc-off': (env, o) => mcControl('off-policy', env, o),
} satisfies Record<string, (env: ReturnType<typeof make>, o: LearnOptionsInput) => PredictionResult | ControlResult>;

for (const [method, learn] of Object.entries(LEARNERS)) {
  registerScenarioAgent(`mdp-${method}`, (s) => {
    const { evalEpisodes, ...c } = parseConfig(learnConfig, s);
    const problem = makeMdp(s.env, s.options);
    const ended = terminalStates(problem.mdp);
    const options: LearnOptionsInput = {
      ...c,
      episodes: s.budget.episodes ?? 500,
      seed: s.seed,
      gamma: c.gamma ?? problem.gamma,
      startStates: [...(problem.startStates ?? Array.from({ length: problem.mdp.numStates }, (_, st) => st).filter((st) => !ended[st]))],
    };
    const env = make(s.env, { options: s.options });
    try {
      const r = learn(env, options);
      const metrics: ScenarioMetrics = {
        mean_return: lastMean(r.returns, 100, true),
        mean_length: lastMean(r.lengths, 100, true),
        first_return: lastMean(r.returns, 100, false),
        episodes: r.returns.length,
        steps: r.steps,
      };
      if ('values' in r) {
        const exact = exactPolicyValues(problem.mdp, uniformPolicy(problem.mdp), options.gamma!);
        let sum = 0;
        let n = 0;
        for (let st = 0; st < r.values.length; st++) {
          if (ended[st]) continue;
          sum += (r.values[st]! - exact[st]!) ** 2;
          n++;
        }
        metrics.rms_error = Math.sqrt(sum / n);
        if (problem.mdp.numStates <= PER_STATE_METRICS) for (let st = 0; st < r.values.length; st++) metrics[`value.${st}`] = r.values[st]!;
      } else {
        const run = runTablePolicy(env, r.policy, evalEpisodes, s.seed + 1);
        metrics.greedy_mean_return = mean(run.returns);
        metrics.greedy_mean_length = mean(run.lengths);
        metrics.optimal_action_share = optimalActionShare(s.env, s.options, r.policy, options.gamma!);
      }
      return metrics;
    } finally {
      env.close();
    }
  });
}

/** Share of the states that matter whose action is optimal (within 1e-6 of the best by value iteration). */
function optimalActionShare(id: string, envOptions: Record<string, unknown>, policy: Int32Array, gamma: number): number {
  const problem = makeMdp(id, envOptions);
  const { mdp } = problem;
  const q = actionValues(mdp, valueIteration(mdp, { gamma, theta: 1e-10 }).values, gamma);
  const ended = terminalStates(mdp);
  const reachable = reachableStates(mdp, problem.initial);
  const states = problem.startStates ?? Array.from({ length: mdp.numStates }, (_, st) => st).filter((st) => reachable[st] && !ended[st]);
  let good = 0;
  for (const st of states) {
    let best = -Infinity;
    for (let a = 0; a < mdp.numActions; a++) best = Math.max(best, q[st * mdp.numActions + a]!);
    if (q[st * mdp.numActions + policy[st]!]! >= best - 1e-6) good++;
  }
  return good / states.length;
}

// ---------------------------------------------------------------------------------------------
// Discretized physics envs

const discretizedConfig = z
  .object({
    bins: z.array(z.number().int().positive()).optional(),
    actionLevels: z.number().int().min(2).optional(),
    gamma: z.number().min(0).max(1).default(0.99),
    rounds: z.number().int().positive().default(1),
    transitions: z.number().int().positive().default(20_000),
    epsilon: z.union([z.number(), z.string()]).default(0.1),
    alpha: z.union([z.number(), z.string()]).default(0.1),
    trainEpisodes: z.number().int().positive().default(300),
  })
  .strict();

for (const method of ['vi', 'q', 'sarsa'] as const) {
  registerScenarioAgent(`mdp-discretized-${method}`, (s) => {
    const c = parseConfig(discretizedConfig, s);
    const env = new DiscretizedEnv(make(s.env, { options: s.options }), presetAggregation(s.env, c.bins), { actionLevels: c.actionLevels });
    try {
      const metrics: ScenarioMetrics = { states: env.observationSpace.n };
      let policy: Int32Array;
      if (method === 'vi') {
        if (typeof c.epsilon !== 'number') throw new ValidationError(`${s.name}: config`, [{ path: 'epsilon', message: 'mdp-discretized-vi takes a number' }]);
        const r = solveByDiscretization(env, { gamma: c.gamma, rounds: c.rounds, transitions: c.transitions, epsilon: c.epsilon, seed: s.seed });
        policy = r.policy;
        metrics.samples = r.model.numSamples;
        metrics.visited_pairs = r.model.visitedPairs;
        metrics.steps = r.model.numSamples;
      } else {
        const r = tdControl(method === 'q' ? 'q-learning' : 'sarsa', env, { episodes: c.trainEpisodes, alpha: c.alpha, epsilon: c.epsilon, gamma: c.gamma, seed: s.seed });
        policy = r.policy;
        metrics.train_return = lastMean(r.returns, 50, true);
        metrics.steps = r.steps;
      }
      const episodes = s.budget.episodes ?? 20;
      metrics.mean_return = mean(runTablePolicy(env, policy, episodes, s.seed + 1).returns);
      metrics.random_mean_return = mean(randomRollout(env.env, episodes, s.seed + 1).returns);
      return metrics;
    } finally {
      env.close();
    }
  });
}
