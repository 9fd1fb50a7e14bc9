/** `gymnast train-prior`, `generate`, `motion-metrics` through the real CLI, and their bad input (exit 2, one message). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBvh } from '../../../src/motion/bvh.ts';
import { readCharacter } from '../../../src/motion/deepmimic-character.ts';
import { readDeepMimicMotion } from '../../../src/motion/deepmimic-motion.ts';
import { resolveCharacterPath } from '../../../src/motion/data-path.ts';

const root = new URL('../../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'gymnast-cli-prior-'));

function gymnast(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/gymnast.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const tiny = ['--set', 'dataset.clips=[walk,run,jog]', '--set', 'dataset.heldOut=[jog]', '--set', 'dataset.windowFrames=8', '--set', 'dataset.mirror=false', '--set', 'hidden=[16]'];
const model = join(dir, 'vae');

test('train-prior writes a run folder with config.json, metrics.jsonl and a checkpoint', async () => {
  const r = await gymnast('train-prior', '--family', 'vae', '--steps', '4', '--log-every', '2', '--eval-windows', '8', '--out', model, '--json', ...tiny, '--set', 'latentSize=4');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.steps, 4);
  assert.is(out.family, 'vae');
  const lines = readFileSync(join(model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => l['losses/loss'] !== undefined).map((l) => l.step), [2, 4]);
  assert.ok(lines.some((l) => l['eval/nll_elbo_per_dim'] !== undefined));
  assert.ok(existsSync(join(model, 'checkpoints', 'latest.json')));
});

test('generate writes DeepMimic or BVH by extension, readable back', async () => {
  const txt = join(dir, 'walk.txt'), bvh = join(dir, 'walk.bvh');
  const a = await gymnast('generate', '--model', model, '--label', 'walk', '--seconds', '1', '--out', txt, '--json');
  assert.is(a.code, 0, a.stderr);
  assert.is(JSON.parse(a.stdout).frames, 31);
  const clip = readDeepMimicMotion(txt, readCharacter(resolveCharacterPath('humanoid3d')));
  assert.is(clip.numFrames, 31);
  const b = await gymnast('generate', '--model', model, '--seconds', '1', '--out', bvh);
  assert.is(b.code, 0, b.stderr);
  assert.is(readBvh(bvh).numFrames, 31);
});

test('motion-metrics --json: rows for the model next to real data and baselines', async () => {
  const r = await gymnast('motion-metrics', '--model', model, '--samples', '6', '--rollouts', '1', '--rollout-seconds', '2', '--json');
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.columns.slice(0, 4), ['held-out real', 'train real (floor)', 'noisy train', 'mean pose']);
  const keys = report.rows.map((row: { key: string }) => row.key);
  for (const k of ['likelihood/nll_elbo_per_dim', 'likelihood/nll_iwae_per_dim', 'likelihood/recon_error_mm', 'likelihood/active_units', 'fd/kinetic', 'kid/pose', 'physics/foot_skating', 'physics/jitter_ratio', 'memorisation/nn_ratio', 'stability/diverged', 'cost/segments_per_second']) {
    assert.ok(keys.includes(k), `missing row ${k}`);
  }
  const fd = report.rows.find((row: { key: string }) => row.key === 'fd/kinetic').values;
  assert.is(fd['held-out real'], null);
  assert.ok(fd['mean pose'] > 0);
});

test('bad input: unknown label, wrong folder, wrong family, skeleton of another character, diffusion-only flags', async () => {
  const label = await gymnast('generate', '--model', model, '--label', 'moonwalk', '--out', join(dir, 'x.txt'));
  assert.is(label.code, 2);
  assert.match(label.stderr, /unknown label 'moonwalk'. Known labels: jog, run, walk/);
  const folder = await gymnast('generate', '--model', join(dir, 'nothing'), '--out', join(dir, 'x.txt'));
  assert.is(folder.code, 2);
  assert.match(folder.stderr, /no such folder/);
  const family = await gymnast('train-prior', '--family', 'flow', '--resume', model);
  assert.is(family.code, 2);
  assert.match(family.stderr, /holds a vae prior, not a flow prior/);
  const skeleton = await gymnast('generate', '--model', model, '--prefix', 'data/bvh/cmu131/scaled_131_01.bvh', '--out', join(dir, 'x.txt'));
  assert.is(skeleton.code, 2);
  assert.match(skeleton.stderr, /not the model's skeleton 'humanoid3d'/);
  const flags = await gymnast('generate', '--model', model, '--guidance', '2', '--out', join(dir, 'x.txt'));
  assert.is(flags.code, 2);
  assert.match(flags.stderr, /--guidance only apply to diffusion priors/);
  assert.not.ok(existsSync(join(dir, 'x.txt')), 'nothing written on bad input');
});

test('train-prior --describe lists every hyperparameter with its default and description', async () => {
  const r = await gymnast('train-prior', '--family', 'diffusion', '--describe', '--json');
  assert.is(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  const schedule = d.hyperparameters.find((h: { name: string }) => h.name === 'schedule');
  assert.is(schedule.default, 'cosine');
  assert.ok(d.hyperparameters.every((h: { description: string }) => h.description.length > 10));
  assert.ok(d.dataset.some((h: { name: string }) => h.name === 'windowFrames'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
