/**
 * gymnast as a user gets it: `npm pack`, then the tarball installed into an empty project from the
 * local npm cache (offline: `npm ci --offline`, with a lockfile made from ours, so no registry is
 * asked), then used there with plain `node`, no tsx:
 *
 * - `import { make } from 'gymnast'` and a CartPole rollout;
 * - `import { make } from 'gymnast/envs'` and steps of `BipedImitate-v0` on the packaged data;
 * - a TypeScript file importing `gymnast` and `gymnast/motion` type-checks against the `.d.ts`;
 * - `gymnast envs --json` and `gymnast eval <installed policies/biped-walk> --episodes 2 --json`.
 *
 * It also fails if the tarball carries tests, benchmarks, sources or CI files. Packing and
 * installing are `scripts/install-package.ts`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installOffline, packCheckout, runCommand as run, runOk as ok, type PackInfo } from '../../scripts/install-package.ts';

const work = mkdtempSync(join(tmpdir(), 'gymnast-package-'));
let pack: PackInfo;
let project: string;

test.after(() => rmSync(work, { recursive: true, force: true }));

test('npm pack: the compiled package with its data, policies and licences; no tests, benchmarks, sources or CI', async () => {
  pack = await packCheckout(work);
  const paths = pack.files.map((f) => f.path);
  const stray = paths.filter((p) => /^(test|bench|scripts|src|scenarios|\.ci|tmp-diag|runs)\//.test(p) || /\.test\.[jt]s$/.test(p));
  assert.equal(stray, [], `files that do not belong in the package: ${stray.slice(0, 10).join(', ')}`);
  for (const p of [
    'package.json', 'README.md', 'LICENSE', 'NOTICE', 'bin/gymnast.js',
    'dist/index.js', 'dist/index.d.ts', 'dist/envs/index.d.ts', 'dist/cli/main.js', 'dist/core/worker.js',
    'dist/envs/vector/async-worker.js', 'dist/cli/env-table.json', 'dist/viewer/client/page.js', 'dist/viewer/client/index.html', 'dist/viewer/client/THIRD_PARTY_LICENSES.txt',
    'data/README.md', 'data/deepmimic/LICENSE', 'data/deeploco/LICENSE', 'data/deepmimic/motions/humanoid3d_walk.txt',
    'data/deeploco/characters/biped3d_mocap.txt', 'data/mujoco/gymnasium/ant.xml',
    'policies/biped-walk/config.json',
  ]) {
    assert.ok(paths.includes(p), `the package lacks ${p}`);
  }
  console.log(`pack: ${pack.filename}, ${(pack.size / 1e6).toFixed(1)} MB packed, ${(pack.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${pack.entryCount} files`);
});

test('the tarball installs into an empty project offline, from the npm cache', async () => {
  project = await installOffline(work, pack);
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const installed = JSON.parse(readFileSync(join(project, 'node_modules/gymnast/package.json'), 'utf8'));
  assert.is(installed.version, manifest.version);
  // Development tools stay out of a user's install.
  for (const dev of ['tsx', 'esbuild', 'typescript', '@tensorflow/tfjs-node-gpu']) {
    assert.not.ok(existsSync(join(project, 'node_modules', dev, 'package.json')), `${dev} was installed with gymnast`);
  }
});

test("import 'gymnast' with plain node: a CartPole rollout", async () => {
  writeFileSync(
    join(project, 'cartpole.mjs'),
    `import { make } from 'gymnast';
const env = make('CartPole-v1');
env.actionSpace.seed(0);
let { obs } = env.reset({ seed: 0 });
let done = false, ret = 0, steps = 0;
while (!done) {
  const r = env.step(env.actionSpace.sample());
  ret += r.reward; steps++; done = r.terminated || r.truncated;
}
env.close();
console.log(JSON.stringify({ ret, steps, obsLength: obs.length }));
`,
  );
  const out = JSON.parse(await ok('node', ['cartpole.mjs'], project));
  assert.is(out.obsLength, 4);
  assert.is(out.ret, out.steps, 'CartPole pays 1 a step');
  assert.ok(out.steps >= 8 && out.steps < 500, `a random policy falls: ${out.steps} steps`);
});

test("import 'gymnast/envs' with plain node: BipedImitate-v0 steps on the packaged data", async () => {
  writeFileSync(
    join(project, 'biped.mjs'),
    `import { make } from 'gymnast/envs';
const env = make('BipedImitate-v0');
const { obs } = env.reset({ seed: 3 });
const zero = new Float32Array(env.actionSpace.shape[0]);
let reward = 0, steps = 0;
for (let i = 0; i < 30; i++) {
  const r = env.step(zero);
  reward += r.reward; steps++;
  if (r.terminated || r.truncated) break;
}
env.close();
console.log(JSON.stringify({ obsLength: obs.length, actionLength: zero.length, reward, steps }));
`,
  );
  const out = JSON.parse(await ok('node', ['biped.mjs'], project));
  assert.is(out.obsLength, 106);
  assert.is(out.actionLength, 17);
  assert.ok(out.steps > 0 && out.reward > 0 && out.reward <= out.steps, JSON.stringify(out));
});

test('a TypeScript user type-checks against the published .d.ts (gymnast, gymnast/motion)', async () => {
  writeFileSync(
    join(project, 'user.ts'),
    `import { make, Box, type Env } from 'gymnast';
import { loadClip } from 'gymnast/motion';
const env = make('Pendulum-v1');
const space: Box = env.actionSpace as Box;
const n: number = space.shape[0]!;
const clip = loadClip('walk');
const frames: number = clip.numFrames;
export const summary: [number, number, Env | undefined] = [n, frames, undefined];
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['user.ts'] }),
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await ok(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  // And a wrong use is caught: the types are real, not any.
  writeFileSync(join(project, 'user.ts'), `import { make } from 'gymnast';\nconst id: number = make('CartPole-v1').id;\n`);
  const wrong = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  assert.is.not(wrong.code, 0);
  assert.match(wrong.stdout, /Type 'string' is not assignable to type 'number'/);
});

test('the installed command: gymnast envs --json and gymnast eval of the shipped biped policy', async () => {
  const bin = join(project, 'node_modules/.bin/gymnast');
  const listed = await ok(bin, ['envs', '--json'], project);
  const envs = JSON.parse(listed) as { id: string; observation: string }[];
  const ids = envs.map((e) => e.id);
  for (const id of ['CartPole-v1', 'Ant-v1', 'HumanoidImitate-v0', 'BipedImitate-v0', 'Taxi-v3', 'FrozenLake-v1']) assert.ok(ids.includes(id), `gymnast envs lacks ${id}`);
  assert.match(envs.find((e) => e.id === 'BipedImitate-v0')!.observation, /\[106\]/);
  // That table comes from the env table the build wrote; computed live (GYMNAST_DATA set, here to the
  // packaged data itself) it must be the same, byte for byte.
  const live = await ok(bin, ['envs', '--json'], project, { GYMNAST_DATA: join(project, 'node_modules/gymnast/data') });
  assert.fixture(live, listed);
  const policy = join(project, 'node_modules/gymnast/policies/biped-walk');
  const r = JSON.parse(await ok(bin, ['eval', policy, '--episodes', '2', '--json'], project));
  // The policy's own figures (policies/biped-walk, test/policies/biped-walk.test.ts): 5,001,216
  // samples, 20 s episodes without a fall, normalized return 0.908 over 128 episodes.
  assert.is(r.episodes, 2);
  assert.is(r.step, 5_001_216);
  assert.is(r.metrics.fall, 0);
  assert.is(r.metrics.episode_seconds, 20);
  assert.ok(r.metrics.normalized_return > 0.85, `normalized return ${r.metrics.normalized_return}`);
});

test.run();
