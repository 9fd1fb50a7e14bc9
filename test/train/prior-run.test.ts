import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/nn/backend.ts';
import { latestCheckpoint, readCheckpoint } from '../../src/nn/checkpoint.ts';
import { loadMotionDataset } from '../../src/generative/dataset.ts';
import { loadPrior } from '../../src/generative/run.ts';
import { trainPrior } from '../../src/train/prior-run.ts';

await initBackend('wasm');

const tiny = { 'dataset.clips': ['walk', 'run', 'jog'], 'dataset.heldOut': ['jog'], 'dataset.windowFrames': 8, 'dataset.mirror': false, 'dataset.wrapCycles': 2 };
const dataset = loadMotionDataset({ clips: ['walk', 'run', 'jog'], heldOut: ['jog'], windowFrames: 8, mirror: false, wrapCycles: 2 });
const small: Record<string, Record<string, unknown>> = {
  vae: { hidden: [16], latentSize: 4, batchSize: 8 },
  mvae: { hidden: [16], latentSize: 4, batchSize: 8, rolloutFrames: 2 },
  flow: { hidden: [16], flowSteps: 2, batchSize: 8 },
  diffusion: { hidden: [16], diffusionSteps: 50, timeEmbedding: 8, dctCoefficients: 4, batchSize: 8 },
};
const root = mkdtempSync(join(tmpdir(), 'gymnast-prior-run-'));
const quiet = { evalWindows: 4, logEvery: 2, dataset };

for (const family of Object.keys(small)) {
  test(`${family}: a run stopped after step 1 and resumed ends with the same weights as one run to step 6`, async () => {
    const set = { ...tiny, ...small[family] };
    const whole = await trainPrior({ family, steps: 6, seed: 3, set, out: join(root, `${family}-whole`), checkpointEvery: 3, ...quiet });
    const records: number[] = [];
    // maxSeconds 0: the run stops (with a checkpoint) after its first step, as if killed there.
    const first = await trainPrior({ family, steps: 6, seed: 3, set, out: join(root, `${family}-split`), checkpointEvery: 3, maxSeconds: 0, ...quiet });
    assert.ok(first.stoppedEarly);
    const resumed = await trainPrior({ family, resume: join(root, `${family}-split`), ...quiet }, { onStart: (i) => records.push(i.resumedFrom ?? -1) });
    assert.equal(records, [1]);
    assert.is(resumed.step, 6);
    const a = readCheckpoint(whole.lastCheckpoint), b = readCheckpoint(resumed.lastCheckpoint);
    assert.is(a.weights.length, b.weights.length);
    a.weights.forEach((w, i) => assert.equal(Array.from(b.weights[i]!.data), Array.from(w.data), `${w.name} differs after resume`));
    assert.equal(b.state.rng, a.state.rng);
  });
}

test('config.json records the resolved run; a second run into the same folder is refused', async () => {
  const out = join(root, 'vae-whole');
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.is(config.kind, 'motion-prior');
  assert.is(config.family, 'vae');
  assert.is(config.dataset.windowFrames, 8);
  assert.is(config.config.beta, 1); // a default, resolved
  try {
    await trainPrior({ family: 'vae', steps: 1, set: tiny, out, ...quiet });
    assert.unreachable('should refuse');
  } catch (e) {
    assert.match((e as Error).message, /already holds a run: use --resume/);
  }
});

test('bad hyperparameters are reported with their paths, dataset settings included', async () => {
  try {
    await trainPrior({ family: 'flow', steps: 1, set: { flowSteps: 0, colour: 'red', 'dataset.windowFrames': -2 }, out: join(root, 'bad'), ...quiet });
    assert.unreachable('should refuse');
  } catch (e) {
    const m = (e as Error).message;
    assert.is((e as Error).name, 'ValidationError');
    assert.match(m, /flowSteps/);
    assert.match(m, /colour/);
    assert.match(m, /dataset\.windowFrames/);
  }
  assert.not.ok(existsSync(join(root, 'bad', 'config.json')), 'nothing written for a refused run');
});

test('a folder of the wrong family, an agent run and a corrupt checkpoint each get one clear error', async () => {
  // --resume as another family.
  try {
    await trainPrior({ family: 'diffusion', resume: join(root, 'vae-whole'), ...quiet });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /holds a vae prior, not a diffusion prior/);
  }
  // An RL agent's run folder.
  const agentRun = join(root, 'agent-run');
  cpSync(join(root, 'vae-whole'), agentRun, { recursive: true });
  writeFileSync(join(agentRun, 'config.json'), JSON.stringify({ env: 'CartPole-v1', agent: 'ppo', steps: 10, seed: 0, config: {} }));
  try {
    await loadPrior(agentRun);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /is a run of agent 'ppo' on CartPole-v1, not a motion prior/);
  }
  // A config that says flow over a checkpoint written by a VAE.
  const mixed = join(root, 'mixed');
  cpSync(join(root, 'vae-whole'), mixed, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(mixed, 'config.json'), 'utf8'));
  writeFileSync(join(mixed, 'config.json'), JSON.stringify({ ...cfg, family: 'flow', config: {} }));
  try {
    await loadPrior(mixed);
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).name, 'FileFormatError');
    assert.match((e as Error).message, /prior\.family: is 'vae', but the run's config\.json says 'flow'/);
  }
  // A flipped byte in the weights.
  const corrupt = join(root, 'corrupt');
  cpSync(join(root, 'vae-whole'), corrupt, { recursive: true });
  const bin = join(latestCheckpoint(join(corrupt, 'checkpoints'))!, 'weights.bin');
  const bytes = readFileSync(bin);
  bytes[10] ^= 0xff;
  writeFileSync(bin, bytes);
  try {
    await loadPrior(corrupt);
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).name, 'FileFormatError');
    assert.match((e as Error).message, /weights\.bin: SHA-256: does not match index\.json/);
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
