import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../../src/envs/imitation/index.ts';
import { CharacterState } from '../../../src/envs/character/character-state.ts';
import { lowestBodyPoint } from '../../../src/envs/character/reference.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { PHYSICS_ERROR } from '../../../src/envs/env.ts';
import { ImitationEnv } from '../../../src/envs/imitation/imitation-env.ts';
import { resolveClipPath } from '../../../src/motion/data-path.ts';
import { loadClip } from '../../../src/motion/load.ts';
import { make, registeredIds } from '../../../src/envs/registry.ts';
import { SyncVectorEnv } from '../../../src/envs/vector/sync-vector-env.ts';
import { atRest, axisAngle, transformState } from './helpers.ts';

const biped = (o: Record<string, unknown> = {}) => new ImitationEnv('BipedImitate-v0', 'biped3d', o);
const humanoid = (o: Record<string, unknown> = {}) => new ImitationEnv('HumanoidImitate-v0', 'humanoid3d', o);

/** The action whose PD target is the reference pose now (the "follow the clip" action). */
function referenceAction(env: ImitationEnv): Float32Array {
  return env.actionMap.actionOf(env.refState.pose, new Float32Array(env.actionMap.size));
}

/** Puts the character in `state` and reads it back into env.simState. */
function place(env: ImitationEnv, state: CharacterState): void {
  env.sim.setState(state);
  env.sim.readState(env.simState);
}

test('registered; checkEnv passes (spaces, seeding bit for bit, frame, close)', () => {
  for (const id of ['HumanoidImitate-v0', 'BipedImitate-v0']) {
    assert.ok(registeredIds().includes(id), id);
    checkEnv(make(id, { disableOrderEnforcing: true }), { steps: 20 });
  }
});

test('spaces: PD targets per actuated DOF in [-1, 1]; observation is DeepMimic\'s (+ reference frames)', () => {
  const h = humanoid(), b = biped({ refFrames: 2 });
  try {
    // 8 spherical × 3 + 4 revolute = 28 (docs/deepmimic.md); biped: 5 spherical × 3 + 2 knees.
    assert.equal(h.actionSpace.shape, [28]);
    assert.equal(h.observationSpace.shape, [197]);
    assert.equal(b.actionSpace.shape, [17]);
    assert.equal(b.observationSpace.shape, [2 + 13 * 8 + 2 * (1 + 7 * 8)]);
    assert.ok(h.actionSpace.low.every((v) => v === -1) && h.actionSpace.high.every((v) => v === 1));
  } finally {
    h.close();
    b.close();
  }
});

test('reward is 1 with the character exactly on the reference and falls as it moves away (released and paper)', () => {
  for (const reward of ['released', 'paper'] as const) {
    const env = humanoid({ reward });
    try {
      env.reset({ seed: 5 });
      const r0 = env.reward.compute(env.simState, env.refState);
      assert.ok(r0 > 0.995, `${reward}: reward on the reference ${r0}`);
      const ref = new CharacterState(env.skeleton);
      ref.copyFrom(env.refState);
      // Move the whole character sideways, then turn it about its root: both lower the reward, more the further.
      let last = r0;
      for (const d of [0.05, 0.15, 0.4]) {
        place(env, transformState(ref, [0, 0, 0, 1], [0, 0, d]));
        const r = env.reward.compute(env.simState, env.refState);
        assert.ok(r < last - 1e-4, `${reward}: shift ${d} m gives ${r}, not below ${last}`);
        last = r;
      }
      last = r0;
      const root = [ref.pose[0]!, ref.pose[1]!, ref.pose[2]!];
      for (const angle of [0.1, 0.4, 1.0]) {
        const turned = transformState(transformState(ref, [0, 0, 0, 1], root.map((v) => -v)), axisAngle([0, 1, 0], angle), root);
        place(env, turned);
        const r = env.reward.compute(env.simState, env.refState);
        assert.ok(r < last - 1e-4, `${reward}: turn ${angle} rad gives ${r}, not below ${last}`);
        last = r;
      }
    } finally {
      env.close();
    }
  }
});

/** The reference state at the env's time laid on its side on the ground, at rest. */
function lyingDown(env: ImitationEnv): CharacterState {
  const ref = atRest(env.refState);
  // Roll 90° onto the right side (about the forward axis, x), then lower it onto the ground: the
  // torso, widest, touches first.
  const root = [ref.pose[0]!, ref.pose[1]!, ref.pose[2]!];
  const lying = transformState(transformState(ref, [0, 0, 0, 1], root.map((v) => -v)), axisAngle([1, 0, 0], Math.PI / 2), [root[0]!, 0, root[2]!]);
  return transformState(lying, [0, 0, 0, 1], [0, -lowestBodyPoint(lying), 0]);
}

test('early termination fires on a non-foot contact: terminated, reward 0, the body named', () => {
  const env = biped();
  try {
    env.reset({ seed: 2 });
    place(env, lyingDown(env));
    const s = env.step(referenceAction(env));
    assert.ok(s.terminated, 'lying on the ground ends the episode');
    assert.is(s.reward, 0);
    assert.type(s.info.fallBody, 'string');
    assert.not.match(s.info.fallBody as string, /ankle/);
    assert.is((s.info.episodeMetrics as Record<string, number>).fall, 1);
  } finally {
    env.close();
  }
});

test('early termination does not fire on foot contacts', () => {
  for (const env of [biped({ rsi: false }), humanoid({ rsi: false })]) {
    try {
      env.reset({ seed: 0 });
      const feet = env.skeleton.joints.flatMap((j, i) => (/ankle/.test(j.name) ? [i] : []));
      let footContacts = 0;
      for (let t = 0; t < 6; t++) {
        const s = env.step(referenceAction(env));
        assert.not.ok(s.terminated, `${env.id} step ${t}: ${String(s.info.fallBody)}`);
        assert.ok(s.reward > 0.5, `${env.id} step ${t}: reward ${s.reward}`);
        footContacts += feet.filter((f) => env.sim.touchesGround(f)).length;
      }
      assert.ok(footContacts > 0, `${env.id}: the feet touched the ground`);
    } finally {
      env.close();
    }
  }
});

test('a fall zeroes the reward for the rest of the episode when early termination is off', () => {
  const env = biped({ earlyTermination: false });
  try {
    env.reset({ seed: 2 });
    place(env, lyingDown(env));
    for (let t = 0; t < 5; t++) {
      const s = env.step(referenceAction(env));
      assert.not.ok(s.terminated);
      assert.is(s.reward, 0);
      assert.equal(s.info.rewardTerms, { pose: 0, velocity: 0, endEffector: 0, root: 0, com: 0 });
    }
    assert.ok(env.hasFallen);
  } finally {
    env.close();
  }
});

test('RSI starts at the reference state of a random time; rsi: false at time 0', () => {
  const env = humanoid();
  const fixed = humanoid({ rsi: false });
  try {
    const times = new Set<number>();
    for (let seed = 0; seed < 5; seed++) {
      const { info } = env.reset({ seed });
      const t = info.timeSeconds as number;
      assert.ok(t >= 0 && t < env.reference.durationSeconds, `start ${t}`);
      times.add(t);
      // The character is on the reference: positions to float precision, reward 1.
      for (let k = 0; k < env.simState.bodyPos.length; k++) assert.ok(Math.abs(env.simState.bodyPos[k]! - env.refState.bodyPos[k]!) < 1e-5);
      for (let k = 0; k < env.simState.bodyLinVel.length; k++) assert.ok(Math.abs(env.simState.bodyLinVel[k]! - env.refState.bodyLinVel[k]!) < 1e-4);
      assert.ok(env.reward.compute(env.simState, env.refState) > 0.995);
    }
    assert.is(times.size, 5, 'different seeds, different phases');
    for (let seed = 0; seed < 3; seed++) assert.is(fixed.reset({ seed }).info.timeSeconds, 0);
    const early = humanoid({ rsiLatestSeconds: 0.1 });
    for (let seed = 0; seed < 5; seed++) assert.ok((early.reset({ seed }).info.timeSeconds as number) <= 0.1);
    early.close();
  } finally {
    env.close();
    fixed.close();
  }
});

test('syncRootPos: at each new cycle the reference root moves over the character on the ground; off: the clip\'s own path', () => {
  // DeepMimic's SceneImitate::SyncKinCharNewCycle with sync_char_root_pos true (its walk arguments).
  for (const syncRootPos of [true, false]) {
    const env = biped({ rsi: false, earlyTermination: false, syncRootPos });
    try {
      env.reset({ seed: 0 });
      const d = env.reference.durationSeconds;
      const clipRef = new CharacterState(env.skeleton);
      const zero = new Float32Array(env.actionMap.size);
      let synced = 0;
      let shiftX = 0, shiftZ = 0;
      for (let k = 0; k < Math.ceil(2.5 * d * 30); k++) {
        const before = env.reference.cycle(env.clipTimeSeconds);
        env.step(zero); // the character slumps and drifts from the clip
        env.reference.evaluate(env.clipTimeSeconds, clipRef);
        const ref = env.refState.pose, sim = env.simState.pose;
        assert.ok(Math.abs(ref[1]! - clipRef.pose[1]!) < 1e-12, 'the height stays the clip\'s');
        if (syncRootPos && env.reference.cycle(env.clipTimeSeconds) > before) {
          assert.ok(Math.abs(ref[0]! - sim[0]!) < 1e-9 && Math.abs(ref[2]! - sim[2]!) < 1e-9, `cycle ${synced + 1}: reference root over the character`);
          shiftX = ref[0]! - clipRef.pose[0]!;
          shiftZ = ref[2]! - clipRef.pose[2]!;
          assert.ok(Math.hypot(shiftX, shiftZ) > 0.01, 'the character had drifted');
          synced++;
        }
        // Between cycles the whole reference (root and bodies) keeps the same shift.
        assert.ok(Math.abs(ref[0]! - clipRef.pose[0]! - shiftX) < 1e-9 && Math.abs(ref[2]! - clipRef.pose[2]! - shiftZ) < 1e-9);
        assert.ok(Math.abs(env.refState.bodyPos[3]! - clipRef.bodyPos[3]! - shiftX) < 1e-9);
      }
      assert.is(synced, syncRootPos ? 2 : 0);
    } finally {
      env.close();
    }
  }
});

test('steadyRoot: on by default for the biped (its walk jumps its root at each foot strike), off for the humanoid', () => {
  const rootSpeedAt = (env: ImitationEnv, t: number) => env.reference.evaluate(t, env.reference.newState()).jointVel[0]!;
  const b = biped(), raw = biped({ steadyRoot: false }), h = humanoid(), hs = humanoid({ steadyRoot: true });
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-steady-'));
  try {
    // Across the foot strike at 0.4–0.5 s the file's root runs at 2.44 m/s (0.244 m in 0.1 s).
    assert.ok(Math.abs(rootSpeedAt(raw, 0.4) - 2.44) < 0.01);
    for (const t of [0.05, 0.4, 0.45, 0.93]) assert.ok(Math.abs(rootSpeedAt(b, t) - 1.5353) < 1e-3, `biped at ${t} s`);
    assert.equal(Array.from(h.reference.clip.frames), Array.from(loadClip('walk', { character: 'humanoid3d' }).frames), 'humanoid: the file\'s root');
    assert.not.equal(Array.from(hs.reference.clip.frames), Array.from(h.reference.clip.frames));
    // A biped clip that does not loop keeps its root by default; asking for a steady pace names the clip.
    const once = join(dir, 'biped_once.txt');
    const file = JSON.parse(readFileSync(resolveClipPath('biped3d_walk'), 'utf8')) as { Loop: unknown };
    writeFileSync(once, JSON.stringify({ ...file, Loop: 'none' }));
    const plain = biped({ clip: once });
    assert.is(plain.reference.clip.loop, 'none');
    assert.equal(Array.from(plain.reference.clip.frames), Array.from(loadClip(once, { character: 'biped3d_mocap' }).frames));
    plain.close();
    assert.throws(() => biped({ clip: once, steadyRoot: true }), /biped_once.*looping clip/);
  } finally {
    for (const e of [b, raw, h, hs]) e.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('episodes: 20 s (600 steps) unless the trainer sets a sample count; the curriculum grows them', () => {
  const env = biped({ curriculumSamples: 1000, curriculumStartSeconds: 0.5 });
  try {
    assert.is(env.reset({ seed: 1 }).info.episodeSeconds, 20);
    env.setSampleCount(0);
    assert.is(env.reset().info.episodeSeconds, 0.5);
    env.setSampleCount(500);
    // Half way: 0.5 + 19.5 / 2 = 10.25 s, a whole number of 30 Hz steps (308).
    assert.is(env.reset().info.episodeSeconds, 308 / 30);
    env.setSampleCount(5000);
    assert.is(env.reset().info.episodeSeconds, 20);
  } finally {
    env.close();
  }
  // A short episode ends by truncation after its steps, with the episode's metrics.
  const short = biped({ earlyTermination: false, curriculumSamples: 1e9, curriculumStartSeconds: 0.1 });
  try {
    short.setSampleCount(0);
    short.reset({ seed: 3 });
    const s1 = short.step(referenceAction(short));
    assert.not.ok(s1.truncated || s1.terminated);
    const s2 = short.step(referenceAction(short));
    const s3 = short.step(referenceAction(short));
    assert.not.ok(s2.truncated);
    assert.ok(s3.truncated, '0.1 s = 3 steps');
    const m = s3.info.episodeMetrics as Record<string, number>;
    assert.ok(m.normalized_return! > 0.5 && m.normalized_return! <= 1, `normalized return ${m.normalized_return}`);
    assert.is(m.fall, 0);
    assert.ok(m.pose_error_deg! >= 0 && m.pose_error_deg! < 20);
    assert.ok(m.end_effector_error_cm! >= 0 && m.end_effector_error_cm! < 20);
    assert.ok(Math.abs(m.normalized_return! - (s1.reward + s2.reward + s3.reward) / 3) < 1e-12);
  } finally {
    short.close();
  }
});

test('a vector env hands the sample count to its sub-envs under the wrappers', () => {
  const vec = new SyncVectorEnv({ id: 'BipedImitate-v0', numEnvs: 2, options: { curriculumSamples: 100 } });
  try {
    vec.setSampleCount(0);
    const { infos } = vec.reset({ seed: 0 });
    assert.is(infos[0]!.episodeSeconds, 0.5);
    assert.is(infos[1]!.episodeSeconds, 0.5);
  } finally {
    vec.close();
  }
});

test('a push on the pelvis moves the character; frame() has the character and its ghost', () => {
  const a = humanoid({ rsi: false }), b = humanoid({ rsi: false });
  try {
    a.reset({ seed: 0 });
    b.reset({ seed: 0 });
    b.applyPush(0, 0, 400, 0.1);
    for (let t = 0; t < 3; t++) {
      a.step(referenceAction(a));
      b.step(referenceAction(b));
    }
    const dz = b.simState.pose[2]! - a.simState.pose[2]!;
    // 400 N on 45 kg for 0.1 s: about 0.9 m/s sideways, some 5 cm after 0.1 s.
    assert.ok(dz > 0.02, `pushed sideways by ${dz} m`);
    const f = a.frame();
    assert.is(f.scene.bodies.length, 30);
    assert.is(f.scene.bodies[15]!.name, 'ghost/root');
    assert.is(f.transforms.length, 30 * 7);
  } finally {
    a.close();
    b.close();
  }
});

test('residual actions: zero follows the reference', () => {
  const env = biped({ actions: 'residual', rsi: false });
  try {
    env.reset({ seed: 0 });
    const s = env.step(new Float32Array(env.actionMap.size));
    assert.ok(s.reward > 0.7, `reward ${s.reward}`);
  } finally {
    env.close();
  }
});

test('blow-ups end the episode, unwrapped too: a NaN action (it froze the character at reward 0.4-0.9) or a non-finite state', () => {
  for (const env of [humanoid(), biped()]) {
    try {
      env.reset({ seed: 4 });
      const bad = referenceAction(env);
      bad[3] = NaN;
      const r = env.step(bad);
      assert.equal([r.reward, r.terminated, r.truncated], [0, false, true], env.id);
      assert.is(r.info.error, PHYSICS_ERROR);
      assert.is(r.info.blowUp, 'action [3] = NaN');
      assert.ok(r.info.episodeMetrics, 'the episode\'s metrics on its last step');
      const after = env.step(referenceAction(env));
      assert.equal([after.reward, after.truncated, after.info.blowUp], [0, true, 'action [3] = NaN'], env.id);
      env.reset({ seed: 4 });
      const ok = env.step(referenceAction(env));
      assert.ok(!ok.truncated && ok.reward > 0.5, `${env.id}: reward after reset ${ok.reward}`);
      // A non-finite state read from the physics (simulated at the read: see the character room's test).
      const read = env.sim.readState.bind(env.sim);
      env.sim.readState = (out: CharacterState) => {
        read(out);
        out.bodyPos[2] = Infinity;
        return out;
      };
      const blown = env.step(referenceAction(env));
      assert.equal([blown.reward, blown.truncated, blown.info.blowUp], [0, true, 'body positions [2] = Infinity'], env.id);
    } finally {
      env.close();
    }
  }
});

test.run();
