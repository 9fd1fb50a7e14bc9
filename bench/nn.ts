/**
 * Network throughput: samples/s of one PPO minibatch update (CartPole sizes: obs 4, 2 actions;
 * actor and critic 64-64 tanh MLPs; minibatch 64; clipped policy loss + value loss − entropy bonus;
 * Adam) written with our layer (src/nn: customGrad dense layers, JS-side Adam and clipping) against
 * the same update written naively with `tf.layers` + `optimizer.minimize`, on the same backend in
 * the same process. Prints the median over repeats and the ratio.
 *
 *   npm run bench -- nn                 # wasm (default)
 *   npm run bench -- nn --backend cpu
 *   node --import tsx bench/nn.ts --backend wasm --repeats 5
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/core/rng.ts';
import { initBackend, describeBackend } from '../src/nn/backend.ts';
import { Mlp } from '../src/nn/mlp.ts';
import { Adam, clipGradNorm, lossAndGrads } from '../src/nn/optim.ts';
import { CategoricalHead, categoricalEntropy, categoricalLogProb } from '../src/nn/distributions.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const backend = await initBackend(arg('backend', 'wasm'));
const repeats = Number(arg('repeats', '5'));
const updatesPerRepeat = Number(arg('updates', '200'));
console.log(`backend: ${describeBackend(backend)}`);

const OBS = 4, ACTIONS = 2, MB = 64, HIDDEN = 64;
const CLIP = 0.2, VF_COEF = 0.5, ENT_COEF = 0.01, LR = 2.5e-4;
const rng = new Rng(1);
const obs = new Float32Array(MB * OBS); rng.fillNormal(obs);
const actions = Int32Array.from({ length: MB }, () => rng.int(ACTIONS));
const oldLogp = new Float32Array(MB).fill(Math.log(0.5));
const adv = new Float32Array(MB); rng.fillNormal(adv);
const ret = new Float32Array(MB); rng.fillNormal(ret);

function ppoLoss(logits: tf.Tensor2D, value: tf.Tensor2D, x: { a: tf.Tensor1D; oldLogp: tf.Tensor1D; adv: tf.Tensor1D; ret: tf.Tensor1D }) {
  const logp = categoricalLogProb(logits, x.a);
  const ratio = tf.exp(tf.sub(logp, x.oldLogp));
  const pg = tf.mean(tf.maximum(tf.mul(tf.neg(x.adv), ratio), tf.mul(tf.neg(x.adv), tf.clipByValue(ratio, 1 - CLIP, 1 + CLIP))));
  const v = tf.mean(tf.square(tf.sub(tf.reshape(value, [-1]), x.ret))).mul(0.5);
  const ent = tf.mean(categoricalEntropy(logits));
  return tf.add(tf.sub(pg, tf.mul(ENT_COEF, ent)), tf.mul(VF_COEF, v)) as tf.Scalar;
}

const actor = new Mlp('actor', { sizes: [OBS, HIDDEN, HIDDEN, ACTIONS], activation: 'tanh', outputGain: 0.01 }, rng);
const critic = new Mlp('critic', { sizes: [OBS, HIDDEN, HIDDEN, 1], activation: 'tanh', outputGain: 1 }, rng);
const params = [...actor.params, ...critic.params];
const adam = new Adam(params, { lr: LR, eps: 1e-5 });

// ---- ours: explicit forward/backward, the loss head in JS on the output arrays (as src/agents/ppo.ts)
const head = new CategoricalHead(ACTIONS);
const actionsF = Float32Array.from(actions);
const logp = new Float32Array(MB), ent = new Float32Array(MB), dLogp = new Float32Array(MB), dEnt = new Float32Array(MB);
const dLogits = new Float32Array(MB * ACTIONS), dValue = new Float32Array(MB);
function oursUpdate() {
  const logits = actor.forward(obs, MB, { train: true });
  const value = critic.forward(obs, MB, { train: true });
  head.logProb(logits, MB, actionsF, logp);
  head.entropy(logits, MB, ent);
  for (let i = 0; i < MB; i++) {
    const ratio = Math.exp(logp[i]! - oldLogp[i]!);
    // d/dlogp of max(−A·r, −A·clip(r)) is −A·r where the unclipped term is the max, else 0.
    const unclippedWins = -adv[i]! * ratio >= -adv[i]! * Math.min(Math.max(ratio, 1 - CLIP), 1 + CLIP);
    dLogp[i] = unclippedWins ? (-adv[i]! * ratio) / MB : 0;
    dEnt[i] = -ENT_COEF / MB;
    dValue[i] = (VF_COEF * (value[i]! - ret[i]!)) / MB;
  }
  head.backward(logits, MB, actionsF, dLogp, dEnt, dLogits);
  const grads = [...actor.backward(dLogits), ...critic.backward(dValue)];
  clipGradNorm(grads, 0.5);
  adam.step(grads);
}

// ---- ours under a tfjs tape: Mlp.apply (customGrad layers) + lossAndGrads, same optimizer
function tapeUpdate() {
  const batch = tf.tidy(() => ({ o: tf.tensor2d(obs, [MB, OBS]), a: tf.tensor1d(actions, 'int32'), oldLogp: tf.tensor1d(oldLogp), adv: tf.tensor1d(adv), ret: tf.tensor1d(ret) }));
  const { grads } = lossAndGrads(params, () => ({ loss: ppoLoss(actor.apply(batch.o), critic.apply(batch.o), batch) }));
  clipGradNorm(grads, 0.5);
  adam.step(grads);
  tf.dispose(batch);
}

// ---- naive: tf.layers models, optimizer.minimize (no clipping: that only favours the baseline)
function denseStack(outUnits: number) {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [OBS], units: HIDDEN, activation: 'tanh', kernelInitializer: 'orthogonal' }),
    tf.layers.dense({ units: HIDDEN, activation: 'tanh', kernelInitializer: 'orthogonal' }),
    tf.layers.dense({ units: outUnits, kernelInitializer: 'orthogonal' }),
  ] });
}
const nActor = denseStack(ACTIONS), nCritic = denseStack(1);
const nOpt = tf.train.adam(LR, 0.9, 0.999, 1e-5);
function naiveUpdate() {
  const batch = tf.tidy(() => ({ o: tf.tensor2d(obs, [MB, OBS]), a: tf.tensor1d(actions, 'int32'), oldLogp: tf.tensor1d(oldLogp), adv: tf.tensor1d(adv), ret: tf.tensor1d(ret) }));
  const loss = nOpt.minimize(() => ppoLoss(nActor.apply(batch.o) as tf.Tensor2D, nCritic.apply(batch.o) as tf.Tensor2D, batch), true);
  loss?.dataSync(); // read the loss, as a training loop logs it
  loss?.dispose();
  tf.dispose(batch);
}

function timeIt(f: () => void): number {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < updatesPerRepeat; i++) f();
  return (updatesPerRepeat * MB) / ((performance.now() - t0) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ours: number[] = [], naive: number[] = [], tape: number[] = [];
for (let r = 0; r < repeats; r++) {
  naive.push(timeIt(naiveUpdate));
  tape.push(timeIt(tapeUpdate));
  ours.push(timeIt(oursUpdate));
}
const tensorsBefore = tf.memory().numTensors;
for (let i = 0; i < 50; i++) { oursUpdate(); tapeUpdate(); }
console.log(`PPO update, 64-64 MLP actor + critic, minibatch ${MB}, ${repeats} repeats × ${updatesPerRepeat} updates`);
console.log(`  naive tf.layers + minimize: ${median(naive).toFixed(0)} samples/s   (runs: ${naive.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  ours, Mlp.apply under tape:  ${median(tape).toFixed(0)} samples/s   (runs: ${tape.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  ours, forward/backward + JS head (agents' path): ${median(ours).toFixed(0)} samples/s   (runs: ${ours.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  ratio tape / naive: ${(median(tape) / median(naive)).toFixed(2)}×`);
console.log(`  ratio ours / naive: ${(median(ours) / median(naive)).toFixed(2)}×`);
console.log(`  tensors leaked over 50 updates: ${tf.memory().numTensors - tensorsBefore}`);
