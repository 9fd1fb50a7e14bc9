/** Builds an agent on a registered env for a test, without a run folder. */
import { Rng } from '../../src/core/rng.ts';
import { SyncVectorEnv } from '../../src/envs/vector/sync-vector-env.ts';
import type { AgentDefinition, Agent, EpisodeReport } from '../../src/agents/agent.ts';

export function makeAgent(def: AgentDefinition, envId: string, config: Record<string, unknown>, totalSteps: number, seed = 0) {
  const hp = def.schema.parse(config);
  const env = new SyncVectorEnv({ id: envId, numEnvs: (hp as { numEnvs: number }).numEnvs });
  const episodes: EpisodeReport[] = [];
  const metrics: { step: number; values: Record<string, number> }[] = [];
  const agent: Agent = def.create({ env, rng: new Rng(seed), totalSteps, report: { metrics: (step, values) => metrics.push({ step, values }), episode: (e) => episodes.push(e) } }, hp);
  agent.resetEnvs(seed);
  return { agent, env, episodes, metrics, close: () => { agent.dispose(); env.close(); } };
}

export function meanLast(episodes: EpisodeReport[], k: number): number {
  const xs = episodes.slice(-k).map((e) => e.return);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
