/**
 * Scenario agents `dqn`, `reinforce`, `a2c` and `ppo`: train on the scenario's env for
 * `budget.steps` env steps from `seed` with the scenario's `config` (hyperparameters), in a
 * temporary run folder, then evaluate the greedy policy for `budget.episodes` episodes (default 10).
 *
 * Metrics: `mean_return`, `std_return`, `episodes` (greedy evaluation), `train_return` (mean of
 * the last 20 training episodes), `train_steps`, `steps_per_second`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentNames } from '../../agents/index.ts';
import { train } from '../../train/run.ts';
import { evaluateRun } from '../../train/evaluate.ts';
import { registerScenarioAgent } from './agents.ts';

for (const agent of agentNames()) {
  registerScenarioAgent(agent, async (s) => {
    const dir = mkdtempSync(join(tmpdir(), `gymnast-scenario-${agent}-`));
    try {
      const recent: number[] = [];
      const steps = s.budget.steps ?? 10_000;
      const result = await train(
        { env: s.env, envOptions: s.options, agent, steps, seed: s.seed, set: s.config, out: join(dir, 'run'), checkpointEvery: steps },
        {
          onEpisode: (e) => {
            recent.push(e.return);
            if (recent.length > 20) recent.shift();
          },
        },
      );
      const ev = await evaluateRun(result.runDir, { episodes: s.budget.episodes ?? 10 });
      return {
        mean_return: ev.mean_return,
        std_return: ev.std_return,
        episodes: ev.episodes,
        train_return: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN,
        train_steps: result.globalStep,
        steps_per_second: Math.round(result.globalStep / result.seconds),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
