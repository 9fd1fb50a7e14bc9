/**
 * `npm run bench -- humanoid [--physics-hz 600] [--steps 3000] [--repeats 5] [--quick]`
 *
 * The Rapier humanoid against MuJoCo's humanoid (`mujoco-js`, the official WASM build) in the
 * same run, at the same physics rate:
 *
 * 1. Physics steps per second (and the speed ratio, from interleaved runs). Rapier: the DeepMimic humanoid (13 rigid bodies, 12 actuated
 *    joints, ground contacts) under PD control toward the walk clip (the PD targets are set once
 *    per 30 Hz control step), root free, from the reference state at a random time; a fresh
 *    world every 2 s of simulated time (resets not timed). MuJoCo: `model/humanoid/humanoid.xml`
 *    (17 bodies, 27 DOF, 21 motors, MuJoCo's defaults: Newton solver, Euler), zero controls,
 *    `mj_resetData` every 2 s of simulated time. Both fall and lie on the ground for part of each
 *    2 s, so both spend time in contacts. Repeats alternate Rapier and MuJoCo so background load
 *    hits both alike; medians and the median of the per-repeat Rapier / MuJoCo ratios are
 *    printed.
 * 2. Rapier variants at the same rate, each interleaved with MuJoCo as in (1): solver
 *    iterations and PGS sweeps, PD by motors, stable-PD torques or explicit torques, multibody
 *    joints, no self collisions.
 * All times are CPU time of this process (see `cpuMs`).
 * 3. The full env step of `HumanoidTrack-v0` (physics substeps + reading the state + reference
 *    + observation + reward + fall check) per control step, and the share of that time outside
 *    the physics.
 */
import { readFileSync } from 'node:fs';
import loadMujoco from 'mujoco-js';
import { Rng } from '../src/core/rng.ts';
import { loadCharacter, loadCharacterClip } from '../src/envs/character/assets.ts';
import { CharacterState } from '../src/envs/character/character-state.ts';
import { HumanoidTrackEnv, humanoidTrackOptions } from '../src/envs/character/humanoid-track.ts';
import { buildObservation } from '../src/envs/character/observation.ts';
import { PdTracker } from '../src/envs/character/pd-tracker.ts';
import { ReferenceMotion } from '../src/envs/character/reference.ts';
import { type JointKind, type PdMode, SimCharacter } from '../src/envs/character/sim-character.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} must be a positive integer, got '${process.argv[i + 1]}'`);
    process.exit(2);
  }
  return v;
}

const quick = process.argv.includes('--quick');
const physicsHz = flag('physics-hz', 600);
const steps = flag('steps', quick ? 600 : 3000);
const repeats = flag('repeats', quick ? 2 : 5);
if (physicsHz % 30 !== 0) {
  console.error(`--physics-hz must be a multiple of 30, got ${physicsHz}`);
  process.exit(2);
}
const RESET_EVERY_S = 2;
const resetEvery = RESET_EVERY_S * physicsHz;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number) => x.toFixed(0).padStart(7);
/**
 * Milliseconds of CPU time this process has used (user + system). The bench times with it rather
 * than the wall clock: on a shared machine other processes stretch wall time but not our CPU
 * time. Both engines are single-threaded WASM, so CPU time is their time.
 */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// ---- MuJoCo -------------------------------------------------------------------------------
const mj: any = await loadMujoco(); // the typings do not cover FS; the calls used here are few
mj.FS.mkdir('/bench');
mj.FS.writeFile('/bench/humanoid.xml', readFileSync(new URL('../data/mujoco/humanoid.xml', import.meta.url), 'utf8'));
const mjModel = mj.MjModel.loadFromXML('/bench/humanoid.xml');
const mjData = new mj.MjData(mjModel);
mjModel.opt.timestep = 1 / physicsHz;

/** MuJoCo physics steps per second over `steps` steps (resets not timed). */
function mujocoRun(): number {
  mj.mj_resetData(mjModel, mjData);
  let ms = 0;
  let sinceReset = 0;
  let t0 = cpuMs();
  for (let i = 0; i < steps; i++) {
    mj.mj_step(mjModel, mjData);
    if (++sinceReset === resetEvery) {
      ms += cpuMs() - t0;
      mj.mj_resetData(mjModel, mjData);
      sinceReset = 0;
      t0 = cpuMs();
    }
  }
  ms += cpuMs() - t0;
  return (steps / ms) * 1000;
}

// ---- Rapier -------------------------------------------------------------------------------
const assets = loadCharacter('humanoid3d');
const clip = loadCharacterClip('walk', assets.skeleton);
const reference = new ReferenceMotion(clip);

interface Variant {
  label: string;
  jointKind?: JointKind;
  pdMode?: PdMode;
  solverIterations?: number;
  pgsIterations?: number;
  selfCollisions?: boolean;
}

/** Rapier physics steps per second (PD tracking the walk, root free; resets not timed). */
function rapierRun(v: Variant, rng: Rng): number {
  let ms = 0;
  let done = 0;
  while (done < steps) {
    const sim = new SimCharacter(assets.skeleton, assets.gains, {
      physicsHz, jointKind: v.jointKind, pdMode: v.pdMode ?? 'motors', solverIterations: v.solverIterations, pgsIterations: v.pgsIterations, selfCollisions: v.selfCollisions,
    });
    const tracker = new PdTracker(sim, reference);
    tracker.reset(rng.uniform(0, reference.durationSeconds));
    const chunk = Math.min(resetEvery, steps - done);
    const controlSteps = Math.ceil(chunk / tracker.substeps);
    const t0 = cpuMs();
    for (let k = 0; k < controlSteps; k++) tracker.step(null, 'free');
    ms += cpuMs() - t0;
    done += controlSteps * tracker.substeps;
    sim.close();
  }
  return (done / ms) * 1000;
}

/**
 * Rapier against MuJoCo, interleaved: each repeat times MuJoCo, then Rapier, then MuJoCo again,
 * and takes Rapier's speed over the mean of the two MuJoCo runs around it, so load from other
 * processes that comes and goes hits both sides of each ratio.
 */
function compare(v: Variant, n: number, rng: Rng): { rapier: number; mujoco: number; ratio: number; ratios: number[] } {
  const r: number[] = [], m: number[] = [], q: number[] = [];
  for (let i = 0; i < n; i++) {
    const m0 = mujocoRun();
    const x = rapierRun(v, rng);
    const m1 = mujocoRun();
    r.push(x);
    m.push(m0, m1);
    q.push(x / ((m0 + m1) / 2));
  }
  return { rapier: median(r), mujoco: median(m), ratio: median(q), ratios: q };
}

const rng = new Rng(1);
const envDefaults = humanoidTrackOptions.parse({});
const DEFAULT: Variant = {
  label: `impulse joints, motors, ${envDefaults.solverIterations} solver iteration × ${envDefaults.pgsIterations} PGS (env default)`,
  solverIterations: envDefaults.solverIterations,
  pgsIterations: envDefaults.pgsIterations,
};

console.log(`humanoid physics at ${physicsHz} Hz: ${steps} steps per run, ${repeats} repeats (median), reset every ${RESET_EVERY_S} s of simulated time; CPU time`);
// Warm up both (JIT, WASM tiers).
rapierRun(DEFAULT, rng);
mujocoRun();

const main = compare(DEFAULT, repeats, rng);
console.log('');
console.log('1. Physics steps per second');
console.log(`   MuJoCo humanoid (mujoco-js)                          ${fmt(main.mujoco)} steps/s`);
console.log(`   Rapier humanoid, ${DEFAULT.label}`);
console.log(`                                                        ${fmt(main.rapier)} steps/s`);
console.log(`   speed ratio Rapier / MuJoCo: ${main.ratio.toFixed(2)}   (per repeat: ${main.ratios.map((x) => x.toFixed(2)).join(', ')})`);

console.log('');
console.log('2. Rapier variants: median steps/s and speed ratio to MuJoCo (interleaved as in 1)');
const variants: Variant[] = [
  { label: 'motors, 1 iteration × 1 PGS', solverIterations: 1, pgsIterations: 1 },
  { label: 'motors, 2 iterations × 1 PGS', solverIterations: 2, pgsIterations: 1 },
  { label: "motors, 4 iterations × 1 PGS (Rapier's default)", solverIterations: 4, pgsIterations: 1 },
  { label: 'motors, 1 × 2, no self collisions', selfCollisions: false },
  { label: 'stable-PD torques, 1 × 2', pdMode: 'torques' },
  { label: 'explicit PD torques, 1 × 2', pdMode: 'explicit' },
  { label: 'multibody joints, stable-PD torques, 1 × 2', jointKind: 'multibody', pdMode: 'torques' },
];
for (const v of quick ? variants.slice(0, 1) : variants) {
  const c = compare(v, Math.max(1, repeats - 2), rng);
  console.log(`   ${v.label.padEnd(48)} ${fmt(c.rapier)} steps/s   ratio ${c.ratio.toFixed(2)}`);
}

console.log('');
console.log('3. HumanoidTrack-v0: full env step (physics substeps + state + reference + observation + reward + fall check)');
{
  const env = new HumanoidTrackEnv({ physicsHz });
  const action = new Float32Array(env.actionSpace.size);
  const sub = env.tracker.substeps;
  const controlSteps = Math.max(30, Math.round(steps / sub));
  const perStep: number[] = [];
  const outside: number[] = [];
  const ratios: number[] = [];
  const simState = new CharacterState(assets.skeleton), refState = new CharacterState(assets.skeleton);
  const obs = new Float32Array(env.observationSpace.size);
  for (let r = 0; r < repeats; r++) {
    const m0 = mujocoRun();
    env.reset({ seed: r });
    let ms = 0, n = 0;
    while (n < controlSteps) {
      const t0 = cpuMs();
      const res = env.step(action);
      ms += cpuMs() - t0;
      n++;
      if (res.terminated || res.truncated) env.reset();
    }
    const m1 = mujocoRun();
    perStep.push(ms / n);
    ratios.push((sub / ((m0 + m1) / 2) * 1000) / (ms / n));
    // The per-step work outside the physics, timed alone.
    const t1 = cpuMs();
    for (let i = 0; i < n; i++) {
      env.sim.readState(simState);
      reference.evaluate(0.5, refState);
      buildObservation(simState, 0.3, obs);
      env.reward.compute(simState, refState);
      env.fall.touchingBody(env.sim);
    }
    outside.push((cpuMs() - t1) / n);
  }
  env.close();
  const ms = median(perStep);
  console.log(`   ${ms.toFixed(3)} ms per env step (${sub} physics substeps): ${(1000 / ms).toFixed(0)} env steps/s, ${((1000 / ms) * sub).toFixed(0)} physics steps/s`);
  console.log(`   outside the physics: ${median(outside).toFixed(3)} ms per env step (${((100 * median(outside)) / ms).toFixed(1)}%)`);
  console.log(`   speed ratio to ${sub} bare MuJoCo physics steps (interleaved): ${median(ratios).toFixed(2)}`);
}
mjData.delete();
mjModel.delete();
