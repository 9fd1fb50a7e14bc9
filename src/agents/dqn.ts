/**
 * Deep Q-Network (Mnih et al., 2015), after CleanRL's `dqn.py`, with the options of
 * Stable-Baselines3's DQN: a replay buffer on typed arrays, a target network updated by hard copy
 * (τ = 1) or Polyak averaging (τ < 1), double DQN (van Hasselt et al., 2016), Huber loss,
 * a linear ε-greedy schedule, learning starts, a train frequency and several gradient steps per
 * training phase. Discrete actions only.
 *
 * Read top to bottom: hyperparameters, replay buffer, the agent (acting, the loop, the update),
 * checkpoints.
 *
 * Vector env semantics (Gymnasium 1.x next-step autoreset): the step after sub-env i ends only
 * resets it; that step is not a transition and is not stored. The final observation arrives as the
 * `obs` of the ending step, so `next_obs` is right for truncated episodes, which bootstrap
 * (y = r + γ·max Q'(s_final)); terminated ones do not (y = r).
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { Discrete } from '../core/spaces.ts';
import type { Rng, RngState } from '../core/rng.ts';
import { Mlp } from '../nn/mlp.ts';
import { argmaxRows } from '../nn/distributions.ts';
import { Adam, clipGradNorm } from '../nn/optim.ts';
import { requireArray, restoreWeights, weightsOf, type CheckpointData } from '../nn/checkpoint.ts';
import { MAX_FLOATS } from './rollout-storage.ts';
import { linearSchedule, mlpObservationProblem, reportEpisodes, yieldToEventLoop, type Agent, type AgentContext, type AgentDefinition, greedyPolicyOf, type GreedyPolicy } from './agent.ts';

// ---------------------------------------------------------------- hyperparameters
// Defaults are CleanRL's dqn.py (CartPole, 500k steps); envDefaults carry rl-baselines3-zoo's.

export const dqnSchema = z
  .object({
    numEnvs: z.number().int().min(1).max(256).default(1).describe('parallel envs in the vector env'),
    learningRate: z.number().positive().max(1).default(2.5e-4).describe('Adam learning rate'),
    bufferSize: z.number().int().min(1).max(10_000_000).default(10_000).describe('replay buffer capacity (transitions); with the observations it stores, at most 2^28 numbers (2 × obs size + 3 a transition)'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor'),
    tau: z.number().gt(0).max(1).default(1).describe('target update rate: 1 copies the weights, < 1 is Polyak averaging'),
    targetNetworkFrequency: z.number().int().min(1).default(500).describe('env steps between target network updates'),
    batchSize: z.number().int().min(1).default(128).describe('transitions per gradient step'),
    startE: z.number().min(0).max(1).default(1).describe('initial ε of ε-greedy'),
    endE: z.number().min(0).max(1).default(0.05).describe('final ε'),
    explorationFraction: z.number().min(0).max(1).default(0.5).describe('fraction of the run over which ε decays linearly'),
    learningStarts: z.number().int().min(0).default(10_000).describe('env steps of random play before learning'),
    trainFrequency: z.number().int().min(1).default(10).describe('env steps between training phases'),
    gradientSteps: z.number().int().min(1).default(1).describe('gradient steps per training phase'),
    doubleDqn: z.boolean().default(true).describe('choose the next action with the online net, evaluate it with the target net'),
    loss: z.enum(['huber', 'mse']).default('huber').describe('TD loss: Huber (smooth L1, δ = 1) or squared error'),
    maxGradNorm: z.number().positive().default(10).describe('global gradient norm clip (SB3 default 10)'),
    hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(8).default([120, 84]).describe('hidden layer widths of the Q network'),
    activation: z.enum(['relu', 'tanh']).default('relu').describe('hidden activation'),
  })
  .strict();

export type DqnConfig = z.output<typeof dqnSchema>;

// ---------------------------------------------------------------- replay buffer (a ring on typed arrays)

class ReplayBuffer {
  pos = 0;
  size = 0;
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly terminated: Float32Array;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
  ) {
    // Checked before allocating: bufferSize may be 10^7, and with a wide observation that is
    // gigabytes (or a RangeError from the typed array) at the first line below.
    const perTransition = 2 * obsDim + 3;
    if (capacity * perTransition > MAX_FLOATS) {
      throw new UsageError(
        `dqn: bufferSize ${capacity} × ${perTransition} numbers a transition (observation and next observation of ${obsDim}, action, reward, terminated) is ${(capacity * perTransition).toExponential(2)} numbers, over the ${MAX_FLOATS} (2^28, 1 GiB of float32) gymnast allows: bufferSize at most ${Math.floor(MAX_FLOATS / perTransition)} for this env`,
      );
    }
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.terminated = new Float32Array(capacity);
  }

  add(obs: Float32Array, nextObs: Float32Array, row: number, action: number, reward: number, terminated: boolean): void {
    const d = this.obsDim;
    this.obs.set(obs.subarray(row * d, (row + 1) * d), this.pos * d);
    this.nextObs.set(nextObs.subarray(row * d, (row + 1) * d), this.pos * d);
    this.actions[this.pos] = action;
    this.rewards[this.pos] = reward;
    this.terminated[this.pos] = terminated ? 1 : 0;
    this.pos = (this.pos + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Fills the batch arrays with `b` transitions drawn uniformly (with replacement). */
  sample(rng: Rng, b: number, out: { obs: Float32Array; nextObs: Float32Array; actions: Int32Array; rewards: Float32Array; terminated: Float32Array }): void {
    const d = this.obsDim;
    for (let j = 0; j < b; j++) {
      const k = rng.int(this.size);
      out.obs.set(this.obs.subarray(k * d, (k + 1) * d), j * d);
      out.nextObs.set(this.nextObs.subarray(k * d, (k + 1) * d), j * d);
      out.actions[j] = this.actions[k]!;
      out.rewards[j] = this.rewards[k]!;
      out.terminated[j] = this.terminated[k]!;
    }
  }
}

// ---------------------------------------------------------------- the agent

class Dqn implements Agent {
  globalStep = 0;
  private readonly n: number;
  private readonly obsDim: number;
  private readonly numActions: number;
  private readonly qNetwork: Mlp;
  private readonly targetNetwork: Mlp;
  private readonly optimizer: Adam;
  private readonly rb: ReplayBuffer;
  private stepsSinceTrain = 0;
  private stepsSinceTarget = 0;
  private updates = 0;
  private readonly obs: Float32Array; // current observation of every env
  private readonly resetPending: Uint8Array;
  private readonly actions: Float32Array;
  private readonly greedy: Float32Array;
  private readonly batch;
  private readonly dQ: Float32Array;
  private readonly nextActions: Float32Array;

  constructor(
    private readonly ctx: AgentContext,
    private readonly cfg: DqnConfig,
  ) {
    const { env, rng } = ctx;
    this.n = env.numEnvs;
    this.obsDim = env.obsDim;
    this.numActions = (env.singleActionSpace as Discrete).n;
    // The replay buffer first: a bufferSize it refuses leaves no network variables behind.
    this.rb = new ReplayBuffer(cfg.bufferSize, this.obsDim);
    const spec = { sizes: [this.obsDim, ...cfg.hidden, this.numActions], activation: cfg.activation, outputGain: 1 } as const;
    this.qNetwork = new Mlp('q', spec, rng);
    this.targetNetwork = new Mlp('q_target', spec, rng);
    this.targetNetwork.copyFrom(this.qNetwork);
    this.optimizer = new Adam(this.qNetwork.params, { lr: cfg.learningRate });
    this.obs = new Float32Array(this.n * this.obsDim);
    this.resetPending = new Uint8Array(this.n);
    this.actions = new Float32Array(this.n);
    this.greedy = new Float32Array(this.n);
    const B = cfg.batchSize;
    this.batch = { obs: new Float32Array(B * this.obsDim), nextObs: new Float32Array(B * this.obsDim), actions: new Int32Array(B), rewards: new Float32Array(B), terminated: new Float32Array(B) };
    this.dQ = new Float32Array(B * this.numActions);
    this.nextActions = new Float32Array(B);
  }

  resetEnvs(seed: number): void {
    this.obs.set(this.ctx.env.reset({ seed }).obs);
    this.resetPending.fill(0);
  }

  async train(untilStep: number): Promise<void> {
    const { cfg, n, ctx } = this;
    let t0 = performance.now();
    let stepsAtT0 = this.globalStep;
    let lossSum = 0, qSum = 0, lossCount = 0;
    while (this.globalStep < untilStep) {
      // ε-greedy over all envs; the Q network runs once on the whole batch when any env is greedy.
      const epsilon = linearSchedule(cfg.startE, cfg.endE, cfg.explorationFraction * ctx.totalSteps, this.globalStep);
      let anyGreedy = false;
      for (let i = 0; i < n; i++) {
        const explore = ctx.rng.random() < epsilon;
        this.actions[i] = explore ? ctx.rng.int(this.numActions) : -1;
        if (!explore) anyGreedy = true;
      }
      if (anyGreedy) {
        argmaxRows(this.qNetwork.forward(this.obs, n), n, this.numActions, this.greedy);
        for (let i = 0; i < n; i++) if (this.actions[i] === -1) this.actions[i] = this.greedy[i]!;
      }

      const step = ctx.env.step(this.actions);
      this.globalStep += n;
      reportEpisodes(step.infos, this.globalStep, ctx.report);
      for (let i = 0; i < n; i++) {
        // The step after an episode end is a reset, not a transition.
        if (!this.resetPending[i]) this.rb.add(this.obs, step.obs, i, this.actions[i]!, step.rewards[i]!, step.terminated[i] === 1);
        this.resetPending[i] = step.terminated[i]! || step.truncated[i]! ? 1 : 0;
      }
      this.obs.set(step.obs);

      // Learning.
      if (this.globalStep > cfg.learningStarts) {
        this.stepsSinceTrain += n;
        while (this.stepsSinceTrain >= cfg.trainFrequency) {
          this.stepsSinceTrain -= cfg.trainFrequency;
          for (let g = 0; g < cfg.gradientSteps; g++) {
            const { loss, meanQ } = this.update();
            lossSum += loss;
            qSum += meanQ;
            lossCount++;
          }
        }
        this.stepsSinceTarget += n;
        while (this.stepsSinceTarget >= cfg.targetNetworkFrequency) {
          this.stepsSinceTarget -= cfg.targetNetworkFrequency;
          if (cfg.tau >= 1) this.targetNetwork.copyFrom(this.qNetwork);
          else this.targetNetwork.polyakFrom(this.qNetwork, cfg.tau);
        }
      }

      if (this.globalStep - stepsAtT0 >= 1000 || this.globalStep >= untilStep) {
        const now = performance.now();
        ctx.report.metrics(this.globalStep, {
          'losses/td_loss': lossCount ? lossSum / lossCount : NaN,
          'losses/q_values': lossCount ? qSum / lossCount : NaN,
          'charts/epsilon': epsilon,
          'charts/SPS': Math.round(((this.globalStep - stepsAtT0) * 1000) / (now - t0)),
        });
        t0 = now;
        stepsAtT0 = this.globalStep;
        lossSum = qSum = lossCount = 0;
        await yieldToEventLoop();
      }
    }
  }

  // One gradient step on a sampled batch. Returns the TD loss and the mean Q(s, a).
  private update(): { loss: number; meanQ: number } {
    const { cfg, numActions: k } = this;
    const B = cfg.batchSize;
    const b = this.batch;
    this.rb.sample(this.ctx.rng, B, b);

    // Targets, y = r + γ (1 − terminated) Q_target(s', a'), with a' = argmax of the online net
    // (double DQN) or of the target net itself.
    const qNextTarget = this.targetNetwork.forward(b.nextObs, B);
    if (cfg.doubleDqn) argmaxRows(this.qNetwork.forward(b.nextObs, B), B, k, this.nextActions);
    else argmaxRows(qNextTarget, B, k, this.nextActions);

    const q = this.qNetwork.forward(b.obs, B, { train: true });
    let loss = 0, meanQ = 0;
    this.dQ.fill(0);
    for (let j = 0; j < B; j++) {
      const y = b.rewards[j]! + cfg.gamma * (1 - b.terminated[j]!) * qNextTarget[j * k + this.nextActions[j]!]!;
      const qsa = q[j * k + b.actions[j]!]!;
      const diff = qsa - y;
      meanQ += qsa;
      // Huber (δ = 1): ½d² inside |d| ≤ 1, |d| − ½ outside; its derivative is d clipped to ±1.
      if (cfg.loss === 'huber') {
        const ad = Math.abs(diff);
        loss += ad <= 1 ? 0.5 * diff * diff : ad - 0.5;
        this.dQ[j * k + b.actions[j]!] = Math.max(-1, Math.min(1, diff)) / B;
      } else {
        loss += diff * diff;
        this.dQ[j * k + b.actions[j]!] = (2 * diff) / B;
      }
    }
    const grads = this.qNetwork.backward(this.dQ);
    clipGradNorm(grads, cfg.maxGradNorm);
    this.optimizer.step(grads);
    this.updates++;
    return { loss: loss / B, meanQ: meanQ / B };
  }

  // ---------------------------------------------------------------- acting and checkpoints

  act(obs: Float32Array, n: number, out: Float32Array, deterministic: boolean): void {
    argmaxRows(this.qNetwork.forward(obs, n), n, this.numActions, out);
    if (!deterministic) {
      for (let i = 0; i < n; i++) if (this.ctx.rng.random() < this.cfg.endE) out[i] = this.ctx.rng.int(this.numActions);
    }
  }

  greedyPolicy(): GreedyPolicy {
    return greedyPolicyOf(this.qNetwork, this.numActions, this.ctx.env.singleActionSpace);
  }

  checkpoint(): CheckpointData {
    const rb = this.rb;
    const used = rb.size;
    const d = this.obsDim;
    return {
      weights: [...weightsOf(this.qNetwork.params), ...weightsOf(this.targetNetwork.params)],
      optimizers: { optimizer: this.optimizer.getState() },
      arrays: [
        { name: 'replay/obs', shape: [used, d], data: rb.obs.slice(0, used * d) },
        { name: 'replay/next_obs', shape: [used, d], data: rb.nextObs.slice(0, used * d) },
        { name: 'replay/actions', shape: [used], data: rb.actions.slice(0, used) },
        { name: 'replay/rewards', shape: [used], data: rb.rewards.slice(0, used) },
        { name: 'replay/terminated', shape: [used], data: rb.terminated.slice(0, used) },
      ],
      state: {
        globalStep: this.globalStep,
        updates: this.updates,
        stepsSinceTrain: this.stepsSinceTrain,
        stepsSinceTarget: this.stepsSinceTarget,
        replay: { pos: rb.pos, size: rb.size },
        rng: this.ctx.rng.getState(),
      },
    };
  }

  restore(data: CheckpointData, where: string): void {
    restoreWeights([...this.qNetwork.params, ...this.targetNetwork.params], data.weights, where);
    this.optimizer.setState(data.optimizers.optimizer!);
    const s = data.state as { globalStep: number; updates: number; stepsSinceTrain: number; stepsSinceTarget: number; replay: { pos: number; size: number }; rng: RngState };
    const rb = this.rb;
    if (!(s.replay?.size >= 0 && s.replay.size <= rb.capacity)) throw new Error(`${where}: replay size ${s.replay?.size} does not fit bufferSize ${rb.capacity}`);
    const used = s.replay.size;
    const d = this.obsDim;
    rb.obs.set(requireArray(data.arrays, 'replay/obs', where, used * d));
    rb.nextObs.set(requireArray(data.arrays, 'replay/next_obs', where, used * d));
    rb.actions.set(requireArray(data.arrays, 'replay/actions', where, used));
    rb.rewards.set(requireArray(data.arrays, 'replay/rewards', where, used));
    rb.terminated.set(requireArray(data.arrays, 'replay/terminated', where, used));
    rb.pos = s.replay.pos;
    rb.size = used;
    this.globalStep = s.globalStep;
    this.updates = s.updates;
    this.stepsSinceTrain = s.stepsSinceTrain;
    this.stepsSinceTarget = s.stepsSinceTarget;
    this.ctx.rng.setState(s.rng);
  }

  dispose(): void {
    this.qNetwork.dispose();
    this.targetNetwork.dispose();
  }
}

// ---------------------------------------------------------------- the definition

export const dqn: AgentDefinition<typeof dqnSchema> = {
  name: 'dqn',
  description: 'Deep Q-Network: replay buffer, target network, double DQN, Huber loss (discrete actions)',
  schema: dqnSchema,
  envDefaults: {
    // rl-baselines3-zoo hyperparams/dqn.yml, CartPole-v1 (5e4 steps).
    'CartPole-v1': {
      learningRate: 2.3e-3, batchSize: 64, bufferSize: 100_000, learningStarts: 1000, gamma: 0.99, targetNetworkFrequency: 10,
      trainFrequency: 256, gradientSteps: 128, explorationFraction: 0.16, endE: 0.04, hidden: [256, 256],
    },
    // rl-baselines3-zoo hyperparams/dqn.yml, Acrobot-v1 (1e5 steps).
    'Acrobot-v1': {
      learningRate: 6.3e-4, batchSize: 128, bufferSize: 50_000, learningStarts: 0, gamma: 0.99, targetNetworkFrequency: 250,
      trainFrequency: 4, gradientSteps: 4, explorationFraction: 0.12, endE: 0.1, hidden: [256, 256],
    },
  },
  supports(obsSpace, actionSpace) {
    if (!(actionSpace instanceof Discrete)) return `DQN needs a Discrete action space, the env has ${actionSpace}`;
    return mlpObservationProblem(obsSpace);
  },
  create: (ctx, config) => new Dqn(ctx, config),
};
