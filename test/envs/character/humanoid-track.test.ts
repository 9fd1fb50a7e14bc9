import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError, UnknownIdError, ValidationError } from '../../../src/core/errors.ts';
import '../../../src/envs/character/index.ts';
import { CharacterState } from '../../../src/envs/character/character-state.ts';
import { blowUpCause, HumanoidTrackEnv, nonFiniteAction } from '../../../src/envs/character/humanoid-track.ts';
import { PHYSICS_ERROR } from '../../../src/envs/env.ts';
import { checkEnv } from '../../../src/envs/checker.ts';
import { make, registeredIds } from '../../../src/envs/registry.ts';

test('registered, and checkEnv passes (spaces, seeding bit for bit, frame, close)', () => {
  assert.ok(registeredIds().includes('HumanoidTrack-v0'));
  const env = make('HumanoidTrack-v0', { disableOrderEnforcing: true, options: { physicsHz: 120 } });
  const report = checkEnv(env, { steps: 15 });
  assert.is(report.id, 'HumanoidTrack-v0');
});

test('spaces: 28 residual numbers in [-1, 1], 197 observations; frame has the character and its ghost', () => {
  const env = new HumanoidTrackEnv({ physicsHz: 120 });
  try {
    assert.equal(env.actionSpace.shape, [28]);
    assert.equal(env.observationSpace.shape, [197]);
    env.reset({ seed: 3 });
    const f = env.frame();
    assert.is(f.scene.bodies.length, 30);
    assert.is(f.scene.bodies[0]!.name, 'root');
    assert.is(f.scene.bodies[15]!.name, 'ghost/root');
    assert.is(f.transforms.length, 30 * 7);
    // At reset the character is exactly on its reference.
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(f.transforms[k]! - f.transforms[15 * 7 + k]!) < 1e-5);
  } finally {
    env.close();
  }
});

test('zero action plays the clip under PD tracking with high reward at first; residualScaleRad 0 ignores the action', () => {
  const a = new HumanoidTrackEnv({ physicsHz: 120, residualScaleRad: 0 });
  const b = new HumanoidTrackEnv({ physicsHz: 120, residualScaleRad: 0 });
  try {
    a.reset({ seed: 1 });
    b.reset({ seed: 1 });
    const zero = new Float32Array(28);
    const ones = new Float32Array(28).fill(1);
    const r = a.step(zero), s = b.step(ones);
    assert.ok(r.reward > 0.8, `first-step reward ${r.reward}`);
    assert.equal(Array.from(r.obs), Array.from(s.obs));
  } finally {
    a.close();
    b.close();
  }
});

test('the biped character and its walk', () => {
  const env = new HumanoidTrackEnv({ clip: 'biped3d_walk', physicsHz: 120 });
  try {
    assert.equal(env.actionSpace.shape, [17]); // torso, hips, ankles spherical (3 each), knees revolute
    assert.equal(env.observationSpace.shape, [2 + 13 * 8]);
    env.reset({ seed: 0 });
    assert.ok(env.step(new Float32Array(17)).reward > 0.5);
  } finally {
    env.close();
  }
});

test('bad options fail clearly: unknown clip, clip of another skeleton, physics rate off the control grid', () => {
  assert.throws(() => make('HumanoidTrack-v0', { options: { clip: 'moonwalk' } }), (e: Error) => e instanceof UnknownIdError && /moonwalk/.test(e.message));
  assert.throws(() => make('HumanoidTrack-v0', { options: { clip: 'biped3d_walk', character: 'humanoid3d' } }), (e: Error) => e instanceof FileFormatError && /another skeleton/.test(e.message));
  assert.throws(() => make('HumanoidTrack-v0', { options: { physicsHz: 100 } }), (e: Error) => /multiple of the 30 Hz/.test(e.message));
  assert.throws(() => make('HumanoidTrack-v0', { options: { pdMode: 'magic' } }), (e: Error) => e instanceof ValidationError && /pdMode/.test(e.message));
});

test('blowUpCause names the first non-finite number of the state or observation, or a runaway root; null when physical', () => {
  const env = new HumanoidTrackEnv({ physicsHz: 120 });
  try {
    env.reset({ seed: 2 });
    const obs = env.step(new Float32Array(28)).obs;
    const state = new CharacterState(env.skeleton);
    state.copyFrom(env.simState);
    assert.is(blowUpCause(state, obs), null);
    state.bodyAngVel[4] = Infinity;
    assert.is(blowUpCause(state, obs), 'body angular velocities [4] = Infinity');
    state.pose[1] = 2e4; // the root first: 2 × the 1e4 m bound
    assert.is(blowUpCause(state, obs), 'root position [1] = 20000 (beyond 10000 m)');
    state.copyFrom(env.simState);
    obs[196] = NaN;
    assert.is(blowUpCause(state, obs), 'observation [196] = NaN');
    assert.is(nonFiniteAction(new Float32Array([0, 1, -Infinity])), 'action [2] = -Infinity');
    assert.is(nonFiniteAction(new Float32Array([0, 1, -1])), null);
  } finally {
    env.close();
  }
});

test('blow-ups end the episode, unwrapped too: a NaN action, or a non-finite state after the physics step', () => {
  const env = new HumanoidTrackEnv({ physicsHz: 120 });
  try {
    env.reset({ seed: 1 });
    const bad = new Float32Array(28);
    bad[5] = NaN;
    const r = env.step(bad);
    assert.equal([r.reward, r.terminated, r.truncated], [0, false, true]);
    assert.equal(r.info, { error: PHYSICS_ERROR, blowUp: 'action [5] = NaN' });
    // Every step until reset says the same (a caller that ignores truncated learns nothing from it).
    assert.equal(env.step(new Float32Array(28)).info, { error: PHYSICS_ERROR, blowUp: 'action [5] = NaN' });
    // After reset the episode runs again.
    env.reset({ seed: 1 });
    const ok = env.step(new Float32Array(28));
    assert.ok(!ok.truncated && ok.reward > 0.8, `reward ${ok.reward}`);
    // The physics gives a non-finite velocity (simulated here: Rapier's own blow-ups are rare and
    // not reproducible on demand); the step that reads it ends the episode and names it.
    const read = env.sim.readState.bind(env.sim);
    env.sim.readState = (out: CharacterState) => {
      read(out);
      out.jointVel[7] = NaN;
      return out;
    };
    const blown = env.step(new Float32Array(28));
    assert.equal([blown.reward, blown.truncated], [0, true]);
    assert.equal(blown.info, { error: PHYSICS_ERROR, blowUp: 'joint velocities [7] = NaN' });
  } finally {
    env.close();
  }
});

test.run();
