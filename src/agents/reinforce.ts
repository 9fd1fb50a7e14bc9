/**
 * REINFORCE (Williams, 1992) with reward-to-go and a learned baseline (Sutton & Barto, 2nd ed.,
 * §13.4): run the policy until `episodesPerUpdate` episodes have finished, then take one gradient
 * step on
 *
 *   L = −mean((G_t − V(s_t)) · log π(a_t|s_t)) − entCoef · mean(H) + vfCoef · ½ · mean((V(s_t) − G_t)²)
 *
 * where G_t = Σ_{k≥t} γ^{k−t} r_k is the reward-to-go of step t within its episode. An episode cut
 * by a time limit (truncated) did not end: its reward-to-go is bootstrapped with the baseline's
 * V(s_final); a terminated one is not.
 *
 * Episodes still running at an update are kept and finish under the updated policy (a small
 * off-policy error accepted to not waste their steps).
 *
 * Read top to bottom: hyperparameters, storage, the loop, the update, checkpoints.
 */
import { z } from 'zod';
import { Box, Discrete } from '../core/spaces.ts';
import type { RngState } from '../core/rng.ts';
import { Mlp, type Param } from '../nn/mlp.ts';
import { CategoricalHead, GaussianHead, type PolicyHead } from '../nn/distributions.ts';
import { Adam, clipGradNorm } from '../nn/optim.ts';
import { restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { policyGradientProblem, reportEpisodes, yieldToEventLoop, type Agent, type AgentContext, type AgentDefinition, greedyPolicyOf, type GreedyPolicy } from './agent.ts';
import { normalizeAdvantages } from './gae.ts';

// ---------------------------------------------------------------- hyperparameters

export const reinforceSchema = z
  .object({
    numEnvs: z.number().int().min(1).max(256).default(8).describe('parallel envs in the vector env'),
    episodesPerUpdate: z.number().int().min(1).default(8).describe('finished episodes per gradient step'),
    learningRate: z.number().positive().max(1).default(1e-3).describe('Adam learning rate'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor'),
    baseline: z.boolean().default(true).describe('subtract a learned state-value baseline'),
    normAdv: z.boolean().default(true).describe('normalize (G − V) over each update'),
    entCoef: z.number().min(0).default(0).describe('entropy bonus coefficient'),
    vfCoef: z.number().min(0).default(0.5).describe('baseline loss coefficient'),
    maxGradNorm: z.number().positive().default(0.5).describe('global gradient norm clip'),
    hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([64, 64]).describe('hidden layer widths'),
    activation: z.enum(['tanh', 'relu']).default('tanh').describe('hidden activation'),
    initLogStd: z.number().min(-5).max(2).default(0).describe('initial log std of the Gaussian policy (continuous actions)'),
  })
  .strict();

export type ReinforceConfig = z.output<typeof reinforceSchema>;

// ---------------------------------------------------------------- growable storage of steps

class Steps {
  length = 0;
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;

  constructor(
    readonly obsDim: number,
    readonly actionDim: number,
    capacity = 1024,
  ) {
    this.obs = new Float32Array(capacity * obsDim);
    this.actions = new Float32Array(capacity * actionDim);
    this.rewards = new Float32Array(capacity);
  }

  private grow(): void {
    const grow = <T extends Float32Array>(a: T) => {
      const b = new Float32Array(a.length * 2);
      b.set(a);
      return b as T;
    };
    this.obs = grow(this.obs);
    this.actions = grow(this.actions);
    this.rewards = grow(this.rewards);
  }

  push(obs: Float32Array, obsRow: number, actions: Float32Array, actionRow: number, reward: number): void {
    if (this.length === this.rewards.length) this.grow();
    const { obsDim: d, actionDim: a } = this;
    this.obs.set(obs.subarray(obsRow * d, (obsRow + 1) * d), this.length * d);
    this.actions.set(actions.subarray(actionRow * a, (actionRow + 1) * a), this.length * a);
    this.rewards[this.length++] = reward;
  }
}

// ---------------------------------------------------------------- the agent

class Reinforce implements Agent {
  globalStep = 0;
  private readonly n: number;
  private readonly obsDim: number;
  private readonly actionDim: number;
  private readonly policy: Mlp;
  private readonly valueNet: Mlp | null;
  private readonly head: PolicyHead;
  private readonly params: Param[];
  private readonly optimizer: Adam;
  /** Steps of the episode each env is in. */
  private running: Steps[];
  /** Finished episodes waiting for the update: their steps, reward-to-go filled in at the update. */
  private finished: { steps: Steps; truncated: boolean; finalObs: Float32Array }[] = [];
  private obs: Float32Array;
  private resetPending: Uint8Array;
  private readonly actions: Float32Array;
  private readonly envActions: Float32Array;
  private updates = 0;

  constructor(
    private readonly ctx: AgentContext,
    private readonly cfg: ReinforceConfig,
  ) {
    const { env, rng } = ctx;
    this.n = env.numEnvs;
    this.obsDim = env.obsDim;
    this.actionDim = env.actionDim;
    const space = env.singleActionSpace;
    const outSize = space instanceof Discrete ? space.n : (space as Box).size;
    this.policy = new Mlp('policy', { sizes: [this.obsDim, ...cfg.hidden, outSize], activation: cfg.activation, outputGain: 0.01 }, rng);
    this.valueNet = cfg.baseline ? new Mlp('baseline', { sizes: [this.obsDim, ...cfg.hidden, 1], activation: cfg.activation, outputGain: 1 }, rng) : null;
    this.head = space instanceof Discrete ? new CategoricalHead(outSize) : new GaussianHead(outSize, 'policy', cfg.initLogStd);
    this.params = [...this.policy.params, ...this.head.params, ...(this.valueNet?.params ?? [])];
    this.optimizer = new Adam(this.params, { lr: cfg.learningRate });
    this.running = Array.from({ length: this.n }, () => new Steps(this.obsDim, this.actionDim));
    this.obs = new Float32Array(this.n * this.obsDim);
    this.resetPending = new Uint8Array(this.n);
    this.actions = new Float32Array(this.n * this.actionDim);
    this.envActions = new Float32Array(this.n * this.actionDim);
  }

  resetEnvs(seed: number): void {
    this.obs.set(this.ctx.env.reset({ seed }).obs);
    this.resetPending.fill(0);
    // Episodes cut by the reset are dropped; finished ones stay for the next update.
    for (const s of this.running) s.length = 0;
  }

  async train(untilStep: number): Promise<void> {
    const { n, cfg, ctx } = this;
    const space = ctx.env.singleActionSpace;
    let t0 = performance.now();
    let stepsAtT0 = this.globalStep;
    while (this.globalStep < untilStep) {
      // Act in all envs at once.
      const out = this.policy.forward(this.obs, n);
      this.head.sample(ctx.rng, out, n, this.actions);
      if (space instanceof Box) space.clip(this.actions, this.envActions, n);
      else this.envActions.set(this.actions);
      const step = ctx.env.step(this.envActions);
      this.globalStep += n;
      reportEpisodes(step.infos, this.globalStep, ctx.report);

      for (let i = 0; i < n; i++) {
        if (this.resetPending[i]) {
          this.resetPending[i] = 0; // the reset step: no transition
          continue;
        }
        this.running[i]!.push(this.obs, i, this.actions, i, step.rewards[i]!);
        if (step.terminated[i] || step.truncated[i]) {
          this.finished.push({ steps: this.running[i]!, truncated: !step.terminated[i], finalObs: step.obs.slice(i * this.obsDim, (i + 1) * this.obsDim) });
          this.running[i] = new Steps(this.obsDim, this.actionDim);
          this.resetPending[i] = 1;
        }
      }
      this.obs.set(step.obs);

      if (this.finished.length >= cfg.episodesPerUpdate) {
        const stats = this.update();
        if (this.updates % 10 === 0 || this.globalStep >= untilStep) {
          const now = performance.now();
          ctx.report.metrics(this.globalStep, { ...stats, 'charts/SPS': Math.round(((this.globalStep - stepsAtT0) * 1000) / (now - t0)) });
          t0 = now;
          stepsAtT0 = this.globalStep;
          await yieldToEventLoop();
        }
      }
    }
  }

  // One gradient step over every step of the finished episodes.
  private update(): Record<string, number> {
    const { cfg, obsDim, actionDim, head } = this;
    const episodes = this.finished;
    this.finished = [];
    const m = episodes.reduce((a, e) => a + e.steps.length, 0);
    const obs = new Float32Array(m * obsDim);
    const actions = new Float32Array(m * actionDim);
    const returns = new Float32Array(m);

    // Bootstrap values of the truncated episodes' final observations, in one batch.
    const truncated = episodes.filter((e) => e.truncated);
    const bootstrap = new Map<object, number>();
    if (this.valueNet && truncated.length > 0) {
      const finals = new Float32Array(truncated.length * obsDim);
      truncated.forEach((e, j) => finals.set(e.finalObs, j * obsDim));
      const v = this.valueNet.forward(finals, truncated.length);
      truncated.forEach((e, j) => bootstrap.set(e, v[j]!));
    }

    // Reward-to-go, episode by episode, backwards.
    let offset = 0;
    for (const e of episodes) {
      const s = e.steps;
      obs.set(s.obs.subarray(0, s.length * obsDim), offset * obsDim);
      actions.set(s.actions.subarray(0, s.length * actionDim), offset * actionDim);
      let g = bootstrap.get(e) ?? 0;
      for (let t = s.length - 1; t >= 0; t--) {
        g = s.rewards[t]! + cfg.gamma * g;
        returns[offset + t] = g;
      }
      offset += s.length;
    }

    const out = this.policy.forward(obs, m, { train: true });
    const value = this.valueNet ? this.valueNet.forward(obs, m, { train: true }) : new Float32Array(m);
    const adv = new Float32Array(m);
    for (let j = 0; j < m; j++) adv[j] = returns[j]! - value[j]!;
    if (cfg.normAdv) normalizeAdvantages(adv, m);
    const logp = new Float32Array(m), ent = new Float32Array(m);
    head.logProb(out, m, actions, logp);
    head.entropy(out, m, ent);
    const dLogp = new Float32Array(m), dEnt = new Float32Array(m), dValue = new Float32Array(m);
    let pg = 0, vl = 0, en = 0;
    for (let j = 0; j < m; j++) {
      pg += -adv[j]! * logp[j]!;
      vl += 0.5 * (value[j]! - returns[j]!) ** 2;
      en += ent[j]!;
      dLogp[j] = -adv[j]! / m; // the advantage is a constant: no gradient into the baseline from here
      dEnt[j] = -cfg.entCoef / m;
      dValue[j] = (cfg.vfCoef * (value[j]! - returns[j]!)) / m;
    }
    const dOut = new Float32Array(m * head.outputSize);
    const headGrads = head.backward(out, m, actions, dLogp, dEnt, dOut);
    const grads = [...this.policy.backward(dOut), ...headGrads, ...(this.valueNet ? this.valueNet.backward(dValue) : [])];
    clipGradNorm(grads, cfg.maxGradNorm);
    this.optimizer.step(grads);
    this.updates++;
    return { 'losses/policy_loss': pg / m, 'losses/value_loss': vl / m, 'losses/entropy': en / m, 'charts/episodes_per_update': episodes.length };
  }

  // ---------------------------------------------------------------- acting and checkpoints

  act(obs: Float32Array, n: number, out: Float32Array, deterministic: boolean): void {
    const policyOut = this.policy.forward(obs, n);
    if (deterministic) this.head.mode(policyOut, n, out);
    else this.head.sample(this.ctx.rng, policyOut, n, out);
    const space = this.ctx.env.singleActionSpace;
    if (space instanceof Box) space.clip(out, out, n);
  }

  greedyPolicy(): GreedyPolicy {
    return greedyPolicyOf(this.policy, this.policy.outputSize, this.ctx.env.singleActionSpace);
  }

  checkpoint(): CheckpointData {
    // Finished episodes not yet used go into the checkpoint; running ones end at the env reset.
    const d = this.obsDim, a = this.actionDim;
    const arrays = this.finished.flatMap((e, j) => [
      { name: `finished/${j}/obs`, shape: [e.steps.length, d], data: e.steps.obs.slice(0, e.steps.length * d) },
      { name: `finished/${j}/actions`, shape: [e.steps.length, a], data: e.steps.actions.slice(0, e.steps.length * a) },
      { name: `finished/${j}/rewards`, shape: [e.steps.length], data: e.steps.rewards.slice(0, e.steps.length) },
      { name: `finished/${j}/final_obs`, shape: [d], data: e.finalObs.slice() },
    ]);
    return {
      weights: weightsOf(this.params),
      optimizers: { optimizer: this.optimizer.getState() },
      arrays,
      state: { globalStep: this.globalStep, updates: this.updates, rng: this.ctx.rng.getState(), finished: this.finished.map((e) => ({ truncated: e.truncated })) },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    this.optimizer.setState(data.optimizers.optimizer!);
    const s = data.state as { globalStep: number; updates: number; rng: RngState; finished: { truncated: boolean }[] };
    this.globalStep = s.globalStep;
    this.updates = s.updates;
    this.ctx.rng.setState(s.rng);
    const get = (name: string) => {
      const x = data.arrays.find((y) => y.name === name);
      if (!x) throw new Error(`${where}: ${name} missing`);
      return x.data as Float32Array;
    };
    this.finished = s.finished.map((f, j) => {
      const rewards = get(`finished/${j}/rewards`);
      const steps = new Steps(this.obsDim, this.actionDim, Math.max(1, rewards.length));
      steps.obs.set(get(`finished/${j}/obs`));
      steps.actions.set(get(`finished/${j}/actions`));
      steps.rewards.set(rewards);
      steps.length = rewards.length;
      return { steps, truncated: f.truncated, finalObs: get(`finished/${j}/final_obs`).slice() };
    });
  }

  dispose(): void {
    this.policy.dispose();
    this.valueNet?.dispose();
    for (const p of this.head.params) p.variable.dispose();
  }
}

// ---------------------------------------------------------------- the definition

export const reinforce: AgentDefinition<typeof reinforceSchema> = {
  name: 'reinforce',
  description: 'REINFORCE with reward-to-go and a learned baseline (discrete and continuous actions)',
  schema: reinforceSchema,
  envDefaults: {},
  supports: policyGradientProblem,
  create: (ctx, config) => new Reinforce(ctx, config),
};
