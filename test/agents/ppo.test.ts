import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/nn/backend.ts';
import { ppo, ppoSchema } from '../../src/agents/ppo.ts';
import { Box, Discrete } from '../../src/core/spaces.ts';
import { counterValue } from './toy-envs.ts';
import { assertGreedyPolicyActs, makeAgent, meanLast } from './harness.ts';
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

test.run();
