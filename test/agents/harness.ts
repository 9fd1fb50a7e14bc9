/** Builds an agent on a registered env for a test, without a run folder. */
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng.ts';
import { SyncVectorEnv } from '../../src/envs/vector/sync-vector-env.ts';
import './toy-envs.ts';
import type { AgentDefinition, Agent, EpisodeReport, GreedyPolicy } from '../../src/agents/agent.ts';

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

/**
 * `GreedyPolicy`'s recipe (src/agents/agent.ts) written out in float64 JS: normalize, the MLP,
 * then argmax or clip over the first `outputs` columns.
 */
export function greedyAction(p: GreedyPolicy, obs: Float32Array): Float64Array {
  let h = Float64Array.from(obs, (x, i) => (p.obsNorm ? Math.min(p.obsNorm.clip, Math.max(-p.obsNorm.clip, (x - p.obsNorm.mean[i]!) / Math.sqrt(p.obsNorm.var[i]! + p.obsNorm.epsilon))) : x));
  for (let l = 0; l + 1 < p.sizes.length; l++) {
    const [nIn, nOut] = [p.sizes[l]!, p.sizes[l + 1]!];
    const W = p.weights[2 * l]!, b = p.weights[2 * l + 1]!;
    const y = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      let s = b[o]!;
      for (let k = 0; k < nIn; k++) s += h[k]! * W[k * nOut + o]!;
      const hidden = l + 2 < p.sizes.length;
      y[o] = !hidden ? s : p.activation === 'relu' ? Math.max(0, s) : p.activation === 'tanh' ? Math.tanh(s) : s;
    }
    h = y;
  }
  const out = h.subarray(0, p.outputs);
  if (p.action.kind === 'argmax') return Float64Array.of(out.indexOf(Math.max(...out)));
  const { low, high } = p.action;
  return out.map((v, i) => Math.min(high[i]!, Math.max(low[i]!, v)));
}

/** Asserts that `agent.greedyPolicy()` gives `agent.act(…, true)`'s action on `count` observations of its env (1e-4: float32 against float64). */
export function assertGreedyPolicyActs(agent: Agent, env: SyncVectorEnv, count: number, seed: number): GreedyPolicy {
  const p = agent.greedyPolicy();
  const rng = new Rng(seed);
  const out = new Float32Array(env.actionDim);
  const space = env.singleObservationSpace as { low?: Float32Array; high?: Float32Array };
  for (let c = 0; c < count; c++) {
    const obs = Float32Array.from({ length: env.obsDim }, (_, i) => {
      const lo = Math.max(-3, space.low?.[i] ?? -3), hi = Math.min(3, space.high?.[i] ?? 3);
      return lo + (hi - lo) * rng.random();
    });
    agent.act(obs, 1, out, true);
    const expected = greedyAction(p, obs);
    for (let i = 0; i < expected.length; i++) {
      if (Math.abs(expected[i]! - out[i]!) > 1e-4) throw new Error(`observation ${c} [${Array.from(obs)}]: greedyPolicy gives ${Array.from(expected)}, act ${Array.from(out)}`);
    }
  }
  return p;
}

/**
 * Trains an agent to `firstSteps`, restores its checkpoint into a second agent built with another
 * seed, checks that the restored agent checkpoints the same data, resets both envs alike and trains
 * both to `thenSteps`: the weights must agree. Returns the checkpoint and the restored agent.
 */
export async function assertRestoreContinues(def: AgentDefinition, envId: string, config: Record<string, unknown>, firstSteps: number, thenSteps: number) {
  const a = makeAgent(def, envId, config, 1000, 1);
  await a.agent.train(firstSteps);
  const data = a.agent.checkpoint();
  const b = makeAgent(def, envId, config, 1000, 9);
  b.agent.restore(data, 'ckpt');
  assert.equal(b.agent.checkpoint(), data, 'restore gives back what checkpoint took');
  for (const h of [a, b]) h.agent.resetEnvs(5);
  await a.agent.train(thenSteps);
  await b.agent.train(thenSteps);
  assert.equal(b.agent.checkpoint().weights, a.agent.checkpoint().weights, 'the same training after the restore');
  a.close();
  return { data, restored: b };
}

/**
 * One rollout of an on-policy agent on TestPlane-v0 (3 observations and 2 actions a row, so an
 * index that forgets a row's width lands in another env's row): row t of the storage holds what the
 * env returned before step t and the actions it was given, env by env; each episode's 3rd step is
 * followed by its reset step, no transition. The stored action is the one sampled; the env gets it
 * clipped to its bounds ±3 (`config` should give a wide initial noise, so some samples fall outside).
 */
export async function assertRolloutRows(def: AgentDefinition, config: Record<string, unknown>): Promise<void> {
  const n = 2, T = 7;
  const hp = def.schema.parse({ numEnvs: n, numSteps: T, ...config });
  const env = new SyncVectorEnv({ id: 'TestPlane-v0', numEnvs: n });
  const returned: Float32Array[] = [];
  const given: Float32Array[] = [];
  const outcomes: { rewards: number[]; terminated: number[]; dones: number[] }[] = [];
  const [reset, step] = [env.reset.bind(env), env.step.bind(env)];
  env.reset = (o) => { const r = reset(o); returned.push(r.obs.slice()); return r; };
  env.step = (a) => {
    given.push(Float32Array.from(a as Float32Array));
    const r = step(a);
    returned.push(r.obs.slice());
    outcomes.push({ rewards: Array.from(r.rewards), terminated: Array.from(r.terminated), dones: Array.from(r.terminated, (x, i) => (x || r.truncated[i] ? 1 : 0)) });
    return r;
  };
  const agent = def.create({ env, rng: new Rng(3), totalSteps: n * T, report: { metrics() {}, episode() {} } }, hp);
  agent.resetEnvs(5);
  await agent.train(n * T);
  const r = (agent as unknown as { rollout: { obs: Float32Array; nextObs: Float32Array; actions: Float32Array; rewards: Float32Array; terminated: Uint8Array; dones: Uint8Array; valid: Uint8Array } }).rollout;
  assert.is(returned.length, T + 1);
  const rows = (a: ArrayLike<number>, t: number) => Array.from(a).slice(t * n, (t + 1) * n);
  for (let t = 0; t < T; t++) {
    assert.equal(Array.from(r.obs.subarray(t * n * 3, (t + 1) * n * 3)), Array.from(returned[t]!), `observations of step ${t}`);
    const sampled = r.actions.subarray(t * n * 2, (t + 1) * n * 2);
    assert.equal(Array.from(sampled, (a) => Math.min(3, Math.max(-3, a))), Array.from(given[t]!), `actions of step ${t}`);
    assert.equal(rows(r.rewards, t), outcomes[t]!.rewards.map(Math.fround), `rewards of step ${t}`);
    assert.equal([rows(r.terminated, t), rows(r.dones, t)], [outcomes[t]!.terminated, outcomes[t]!.dones], `episode ends of step ${t}`);
  }
  // TestPlane ends every episode at its 3rd step, by termination or truncation: both kinds here.
  assert.ok(outcomes.some((o) => o.terminated.includes(1)) && outcomes.some((o) => o.dones.some((d, i) => d && !o.terminated[i])), 'terminations and truncations');
  assert.equal(Array.from(r.nextObs), Array.from(returned[T]!));
  assert.equal(Array.from(r.valid), [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
  assert.ok(r.actions.some((a) => Math.abs(a) > 3), 'some sampled actions lie outside the bounds (a wider initial noise is needed)');
  agent.dispose();
  env.close();
}

/** An agent made, trained a few steps and disposed leaves tf.memory()'s tensor count where it was. */
export async function assertDisposeFrees(def: AgentDefinition, envId: string, config: Record<string, unknown>, steps = 12): Promise<void> {
  const before = tf.memory().numTensors;
  const h = makeAgent(def, envId, config, steps, 1);
  await h.agent.train(steps);
  h.close();
  assert.is(tf.memory().numTensors, before, `${def.name} on ${envId} with ${JSON.stringify(config)}: tensors left after dispose`);
}
