/**
 * Advantage Actor-Critic (A2C, the synchronous A3C of Mnih et al., 2016), after Stable-Baselines3's
 * A2C: short n-step rollouts over a vector env, GAE(λ) advantages (λ = 1 gives the plain n-step
 * return), one gradient step per rollout on
 *
 *   L = −mean(A · log π(a|s)) − entCoef · mean(H[π(·|s)]) + vfCoef · ½ · mean((V(s) − R)²)
 *
 * with an actor and a critic that are separate networks or share one trunk (`shared: true`: one
 * MLP whose last layer outputs the policy's numbers and the value side by side).
 *
 * Read top to bottom: hyperparameters, networks, rollout, advantages, the update, checkpoints.
 * Next-step autoreset is handled as in ppo.ts: the reset step after an episode end is masked out,
 * and its value V(final obs) bootstraps a truncated episode.
 */
import { z } from 'zod';
import { Box, Discrete } from '../core/spaces.ts';
import type { RngState } from '../core/rng.ts';
import { Mlp, type Param } from '../nn/mlp.ts';
import { CategoricalHead, GaussianHead, type PolicyHead } from '../nn/distributions.ts';
import { Adam, Rmsprop, Sgd, clipGradNorm, type Optimizer } from '../nn/optim.ts';
import { assignArray } from '../nn/optim.ts';
import { restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { policyGradientProblem, reportEpisodes, yieldToEventLoop, type Agent, type AgentContext, type AgentDefinition, greedyPolicyOf, type GreedyPolicy } from './agent.ts';
import { RolloutStorage } from './rollout-storage.ts';
import { computeGae, normalizeAdvantages } from './gae.ts';

// ---------------------------------------------------------------- hyperparameters
// Defaults are Stable-Baselines3's A2C (RMSprop, α 0.99, ε 1e-5); envDefaults from rl-baselines3-zoo.

export const a2cSchema = z
  .object({
    numEnvs: z.number().int().min(1).max(256).default(8).describe('parallel envs in the vector env'),
    numSteps: z.number().int().min(1).default(5).describe('steps per env per rollout (n_steps)'),
    learningRate: z.number().positive().max(1).default(7e-4).describe('learning rate'),
    optimizer: z.enum(['rmsprop', 'adam', 'sgd']).default('rmsprop').describe('RMSprop (SB3), Adam, or SGD with momentum'),
    momentum: z.number().min(0).max(1).default(0.9).describe('SGD momentum (optimizer: sgd)'),
    eps: z.number().positive().default(1e-5).describe('epsilon of RMSprop and Adam (SB3: 1e-5)'),
    rmspropAlpha: z.number().min(0).max(1).default(0.99).describe('RMSprop smoothing constant α'),
    annealLr: z.boolean().default(false).describe('anneal the learning rate linearly to 0 over the run'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor'),
    gaeLambda: z.number().min(0).max(1).default(1).describe('GAE λ (1: n-step returns)'),
    entCoef: z.number().min(0).default(0).describe('entropy bonus coefficient'),
    vfCoef: z.number().min(0).default(0.5).describe('value loss coefficient'),
    maxGradNorm: z.number().positive().default(0.5).describe('global gradient norm clip'),
    normAdv: z.boolean().default(false).describe('normalize advantages per rollout'),
    shared: z.boolean().default(false).describe('actor and critic share one network (trunk and last layer)'),
    hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([64, 64]).describe('hidden layer widths'),
    activation: z.enum(['tanh', 'relu']).default('tanh').describe('hidden activation'),
    initLogStd: z.number().min(-5).max(2).default(0).describe('initial log std of the Gaussian policy (continuous actions)'),
  })
  .strict();

export type A2cConfig = z.output<typeof a2cSchema>;

// ---------------------------------------------------------------- the agent

class A2c implements Agent {
  globalStep = 0;
  private readonly n: number;
  private readonly obsDim: number;
  private readonly actionDim: number;
  private readonly outSize: number;
  // Separate: actor and critic. Shared: `actor` outputs [policy numbers…, value] and critic is null.
  private readonly actor: Mlp;
  private readonly critic: Mlp | null;
  private readonly head: PolicyHead;
  private readonly params: Param[];
  private readonly optimizer: Optimizer;
  /** Rollout storage, [numSteps × numEnvs × …], allocated once; what carries to the next rollout. */
  private readonly rollout: RolloutStorage;

  constructor(
    private readonly ctx: AgentContext,
    private readonly cfg: A2cConfig,
  ) {
    const { env, rng } = ctx;
    this.n = env.numEnvs;
    this.obsDim = env.obsDim;
    this.actionDim = env.actionDim;
    const space = env.singleActionSpace;
    this.outSize = space instanceof Discrete ? space.n : (space as Box).size;
    if (cfg.shared) {
      this.actor = new Mlp('actor_critic', { sizes: [this.obsDim, ...cfg.hidden, this.outSize + 1], activation: cfg.activation, outputGain: 1 }, rng);
      this.critic = null;
      // Same output gains as separate networks: 0.01 on the policy columns, 1 on the value column.
      const last = this.actor.params[this.actor.params.length - 2]!.variable;
      const w = (last.dataSync() as Float32Array).slice();
      const cols = this.outSize + 1;
      for (let i = 0; i < w.length; i++) if (i % cols < this.outSize) w[i]! *= 0.01;
      assignArray(last, w);
    } else {
      this.actor = new Mlp('actor', { sizes: [this.obsDim, ...cfg.hidden, this.outSize], activation: cfg.activation, outputGain: 0.01 }, rng);
      this.critic = new Mlp('critic', { sizes: [this.obsDim, ...cfg.hidden, 1], activation: cfg.activation, outputGain: 1 }, rng);
    }
    this.head = space instanceof Discrete ? new CategoricalHead(this.outSize) : new GaussianHead(this.outSize, 'actor', cfg.initLogStd);
    this.params = [...this.actor.params, ...this.head.params, ...(this.critic?.params ?? [])];
    this.optimizer =
      cfg.optimizer === 'rmsprop'
        ? new Rmsprop(this.params, { lr: cfg.learningRate, alpha: cfg.rmspropAlpha, eps: cfg.eps })
        : cfg.optimizer === 'adam'
          ? new Adam(this.params, { lr: cfg.learningRate, eps: cfg.eps })
          : new Sgd(this.params, { lr: cfg.learningRate, momentum: cfg.momentum });

    this.rollout = new RolloutStorage(cfg.numSteps, this.n, this.obsDim, this.actionDim);
  }

  resetEnvs(seed: number): void {
    this.rollout.nextObs.set(this.ctx.env.reset({ seed }).obs);
    this.rollout.nextResetPending.fill(0);
  }

  // Policy outputs and values for `m` observations; with `train`, the networks keep activations for backward.
  private evaluate(obs: Float32Array, m: number, train: boolean): { out: Float32Array; value: Float32Array } {
    if (this.critic) return { out: this.actor.forward(obs, m, { train }), value: this.critic.forward(obs, m, { train }) };
    const both = this.actor.forward(obs, m, { train });
    const k = this.outSize;
    const out = new Float32Array(m * k);
    const value = new Float32Array(m);
    for (let r = 0; r < m; r++) {
      out.set(both.subarray(r * (k + 1), r * (k + 1) + k), r * k);
      value[r] = both[r * (k + 1) + k]!;
    }
    return { out, value };
  }

  async train(untilStep: number): Promise<void> {
    const { cfg } = this;
    let t0 = performance.now();
    let stepsAtT0 = this.globalStep;
    let updates = 0;
    while (this.globalStep < untilStep) {
      if (cfg.annealLr) this.optimizer.lr = Math.max(0, 1 - this.globalStep / this.ctx.totalSteps) * cfg.learningRate;
      this.collectRollout();
      this.computeAdvantages();
      const stats = this.update();
      updates++;
      // Rollouts are short: report every 100 updates (SB3's log_interval).
      if (updates % 100 === 0 || this.globalStep >= untilStep) {
        const now = performance.now();
        this.ctx.report.metrics(this.globalStep, { 'charts/learning_rate': this.optimizer.lr, ...stats, 'charts/SPS': Math.round(((this.globalStep - stepsAtT0) * 1000) / (now - t0)) });
        t0 = now;
        stepsAtT0 = this.globalStep;
        await yieldToEventLoop();
      }
    }
  }

  private collectRollout(): void {
    const { n, obsDim, actionDim, cfg, head } = this;
    const space = this.ctx.env.singleActionSpace;
    for (let t = 0; t < cfg.numSteps; t++) {
      const row = t * n;
      this.rollout.obs.set(this.rollout.nextObs, row * obsDim);
      for (let i = 0; i < n; i++) this.rollout.valid[row + i] = this.rollout.nextResetPending[i] ? 0 : 1;
      const { out, value } = this.evaluate(this.rollout.nextObs, n, false);
      this.rollout.values.set(value, row);
      const actions = this.rollout.actions.subarray(row * actionDim, (row + n) * actionDim);
      head.sample(this.ctx.rng, out, n, actions);
      if (space instanceof Box) space.clip(actions, this.rollout.envActions, n);
      else this.rollout.envActions.set(actions);
      const step = this.ctx.env.step(this.rollout.envActions);
      this.globalStep += n;
      reportEpisodes(step.infos, this.globalStep, this.ctx.report);
      for (let i = 0; i < n; i++) {
        this.rollout.rewards[row + i] = step.rewards[i]!;
        this.rollout.terminated[row + i] = step.terminated[i]!;
        const done = step.terminated[i]! || step.truncated[i]! ? 1 : 0;
        this.rollout.dones[row + i] = done;
        this.rollout.nextResetPending[i] = done;
      }
      this.rollout.nextObs.set(step.obs);
    }
  }

  // GAE(λ) (gae.ts: reset steps and truncation).
  private computeAdvantages(): void {
    const { n, cfg } = this;
    const nextValue = this.evaluate(this.rollout.nextObs, n, false).value;
    const { rewards, values, terminated, dones, valid, advantages, returns } = this.rollout;
    computeGae({ rewards, values, terminated, dones, valid, advantages, returns }, nextValue, cfg.numSteps, n, cfg.gamma, cfg.gaeLambda);
  }

  // One gradient step on the whole rollout (valid transitions only).
  private update(): Record<string, number> {
    const { cfg, obsDim, actionDim, head, outSize: k } = this;
    const idx: number[] = [];
    for (let j = 0; j < this.rollout.valid.length; j++) if (this.rollout.valid[j]) idx.push(j);
    const m = idx.length;
    if (m === 0) return {};
    const obs = new Float32Array(m * obsDim);
    const actions = new Float32Array(m * actionDim);
    const adv = new Float32Array(m);
    idx.forEach((src, j) => {
      obs.set(this.rollout.obs.subarray(src * obsDim, (src + 1) * obsDim), j * obsDim);
      actions.set(this.rollout.actions.subarray(src * actionDim, (src + 1) * actionDim), j * actionDim);
      adv[j] = this.rollout.advantages[src]!;
    });
    if (cfg.normAdv) normalizeAdvantages(adv, m);

    const { out, value } = this.evaluate(obs, m, true);
    const logp = new Float32Array(m), ent = new Float32Array(m);
    head.logProb(out, m, actions, logp);
    head.entropy(out, m, ent);
    const dLogp = new Float32Array(m), dEnt = new Float32Array(m), dValue = new Float32Array(m);
    let pg = 0, vl = 0, en = 0;
    for (let j = 0; j < m; j++) {
      const R = this.rollout.returns[idx[j]!]!;
      pg += -adv[j]! * logp[j]!;
      vl += 0.5 * (value[j]! - R) ** 2;
      en += ent[j]!;
      dLogp[j] = -adv[j]! / m;
      dEnt[j] = -cfg.entCoef / m;
      dValue[j] = (cfg.vfCoef * (value[j]! - R)) / m;
    }
    const dOut = new Float32Array(m * k);
    const headGrads = head.backward(out, m, actions, dLogp, dEnt, dOut);
    let grads: Float32Array[];
    if (this.critic) {
      grads = [...this.actor.backward(dOut), ...headGrads, ...this.critic.backward(dValue)];
    } else {
      const dBoth = new Float32Array(m * (k + 1));
      for (let r = 0; r < m; r++) {
        dBoth.set(dOut.subarray(r * k, (r + 1) * k), r * (k + 1));
        dBoth[r * (k + 1) + k] = dValue[r]!;
      }
      grads = [...this.actor.backward(dBoth), ...headGrads];
    }
    clipGradNorm(grads, cfg.maxGradNorm);
    this.optimizer.step(grads);
    return { 'losses/policy_loss': pg / m, 'losses/value_loss': vl / m, 'losses/entropy': en / m };
  }

  // ---------------------------------------------------------------- acting and checkpoints

  act(obs: Float32Array, n: number, out: Float32Array, deterministic: boolean): void {
    const policyOut = this.evaluate(obs, n, false).out;
    if (deterministic) this.head.mode(policyOut, n, out);
    else this.head.sample(this.ctx.rng, policyOut, n, out);
    const space = this.ctx.env.singleActionSpace;
    if (space instanceof Box) space.clip(out, out, n);
  }

  greedyPolicy(): GreedyPolicy {
    return greedyPolicyOf(this.actor, this.outSize, this.ctx.env.singleActionSpace);
  }

  checkpoint(): CheckpointData {
    return {
      weights: weightsOf(this.params),
      optimizers: { optimizer: this.optimizer.getState() },
      arrays: [],
      state: { globalStep: this.globalStep, rng: this.ctx.rng.getState() },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    this.optimizer.setState(data.optimizers.optimizer!);
    const s = data.state as { globalStep: number; rng: RngState };
    this.globalStep = s.globalStep;
    this.ctx.rng.setState(s.rng);
  }

  dispose(): void {
    this.actor.dispose();
    this.critic?.dispose();
    for (const p of this.head.params) p.variable.dispose();
  }
}

// ---------------------------------------------------------------- the definition

export const a2c: AgentDefinition<typeof a2cSchema> = {
  name: 'a2c',
  description: 'Advantage Actor-Critic: n-step rollouts, GAE(λ), entropy bonus, shared or separate networks',
  schema: a2cSchema,
  envDefaults: {
    // rl-baselines3-zoo hyperparams/a2c.yml, CartPole-v1: 8 envs, ent_coef 0 (5e5 steps there).
    'CartPole-v1': { numEnvs: 8, entCoef: 0 },
    // rl-baselines3-zoo Pendulum-v1 (1e6 steps there): 8 envs, λ 0.9, n_steps 8, lr 7e-4 (lin), normalize.
    'Pendulum-v1': { numEnvs: 8, numSteps: 8, gaeLambda: 0.9, gamma: 0.9, entCoef: 0, annealLr: true, initLogStd: -2 },
  },
  supports: policyGradientProblem,
  create: (ctx, config) => new A2c(ctx, config),
};
