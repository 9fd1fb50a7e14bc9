import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { ppo, ppoSchema } from '../../src/agents/ppo.ts';
import { Box, Discrete } from '../../src/core/spaces.ts';
import { counterValue } from './toy-envs.ts';
import { Rng } from '../../src/core/rng.ts';
import { Mlp } from '../../src/nn/mlp.ts';
import { CategoricalHead, GaussianHead } from '../../src/nn/distributions.ts';
import { assignArray } from '../../src/nn/optim.ts';
import { SyncVectorEnv } from '../../src/envs/vector/sync-vector-env.ts';
import type { EpisodeReport } from '../../src/agents/agent.ts';
import type { CollectedRollout, PolicyRollouts, RolloutRequest } from '../../src/agents/policy-rollouts.ts';
import { assertDisposeFrees, assertGreedyPolicyActs, assertRestoreContinues, assertRolloutRows, makeAgent, meanLast } from './harness.ts';
import { assertGradsClose, autodiff, categorical, gaussian, mlp, normalized, recordSteps, type RecordedStep } from './grad-check.ts';

await initBackend('wasm');

test('schema: CleanRL defaults; every field described; bad values named by path', () => {
  const d = ppoSchema.parse({});
  assert.equal([d.numEnvs, d.numSteps, d.learningRate, d.gamma, d.gaeLambda, d.clipCoef, d.entCoef, d.vfCoef, d.maxGradNorm], [4, 128, 2.5e-4, 0.99, 0.95, 0.2, 0.01, 0.5, 0.5]);
  for (const [k, f] of Object.entries(ppoSchema.shape)) assert.ok((f as { description?: string }).description, `${k} has a description`);
  const r = ppoSchema.safeParse({ gamma: 1.5, numSteps: 'many', clipCoef: -1 });
  assert.is(r.success, false);
  assert.equal(r.error!.issues.map((i) => i.path.join('.')).sort(), ['clipCoef', 'gamma', 'numSteps']);
  assert.is(ppo.supports(new Box(-1, 1, [3]), new Discrete(2)), null);
  assert.is(ppo.supports(new Box(-1, 1, [3]), new Box(-1, 1, [2])), null);
  assert.match(ppo.supports(new Box(-1, 1, [2, 2]), new Discrete(2))!, /not flat/);
});

// The critic learns V under each end condition; γ = 0.9 so the truncated answer is 10, the terminated one 4.1 … 1.
for (const [envId, terminal] of [['TestCounter-v0', false], ['TestCounterTerminal-v0', true]] as const) {
  test(`${terminal ? 'termination does not bootstrap' : 'truncation bootstraps'} (critic values on ${envId})`, async () => {
    const cfg = { numEnvs: 4, numSteps: 25, gamma: 0.9, gaeLambda: 0.95, learningRate: 1e-2, annealLr: false, clipVloss: false, maxGradNorm: 100, entCoef: 0, hidden: [32], updateEpochs: 8 };
    const h = makeAgent(ppo, envId, cfg, 12_000);
    await h.agent.train(12_000);
    const obs = terminal ? Float32Array.from([0, 0.2, 0.4, 0.6, 0.8]) : new Float32Array(5).fill(0.5);
    const v = (h.agent as any).critic.forward(obs, 5) as Float32Array;
    for (let t = 0; t < 5; t++) {
      const want = counterValue(t, 0.9, terminal);
      assert.ok(Math.abs(v[t]! - want) < 0.15 * want + 0.2, `V(t=${t}) = ${v[t]!.toFixed(2)}, expected ${want.toFixed(2)}`);
    }
    h.close();
  });
}

test('learns a discrete task, calling the network on batches, with no tensor leak', async () => {
  const h = makeAgent(ppo, 'TestSign-v0', { numEnvs: 8, numSteps: 16, learningRate: 3e-3, hidden: [16] }, 4000);
  await h.agent.train(512);
  const tensors = tf.memory().numTensors;
  await h.agent.train(4000);
  assert.is(tf.memory().numTensors, tensors, 'tensor count flat over training');
  assert.ok(meanLast(h.episodes, 100) > 0.9, `mean return ${meanLast(h.episodes, 100)}`);
  const out = new Float32Array(2);
  h.agent.act(Float32Array.of(1, -1), 2, out, true);
  assert.equal(Array.from(out), [1, 0]);
  const tags = Object.keys(h.metrics.at(-1)!.values);
  for (const t of ['losses/value_loss', 'losses/policy_loss', 'losses/entropy', 'losses/approx_kl', 'losses/clipfrac', 'charts/SPS', 'charts/learning_rate']) assert.ok(tags.includes(t), t);
  h.close();
});

test('learns a continuous task with the Gaussian policy (mean action tracks the target)', async () => {
  const h = makeAgent(ppo, 'TestReach-v0', { numEnvs: 8, numSteps: 32, learningRate: 3e-3, hidden: [16], entCoef: 0, normalizeObs: true, normalizeReward: true }, 12_000);
  await h.agent.train(12_000);
  const out = new Float32Array(3);
  h.agent.act(Float32Array.of(-0.5, 0, 0.6), 3, out, true);
  assert.ok(Math.abs(out[0]! + 0.5) < 0.15 && Math.abs(out[1]!) < 0.15 && Math.abs(out[2]! - 0.6) < 0.15, `actions ${Array.from(out)}`);
  h.close();
});


// ---------------------------------------------------------------- gradients against autodiff
//
// The loss is CleanRL's ppo.py (vwxyzjn/cleanrl, cleanrl/ppo.py, the "Optimizing the policy and
// value network" block), written here in tfjs:
//   ratio = exp(logπ(a|s) − logπ_old(a|s)); A normalized per minibatch when normAdv
//   pg_loss = mean(max(−A·ratio, −A·clip(ratio, 1 − ε, 1 + ε)))
//   v_loss  = ½·mean(max((V − R)², (V_old + clip(V − V_old, −ε, ε) − R)²))   (clipVloss)
//           = ½·mean((V − R)²)                                              (otherwise)
//   loss    = pg_loss − entCoef·mean(H) + vfCoef·v_loss
// With one minibatch per epoch every step sees the whole rollout (the order does not matter to a
// mean); from the second epoch on the policy and the critic have moved, so ratios and values
// leave the clip range. Each gradient the agent hands its optimizer is compared with tf.grads of
// this loss at the parameters of that moment.

interface PpoBatch { obs: Float32Array; actions: Float32Array; oldLogp: Float32Array; oldValues: Float32Array; returns: Float32Array; adv: number[]; m: number }

function validBatch(agent: unknown, obsDim: number, actionDim: number): PpoBatch {
  const r = (agent as { rollout: { obs: Float32Array; actions: Float32Array; logprobs: Float32Array; values: Float32Array; returns: Float32Array; advantages: Float32Array; valid: Uint8Array } }).rollout;
  const ks: number[] = [];
  for (let k = 0; k < r.valid.length; k++) if (r.valid[k]) ks.push(k);
  const pick = (src: Float32Array, w: number) => {
    const out = new Float32Array(ks.length * w);
    ks.forEach((k, j) => out.set(src.subarray(k * w, (k + 1) * w), j * w));
    return out;
  };
  return { obs: pick(r.obs, obsDim), actions: pick(r.actions, actionDim), oldLogp: pick(r.logprobs, 1), oldValues: pick(r.values, 1), returns: pick(r.returns, 1), adv: Array.from(pick(r.advantages, 1)), m: ks.length };
}

interface LossCfg { clipCoef: number; clipVloss: boolean; entCoef: number; vfCoef: number; normAdv: boolean }

/** The policy's log-probabilities, its entropy and the values under parameters `ps`. */
function evaluate(ps: tf.Tensor[], b: PpoBatch, obsDim: number, nActor: number, discrete: boolean) {
  const x = tf.tensor2d(b.obs, [b.m, obsDim]);
  const out = mlp(x, ps.slice(0, nActor));
  const head = discrete ? categorical(out, b.actions) : gaussian(out, ps[nActor]!, b.actions);
  const value = tf.reshape(mlp(x, ps.slice(discrete ? nActor : nActor + 1)), [b.m]);
  return { ...head, value };
}

function cleanRlLoss(ps: tf.Tensor[], b: PpoBatch, c: LossCfg, obsDim: number, nActor: number, discrete: boolean): tf.Scalar {
  const { logp, entropy, value } = evaluate(ps, b, obsDim, nActor, discrete);
  const adv = tf.tensor1d(c.normAdv ? normalized(b.adv) : b.adv);
  const ratio = tf.exp(tf.sub(logp, tf.tensor1d(b.oldLogp)));
  const pg = tf.mean(tf.maximum(tf.mul(tf.neg(adv), ratio), tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - c.clipCoef, 1 + c.clipCoef))));
  const R = tf.tensor1d(b.returns), vOld = tf.tensor1d(b.oldValues);
  const unclipped = tf.square(tf.sub(value, R));
  const vl = c.clipVloss
    ? tf.mul(0.5, tf.mean(tf.maximum(unclipped, tf.square(tf.sub(tf.add(vOld, tf.clipByValue(tf.sub(value, vOld), -c.clipCoef, c.clipCoef)), R)))))
    : tf.mul(0.5, tf.mean(unclipped));
  return tf.add(tf.sub(pg, tf.mul(c.entCoef, tf.mean(entropy))), tf.mul(c.vfCoef, vl)) as tf.Scalar;
}

/** How many samples sit in each branch of the two max(·, ·) at a recorded step. */
function branches(step: RecordedStep, shapes: number[][], b: PpoBatch, c: LossCfg, obsDim: number, nActor: number, discrete: boolean) {
  return tf.tidy(() => {
    const ps = step.params.map((p, i) => tf.tensor(p, shapes[i]));
    const { logp, value } = evaluate(ps, b, obsDim, nActor, discrete);
    const ratio = tf.exp(tf.sub(logp, tf.tensor1d(b.oldLogp))).dataSync();
    const v = value.dataSync();
    const adv = c.normAdv ? normalized(b.adv) : b.adv;
    let policyClipped = 0, policyOutsideKept = 0, valueClipped = 0, valueOutsideKept = 0, kl = 0;
    for (let j = 0; j < b.m; j++) {
      const r = ratio[j]!, a = adv[j]!;
      const outside = r > 1 + c.clipCoef || r < 1 - c.clipCoef;
      // Outside the range the clipped term wins (zero gradient) when it improves on the ratio's side.
      if (outside && ((a > 0 && r > 1) || (a < 0 && r < 1))) policyClipped++;
      else if (outside) policyOutsideKept++;
      const dv = v[j]! - b.oldValues[j]!;
      if (Math.abs(dv) > c.clipCoef) {
        const vc = b.oldValues[j]! + Math.sign(dv) * c.clipCoef;
        if ((vc - b.returns[j]!) ** 2 > (v[j]! - b.returns[j]!) ** 2) valueClipped++;
        else valueOutsideKept++;
      }
      kl += r - 1 - Math.log(r);
    }
    return { policyClipped, policyOutsideKept, valueClipped, valueOutsideKept, approxKl: kl / b.m };
  });
}

const gradCases = [
  { name: 'discrete, value clipping, normalized advantages, entropy', envId: 'TestCounterTerminal-v0', discrete: true, cfg: { clipVloss: true, normAdv: true, entCoef: 0.05 } },
  { name: 'discrete, unclipped value loss, raw advantages', envId: 'TestCounterTerminal-v0', discrete: true, cfg: { clipVloss: false, normAdv: false, entCoef: 0.02 } },
  { name: 'Gaussian, value clipping, normalized advantages, entropy', envId: 'TestReach-v0', discrete: false, cfg: { clipVloss: true, normAdv: true, entCoef: 0.05 } },
];
for (const gc of gradCases) {
  test(`every gradient step is tf.grads of CleanRL's loss (${gc.name})`, async () => {
    const cfg = { numEnvs: 4, numSteps: 16, numMinibatches: 1, updateEpochs: 5, learningRate: 0.1, annealLr: false, clipCoef: 0.1, vfCoef: 0.7, maxGradNorm: 1e9, hidden: [8], ...gc.cfg };
    // A large step size, so that ratios and values leave the clip range in both directions.
    const h = makeAgent(ppo, gc.envId, cfg, 64, 3);
    const { steps, shapes } = recordSteps(h.agent);
    await h.agent.train(64);
    assert.is(steps.length, 5, 'one step per epoch');
    const obsDim = 1, nActor = 4;
    const b = validBatch(h.agent, obsDim, 1);
    const c = { clipCoef: 0.1, vfCoef: 0.7, ...gc.cfg } as LossCfg;
    const seen = { policyClipped: 0, policyOutsideKept: 0, valueClipped: 0, valueOutsideKept: 0 };
    steps.forEach((step, e) => {
      assertGradsClose(step.grads, autodiff(step, shapes, (ps) => cleanRlLoss(ps, b, c, obsDim, nActor, gc.discrete)), `epoch ${e}`);
      const br = branches(step, shapes, b, c, obsDim, nActor, gc.discrete);
      for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] += br[k];
    });
    // The steps reached every branch of both max(·, ·): the comparison covered them.
    assert.ok(seen.policyClipped > 0 && seen.policyOutsideKept > 0, `policy branches ${JSON.stringify(seen)}`);
    if (c.clipVloss) assert.ok(seen.valueClipped > 0 && seen.valueOutsideKept > 0, `value branches ${JSON.stringify(seen)}`);
    h.close();
  });
}

test('targetKl: the epochs stop after the first one whose last minibatch has approx KL above it (CleanRL)', async () => {
  const cfg = { numEnvs: 4, numSteps: 16, numMinibatches: 1, updateEpochs: 6, learningRate: 0.03, annealLr: false, clipCoef: 0.1, maxGradNorm: 1e9, hidden: [8] };
  const run = async (targetKl: number | null) => {
    const h = makeAgent(ppo, 'TestCounterTerminal-v0', { ...cfg, targetKl }, 64, 3);
    const rec = recordSteps(h.agent);
    await h.agent.train(64);
    const b = validBatch(h.agent, 1, 1);
    h.close();
    return { ...rec, b };
  };
  // Without a target: all 6 epochs; approx KL = mean(ratio − 1 − log ratio) before each step.
  const free = await run(null);
  assert.is(free.steps.length, 6);
  const c = { clipCoef: 0.1, clipVloss: true, entCoef: 0.01, vfCoef: 0.5, normAdv: true };
  const kls = free.steps.map((s) => branches(s, free.shapes, free.b, c, 1, 4, true).approxKl);
  assert.ok(kls[0]! < 1e-9, `the first epoch starts at the rollout's policy (KL ${kls[0]})`);
  for (let e = 1; e < 4; e++) {
    for (const target of [kls[e]! * 0.97, kls[e]! * 1.03]) {
      let want = 6;
      for (let f = 0; f < 6; f++) if (kls[f]! > target) { want = f + 1; break; }
      const got = await run(target);
      assert.is(got.steps.length, want, `targetKl ${target} (KLs ${kls.map((k) => k.toExponential(2)).join(', ')})`);
    }
  }
});

test("normalizeReward is Stable-Baselines3's VecNormalize: r / sqrt(var(discounted return) + 1e-8), clipped ±10", async () => {
  // stable_baselines3/common/vec_env/vec_normalize.py: returns = returns·γ + r; ret_rms.update(returns);
  // r / sqrt(ret_rms.var + 1e-8) clipped to ±clip_reward; returns[dones] = 0, dones being
  // terminated or truncated. (Gymnasium 1.x's NormalizeReward differs: it zeroes the return on
  // termination only, before adding the terminal reward.) The reset steps of next-step autoreset
  // are no transitions and are skipped. TestCounter-v0 pays 1 a step and is truncated at 5.
  const gamma = 0.9, n = 3, T = 20;
  const h = makeAgent(ppo, 'TestCounter-v0', { numEnvs: n, numSteps: T, gamma, normalizeReward: true, hidden: [4] }, n * T, 0);
  await h.agent.train(n * T);
  const r = (h.agent as unknown as { rollout: { rewards: Float32Array; dones: Uint8Array; valid: Uint8Array } }).rollout;
  const ret = new Array(n).fill(0);
  const fed: number[] = [];
  let clipped = 0, truncations = 0;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < n; i++) {
      const k = t * n + i;
      if (!r.valid[k]) continue;
      ret[i] = ret[i] * gamma + 1;
      fed.push(ret[i]);
      // Variance of the fed returns merged with RunningMeanStd's prior pseudo-batch (1e-4, 0, 1).
      const N = fed.length, eps = 1e-4;
      const m = fed.reduce((a, b) => a + b, 0) / N;
      const v = fed.reduce((a, b) => a + (b - m) ** 2, 0) / N;
      const variance = (eps + N * v + (m * m * eps * N) / (eps + N)) / (eps + N);
      const raw = 1 / Math.sqrt(variance + 1e-8);
      if (raw > 10) clipped++;
      const want = Math.min(10, raw);
      assert.ok(Math.abs(r.rewards[k]! - want) <= 1e-5 * want, `step ${t} env ${i}: ${r.rewards[k]} vs ${want}`);
      if (r.dones[k]) { ret[i] = 0; truncations++; }
    }
  }
  assert.ok(clipped > 0 && truncations >= n * 3, `clipped ${clipped}, episode ends ${truncations}`);
  h.close();
});

test('greedyPolicy() is act(…, true) as numbers: the normalizer, the Gaussian mean of the actor, clipped to the action space', async () => {
  await initBackend('wasm');
  // Pendulum: 3 observations on different scales (the normalizer's statistics move off 0 and 1), actions in [−2, 2].
  const h = makeAgent(ppo, 'Pendulum-v1', { numEnvs: 2, numSteps: 32, hidden: [16, 16], normalizeObs: true, learningRate: 0.01 }, 128, 4);
  await h.agent.train(128);
  const p = assertGreedyPolicyActs(h.agent, h.env, 50, 9);
  assert.equal(p.action, { kind: 'clip', low: [-2], high: [2] });
  assert.is(p.outputs, 1);
  assert.equal(p.sizes, [3, 16, 16, 1]);
  assert.ok(p.obsNorm && p.obsNorm.clip === 10 && p.obsNorm.epsilon === 1e-8, JSON.stringify(p.obsNorm));
  h.close();
});


// ---------------------------------------------------------------- settings, reports, checkpoints

test("every default is CleanRL's ppo.py (Args) or says where it comes from; the ranges let through what they should", () => {
  // vwxyzjn/cleanrl cleanrl/ppo.py Args: num_envs 4, num_steps 128, learning_rate 2.5e-4, anneal_lr
  // True, gamma 0.99, gae_lambda 0.95, num_minibatches 4, update_epochs 4, norm_adv True, clip_coef
  // 0.2, clip_vloss True, ent_coef 0.01, vf_coef 0.5, max_grad_norm 0.5, target_kl None; Adam eps
  // 1e-5; its Agent: two hidden layers of 64, tanh. ppo_continuous_action.py: actor_logstd starts
  // at zeros and is learned; its NormalizeObservation / NormalizeReward wrappers clip at 10.
  assert.equal(ppoSchema.parse({}), {
    numEnvs: 4, numSteps: 128, learningRate: 2.5e-4, annealLr: true, adamEps: 1e-5, gamma: 0.99, gaeLambda: 0.95,
    numMinibatches: 4, updateEpochs: 4, normAdv: true, clipCoef: 0.2, clipVloss: true, entCoef: 0.01, vfCoef: 0.5,
    maxGradNorm: 0.5, targetKl: null, hidden: [64, 64], activation: 'tanh', initLogStd: 0, learnStd: true,
    normalizeObs: false, normalizeReward: false, clipObs: 10, clipReward: 10,
  });
  for (const ok of [{ numMinibatches: 8 }, { initLogStd: -5 }, { initLogStd: 2 }, { activation: 'relu' }, { activation: 'tanh' }]) assert.ok(ppoSchema.safeParse(ok).success, JSON.stringify(ok));
  for (const bad of [{ initLogStd: -5.1 }, { initLogStd: 2.1 }, { activation: 'elu' }, { numMinibatches: 0 }]) assert.not.ok(ppoSchema.safeParse(bad).success, JSON.stringify(bad));
  assert.is(ppo.name, 'ppo');
  assert.match(ppo.description, /Proximal Policy Optimization/);
  assert.is(ppo.pipelined, true, 'trains on the pipeline vector env');
  assert.is(ppo.splitUpdate, true, 'runs its value half on a second thread');
});

test('per-env defaults: rl-baselines3-zoo and CleanRL, as the comments in ppo.ts cite them', () => {
  assert.equal(ppo.envDefaults, {
    // rl-baselines3-zoo hyperparams/ppo.yml CartPole-v1: n_envs 8, n_steps 32, batch_size 256 (one
    // minibatch of 8 × 32), gae_lambda 0.8, gamma 0.98, n_epochs 20, ent_coef 0, lin_1e-3.
    'CartPole-v1': { numEnvs: 8, numSteps: 32, numMinibatches: 1, gaeLambda: 0.8, gamma: 0.98, updateEpochs: 20, entCoef: 0, learningRate: 1e-3 },
    // Pendulum-v1: the zoo's γ 0.9, λ 0.95, lr 1e-3, 10 epochs and minibatches of 64 without its
    // gSDE, as ppo.ts explains (regression pin of bench/agents.ts's settings, 2026-12-07).
    'Pendulum-v1': { numEnvs: 4, numSteps: 256, numMinibatches: 16, updateEpochs: 10, gaeLambda: 0.95, gamma: 0.9, entCoef: 0, learningRate: 1e-3, initLogStd: -0.5, clipVloss: false, normalizeObs: true, normalizeReward: true },
    // CleanRL ppo_continuous_action.py Args (its MuJoCo defaults), with its two normalizing wrappers.
    'Ant-v1': { numEnvs: 1, numSteps: 2048, numMinibatches: 32, updateEpochs: 10, entCoef: 0, learningRate: 3e-4, normalizeObs: true, normalizeReward: true, gamma: 0.99, gaeLambda: 0.95 },
  });
});

test("the reported losses are CleanRL's at the last minibatch; clipfrac over all of them; explained variance 1 − var(R − V)/var(R); the learning rate annealed", async () => {
  const cfg = { numEnvs: 4, numSteps: 16, numMinibatches: 1, updateEpochs: 3, learningRate: 0.1, annealLr: true, clipCoef: 0.1, vfCoef: 0.7, entCoef: 0.05, maxGradNorm: 1e9, hidden: [8] };
  const h = makeAgent(ppo, 'TestCounterTerminal-v0', cfg, 4 * 64, 3);
  const { steps, shapes } = recordSteps(h.agent);
  await h.agent.train(64);
  const b = validBatch(h.agent, 1, 1);
  const c = { clipCoef: 0.1, clipVloss: true, entCoef: 0.05, vfCoef: 0.7, normAdv: true };
  const expected = tf.tidy(() => {
    const at = (step: RecordedStep) => {
      const ps = step.params.map((p, i) => tf.tensor(p, shapes[i]));
      const { logp, entropy, value } = evaluate(ps, b, 1, 4, true);
      const ratio = tf.exp(tf.sub(logp, tf.tensor1d(b.oldLogp)));
      const adv = tf.tensor1d(normalized(b.adv));
      const pg = tf.mean(tf.maximum(tf.mul(tf.neg(adv), ratio), tf.mul(tf.neg(adv), tf.clipByValue(ratio, 0.9, 1.1))));
      const R = tf.tensor1d(b.returns), vOld = tf.tensor1d(b.oldValues);
      const vl = tf.mul(0.5, tf.mean(tf.maximum(tf.square(tf.sub(value, R)), tf.square(tf.sub(tf.add(vOld, tf.clipByValue(tf.sub(value, vOld), -0.1, 0.1)), R)))));
      const logRatio = tf.log(ratio);
      return {
        policy_loss: pg.dataSync()[0]!,
        value_loss: vl.dataSync()[0]!,
        entropy: tf.mean(entropy).dataSync()[0]!,
        approx_kl: tf.mean(tf.sub(tf.sub(ratio, 1), logRatio)).dataSync()[0]!,
        old_approx_kl: tf.mean(tf.neg(logRatio)).dataSync()[0]!,
        clipfrac: tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), 0.1), 'float32')).dataSync()[0]!,
      };
    };
    const last = at(steps.at(-1)!);
    return { ...last, clipfrac: steps.map((s) => at(s).clipfrac).reduce((a, x) => a + x, 0) / steps.length };
  });
  const diff = b.returns.map((R, j) => R - b.oldValues[j]!);
  const variance = (xs: ArrayLike<number>) => {
    const m = Array.from(xs).reduce((a, x) => a + x, 0) / xs.length;
    return Array.from(xs).reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  };
  const reported = h.metrics.at(-1)!.values;
  for (const [k, v] of Object.entries(expected)) assert.ok(Math.abs(reported[`losses/${k}`]! - v) < 1e-5 * (1 + Math.abs(v)), `${k}: ${reported[`losses/${k}`]} against ${v}`);
  assert.ok(expected.clipfrac > 0 && expected.clipfrac < 1, `clipfrac ${expected.clipfrac} says something`);
  assert.ok(Math.abs(reported['losses/explained_variance']! - (1 - variance(diff) / variance(b.returns))) < 1e-6, `explained variance ${reported['losses/explained_variance']}`);
  // CleanRL: lr = (1 − (iteration − 1) / num_iterations) · lr0, from the samples taken before the iteration.
  await h.agent.train(128);
  assert.equal(h.metrics.map((m) => m.values['charts/learning_rate']), [0.1, 0.1 * (1 - 64 / 256)]);
  h.close();
});

test('checkpoint and restore: named weights, one Adam state, the RNG, both normalizers and the discounted returns; the restored agent trains on as the first', async () => {
  const cfg = { numEnvs: 2, numSteps: 16, hidden: [8], normalizeObs: true, normalizeReward: true, learningRate: 0.01 };
  const { data, restored } = await assertRestoreContinues(ppo, 'Pendulum-v1', cfg, 64, 128);
  assert.equal(data.weights.map((w) => w.name), [
    'actor/dense_0/kernel', 'actor/dense_0/bias', 'actor/dense_1/kernel', 'actor/dense_1/bias', 'actor/log_std',
    'critic/dense_0/kernel', 'critic/dense_0/bias', 'critic/dense_1/kernel', 'critic/dense_1/bias',
  ]);
  assert.equal(Object.keys(data.optimizers), ['optimizer']);
  assert.is(Object.keys(data.optimizers.optimizer!.slots).length, 18, 'm and v of every parameter');
  assert.equal(data.arrays.map((x) => [x.name, x.shape]), [['discounted_return', [2]]]);
  assert.ok(data.arrays[0]!.data.some((x) => x !== 0), 'the running discounted returns are mid-episode');
  assert.equal(Object.keys(data.state).sort(), ['globalStep', 'iteration', 'obsRms', 'retRms', 'rng']);
  assert.throws(() => restored.agent.restore({ ...data, optimizers: {} }, 'step-64'), /step-64: no optimizer state/);
  restored.close();
});

// ---------------------------------------------------------------- the pipelined loop

/**
 * PolicyRollouts in this thread, for the pipelined loop: each rollout is collected when `start`
 * is called, with the acting policy of the request (its weights and frozen normalizer), actions
 * drawn from the request's seed, in the layout of agents/policy-rollouts.ts.
 */
class InThreadRollouts implements PolicyRollouts {
  readonly env: SyncVectorEnv;
  readonly requests: RolloutRequest[] = [];
  readonly resets: [number, number][] = [];
  /** The raw observations of each reset. */
  readonly resetObs: Float32Array[] = [];
  readonly collected: CollectedRollout[] = [];
  private raw: Float32Array;
  private pending: Uint8Array;

  constructor(envId: string, readonly numEnvs: number, readonly numSteps: number) {
    this.env = new SyncVectorEnv({ id: envId, numEnvs });
    this.raw = new Float32Array(numEnvs * this.env.obsDim);
    this.pending = new Uint8Array(numEnvs);
  }
  get obsDim() { return this.env.obsDim; }
  get actionDim() { return this.env.actionDim; }
  get singleObservationSpace() { return this.env.singleObservationSpace; }
  get singleActionSpace() { return this.env.singleActionSpace; }

  resetAll(seed: number, sampleCount: number): Float32Array {
    this.resets.push([seed, sampleCount]);
    this.raw = this.env.reset({ seed }).obs.slice();
    this.resetObs.push(this.raw.slice());
    this.pending.fill(0);
    return this.raw.slice();
  }

  start(request: RolloutRequest): void {
    this.requests.push(request);
    const { numEnvs: n, numSteps: T, obsDim } = this;
    const p = request.policy;
    const actor = new Mlp('actor', { sizes: p.sizes, activation: p.activation }, new Rng(0));
    const head = p.head === 'gaussian' ? new GaussianHead(p.sizes.at(-1)!, 'actor') : new CategoricalHead(p.sizes.at(-1)!);
    [...actor.params, ...head.params].forEach((q, i) => assignArray(q.variable, p.weights[i]! as Float32Array));
    const rng = new Rng(request.seed);
    const ad = this.actionDim;
    const space = this.env.singleActionSpace;
    const envActions = new Float32Array(n * ad);
    const out: CollectedRollout = {
      obs: new Float32Array((T + 1) * n * obsDim), rawNextObs: new Float32Array(T * n * obsDim), actions: new Float32Array(T * n * ad),
      logprobs: new Float32Array(T * n), rewards: new Float64Array(T * n), terminated: new Uint8Array(T * n), dones: new Uint8Array(T * n), valid: new Uint8Array(T * n), infos: [],
    };
    const net = (t: number) => {
      const rows = out.obs.subarray(t * n * obsDim, (t + 1) * n * obsDim);
      if (p.obsNorm) for (let k = 0; k < rows.length; k++) rows[k] = Math.min(p.obsNorm.clip, Math.max(-p.obsNorm.clip, (this.raw[k]! - p.obsNorm.mean[k % obsDim]!) / Math.sqrt(p.obsNorm.var[k % obsDim]! + 1e-8)));
      else rows.set(this.raw);
      return rows;
    };
    for (let t = 0; t < T; t++) {
      const x = net(t);
      const logits = actor.forward(x, n);
      const a = out.actions.subarray(t * n * ad, (t + 1) * n * ad);
      head.sample(rng, logits, n, a);
      head.logProb(logits, n, a, out.logprobs.subarray(t * n, (t + 1) * n));
      if (space instanceof Box) space.clip(a, envActions, n);
      else envActions.set(a);
      const step = this.env.step(envActions);
      for (let i = 0; i < n; i++) {
        const k = t * n + i;
        out.valid[k] = this.pending[i] ? 0 : 1;
        out.rewards[k] = step.rewards[i]!;
        out.terminated[k] = step.terminated[i]!;
        out.dones[k] = step.terminated[i]! || step.truncated[i]! ? 1 : 0;
        this.pending[i] = out.dones[k]!;
        if (step.infos[i]!.episode) out.infos.push({ t, env: i, info: step.infos[i]! });
      }
      this.raw = step.obs.slice();
      out.rawNextObs.set(this.raw, t * n * obsDim);
    }
    net(T);
    actor.dispose();
    for (const q of head.params) q.variable.dispose();
    this.collected.push(out);
  }

  finish(): CollectedRollout {
    return this.collected.at(-1)!;
  }

  close(): void {
    this.env.close();
  }
}

test('pipelined: rollout k + 1 is collected with the policy from before update k; each update trains on what was collected; steps, episodes and the normalizer follow the rollouts', async () => {
  const n = 3, T = 8, cfg = ppoSchema.parse({ numEnvs: n, numSteps: T, numMinibatches: 1, updateEpochs: 1, hidden: [8], normalizeObs: true, learningRate: 0.05 });
  const rollouts = new InThreadRollouts('TestCounterTerminal-v0', n, T);
  const episodes: EpisodeReport[] = [];
  const agent = ppo.create({ env: rollouts.env, rollouts, rng: new Rng(4), totalSteps: 1000, report: { metrics() {}, episode: (e) => episodes.push(e) } }, cfg);
  const { steps, shapes } = recordSteps(agent);
  const inner = agent as unknown as { obsRms: { count: number; mean: Float64Array }; rollout: { obs: Float32Array; nextObs: Float32Array; actions: Float32Array; logprobs: Float32Array; rewards: Float32Array; dones: Uint8Array; valid: Uint8Array; terminated: Uint8Array; values: Float32Array } };
  agent.resetEnvs(21);
  assert.equal(rollouts.resets, [[21, 0]]);
  assert.ok(Math.abs(inner.obsRms.count - (n + 1e-4)) < 1e-9, 'the reset observations reach the normalizer');
  await agent.train(3 * n * T);
  assert.is(agent.globalStep, 3 * n * T);
  assert.is(rollouts.requests.length, 3, 'one rollout an update, none left running');
  assert.equal(rollouts.requests.map((r) => r.sampleCount), [0, n * T, 2 * n * T]);
  assert.is(steps.length, 3);
  const policyOf = (r: RolloutRequest) => r.policy.weights.map((w) => Array.from(w));
  const paramsBefore = (s: number) => steps[s]!.params.slice(0, 4).map((w) => Array.from(w));
  assert.equal(policyOf(rollouts.requests[0]!), paramsBefore(0), 'rollout 0: the initial policy');
  assert.equal(policyOf(rollouts.requests[1]!), paramsBefore(0), 'rollout 1 started before update 0');
  assert.equal(policyOf(rollouts.requests[2]!), paramsBefore(1), 'rollout 2 with the policy after update 0');
  assert.ok(inner.obsRms.count > n + 3 * n * T - 1, `every collected observation reached the normalizer (count ${inner.obsRms.count})`);
  // The last update trained on the last rollout, as collected.
  const last = rollouts.collected[2]!;
  assert.equal(Array.from(inner.rollout.obs), Array.from(last.obs.subarray(0, T * n)));
  assert.equal(Array.from(inner.rollout.nextObs), Array.from(last.obs.subarray(T * n)));
  assert.equal(Array.from(inner.rollout.actions), Array.from(last.actions));
  assert.equal(Array.from(inner.rollout.logprobs), Array.from(last.logprobs));
  assert.equal(Array.from(inner.rollout.rewards), Array.from(last.rewards));
  assert.equal([Array.from(inner.rollout.dones), Array.from(inner.rollout.valid), Array.from(inner.rollout.terminated)], [Array.from(last.dones), Array.from(last.valid), Array.from(last.terminated)]);
  // …with the values of the critic before that update, on every row.
  const values = tf.tidy(() => mlp(tf.tensor2d(inner.rollout.obs, [T * n, 1]), steps[2]!.params.slice(4).map((p, i) => tf.tensor(p, shapes[4 + i]))).dataSync());
  for (let k = 0; k < T * n; k++) assert.ok(Math.abs(values[k]! - inner.rollout.values[k]!) < 1e-5, `value ${k}: ${inner.rollout.values[k]} against ${values[k]}`);
  // Episodes at the sample count they ended at: rollout start + (t + 1)·n.
  const want = rollouts.collected.flatMap((r, k) => r.infos.map((x) => ({ step: k * n * T + (x.t + 1) * n, env: x.env })));
  assert.ok(want.length >= 9, `${want.length} episodes`);
  assert.equal(episodes.map((e) => ({ step: e.step, env: e.env })), want);
  agent.dispose();
  rollouts.close();
});

/** RunningMeanStd's statistics after `xs`, from its prior pseudo-batch (count 1e-4, mean 0, var 1) merged with the two-pass moments of `xs`. */
function runningMoments(xs: number[]): { mean: number; var: number } {
  const N = xs.length, eps = 1e-4;
  const m = xs.reduce((a, b) => a + b, 0) / N;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / N;
  return { mean: (N * m) / (eps + N), var: (eps + N * v + (m * m * eps * N) / (eps + N)) / (eps + N) };
}

test('the rollout storage on several dimensions: row t holds what the env returned before step t, and the actions it got, env by env', async () => {
  await assertRolloutRows(ppo, { numMinibatches: 1, updateEpochs: 1, hidden: [8], initLogStd: 1.5 });
});

test('pipelined on several dimensions with both normalizers: the storage as collected, the observation normalizer over every raw observation, rewards normalized env by env in step order', async () => {
  const n = 3, T = 5, gamma = 0.9;
  const cfg = ppoSchema.parse({ numEnvs: n, numSteps: T, numMinibatches: 1, updateEpochs: 1, hidden: [8], normalizeObs: true, normalizeReward: true, gamma, initLogStd: -1 });
  const rollouts = new InThreadRollouts('TestPlane-v0', n, T);
  const agent = ppo.create({ env: rollouts.env, rollouts, rng: new Rng(6), totalSteps: 1000, report: { metrics() {}, episode() {} } }, cfg);
  agent.resetEnvs(9);
  await agent.train(2 * n * T);
  const inner = agent as unknown as { obsRms: { mean: Float64Array; var: Float64Array }; rollout: { obs: Float32Array; nextObs: Float32Array; actions: Float32Array; rewards: Float32Array } };
  const last = rollouts.collected[1]!;
  assert.equal(Array.from(inner.rollout.obs), Array.from(last.obs.subarray(0, T * n * 3)));
  assert.equal(Array.from(inner.rollout.nextObs), Array.from(last.obs.subarray(T * n * 3)));
  assert.equal(Array.from(inner.rollout.actions), Array.from(last.actions));
  // NormalizeObservation saw the reset and every step's raw observation, per dimension.
  const raw = [rollouts.resetObs[0]!, ...rollouts.collected.map((c) => c.rawNextObs)];
  for (let d = 0; d < 3; d++) {
    const column = raw.flatMap((rows) => Array.from(rows).filter((_, k) => k % 3 === d));
    assert.is(column.length, n * (1 + 2 * T));
    const want = runningMoments(column);
    assert.ok(Math.abs(inner.obsRms.mean[d]! - want.mean) < 1e-9 && Math.abs(inner.obsRms.var[d]! - want.var) < 1e-9, `dimension ${d}: ${inner.obsRms.mean[d]}, ${inner.obsRms.var[d]} against ${want.mean}, ${want.var}`);
  }
  // Stable-Baselines3's VecNormalize over both rollouts (see the normalizeReward test above): each
  // env's discounted return, zeroed at its episode ends; reset steps are no transitions.
  const ret = new Array(n).fill(0);
  const fed: number[] = [];
  let ends = 0;
  rollouts.collected.forEach((c, roll) => {
    for (let k = 0; k < T * n; k++) {
      if (!c.valid[k]) continue;
      const i = k % n;
      ret[i] = ret[i] * gamma + c.rewards[k]!;
      fed.push(ret[i]);
      const want = Math.max(-10, Math.min(10, c.rewards[k]! / Math.sqrt(runningMoments(fed).var + 1e-8)));
      if (roll === 1) assert.ok(Math.abs(inner.rollout.rewards[k]! - want) <= 1e-5 * Math.abs(want) + 1e-7, `step ${Math.floor(k / n)} env ${i}: ${inner.rollout.rewards[k]} against ${want}`);
      if (c.dones[k]) (ret[i] = 0), ends++;
    }
  });
  assert.ok(ends >= 2 * n, `${ends} episode ends`);
  agent.dispose();
  rollouts.close();
});

test('dispose frees every tensor the agent made, with either head', async () => {
  await assertDisposeFrees(ppo, 'TestPlane-v0', { numEnvs: 2, numSteps: 3, numMinibatches: 1, hidden: [4] });
  await assertDisposeFrees(ppo, 'TestCounterTerminal-v0', { numEnvs: 2, numSteps: 3, numMinibatches: 1, hidden: [4] });
});

test.run();
