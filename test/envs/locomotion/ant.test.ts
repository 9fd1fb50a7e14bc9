import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { AntEnv, ANT_MODEL, ACTUATOR_JOINT } from '../../../src/envs/locomotion/ant.ts';
import { make, spec } from '../../../src/envs/registry.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { PHYSICS_ERROR } from '../../../src/envs/env.ts';

const XML_PATH = new URL('../../../data/mujoco/gymnasium/ant.xml', import.meta.url);
const xml = readFileSync(XML_PATH, 'utf8');

/** MuJoCo's official WASM build (dev dependency) with ant.xml in its virtual file system. */
async function loadMujocoAnt(edit: (xml: string) => string = (x) => x) {
  const { default: loadMujoco } = await import('mujoco-js');
  const mujoco: any = await loadMujoco();
  mujoco.FS.mkdir('/w');
  mujoco.FS.writeFile('/w/ant.xml', edit(xml));
  const model = mujoco.MjModel.loadFromXML('/w/ant.xml');
  const data = new mujoco.MjData(model);
  return { mujoco, model, data };
}

test('the transcribed model matches ant.xml', () => {
  const num = (re: RegExp) => Number(re.exec(xml)![1]);
  assert.is(ANT_MODEL.torsoStartHeightM, num(/<body name="torso" pos="0 0 ([\d.]+)"/));
  assert.is(ANT_MODEL.torsoRadiusM, num(/name="torso_geom" pos="0 0 0" size="([\d.]+)"/));
  assert.is(ANT_MODEL.density, num(/density="([\d.]+)"/));
  assert.is(ANT_MODEL.armature, num(/<joint armature="([\d.]+)" damping/));
  assert.is(ANT_MODEL.damping, num(/<joint armature="[\d.]+" damping="([\d.]+)"/));
  assert.is(ANT_MODEL.timestepSeconds, num(/timestep="([\d.]+)"/));
  assert.is(ANT_MODEL.friction, num(/friction="([\d.]+) /));
  const gears = [...xml.matchAll(/gear="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(gears, new Array(8).fill(ANT_MODEL.gear));
  // Actuator order (the action order) as joint indices in qpos order.
  const actuated = [...xml.matchAll(/<motor [^>]*joint="(\w+)"/g)].map((m) => m[1]);
  const qposOrder = ['hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3', 'hip_4', 'ankle_4'];
  assert.equal(actuated.map((j) => qposOrder.indexOf(j!)), [...ACTUATOR_JOINT]);
  const capsules = [...xml.matchAll(/fromto="0\.0 0\.0 0\.0 ([-\d.]+) ([-\d.]+) 0\.0" name="(\w+)" size="([\d.]+)"/g)];
  assert.is(capsules.length, 12);
  for (const c of capsules) assert.is(Number(c[4]), ANT_MODEL.capsuleRadiusM);
  ANT_MODEL.legs.forEach((leg, i) => {
    const [dx, dy] = leg.dirMj;
    // aux, thigh, shin capsules of leg i: 0.2, 0.2, 0.4 along its direction
    const own = capsules.slice(3 * i, 3 * i + 3).map((c) => [Number(c[1]), Number(c[2])]);
    assert.equal(own, [[0.2 * dx, 0.2 * dy], [0.2 * dx, 0.2 * dy], [0.4 * dx, 0.4 * dy]].map((p) => p.map((v) => (Object.is(v, -0) ? 0 : v))));
    const ankle = new RegExp(`<joint axis="([-\\d ]+)" name="ankle_${i + 1}" pos="0.0 0.0 0.0" range="([-\\d]+) ([-\\d]+)"`).exec(xml)!;
    assert.equal(ankle[1]!.split(' ').map(Number), leg.ankleAxisMj);
    assert.equal([Number(ankle[2]), Number(ankle[3])], leg.ankleRangeRad.map((r) => Math.round((r * 180) / Math.PI)));
    const hip = new RegExp(`name="hip_${i + 1}" pos="0.0 0.0 0.0" range="([-\\d]+) ([-\\d]+)"`).exec(xml)!;
    assert.equal([Number(hip[1]), Number(hip[2])], leg.hipRangeRad.map((r) => Math.round((r * 180) / Math.PI)));
  });
});

test("masses and the legs' joint-space response match MuJoCo's (armature, gear, damping)", async () => {
  const { mujoco, model, data } = await loadMujocoAnt((x) =>
    x.replace(/<joint armature="0" damping="0" limited="false" margin="0.01" name="root" pos="0 0 0" type="free"\/>/, '').replace('<body name="torso" pos="0 0 0.75">', '<body name="torso" pos="0 0 2">'),
  );
  let mjMass = 0;
  for (let b = 0; b < model.nbody; b++) mjMass += model.body_mass[b];
  const free = new AntEnv();
  free.reset({ seed: 0 });
  free.step(new Float32Array(8)); // Rapier computes mass properties at the first step
  let mass = 0;
  (free as any).world.forEachRigidBody((b: any) => {
    if (b.isDynamic()) mass += b.mass();
  });
  free.close();
  assert.ok(Math.abs(mass - mjMass) < 1e-4 * mjMass, `Rapier ${mass} kg, MuJoCo ${mjMass} kg`);
  const env = new AntEnv({ torsoFixed: true });
  env.reset({ seed: 0 });

  // Torso welded in the air, legs inside their ranges at rest; full torque on hip_1 for one step.
  // MuJoCo: the joint-space inertia is armature 1 + the leg's ~0.04, so θ̇ = 7.2 rad/s after
  // 0.05 s; without armature it would be ~30× more. Rapier's solver gets 90% of it with 32 PGS
  // iterations (measured 6.45; 7.16 with 256): the tolerance is 15%.
  const start = [0, 0.9, 0, -0.9, 0, -0.9, 0, 0.9];
  env.setMujocoState([0, 0, 2, 1, 0, 0, 0, ...start], new Array(14).fill(0));
  for (let j = 0; j < 8; j++) data.qpos[j] = start[j];
  mujoco.mj_forward(model, data);
  const a = new Float32Array(8);
  a[2] = 1; // hip_1
  data.ctrl[2] = 1;
  for (let k = 0; k < 5; k++) mujoco.mj_step(model, data);
  const o = env.step(a).obs;
  const rel = o[19]! / data.qvel[0];
  assert.ok(rel > 0.85 && rel < 1.05, `hip_1 rate ${o[19]} vs MuJoCo ${data.qvel[0]}`);
  assert.ok(Math.abs(o[20]!) < 0.5, `ankle_1 barely moves: ${o[20]}`);
  env.close();
  data.delete();
  model.delete();
});

test("standing: synced to MuJoCo's ant after it settles, the torso height follows MuJoCo's", async () => {
  // MuJoCo settles for 1 s from qpos0 (its soft ankle limits kick the legs into range); Rapier
  // then takes its exact state and both stand with no control for 4 s. Measured: height within
  // 0.012 m (MuJoCo sags from 0.55 to 0.53 as damping lets the unpowered joints give).
  const { mujoco, model, data } = await loadMujocoAnt();
  for (let k = 0; k < 100; k++) mujoco.mj_step(model, data);
  const env = new AntEnv();
  env.reset({ seed: 0 });
  env.setMujocoState(Array.from(data.qpos as Float64Array), Array.from(data.qvel as Float64Array));
  const a = new Float32Array(8);
  let worst = 0;
  for (let t = 0; t < 80; t++) {
    for (let k = 0; k < 5; k++) mujoco.mj_step(model, data);
    const r = env.step(a);
    assert.not.ok(r.terminated || r.truncated);
    worst = Math.max(worst, Math.abs(r.obs[0]! - data.qpos[2]));
  }
  assert.ok(worst < 0.03, `height differs from MuJoCo's by up to ${worst} m`);
  env.close();
  data.delete();
  model.delete();
});

test('state set from MuJoCo coordinates reads back through the observation', () => {
  const env = new AntEnv();
  env.reset({ seed: 0 });
  const qpos = [0.1, -0.2, 0.6, 0.98, 0.05, -0.1, 0.1, 0.2, 0.6, -0.1, -0.7, 0.15, -0.8, -0.2, 0.9];
  const qvel = [0.3, -0.1, 0.2, 0.5, -0.4, 0.3, 1, -1, 0.5, -0.5, 0.2, 0.3, -0.7, 0.8];
  env.setMujocoState(qpos, qvel);
  const o = env.getObservation();
  const n = Math.hypot(qpos[3]!, qpos[4]!, qpos[5]!, qpos[6]!);
  assert.ok(Math.abs(o[0]! - 0.6) < 1e-6, 'height');
  // Quaternion: MuJoCo (w, x, y, z) about (x, y, z) → ours (x, y, z, w) with (x, z, −y).
  const expectQ = [qpos[4]! / n, qpos[6]! / n, -qpos[5]! / n, qpos[3]! / n];
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(o[1 + i]! - expectQ[i]!) < 1e-6, `quaternion ${i}`);
  for (let j = 0; j < 8; j++) assert.ok(Math.abs(o[5 + j]! - qpos[7 + j]!) < 1e-5, `joint ${j}: ${o[5 + j]} vs ${qpos[7 + j]}`);
  assert.ok(Math.abs(o[13]! - 0.3) < 1e-5 && Math.abs(o[14]! - 0.2) < 1e-5 && Math.abs(o[15]! - 0.1) < 1e-5, 'linear velocity (x, z, −y)');
  assert.ok(Math.abs(o[16]! - 0.5) < 1e-5 && Math.abs(o[17]! - 0.3) < 1e-5 && Math.abs(o[18]! - 0.4) < 1e-5, 'local angular velocity');
  for (let j = 0; j < 8; j++) assert.ok(Math.abs(o[19 + j]! - qvel[6 + j]!) < 1e-4, `joint rate ${j}: ${o[19 + j]} vs ${qvel[6 + j]}`);
  env.close();
});

test("reward is Gymnasium's Ant-v5 (forward velocity + healthy − control cost); unhealthy terminates", () => {
  const env = new AntEnv();
  env.reset({ seed: 4 });
  const a = Float32Array.from([0.5, -0.5, 1, -1, 0.2, 0, 0.3, -0.3]);
  const r = env.step(a);
  const ctrlCost = 0.5 * a.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs((r.info.reward_ctrl as number) + ctrlCost) < 1e-6);
  assert.is(r.info.reward_survive, 1);
  assert.ok(Math.abs(r.reward - ((r.info.x_velocity as number) + 1 - ctrlCost)) < 1e-9);
  assert.not.ok(r.terminated);
  // Torso put 1.5 m up: above the healthy range, terminated.
  env.setMujocoState([0, 0, 1.5, 1, 0, 0, 0, 0, 0.9, 0, -0.9, 0, -0.9, 0, 0.9], new Array(14).fill(0));
  const high = env.step(new Float32Array(8));
  assert.ok(high.terminated && !high.truncated);
  assert.is(high.info.reward_survive, 0);
  env.close();
});

test('a moving ant: forward velocity in the reward is Δx / 0.05 s of the torso', () => {
  const env = new AntEnv();
  env.reset({ seed: 0 });
  const qvel = new Array(14).fill(0);
  qvel[0] = 2; // 2 m/s forward, in the air
  env.setMujocoState([0, 0, 0.9, 1, 0, 0, 0, 0, 0.9, 0, -0.9, 0, -0.9, 0, 0.9], qvel);
  const r = env.step(new Float32Array(8));
  assert.ok(Math.abs((r.info.x_velocity as number) - 2) < 0.05, `x velocity ${r.info.x_velocity}`);
  assert.ok(Math.abs((r.info.x_position as number) - 0.1) < 0.005);
  env.close();
});

test("reset: Gymnasium's noise around qpos0, seeded, bit for bit", () => {
  const env = new AntEnv();
  const a = env.reset({ seed: 1 }).obs;
  assert.equal(Array.from(env.reset({ seed: 1 }).obs), Array.from(a));
  assert.not.equal(Array.from(env.reset({ seed: 2 }).obs), Array.from(a));
  for (let i = 0; i < 20; i++) {
    const o = env.reset().obs;
    assert.ok(o[0]! >= 0.65 && o[0]! <= 0.85, `height ${o[0]}`);
    for (let j = 5; j < 13; j++) assert.ok(Math.abs(o[j]!) <= 0.1 + 1e-6, `joint ${j - 5} at ${o[j]}`);
  }
  const run = () => {
    const out = [...env.reset({ seed: 7 }).obs];
    for (let t = 0; t < 10; t++) out.push(...env.step(Float32Array.from({ length: 8 }, (_, i) => Math.sin(t + i))).obs);
    return out;
  };
  assert.equal(run(), run());
  env.close();
});

test('a blow-up (a body beyond 1 km, a NaN in the state) truncates with info.error and the last good observation', () => {
  const env = new AntEnv();
  env.reset({ seed: 0 });
  env.setMujocoState([0, 0, 2000, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array(14).fill(0));
  const r = env.step(new Float32Array(8));
  assert.ok(r.truncated && !r.terminated);
  assert.is(r.info.error, PHYSICS_ERROR);
  assert.ok(r.obs.every(Number.isFinite));
  assert.is(env.step(new Float32Array(8)).info.error, PHYSICS_ERROR);
  env.reset({ seed: 0 });
  const qvel = new Array(14).fill(0);
  qvel[8] = Number.NaN;
  env.setMujocoState([0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], qvel);
  assert.is(env.step(new Float32Array(8)).info.error, PHYSICS_ERROR);
  env.reset({ seed: 0 });
  assert.is(env.step(new Float32Array(8).fill(Number.NaN)).info.error, PHYSICS_ERROR);
  env.reset({ seed: 0 });
  assert.is(env.step(new Float32Array(8)).info.error, undefined);
  env.close();
});

test('registered with a 1000-step limit; checkEnv passes; frame lists the floor and 13 shapes', () => {
  assert.is(spec('Ant-v1').maxEpisodeSteps, 1000);
  checkEnv(make('Ant-v1'));
  const env = new AntEnv();
  env.reset({ seed: 0 });
  const f = env.frame();
  assert.is(f.scene.bodies.length, 14);
  const o = env.getObservation();
  assert.ok(Math.abs(f.transforms[7 + 1]! - o[0]!) < 1e-6, 'torso sphere at the torso height');
  assert.ok(env.frame().scene === f.scene);
  env.close();
  env.close();
});

test.run();
