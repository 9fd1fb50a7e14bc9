/**
 * A policy's trajectory reduced to one hash: the greedy policy of a run's checkpoint acting in the
 * run's env from `seed` for `steps` env steps (resetting after each episode), hashing every
 * observation, action, reward and end flag by their exact bits. The same code runs in Node and in
 * the site's Web Worker, so equal hashes mean the physics (Rapier's WASM) and the network (tfjs's
 * WASM backend) gave the same numbers, bit for bit, on both (test/site/site.test.ts).
 */
import { BitHash } from '../core/hash.ts';
import { joinPath } from '../core/paths.ts';
import { make } from '../envs/registry.ts';
import { latestCheckpoint } from '../nn/checkpoint.ts';
import { buildRunAgent } from '../train/evaluate.ts';
import { readRunConfig } from '../train/run-config.ts';

export interface TrajectoryHash {
  hash: string;
  /** The same trajectory's observations, actions, and rewards with end flags, hashed apart: which part differs. */
  parts: { observations: string; actions: string; rewards: string };
  /** The first step's observation and action, and every reward, as numbers: the report when hashes differ. */
  head: { observations: number[]; actions: number[]; rewards: number[] };
  steps: number;
  episodes: number;
  /** The sum of the rewards, to say how far apart two trajectories that differ are. */
  totalReward: number;
}

export function policyTrajectoryHash(runDir: string, seed: number, steps: number): TrajectoryHash {
  const config = readRunConfig(runDir);
  const checkpoint = latestCheckpoint(joinPath(runDir, 'checkpoints'));
  if (!checkpoint) throw new Error(`${runDir}: no checkpoint`);
  const { agent, env: vec, close } = buildRunAgent(runDir, config, checkpoint);
  const env = make(config.env, { options: config.envOptions });
  try {
    const out = new Float32Array(vec.actionDim);
    const discrete = vec.singleActionSpace.kind === 'discrete';
    const hash = new BitHash();
    const parts = { observations: new BitHash(), actions: new BitHash(), rewards: new BitHash() };
    const head = { observations: [] as number[], actions: [] as number[], rewards: [] as number[] };
    let obs = env.reset({ seed }).obs as Float32Array;
    hash.numbers(obs);
    parts.observations.numbers(obs);
    head.observations.push(...obs);
    let episodes = 0;
    let totalReward = 0;
    for (let t = 0; t < steps; t++) {
      agent.act(obs, 1, out, true);
      hash.numbers(out);
      parts.actions.numbers(out);
      const r = env.step(discrete ? out[0]! : out.slice());
      hash.numbers(r.obs as Float32Array).number(r.reward).number(r.terminated ? 1 : 0).number(r.truncated ? 1 : 0);
      parts.observations.numbers(r.obs as Float32Array);
      parts.rewards.number(r.reward).number(r.terminated ? 1 : 0).number(r.truncated ? 1 : 0);
      if (t === 0) head.actions.push(...out);
      head.rewards.push(r.reward);
      totalReward += r.reward;
      obs = r.obs as Float32Array;
      if (r.terminated || r.truncated) {
        episodes++;
        obs = env.reset().obs as Float32Array;
        hash.numbers(obs);
      }
    }
    return {
      hash: hash.hex(),
      parts: { observations: parts.observations.hex(), actions: parts.actions.hex(), rewards: parts.rewards.hex() },
      head,
      steps,
      episodes,
      totalReward,
    };
  } finally {
    env.close();
    close();
  }
}
