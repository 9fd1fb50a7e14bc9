/**
 * Environment throughput: steps per second of each Rapier env, alone and in vector envs of 8
 * (sync and async), the cost of the Env layer over bare `world.step()` on the same model, and the
 * ratio against MuJoCo's official WASM build (`mujoco-js`) stepping the equivalent model
 * (`ant.xml` for Ant-v1, `inverted_pendulum.xml` for the cart-pole) in the same run. Then, for the
 * Ant, where the time goes and what the Rapier settings cost: PGS iterations, contacts between
 * body parts, multibody joints, the SIMD build.
 *
 *   npm run bench -- envs                      # everything (about a minute)
 *   npm run bench -- envs --repeats 7 --ms 400 # more and longer repeats
 *   npm run bench -- envs --only Ant-v1        # one env
 *
 * Every figure is the median over `--repeats` timed runs of `--ms` milliseconds each; runs of
 * different subjects are interleaved, so load on the machine hits them alike and the ratios
 * hold better than the absolute figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import '../src/envs/builtin.ts';
import { make } from '../src/envs/registry.ts';
import { SyncVectorEnv } from '../src/envs/vector/sync-vector-env.ts';
import { AsyncVectorEnv } from '../src/envs/vector/async-vector-env.ts';
import { Box } from '../src/core/spaces.ts';
import { Rng } from '../src/core/rng.ts';
import { RAPIER } from '../src/envs/physics/rapier.ts';
import type { AnyEnv } from '../src/envs/env.ts';
import { AntEnv } from '../src/envs/locomotion/ant.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const REPEATS = Number(arg('repeats', '5'));
const MS = Number(arg('ms', '250'));
const ONLY = arg('only', '');
const ENVS = ['CartPole-v1', 'Pendulum-v1', 'Acrobot-v1', 'Ant-v1'].filter((id) => !ONLY || ONLY.split(',').includes(id));
/** Rapier steps one env step takes (Acrobot: four RK4 probes; Ant: frame_skip 5). */
const WORLD_STEPS_PER_ENV_STEP: Record<string, number> = { 'CartPole-v1': 1, 'Pendulum-v1': 1, 'Acrobot-v1': 4, 'Ant-v1': 5 };
const DATA = new URL('../data/mujoco/gymnasium', import.meta.url);

/** A subject runs `batch()` (doing `unitsPerBatch` units of work) repeatedly for `MS`. */
interface Subject {
  name: string;
  batch: () => void;
  unitsPerBatch: number;
  rates: number[];
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
function subject(name: string, unitsPerBatch: number, batch: () => void): Subject {
  return { name, batch, unitsPerBatch, rates: [] };
}
/** Times each subject REPEATS times, interleaved; returns the median rate (units/s) per subject. */
function measure(subjects: Subject[]): Map<string, number> {
  for (const s of subjects) s.batch(); // warm up (JIT, first allocations)
  for (let r = 0; r < REPEATS; r++) {
    for (const s of subjects) {
      let units = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < MS) {
        s.batch();
        units += s.unitsPerBatch;
        t = performance.now();
      }
      s.rates.push(units / ((t - t0) / 1000));
    }
  }
  return new Map(subjects.map((s) => [s.name, median(s.rates)]));
}
const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
function table(rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  for (const r of cells) console.log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

/** A stepping loop over one env with seeded random actions, resetting at episode ends. */
function envStepper(env: AnyEnv, seed: number, steps: number): () => void {
  env.actionSpace.seed(seed);
  env.reset({ seed });
  // Pre-draw actions: the bench times the env, not the sampler.
  const actions = Array.from({ length: 64 }, () => env.actionSpace.sample());
  let k = 0;
  return () => {
    for (let i = 0; i < steps; i++) {
      const r = env.step(actions[k++ & 63]);
      if (r.terminated || r.truncated) env.reset();
    }
  };
}

function worldOf(env: AnyEnv): InstanceType<typeof RAPIER.World> {
  let e: any = env;
  while (e.env) e = e.env;
  return e.world;
}

console.log(`# gymnast env benchmark: ${REPEATS} repeats × ${MS} ms, medians; Node ${process.version}; rapier3d-compat ${RAPIER.version()}`);

// ---- 1. Single envs: wrapped (make), bare, and the bare world.step() of the same model.
console.log('\n## Single env: steps per second');
const singles: Subject[] = [];
const closers: (() => void)[] = [];
for (const id of ENVS) {
  const wrapped = make(id);
  const bare = make(id, { disableOrderEnforcing: true, maxEpisodeSteps: 0 });
  closers.push(() => wrapped.close(), () => bare.close());
  singles.push(subject(`${id} make()`, 50, envStepper(wrapped, 1, 50)));
  singles.push(subject(`${id} bare`, 50, envStepper(bare, 1, 50)));
  const worldEnv = make(id, { disableOrderEnforcing: true, maxEpisodeSteps: 0 });
  worldEnv.reset({ seed: 1 });
  closers.push(() => worldEnv.close());
  const world = worldOf(worldEnv);
  singles.push(subject(`${id} world.step`, 50, () => {
    for (let i = 0; i < 50; i++) world.step();
  }));
}
const single = measure(singles);
const singleRows: (string | number)[][] = [['env', 'make() steps/s', 'bare env steps/s', 'world.step/s', 'Rapier steps/env step', 'Env layer overhead']];
for (const id of ENVS) {
  const perStep = WORLD_STEPS_PER_ENV_STEP[id]!;
  const physicsOnly = single.get(`${id} world.step`)! / perStep;
  singleRows.push([
    id,
    single.get(`${id} make()`)!,
    single.get(`${id} bare`)!,
    single.get(`${id} world.step`)!,
    String(perStep),
    `${((physicsOnly / single.get(`${id} bare`)! - 1) * 100).toFixed(0)}%`,
  ]);
}
table(singleRows);
console.log('  (Env layer overhead: bare env step time over the time of its Rapier steps alone, minus 1: the');
console.log('   JS around the physics (state setting and readback, observation, reward, checks).)');

// ---- 2. Vector envs of 8.
console.log('\n## Vector envs of 8: env steps per second (8 per vector step)');
const N = 8;
const vecSubjects: Subject[] = [];
const asyncEnvs: AsyncVectorEnv[] = [];
for (const id of ENVS) {
  const sync = new SyncVectorEnv({ id, numEnvs: N });
  closers.push(() => sync.close());
  const actions = new Float32Array(N * sync.actionDim);
  const space = sync.singleActionSpace;
  const rng = new Rng(3);
  const fill = () => {
    for (let i = 0; i < actions.length; i++) actions[i] = space instanceof Box ? rng.uniform(-1, 1) * space.high[0]! : rng.int((space as any).n);
  };
  sync.reset({ seed: 0 });
  vecSubjects.push(subject(`${id} sync`, N * 10, () => {
    for (let i = 0; i < 10; i++) {
      fill();
      sync.step(actions);
    }
  }));
  try {
    const av = await AsyncVectorEnv.create({ id, numEnvs: N });
    asyncEnvs.push(av);
    av.reset({ seed: 0 });
    vecSubjects.push(subject(`${id} async`, N * 10, () => {
      for (let i = 0; i < 10; i++) {
        fill();
        av.step(actions);
      }
    }));
  } catch (e) {
    console.log(`  (async vector env for ${id} unavailable: ${(e as Error).message})`);
  }
}
const vec = measure(vecSubjects);
const vecRows: (string | number)[][] = [['env', 'single make()', 'sync × 8', 'async × 8', 'async / sync']];
for (const id of ENVS) {
  const s = vec.get(`${id} sync`)!, a = vec.get(`${id} async`);
  vecRows.push([id, single.get(`${id} make()`)!, s, a ?? 'n/a', a ? `${(a / s).toFixed(2)}×` : 'n/a']);
}
table(vecRows);
console.log(`  (async spreads the 8 copies over worker threads; this machine has ${(await import('node:os')).availableParallelism()} cores.)`);
for (const av of asyncEnvs) av.close();

// ---- 3. MuJoCo WASM on the equivalent models, in the same run.
console.log("\n## Against MuJoCo's official WASM build (mujoco-js), same process");
const require = createRequire(import.meta.url);
let mujocoVersion = '?';
try {
  mujocoVersion = JSON.parse(readFileSync(require.resolve('mujoco-js/package.json'), 'utf8')).version;
} catch {
  /* version unknown */
}
const { default: loadMujoco } = await import('mujoco-js');
const mujoco: any = await loadMujoco();
mujoco.FS.mkdir('/gym');
for (const f of ['ant.xml', 'inverted_pendulum.xml']) mujoco.FS.writeFile(`/gym/${f}`, readFileSync(new URL(f, DATA), 'utf8'));
const mjModels: Record<string, { model: any; data: any }> = {};
for (const f of ['ant.xml', 'inverted_pendulum.xml']) {
  const model = mujoco.MjModel.loadFromXML(`/gym/${f}`);
  mjModels[f] = { model, data: new mujoco.MjData(model) };
}
const mjRng = new Rng(5);
const mjStepper = (f: string, steps: number, nu: number) => {
  const { model, data } = mjModels[f]!;
  const ctrl = data.ctrl as Float64Array;
  return () => {
    for (let i = 0; i < steps; i++) {
      if (i % 5 === 0) for (let u = 0; u < nu; u++) ctrl[u] = mjRng.uniform(-1, 1);
      mujoco.mj_step(model, data);
      // Keep it on its feet / on its rail so contacts stay representative.
      if ((data.qpos as Float64Array)[2]! < 0.2 || Number.isNaN((data.qpos as Float64Array)[0])) mujoco.mj_resetData(model, data);
    }
  };
};
const antWorldEnv = make('Ant-v1', { disableOrderEnforcing: true, maxEpisodeSteps: 0 });
closers.push(() => antWorldEnv.close());
const antDriver = envStepper(antWorldEnv, 2, 1); // walks it, so the world has live contacts
const antWorld = worldOf(antWorldEnv);
const cartWorldEnv = make('CartPole-v1', { disableOrderEnforcing: true, maxEpisodeSteps: 0 });
cartWorldEnv.reset({ seed: 0 });
closers.push(() => cartWorldEnv.close());
const cartWorld = worldOf(cartWorldEnv);
const antEnv = make('Ant-v1');
const cartEnv = make('CartPole-v1');
closers.push(() => antEnv.close(), () => cartEnv.close());
const cmp = measure([
  subject('mj ant', 50, mjStepper('ant.xml', 50, 8)),
  subject('rapier ant world', 50, () => {
    antDriver();
    for (let i = 0; i < 45; i++) antWorld.step();
  }),
  subject('mj pendulum', 50, mjStepper('inverted_pendulum.xml', 50, 1)),
  subject('rapier cartpole world', 50, () => {
    for (let i = 0; i < 50; i++) cartWorld.step();
  }),
  subject('Ant-v1 env', 10, envStepper(antEnv, 3, 10)),
  subject('CartPole-v1 env', 50, envStepper(cartEnv, 3, 50)),
]);
const mjAnt = cmp.get('mj ant')!, mjPend = cmp.get('mj pendulum')!;
table([
  ['model', 'MuJoCo WASM mj_step/s', 'Rapier world.step/s', 'ratio (Rapier / MuJoCo)', 'env steps/s', 'MuJoCo-equivalent env steps/s', 'ratio'],
  [
    'Ant (ant.xml, dt 0.01)',
    mjAnt,
    cmp.get('rapier ant world')!,
    `${(cmp.get('rapier ant world')! / mjAnt).toFixed(2)}×`,
    cmp.get('Ant-v1 env')!,
    mjAnt / 5,
    `${(cmp.get('Ant-v1 env')! / (mjAnt / 5)).toFixed(2)}×`,
  ],
  [
    'cart-pole (inverted_pendulum.xml, dt 0.02)',
    mjPend,
    cmp.get('rapier cartpole world')!,
    `${(cmp.get('rapier cartpole world')! / mjPend).toFixed(2)}×`,
    cmp.get('CartPole-v1 env')!,
    mjPend,
    `${(cmp.get('CartPole-v1 env')! / mjPend).toFixed(2)}×`,
  ],
]);
console.log(`  (mujoco-js ${mujocoVersion}; MuJoCo's env equivalent = mj_step/s ÷ frame skip (5 for the Ant, 1 per 0.02 s for the cart-pole),`);
console.log('   without Gymnasium\'s Python overhead. The Ant models differ in their solver: MuJoCo RK4 with a');
console.log('   direct constraint solve, Rapier one TGS sub-step with PGS iterations.)');

// ---- 4. Where the Ant's time goes, and what the settings cost.
console.log('\n## Ant-v1: Rapier settings (world.step/s on the same walking ant, and vs MuJoCo)');
const antVariant = (options: Record<string, unknown>, tweak?: (world: InstanceType<typeof RAPIER.World>, env: AntEnv) => void) => {
  const env = new AntEnv(options as any);
  const drive = envStepper(env, 2, 1);
  const world = worldOf(env);
  tweak?.(world, env);
  closers.push(() => env.close());
  return () => {
    drive();
    for (let i = 0; i < 45; i++) world.step();
  };
};
const allContacts = (world: InstanceType<typeof RAPIER.World>) => {
  world.forEachCollider((c) => c.setCollisionGroups(0xffffffff));
};
const settings: Subject[] = [subject('mj ant', 50, mjStepper('ant.xml', 50, 8))];
for (const pgs of [1, 4, 16, 32, 64, 128]) settings.push(subject(`PGS ${pgs}`, 50, antVariant({ pgsIterations: pgs })));
settings.push(subject('PGS 32 + contacts between all body parts', 50, antVariant({ pgsIterations: 32 }, allContacts)));
// Multibody joints: the same bodies and anchors, but rapier.js gives multibody joints no motors or
// limits, so this only measures what the joint solver would cost.
settings.push(subject('multibody joints (no motors: speed only)', 50, multibodyAnt()));
const set = measure(settings);
const setRows: (string | number)[][] = [['setting', 'world.step/s', 'vs MuJoCo mj_step']];
for (const s of settings) setRows.push([s.name, set.get(s.name)!, `${(set.get(s.name)! / set.get('mj ant')!).toFixed(2)}×`]);
table(setRows);

// Profiler breakdown at the default setting.
const prof = new AntEnv();
const profDrive = envStepper(prof, 2, 1);
const pw = worldOf(prof);
pw.profilerEnabled = true;
const acc = { step: 0, collision: 0, solver: 0, islands: 0, user: 0, ccd: 0 };
let profSteps = 0;
const tProf = performance.now();
while (performance.now() - tProf < MS * 2) {
  profDrive();
  acc.step += pw.timingStep();
  acc.collision += pw.timingCollisionDetection();
  acc.solver += pw.timingSolver();
  acc.islands += pw.timingIslandConstruction();
  acc.user += pw.timingUserChanges();
  acc.ccd += pw.timingCcd();
  profSteps++;
}
prof.close();
const share = (x: number) => `${((x / acc.step) * 100).toFixed(0)}%`;
console.log(
  `  Rapier's profiler, default settings (share of world.step): solver ${share(acc.solver)}, collision detection ${share(acc.collision)}, ` +
    `islands ${share(acc.islands)}, user changes ${share(acc.user)}, CCD ${share(acc.ccd)} (${profSteps} env steps).`,
);
const simd = ['@dimforge/rapier3d-simd-compat', '@dimforge/rapier3d-simd'].find((p) => existsSync(new URL(`../node_modules/${p}`, import.meta.url)));
console.log(simd ? `  SIMD build present: ${simd} (not wired in; see src/envs/physics/rapier.ts).` : '  SIMD build (@dimforge/rapier3d-simd-compat): not installed, not measured (package.json is fixed for this task).');

for (const c of closers) c();
for (const { model, data } of Object.values(mjModels)) {
  data.delete();
  model.delete();
}

/** The Ant's bodies on multibody joints (no motors, no limits): a speed reference only. */
function multibodyAnt(): () => void {
  const world = new RAPIER.World({ x: 0, y: -9.81, z: 0 });
  world.integrationParameters.dt = 0.01;
  world.integrationParameters.numSolverIterations = 1;
  world.integrationParameters.numInternalPgsIterations = 4;
  const floor = world.createRigidBody(RAPIER.RigidBodyDesc.fixed().setTranslation(0, -0.5, 0));
  world.createCollider(RAPIER.ColliderDesc.cuboid(40, 0.5, 40).setCollisionGroups(((2 << 16) | 1) >>> 0), floor);
  const groups = ((1 << 16) | 2) >>> 0;
  const torso = world.createRigidBody(RAPIER.RigidBodyDesc.dynamic().setTranslation(0, 0.75, 0));
  world.createCollider(RAPIER.ColliderDesc.ball(0.25).setDensity(5).setCollisionGroups(groups), torso);
  const s = 0.2;
  for (const [dx, dz] of [[1, -1], [-1, -1], [-1, 1], [1, 1]] as const) {
    const len = s * Math.SQRT2;
    const yaw = Math.atan2(-dz, dx);
    const q = { x: 0, y: Math.sin(yaw / 2), z: 0, w: Math.cos(yaw / 2) };
    const capsule = (l: number) =>
      RAPIER.ColliderDesc.capsule(l / 2, 0.08)
        .setDensity(5)
        .setCollisionGroups(groups)
        .setTranslation((dx * s * l) / len / 2, 0, (dz * s * l) / len / 2)
        .setRotation({ x: 0, y: 0, z: Math.SQRT1_2, w: Math.SQRT1_2 });
    world.createCollider(capsule(len).setRotation(q), torso);
    const thigh = world.createRigidBody(RAPIER.RigidBodyDesc.dynamic().setTranslation(dx * s, 0.75, dz * s));
    world.createCollider(capsule(len), thigh);
    const shin = world.createRigidBody(RAPIER.RigidBodyDesc.dynamic().setTranslation(2 * dx * s, 0.75, 2 * dz * s));
    world.createCollider(capsule(2 * len), shin);
    world.createMultibodyJoint(RAPIER.JointData.revolute({ x: dx * s, y: 0, z: dz * s }, { x: 0, y: 0, z: 0 }, { x: 0, y: 1, z: 0 }), torso, thigh, true);
    const axis = { x: -dz / Math.SQRT2, y: 0, z: dx / Math.SQRT2 };
    world.createMultibodyJoint(RAPIER.JointData.revolute({ x: dx * s, y: 0, z: dz * s }, { x: 0, y: 0, z: 0 }, axis), thigh, shin, true);
  }
  closers.push(() => world.free());
  let n = 0;
  return () => {
    for (let i = 0; i < 50; i++) {
      world.step();
      if (++n % 400 === 0) torso.setTranslation({ x: 0, y: 0.75, z: 0 }, true); // keep contacts coming
    }
  };
}
