/**
 * Solving a continuous env through a table: sample transitions on the discretized env into an
 * empirical model, run value iteration on the model, and act greedily on the result in the real
 * env. Data from the random policy only covers the states the random policy reaches (CartPole:
 * the first ~20 steps near upright), so later rounds sample with the current policy, ε-greedy,
 * and solve again (certainty-equivalence model-based RL). Pairs never tried get the worst value
 * any policy could have, so the policy keeps to what it has seen: with rewards ≥ 0 (CartPole) the
 * episode ends there with 0; with a negative reward anywhere (Pendulum, Acrobot) they loop on the
 * lowest reward seen, worth r_min / (1 − γ).
 */
import { Rng } from '../../core/rng.ts';
import { EmpiricalModel, type UnvisitedRow } from '../empirical.ts';
import type { TabularMdp } from '../../envs/tabular/model.ts';
import { valueIteration } from '../dp/value-iteration.ts';
import type { DiscretizedEnv } from './discretized-env.ts';

export interface ModelBasedOptions {
  /** Discount of the value iteration (default 0.99). */
  gamma?: number;
  /** Transitions sampled per round (default 20,000). */
  transitions?: number;
  /** Rounds of sample-then-solve; round 1 samples with the random policy (default 5). */
  rounds?: number;
  /** Exploration of the sampling policy after round 1 (default 0.1). */
  epsilon?: number;
  /** Seeds the env (first reset) and every random choice. */
  seed?: number;
  /** Pairs seen fewer times count as unvisited (default 1). */
  minCount?: number;
  /** Called after each round's solve. */
  onRound?(report: RoundReport): void;
}

export interface RoundReport {
  round: number;
  samples: number;
  visitedPairs: number;
  sweeps: number;
  /** Mean return of the episodes sampled this round (the ε-greedy data-collecting policy). */
  meanSampleReturn: number;
}

export interface ModelBasedResult {
  policy: Int32Array;
  values: Float64Array;
  model: EmpiricalModel;
  mdp: TabularMdp;
  rounds: RoundReport[];
}

/** Samples `count` transitions with `choose(s)` (continuing the env's episodes), into `model`. Returns the returns of finished episodes. */
export function sampleTransitions(env: DiscretizedEnv, model: EmpiricalModel, count: number, choose: (s: number) => number, start: { seed?: number }): number[] {
  const returns: number[] = [];
  let s = env.reset(start.seed !== undefined ? { seed: start.seed } : undefined).obs;
  let ret = 0;
  for (let n = 0; n < count; n++) {
    const a = choose(s);
    const r = env.step(a);
    // A physics blow-up is no transition of the system: leave it out.
    if (!r.info.error) model.record(s, a, r.reward, r.obs, r.terminated);
    ret += r.reward;
    if (r.terminated || r.truncated) {
      returns.push(ret);
      ret = 0;
      s = env.reset().obs;
    } else s = r.obs;
  }
  return returns;
}

export function solveByDiscretization(env: DiscretizedEnv, options: ModelBasedOptions = {}): ModelBasedResult {
  const gamma = options.gamma ?? 0.99;
  const transitions = options.transitions ?? 20_000;
  const rounds = options.rounds ?? 5;
  const epsilon = options.epsilon ?? 0.1;
  const rng = new Rng(options.seed ?? 0);
  const A = env.actionSpace.n;
  const model = new EmpiricalModel(env.observationSpace.n, A);
  let policy: Int32Array | undefined;
  let values: Float64Array = new Float64Array(env.observationSpace.n);
  let mdp: TabularMdp | undefined;
  const reports: RoundReport[] = [];
  for (let round = 1; round <= rounds; round++) {
    const current = policy;
    const choose = (s: number) => (!current || rng.random() < epsilon ? rng.int(A) : current[s]!);
    const returns = sampleTransitions(env, model, transitions, choose, { seed: round === 1 ? rng.nextUint32() : undefined });
    mdp = model.toMdp({ minCount: options.minCount, unvisited: pessimisticRow(model), source: `${env.id} empirical model` });
    const vi = valueIteration(mdp, { gamma, theta: 1e-6 }, values);
    policy = vi.policy;
    values = vi.values;
    const report = {
      round,
      samples: model.numSamples,
      visitedPairs: model.visitedPairs,
      sweeps: vi.sweeps,
      meanSampleReturn: returns.length ? returns.reduce((a, b) => a + b, 0) / returns.length : NaN,
    };
    reports.push(report);
    options.onRound?.(report);
  }
  return { policy: policy!, values, model, mdp: mdp!, rounds: reports };
}

/** The stand-in for unvisited pairs: the lowest value a policy could have in this model. */
function pessimisticRow(model: EmpiricalModel): UnvisitedRow {
  const lowest = model.lowestReward;
  return lowest >= 0 ? { reward: 0, terminal: true } : { reward: lowest, terminal: false };
}
