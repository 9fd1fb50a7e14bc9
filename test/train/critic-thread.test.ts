/**
 * `--update-threads 2`: PPO's value half in a worker (src/train/critic-thread.ts) gives the numbers
 * of one thread, bit for bit, with the gradient-norm clip active, value clipping on and off, early
 * stops on targetKl, on the sync and the pipeline vector envs, and across a resume; a worker's
 * error reaches the trainer as one error naming the update thread.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { initBackend } from '../../src/nn/backend.ts';
import { Mlp } from '../../src/nn/mlp.ts';
import { Adam } from '../../src/nn/optim.ts';
import { CriticThread } from '../../src/train/critic-thread.ts';
import { train, type TrainArgs } from '../../src/train/run.ts';
import { readMetrics } from '../../src/train/metrics.ts';
import { latestCheckpoint } from '../../src/nn/checkpoint.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gymnast-critic-thread-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

let runs = 0;

/** A run's last checkpoint (weights, optimizer moments, arrays) and its losses, all as bytes and numbers. */
async function run(args: Omit<TrainArgs, 'out'>) {
  const out = join(tmp, `run-${runs++}`);
  await train({ ...args, out }, {});
  const ck = latestCheckpoint(join(out, 'checkpoints'))!;
  const losses = readMetrics(join(out, 'metrics.jsonl'))
    .filter((r) => r['losses/value_loss'] !== undefined)
    .map((r) => [r.step, r['losses/value_loss'], r['losses/policy_loss'], r['losses/approx_kl'], r['losses/clipfrac']]);
  return {
    out,
    weights: readFileSync(join(ck, 'weights.bin')),
    optimizer: readFileSync(join(ck, 'optimizer.bin')),
    optimizerIndex: JSON.parse(readFileSync(join(ck, 'optimizer.json'), 'utf8')),
    losses,
  };
}

function assertSame(a: Awaited<ReturnType<typeof run>>, b: Awaited<ReturnType<typeof run>>, what: string) {
  assert.ok(a.weights.equals(b.weights), `${what}: weights differ`);
  assert.ok(a.optimizer.equals(b.optimizer), `${what}: Adam moments differ`);
  assert.equal(a.optimizerIndex, b.optimizerIndex, `${what}: optimizer index`);
  assert.equal(a.losses, b.losses, `${what}: losses`);
  assert.ok(a.losses.length >= 2, `${what}: ${a.losses.length} iterations`);
}

/** A PPO run of `steps` samples with one checkpoint at its end. */
function ppoRun(env: string, steps: number, seed: number, set: Record<string, unknown>, vectorEnv: TrainArgs['vectorEnv'] = 'sync'): Omit<TrainArgs, 'out'> {
  return { env, agent: 'ppo', steps, seed, checkpointEvery: steps, vectorEnv, set };
}

// A gradient-norm bound far under the gradients' norm (every step clipped, so a side that skipped
// or misapplied the global factor would move apart) and a KL bound that stops some updates early.
const cartpole = ppoRun('CartPole-v1', 4 * 128 * 3, 5, { numEnvs: 4, numSteps: 128, numMinibatches: 4, updateEpochs: 4, maxGradNorm: 0.05, clipVloss: true, targetKl: 0.0005, learningRate: 0.01 });

test('sync envs: two update threads give one thread\'s weights, Adam moments and losses bit for bit (value clipping, every step clipped, KL stops)', async () => {
  const one = await run({ ...cartpole, updateThreads: 1 });
  const two = await run({ ...cartpole, updateThreads: 2 });
  assertSame(one, two, 'CartPole');
  const config = JSON.parse(readFileSync(join(two.out, 'config.json'), 'utf8'));
  assert.is(config.updateThreads, 2, 'the run folder records the threads');
});

test('the Gaussian policy, an unclipped value loss and normalized observations, on the pipeline vector env: the same bits with two threads', async () => {
  const pendulum = ppoRun('Pendulum-v1', 4 * 256 * 2, 2, { maxGradNorm: 0.1, clipVloss: false }, 'pipeline');
  assertSame(await run({ ...pendulum, updateThreads: 1 }), await run({ ...pendulum, updateThreads: 2 }), 'Pendulum');
});

test('a run with two update threads stopped at a checkpoint and resumed ends where the uninterrupted one ends', async () => {
  const whole = await run({ ...cartpole, updateThreads: 2, checkpointEvery: 4 * 128 });
  const out = join(tmp, 'resumed');
  await train({ ...cartpole, updateThreads: 2, checkpointEvery: 4 * 128, steps: 4 * 128, out }, {});
  await train({ env: '', agent: '', resume: out, steps: cartpole.steps }, {});
  const ck = latestCheckpoint(join(out, 'checkpoints'))!;
  assert.ok(readFileSync(join(ck, 'weights.bin')).equals(whole.weights), 'weights after the resume');
  assert.ok(readFileSync(join(ck, 'optimizer.bin')).equals(whole.optimizer), 'Adam moments after the resume');
});

test('an agent that cannot split its update is refused with one line naming the flag', async () => {
  try {
    await train({ env: 'CartPole-v1', agent: 'dqn', steps: 100, out: join(tmp, 'dqn'), updateThreads: 2 }, {});
    assert.unreachable('dqn with two update threads should be refused');
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, /agent 'dqn' runs its update on one thread: leave out --update-threads/);
  }
});

test("an error in the worker is thrown by the trainer's next request, naming the update thread; close ends the worker", async () => {
  await initBackend('wasm');
  const thread = await CriticThread.start('wasm');
  try {
    const critic = new Mlp('critic', { sizes: [3, 4, 1], activation: 'tanh' }, new Rng(1));
    const update = thread.attach(critic, new Adam(critic.params, { lr: 0.01 }), { clipVloss: false, clipCoef: 0.2, vfCoef: 0.5, maxGradNorm: 1 }, 8);
    const data = { obs: new Float32Array(24).fill(0.5), returns: new Float32Array(8).fill(1), values: new Float32Array(8) };
    update.begin(data, 8, 0.01);
    update.epoch([0, 1, 2, 3, 4, 5, 6, 7], 4);
    // The worker has the gradient of the minibatch at 0 ready; asking for the one at 4 first is a protocol error.
    assert.throws(() => update.exchange(4, 0), /update thread: asked for the minibatch at 4, the gradient ready is at 0/);
    assert.throws(() => update.begin(data, 9, 0.01), /update thread: 9 rows, built for 8/);
  } finally {
    thread.close();
  }
  assert.throws(() => thread.attach(new Mlp('c', { sizes: [1, 1], activation: 'tanh' }, new Rng(0)), new Adam([], { lr: 1 }), { clipVloss: false, clipCoef: 0.2, vfCoef: 0.5, maxGradNorm: 1 }, 1), /used after close/);
});

test.run();
