/**
 * A worker of the rollout pool (rollout-pool.ts): its slice of the sub-envs, a copy of the acting
 * policy, and the loop that collects its part of a rollout. Commands arrive on the control word;
 * the request comes on the port, read synchronously.
 */
import { receiveMessageOnPort, workerData, parentPort } from 'node:worker_threads';
import { Box } from '../core/spaces.ts';
import { Rng, streamSeed } from '../core/rng.ts';
import { RunningMeanStd } from '../core/running-stats.ts';
import { initBackend } from '../nn/backend.ts';
import { Mlp } from '../nn/mlp.ts';
import { assignArray } from '../nn/optim.ts';
import { CategoricalHead, GaussianHead, sampleCategorical, sampleGaussian, type PolicyHead } from '../nn/distributions.ts';
import { SyncVectorEnv, makeSubEnv } from '../envs/vector/sync-vector-env.ts';
import type { ActingPolicy, RolloutRequest } from '../agents/policy-rollouts.ts';
import { serveCommands } from '../core/worker-commands.ts';
import { CMD_CLOSE, CMD_RESET, CMD_ROLLOUT, type PoolWorkerInit, type PoolWorkerReply } from './rollout-pool.ts';

const init = workerData as PoolWorkerInit;
const { shared, start, count, numEnvs: N, numSteps: T, obsDim, actionDim, port } = init;
// This worker's first sub-env in the whole vector env (a cluster slot's pool is part of one): seeds and sample counts are the whole's.
const globalStart = init.offset + start;
const totalEnvs = init.totalEnvs;
const ctrl = new Int32Array(shared.ctrl);
const resetArgs = new Float64Array(shared.reset);
const resetObs = new Float32Array(shared.resetObs);
const obs = new Float32Array(shared.obs);
const rawNextObs = new Float32Array(shared.rawNextObs);
const actionsOut = new Float32Array(shared.actions);
const logprobsOut = new Float32Array(shared.logprobs);
const rewards = new Float64Array(shared.rewards);
const terminated = new Uint8Array(shared.terminated);
const dones = new Uint8Array(shared.dones);
const valid = new Uint8Array(shared.valid);

function errorJson(e: unknown): { name: string; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message };
}

let venv: SyncVectorEnv;
try {
  for (const m of init.modules) await import(m);
  venv = new SyncVectorEnv(Array.from({ length: count }, () => makeSubEnv(init.config)));
  await initBackend(init.backend);
  parentPort!.postMessage({ ready: true });
} catch (e) {
  parentPort!.postMessage({ ready: false, error: errorJson(e) });
  process.exit(1);
}

const space = venv.singleActionSpace;
// What carries from one rollout to the next: the raw observations and the pending autoresets.
const rawObs = new Float32Array(count * obsDim);
const resetPending = new Uint8Array(count);
const netObs = new Float32Array(count * obsDim);
const actions = new Float32Array(count * actionDim);
const envActions = new Float32Array(count * actionDim);
const logp = new Float32Array(count);
const actionRows = Array.from({ length: count }, (_, j) => actions.subarray(j * actionDim, (j + 1) * actionDim));
let actor: Mlp | null = null;
let head: PolicyHead | null = null;
let actorKey = '';

/** The worker's actor and head, built on first use (or when the policy's shape changes) and loaded with the request's weights. */
function loadPolicy(policy: ActingPolicy): { actor: Mlp; head: PolicyHead } {
  const key = `${policy.sizes.join('x')}:${policy.activation}:${policy.head}`;
  if (!actor || !head || key !== actorKey) {
    actor?.dispose();
    for (const p of head?.params ?? []) p.variable.dispose();
    actor = new Mlp('actor', { sizes: policy.sizes, activation: policy.activation }, new Rng(0));
    const outSize = policy.sizes[policy.sizes.length - 1]!;
    head = policy.head === 'gaussian' ? new GaussianHead(outSize, 'actor') : new CategoricalHead(outSize);
    actorKey = key;
  }
  const params = [...actor.params, ...head.params];
  if (params.length !== policy.weights.length) throw new Error(`rollout worker: the policy has ${policy.weights.length} arrays, its network ${params.length}`);
  params.forEach((p, i) => assignArray(p.variable, policy.weights[i]! as Float32Array));
  return { actor, head };
}

/** NormalizeObservation on the request's frozen statistics (RunningMeanStd's own formula), or a copy. */
function observationNormalizer(policy: ActingPolicy): (raw: Float32Array, out: Float32Array) => void {
  const norm = policy.obsNorm;
  if (!norm) return (raw, out) => out.set(raw);
  const rms = new RunningMeanStd(obsDim);
  rms.setState({ mean: Array.from(norm.mean), var: Array.from(norm.var), count: 1 });
  return (raw, out) => rms.normalize(raw, out, count, norm.clip);
}

function collect(request: RolloutRequest): PoolWorkerReply {
  const { actor, head } = loadPolicy(request.policy);
  const rngs = Array.from({ length: count }, (_, j) => new Rng(streamSeed(request.seed, 'rollout', globalStart + j)));
  const outSize = head.outputSize;
  // One draw per sub-env from its own stream. The Gaussian's log std is the request's last array,
  // fixed for the rollout (the head's own sample() reads it back from tfjs on every call).
  const logStd = request.policy.weights[request.policy.weights.length - 1]! as Float32Array;
  const draw =
    request.policy.head === 'gaussian'
      ? (rng: Rng, mean: Float32Array, action: Float32Array) => sampleGaussian(rng, mean, logStd, 1, outSize, action)
      : (rng: Rng, logits: Float32Array, action: Float32Array) => sampleCategorical(rng, logits, 1, outSize, action);
  const infos: NonNullable<PoolWorkerReply['infos']> = [];
  const normalize = observationNormalizer(request.policy);
  normalize(rawObs, netObs);
  for (let t = 0; t < T; t++) {
    const row = t * N + start;
    obs.set(netObs, row * obsDim);
    for (let j = 0; j < count; j++) valid[row + j] = resetPending[j] ? 0 : 1;
    const out = actor.forward(netObs, count);
    for (let j = 0; j < count; j++) draw(rngs[j]!, out.subarray(j * outSize, (j + 1) * outSize), actionRows[j]!);
    head.logProb(out, count, actions, logp);
    actionsOut.set(actions, row * actionDim);
    logprobsOut.set(logp, row);
    if (space instanceof Box) space.clip(actions, envActions, count);
    else envActions.set(actions);
    venv.setSampleCount(request.sampleCount + t * totalEnvs);
    const step = venv.step(envActions);
    for (let j = 0; j < count; j++) {
      rewards[row + j] = step.rewards[j]!;
      terminated[row + j] = step.terminated[j]!;
      const done = step.terminated[j]! || step.truncated[j]! ? 1 : 0;
      dones[row + j] = done;
      resetPending[j] = done;
      const info = step.infos[j]!;
      for (const _ in info) {
        infos.push({ t, env: start + j, info });
        break;
      }
    }
    rawObs.set(step.obs);
    rawNextObs.set(step.obs, row * obsDim);
    normalize(rawObs, netObs);
  }
  obs.set(netObs, (T * N + start) * obsDim);
  return { infos };
}

serveCommands(
  ctrl,
  init.worker,
  (command) => {
    let reply: PoolWorkerReply = {};
    try {
      if (command === CMD_RESET) {
        venv.setSampleCount(resetArgs[1]!);
        const r = venv.reset({ seed: resetArgs[0]! + globalStart });
        rawObs.set(r.obs);
        resetObs.set(r.obs, start * obsDim);
        resetPending.fill(0);
      } else if (command === CMD_ROLLOUT) {
        const message = receiveMessageOnPort(port);
        if (!message) throw new Error('rollout worker: a rollout command came without its request');
        reply = collect(message.message as RolloutRequest);
      } else if (command === CMD_CLOSE) {
        venv.close();
      }
    } catch (e) {
      reply = { error: errorJson(e) };
    }
    // Posted before the command is marked done, so the trainer finds it when it wakes.
    port.postMessage(reply);
    return reply.error ? 1 : 0;
  },
  (command) => command === CMD_CLOSE,
);
