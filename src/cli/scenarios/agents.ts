/**
 * Scenario agents: what `agent:` in a scenario file names. Each runs the scenario's env within its
 * budget and returns the metrics the expectations test. Rooms add theirs with
 * `registerScenarioAgent` from a module imported in `runner.ts`.
 */
import { UnknownIdError } from '../../core/errors.ts';
import { make } from '../../envs/registry.ts';
import { mean, randomRollout, std } from '../../envs/rollout.ts';
import type { SeededScenario } from './schema.ts';

export type ScenarioMetrics = Record<string, number | string>;
export type ScenarioAgent = (scenario: SeededScenario) => ScenarioMetrics | Promise<ScenarioMetrics>;

const agents = new Map<string, ScenarioAgent>();

export function registerScenarioAgent(name: string, run: ScenarioAgent): void {
  agents.set(name, run);
}

export function scenarioAgent(name: string): ScenarioAgent {
  const a = agents.get(name);
  if (!a) throw new UnknownIdError('scenario agent', name, [...agents.keys()].sort());
  return a;
}

export function scenarioAgentNames(): string[] {
  return [...agents.keys()].sort();
}

/** The random policy: return statistics, throughput and the trajectory hash. */
registerScenarioAgent('random', (s) => {
  const env = make(s.env, { options: s.options });
  try {
    const r = randomRollout(env, s.budget.episodes ?? 10, s.seed);
    return {
      mean_return: mean(r.returns),
      std_return: std(r.returns),
      mean_length: mean(r.lengths),
      episodes: r.returns.length,
      errors: r.errors,
      hash: r.hash,
      steps_per_second: r.steps_per_second,
    };
  } finally {
    env.close();
  }
});
