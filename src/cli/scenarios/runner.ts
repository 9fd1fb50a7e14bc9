/** Runs scenario files and checks their expectations (`gymnast scenario run`). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import './builtin-agents.ts';
import { scenarioAgent, type ScenarioMetrics } from './agents.ts';
import { checkExpectation, loadScenarioFile, scenarioSeeds, type Scenario } from './schema.ts';

export interface ExpectationResult {
  metric: string;
  value: number | string | null;
  expected: string;
  ok: boolean;
}

export interface ScenarioResult {
  file: string;
  name: string;
  env: string;
  agent: string;
  seconds: number;
  metrics: ScenarioMetrics;
  checks: ExpectationResult[];
  ok: boolean;
  error?: string;
}

/** Expands folders into their `*.yaml` / `*.yml` files, sorted. */
export function scenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      const found = readdirSync(p).sort().filter((f) => /\.ya?ml$/.test(f));
      // "0 passed, 0 failed" would read as success: a folder meant to hold scenarios holds none.
      if (found.length === 0) throw new UsageError(`${p}: no scenario files (*.yaml, *.yml) in this folder`);
      for (const f of found) out.push(join(p, f));
    } else out.push(p);
  }
  return out;
}

/**
 * Runs the scenario once per seed. With several seeds every expectation is checked for each, and
 * metrics and checks are named `metric@seed` (`mean_return@1`).
 */
export async function runScenario(scenario: Scenario, file = '(inline)'): Promise<ScenarioResult> {
  const t0 = performance.now();
  const seeds = scenarioSeeds(scenario);
  const metrics: ScenarioMetrics = {};
  const checks: ExpectationResult[] = [];
  for (const seed of seeds) {
    const m = await scenarioAgent(scenario.agent)({ ...scenario, seed });
    const name = (metric: string) => (seeds.length > 1 ? `${metric}@${seed}` : metric);
    for (const [k, v] of Object.entries(m)) metrics[name(k)] = v;
    for (const [metric, e] of Object.entries(scenario.expect)) {
      const value = m[metric];
      const { ok, shown } = checkExpectation(value, e);
      checks.push({ metric: name(metric), value: value ?? null, expected: value === undefined ? `${shown} (metric not reported by agent '${scenario.agent}')` : shown, ok: ok && value !== undefined });
    }
  }
  return {
    file,
    name: scenario.name,
    env: scenario.env,
    agent: scenario.agent,
    seconds: (performance.now() - t0) / 1000,
    metrics,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

/** Loads and runs files; a file that fails to load or run is a failed result, not a crash. */
export async function runScenarioFiles(files: readonly string[], filter: (s: Scenario) => boolean = () => true): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const file of files) {
    let scenario: Scenario;
    try {
      scenario = loadScenarioFile(file);
    } catch (e) {
      results.push({ file, name: file, env: '?', agent: '?', seconds: 0, metrics: {}, checks: [], ok: false, error: (e as Error).message });
      continue;
    }
    if (!filter(scenario)) continue;
    try {
      results.push(await runScenario(scenario, file));
    } catch (e) {
      results.push({ file, name: scenario.name, env: scenario.env, agent: scenario.agent, seconds: 0, metrics: {}, checks: [], ok: false, error: (e as Error).message });
    }
  }
  return results;
}
