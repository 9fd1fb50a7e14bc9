/**
 * Proximal Policy Optimization (Schulman et al., 2017), after CleanRL's `ppo.py` and
 * `ppo_continuous_action.py`: clipped surrogate objective, GAE(λ), value clipping, minibatch
 * epochs, advantage normalization, optional observation and reward normalization, linear learning
 * rate annealing; Categorical policy for discrete actions, diagonal Gaussian for continuous ones.
 *
 * Read top to bottom: hyperparameters, networks, the rollout, advantages, the update, checkpoints.
 *
 * Vector env semantics (Gymnasium 1.x next-step autoreset): the step after sub-env i ends only
 * resets it (its action is ignored, reward 0). That transition is not a real one: it is masked out
 * of the loss (`valid = 0`). Its stored observation is the final observation of the episode that
 * ended, so its value estimate is exactly V(final obs), from which GAE (`gae.ts`) bootstraps a
 * truncated episode.
 */
import { z } from 'zod';
import { Box, Discrete } from '../core/spaces.ts';
import { Mlp, type Param } from '../nn/mlp.ts';
import { CategoricalHead, GaussianHead, type PolicyHead } from '../nn/distributions.ts';
import { Adam, addSquares, clipFactor, combinedState, scaleGrads } from '../nn/optim.ts';
import { RunningMeanStd, type RunningMeanStdState } from '../core/running-stats.ts';
import { requireArray, restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import type { RngState } from '../core/rng.ts';
import { policyGradientProblem, reportEpisodes, yieldToEventLoop, type Agent, type AgentContext, type AgentDefinition, greedyPolicyOf, type GreedyPolicy } from './agent.ts';
import { RolloutStorage } from './rollout-storage.ts';
import type { CollectedRollout, PolicyRollouts, RolloutRequest } from './policy-rollouts.ts';
import type { Info } from '../envs/env.ts';
import { computeGae, normalizeAdvantages } from './gae.ts';
import { LocalCriticUpdate, type CriticUpdate } from './critic-update.ts';

// ---------------------------------------------------------------- hyperparameters
// Defaults are CleanRL's ppo.py (CartPole); envDefaults below carry rl-baselines3-zoo's tuned values.

export const ppoSchema = z
  .object({
    numEnvs: z.number().int().min(1).max(256).default(4).describe('parallel envs in the vector env (num_envs)'),
    numSteps: z.number().int().min(1).default(128).describe('steps per env per rollout (num_steps); batch = numEnvs × numSteps'),
    learningRate: z.number().positive().max(1).default(2.5e-4).describe('Adam learning rate'),
    annealLr: z.boolean().default(true).describe('anneal the learning rate linearly to 0 over the run'),
    adamEps: z.number().positive().default(1e-5).describe('Adam epsilon (CleanRL uses 1e-5)'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor'),
    gaeLambda: z.number().min(0).max(1).default(0.95).describe('GAE λ'),
    numMinibatches: z.number().int().min(1).default(4).describe('minibatches per epoch'),
    updateEpochs: z.number().int().min(1).default(4).describe('passes over each rollout (update_epochs)'),
    normAdv: z.boolean().default(true).describe('normalize advantages per minibatch'),
    clipCoef: z.number().positive().max(1).default(0.2).describe('surrogate clipping ε'),
    clipVloss: z.boolean().default(true).describe('clip the value loss as the policy (PPO2 style)'),
    entCoef: z.number().min(0).default(0.01).describe('entropy bonus coefficient'),
    vfCoef: z.number().min(0).default(0.5).describe('value loss coefficient'),
    maxGradNorm: z.number().positive().default(0.5).describe('global gradient norm clip'),
    targetKl: z.number().positive().nullable().default(null).describe('stop the epochs early when approx KL exceeds this (null: never)'),
    hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([64, 64]).describe('hidden layer widths of actor and critic'),
    activation: z.enum(['tanh', 'relu']).default('tanh').describe('hidden activation'),
    initLogStd: z.number().min(-5).max(2).default(0).describe('initial log std of the Gaussian policy (continuous actions)'),
    learnStd: z.boolean().default(true).describe('learn the Gaussian log std (false: fixed at initLogStd, as DeepMimic)'),
    normalizeObs: z.boolean().default(false).describe('normalize observations with running mean/std (NormalizeObservation)'),
    normalizeReward: z.boolean().default(false).describe('scale rewards by the running std of the discounted return (NormalizeReward)'),
    clipObs: z.number().positive().default(10).describe('clip normalized observations to ±this'),
    clipReward: z.number().positive().default(10).describe('clip normalized rewards to ±this'),
  })
  .strict();

export type PpoConfig = z.output<typeof ppoSchema>;

// ---------------------------------------------------------------- the agent

class Ppo implements Agent {
  globalStep = 0;
  private readonly env: AgentContext['env'];
  private readonly n: number; // envs
  private readonly obsDim: number;
  private readonly actionDim: number;
  private readonly actor: Mlp;
  private readonly critic: Mlp;
  private readonly head: PolicyHead;
  private readonly params: Param[];
  /** Adam over the actor and the head, and Adam over the critic: stepped together, one Adam over all. */
  private readonly policyOptimizer: Adam;
  private readonly criticOptimizer: Adam;
  /** The value half of the update, in this thread or another (critic-update.ts). */
  private readonly criticUpdate: CriticUpdate;
  private readonly obsRms: RunningMeanStd;
  private readonly retRms = new RunningMeanStd(1);
  private readonly discountedReturn: Float64Array; // per env, for reward normalization
  private iteration = 0;

  /** Rollout storage, [numSteps × numEnvs × …], allocated once; what carries to the next rollout. */
  private readonly rollout: RolloutStorage;

  constructor(
    private readonly ctx: AgentContext,
    private readonly cfg: PpoConfig,
  ) {
    const { env, rng } = ctx;
    this.env = env;
    this.n = env.numEnvs;
    this.obsDim = env.obsDim;
    this.actionDim = env.actionDim;
    const space = env.singleActionSpace;
    const outSize = space instanceof Discrete ? space.n : (space as Box).size;
    // CleanRL layer_init: orthogonal, √2 for hidden layers, 0.01 for the policy output, 1 for the value.
    this.actor = new Mlp('actor', { sizes: [this.obsDim, ...cfg.hidden, outSize], activation: cfg.activation, outputGain: 0.01 }, rng);
    this.critic = new Mlp('critic', { sizes: [this.obsDim, ...cfg.hidden, 1], activation: cfg.activation, outputGain: 1 }, rng);
    this.head = space instanceof Discrete ? new CategoricalHead(outSize) : new GaussianHead(outSize, 'actor', cfg.initLogStd);
    this.params = [...this.actor.params, ...this.head.params, ...this.critic.params];
    this.policyOptimizer = new Adam([...this.actor.params, ...this.head.params], { lr: cfg.learningRate, eps: cfg.adamEps });
    this.criticOptimizer = new Adam(this.critic.params, { lr: cfg.learningRate, eps: cfg.adamEps });
    const valueLoss = { clipVloss: cfg.clipVloss, clipCoef: cfg.clipCoef, vfCoef: cfg.vfCoef };
    this.criticUpdate = ctx.criticThread
      ? ctx.criticThread(this.critic, this.criticOptimizer, { ...valueLoss, maxGradNorm: cfg.maxGradNorm }, cfg.numSteps * this.n)
      : new LocalCriticUpdate(this.critic, this.criticOptimizer, valueLoss);
    this.obsRms = new RunningMeanStd(this.obsDim);
    this.discountedReturn = new Float64Array(this.n);

    this.rollout = new RolloutStorage(cfg.numSteps, this.n, this.obsDim, this.actionDim);
  }

  resetEnvs(seed: number): void {
    if (this.ctx.rollouts) {
      // The workers keep the observations; the normalizer sees the reset ones, as below.
      const raw = this.ctx.rollouts.resetAll(seed, this.globalStep);
      if (this.cfg.normalizeObs) this.obsRms.update(raw, this.n);
      this.discountedReturn.fill(0);
      return;
    }
    const { obs } = this.env.reset({ seed });
    this.observe(obs, this.rollout.nextObs);
    this.rollout.nextResetPending.fill(0);
    this.discountedReturn.fill(0);
  }

  // Observation normalization (Gymnasium's NormalizeObservation: update, then normalize).
  private observe(raw: Float32Array, out: Float32Array): void {
    if (!this.cfg.normalizeObs) return void out.set(raw);
    this.obsRms.update(raw, this.n);
    this.obsRms.normalize(raw, out, this.n, this.cfg.clipObs);
  }

  async train(untilStep: number): Promise<void> {
    if (this.ctx.rollouts) return this.trainPipelined(untilStep, this.ctx.rollouts);
    while (this.globalStep < untilStep) {
      const t0 = performance.now();
      this.annealLearningRate();
      this.collectRollout();
      this.computeAdvantages();
      this.finishIteration(this.update(), t0);
      await yieldToEventLoop();
    }
  }

  /** Linear annealing to 0 over the run, from the sample count the iteration's rollout began at. */
  private annealLearningRate(): void {
    const { cfg } = this;
    if (cfg.annealLr) this.policyOptimizer.lr = Math.max(0, 1 - this.globalStep / this.ctx.totalSteps) * cfg.learningRate;
  }

  /** Counts the iteration and reports its losses, learning rate and samples a second since `t0`. */
  private finishIteration(stats: Record<string, number>, t0: number): void {
    this.iteration++;
    const seconds = (performance.now() - t0) / 1000;
    this.ctx.report.metrics(this.globalStep, {
      'charts/learning_rate': this.policyOptimizer.lr,
      ...stats,
      'charts/SPS': Math.round((this.n * this.cfg.numSteps) / seconds),
    });
  }

  // ---------------------------------------------------------------- rollout

  private collectRollout(): void {
    const { n, obsDim, actionDim, cfg, head } = this;
    const space = this.env.singleActionSpace;
    for (let t = 0; t < cfg.numSteps; t++) {
      const row = t * n;
      this.rollout.obs.set(this.rollout.nextObs, row * obsDim);
      for (let i = 0; i < n; i++) this.rollout.valid[row + i] = this.rollout.nextResetPending[i] ? 0 : 1;

      // One batched forward pass for all envs: policy outputs and values.
      const out = this.actor.forward(this.rollout.nextObs, n);
      const value = this.critic.forward(this.rollout.nextObs, n);
      this.rollout.values.set(value, row);
      const actions = this.rollout.actions.subarray(row * actionDim, (row + n) * actionDim);
      head.sample(this.ctx.rng, out, n, actions);
      head.logProb(out, n, actions, this.rollout.logprobs.subarray(row, row + n));

      // Continuous actions are clipped for the env only; the stored action is the sampled one.
      if (space instanceof Box) space.clip(actions, this.rollout.envActions, n);
      else this.rollout.envActions.set(actions);
      const step = this.env.step(this.rollout.envActions);
      this.globalStep += n;
      reportEpisodes(step.infos, this.globalStep, this.ctx.report);

      for (let i = 0; i < n; i++) {
        const done = Boolean(step.terminated[i]! || step.truncated[i]!);
        this.rollout.rewards[row + i] = this.shapeReward(i, step.rewards[i]!, done, !this.rollout.nextResetPending[i]);
        this.rollout.terminated[row + i] = step.terminated[i]!;
        this.rollout.dones[row + i] = done ? 1 : 0;
        this.rollout.nextResetPending[i] = done ? 1 : 0;
      }
      this.observe(step.obs, this.rollout.nextObs);
    }
  }

  /** NormalizeReward (when on): the reward divided by the std of the running discounted return; an autoreset step's 0 is left out. */
  private shapeReward(i: number, r: number, done: boolean, real: boolean): number {
    const { cfg } = this;
    if (!cfg.normalizeReward || !real) return r;
    this.discountedReturn[i] = this.discountedReturn[i]! * cfg.gamma + r;
    this.retRms.update(Float64Array.of(this.discountedReturn[i]!), 1);
    if (done) this.discountedReturn[i] = 0;
    return Math.max(-cfg.clipReward, Math.min(cfg.clipReward, r / Math.sqrt(this.retRms.var[0]! + 1e-8)));
  }

  // ---------------------------------------------------------------- the pipelined loop

  /**
   * With the pipeline vector env (train/rollout-pool.ts): rollout k + 1 is collected by the
   * workers with the policy as it was before update k, while update k runs here. PPO with one
   * iteration of policy lag: the stored log-probabilities are the acting policy's, so the ratios
   * are against the policy that acted (the clip bounds the step from it). The first rollout after
   * each `resetEnvs` has no lag, and nothing is in flight when `train` returns, so a checkpoint
   * holds the whole state and a resumed run continues exactly.
   */
  private async trainPipelined(untilStep: number, rollouts: PolicyRollouts): Promise<void> {
    const { cfg, n } = this;
    if (this.globalStep >= untilStep) return;
    rollouts.start(this.rolloutRequest());
    for (;;) {
      const t0 = performance.now();
      this.annealLearningRate();
      this.ingest(rollouts.finish());
      const more = this.globalStep < untilStep;
      if (more) rollouts.start(this.rolloutRequest());
      this.rollout.values.set(this.critic.forward(this.rollout.obs, n * cfg.numSteps));
      this.computeAdvantages();
      this.finishIteration(this.update(), t0);
      if (!more) return;
      await yieldToEventLoop();
    }
  }

  /** The acting policy as it is now, and the seed of the rollout's action noise (from the agent's stream). */
  private rolloutRequest(): RolloutRequest {
    const { cfg } = this;
    return {
      policy: {
        sizes: this.actor.spec.sizes,
        activation: cfg.activation,
        head: this.head.kind,
        weights: [...this.actor.params, ...this.head.params].map((p) => (p.variable.dataSync() as Float32Array).slice()),
        obsNorm: cfg.normalizeObs ? { mean: this.obsRms.mean.slice(), var: this.obsRms.var.slice(), clip: cfg.clipObs } : null,
      },
      seed: this.ctx.rng.nextUint32(),
      sampleCount: this.globalStep,
    };
  }

  /** A finished rollout into the storage, as collectRollout would have left it (values aside). */
  private ingest(batch: CollectedRollout): void {
    const { n, obsDim } = this;
    const T = this.cfg.numSteps;
    const r = this.rollout;
    r.obs.set(batch.obs.subarray(0, T * n * obsDim));
    r.nextObs.set(batch.obs.subarray(T * n * obsDim));
    r.actions.set(batch.actions);
    r.logprobs.set(batch.logprobs);
    r.terminated.set(batch.terminated);
    r.dones.set(batch.dones);
    r.valid.set(batch.valid);
    const start = this.globalStep;
    for (let k = 0; k < T * n; k++) r.rewards[k] = this.shapeReward(k % n, batch.rewards[k]!, batch.dones[k] === 1, batch.valid[k] === 1);
    if (this.cfg.normalizeObs) for (let t = 0; t < T; t++) this.obsRms.update(batch.rawNextObs.subarray(t * n * obsDim, (t + 1) * n * obsDim), n);
    // Episodes in step order, at the sample count they ended at (one infos row per step that has any).
    const row: Info[] = Array.from({ length: n }, () => ({}));
    for (let j = 0; j < batch.infos.length; ) {
      const t = batch.infos[j]!.t;
      for (; j < batch.infos.length && batch.infos[j]!.t === t; j++) row[batch.infos[j]!.env] = batch.infos[j]!.info;
      reportEpisodes(row, start + (t + 1) * n, this.ctx.report);
      row.fill({});
    }
    this.globalStep = start + T * n;
  }

  // ---------------------------------------------------------------- advantages: GAE(λ)

  private computeAdvantages(): void {
    const { n, cfg } = this;
    const nextValue = this.critic.forward(this.rollout.nextObs, n);
    const { rewards, values, terminated, dones, valid, advantages, returns } = this.rollout;
    computeGae({ rewards, values, terminated, dones, valid, advantages, returns }, nextValue, cfg.numSteps, n, cfg.gamma, cfg.gaeLambda);
  }

  // ---------------------------------------------------------------- the update

  private update(): Record<string, number> {
    const { cfg, obsDim, actionDim, head, criticUpdate } = this;
    // Only real transitions take part.
    const indices: number[] = [];
    for (let k = 0; k < this.rollout.valid.length; k++) if (this.rollout.valid[k]) indices.push(k);
    const batch = indices.length;
    const mbSize = Math.max(1, Math.floor(batch / cfg.numMinibatches));
    const mbObs = new Float32Array(mbSize * obsDim);
    const mbActions = new Float32Array(mbSize * actionDim);
    const logp = new Float32Array(mbSize), ent = new Float32Array(mbSize);
    const dLogp = new Float32Array(mbSize), dEnt = new Float32Array(mbSize);
    const dOut = new Float32Array(mbSize * head.outputSize);
    const adv = new Float32Array(mbSize);
    let pgLoss = 0, vLoss = 0, entropy = 0, approxKl = 0, oldApproxKl = 0, clipfracSum = 0, clipCount = 0;
    let stopEarly = false;

    // The value loss and its gradient: critic-update.ts, here or on a second thread.
    criticUpdate.begin({ obs: this.rollout.obs, returns: this.rollout.returns, values: this.rollout.values }, this.rollout.valid.length, this.policyOptimizer.lr);
    for (let epoch = 0; epoch < cfg.updateEpochs && !stopEarly; epoch++) {
      this.ctx.rng.shuffle(indices);
      criticUpdate.epoch(indices, mbSize);
      for (let start = 0; start + mbSize <= batch; start += mbSize) {
        const m = mbSize;
        for (let j = 0; j < m; j++) {
          const k = indices[start + j]!;
          mbObs.set(this.rollout.obs.subarray(k * obsDim, (k + 1) * obsDim), j * obsDim);
          mbActions.set(this.rollout.actions.subarray(k * actionDim, (k + 1) * actionDim), j * actionDim);
          adv[j] = this.rollout.advantages[k]!;
        }
        if (cfg.normAdv) normalizeAdvantages(adv, m);

        const out = this.actor.forward(mbObs, m, { train: true });
        head.logProb(out, m, mbActions, logp);
        head.entropy(out, m, ent);

        // The loss, L = pg_loss − entCoef·entropy + vfCoef·v_loss, and its gradient by hand:
        //   pg_loss = mean(max(−A·r, −A·clip(r, 1±ε))), r = exp(logp − logp_old)
        //   v_loss  = ½·mean(max((v − R)², (v_old + clip(v − v_old, ±ε) − R)²))   (or unclipped; critic-update.ts)
        let pg = 0, en = 0, kl = 0, oldKl = 0, cf = 0;
        for (let j = 0; j < m; j++) {
          const k = indices[start + j]!;
          const logRatio = logp[j]! - this.rollout.logprobs[k]!;
          const ratio = Math.exp(logRatio);
          const a = adv[j]!;
          const clippedRatio = Math.min(Math.max(ratio, 1 - cfg.clipCoef), 1 + cfg.clipCoef);
          const unclipped = -a * ratio;
          const clipped = -a * clippedRatio;
          pg += Math.max(unclipped, clipped);
          // d/dlogp: the max picks the unclipped term (gradient −A·r) or a clipped one (0).
          dLogp[j] = unclipped >= clipped ? (-a * ratio) / m : 0;
          dEnt[j] = -cfg.entCoef / m;
          en += ent[j]!;
          oldKl += -logRatio;
          kl += ratio - 1 - logRatio;
          if (Math.abs(ratio - 1) > cfg.clipCoef) cf++;
        }
        const headGrads = head.backward(out, m, mbActions, dLogp, dEnt, dOut);
        if (!cfg.learnStd) for (const g of headGrads) g.fill(0); // a fixed std: Adam leaves a zero-gradient parameter where it is
        const policyGrads = [...this.actor.backward(dOut), ...headGrads];
        // clip_grad_norm_ over all parameters: the critic side continues the policy side's sum.
        const { squares, valueLoss } = criticUpdate.exchange(start, addSquares(policyGrads));
        const factor = clipFactor(squares, cfg.maxGradNorm);
        scaleGrads(policyGrads, factor);
        this.policyOptimizer.step(policyGrads);
        criticUpdate.step(factor);

        pgLoss = pg / m;
        vLoss = valueLoss;
        entropy = en / m;
        approxKl = kl / m;
        oldApproxKl = oldKl / m;
        clipfracSum += cf / m;
        clipCount++;
      }
      if (cfg.targetKl !== null && approxKl > cfg.targetKl) stopEarly = true;
    }
    criticUpdate.end();

    // Explained variance of the value predictions before the update, CleanRL's (and SB3's):
    // 1 − var(R − V) / var(R), each variance about its own mean; NaN when the returns are constant.
    let meanR = 0, meanErr = 0;
    for (const k of indices) {
      meanR += this.rollout.returns[k]!;
      meanErr += this.rollout.returns[k]! - this.rollout.values[k]!;
    }
    meanR /= Math.max(1, batch);
    meanErr /= Math.max(1, batch);
    let varR = 0, varErr = 0;
    for (const k of indices) {
      varR += (this.rollout.returns[k]! - meanR) ** 2;
      varErr += (this.rollout.returns[k]! - this.rollout.values[k]! - meanErr) ** 2;
    }
    return {
      'losses/value_loss': vLoss,
      'losses/policy_loss': pgLoss,
      'losses/entropy': entropy,
      'losses/old_approx_kl': oldApproxKl,
      'losses/approx_kl': approxKl,
      'losses/clipfrac': clipfracSum / Math.max(1, clipCount),
      'losses/explained_variance': varR === 0 ? NaN : 1 - varErr / varR,
    };
  }

  // ---------------------------------------------------------------- acting and checkpoints

  act(obs: Float32Array, n: number, out: Float32Array, deterministic: boolean): void {
    let x = obs;
    if (this.cfg.normalizeObs) {
      x = new Float32Array(obs.length);
      this.obsRms.normalize(obs, x, n, this.cfg.clipObs);
    }
    const policyOut = this.actor.forward(x, n);
    if (deterministic) this.head.mode(policyOut, n, out);
    else this.head.sample(this.ctx.rng, policyOut, n, out);
    const space = this.env.singleActionSpace;
    if (space instanceof Box) space.clip(out, out, n);
  }

  greedyPolicy(): GreedyPolicy {
    const { cfg } = this;
    const norm = cfg.normalizeObs ? { mean: Array.from(this.obsRms.mean), var: Array.from(this.obsRms.var), clip: cfg.clipObs, epsilon: 1e-8 } : null;
    return greedyPolicyOf(this.actor, this.actor.outputSize, this.env.singleActionSpace, norm);
  }

  checkpoint(): CheckpointData {
    return {
      weights: weightsOf(this.params),
      optimizers: { optimizer: combinedState([this.policyOptimizer, this.criticOptimizer]) },
      // The rollout buffers are not kept: a checkpoint falls between updates, and the envs are
      // reset after it (see src/train/run.ts).
      arrays: [{ name: 'discounted_return', shape: [this.n], data: Float32Array.from(this.discountedReturn) }],
      state: {
        globalStep: this.globalStep,
        iteration: this.iteration,
        rng: this.ctx.rng.getState(),
        obsRms: this.obsRms.getState(),
        retRms: this.retRms.getState(),
      },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights(this.params, data.weights, where);
    const opt = data.optimizers.optimizer;
    if (!opt) throw new Error(`${where}: no optimizer state`);
    this.policyOptimizer.setState(opt);
    this.criticOptimizer.setState(opt);
    const s = data.state as { globalStep: number; iteration: number; rng: RngState; obsRms: RunningMeanStdState; retRms: RunningMeanStdState };
    this.globalStep = s.globalStep;
    this.iteration = s.iteration;
    this.ctx.rng.setState(s.rng);
    this.obsRms.setState(s.obsRms);
    this.retRms.setState(s.retRms);
    this.discountedReturn.set(requireArray(data.arrays, 'discounted_return', where, this.n));
  }

  dispose(): void {
    this.criticUpdate.close();
    this.actor.dispose();
    this.critic.dispose();
    for (const p of this.head.params) p.variable.dispose();
  }
}

// ---------------------------------------------------------------- the definition

export const ppo: AgentDefinition<typeof ppoSchema> = {
  name: 'ppo',
  description: 'Proximal Policy Optimization, clipped objective (discrete and continuous actions)',
  schema: ppoSchema,
  envDefaults: {
    // rl-baselines3-zoo hyperparams/ppo.yml, CartPole-v1 (their lin_ schedules: annealing on).
    'CartPole-v1': { numEnvs: 8, numSteps: 32, numMinibatches: 1, gaeLambda: 0.8, gamma: 0.98, updateEpochs: 20, entCoef: 0, learningRate: 1e-3 },
    // rl-baselines3-zoo's Pendulum-v1 entry relies on gSDE (not here). Its γ = 0.9, λ = 0.95,
    // lr 1e-3, 10 epochs and minibatches of 64, with shorter rollouts (4 × 256), a smaller initial
    // std and no value clipping: bench/agents.ts reaches −250 in about 120k steps with these.
    'Pendulum-v1': {
      numEnvs: 4, numSteps: 256, numMinibatches: 16, updateEpochs: 10, gaeLambda: 0.95, gamma: 0.9, entCoef: 0, learningRate: 1e-3,
      initLogStd: -0.5, clipVloss: false, normalizeObs: true, normalizeReward: true,
    },
    // CleanRL ppo_continuous_action.py (MuJoCo defaults).
    'Ant-v1': { numEnvs: 1, numSteps: 2048, numMinibatches: 32, updateEpochs: 10, entCoef: 0, learningRate: 3e-4, normalizeObs: true, normalizeReward: true, gamma: 0.99, gaeLambda: 0.95 },
  },
  supports: policyGradientProblem,
  pipelined: true,
  splitUpdate: true,
  create: (ctx, config) => new Ppo(ctx, config),
};
