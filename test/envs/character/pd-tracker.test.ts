import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quatFromExpMap, quatMultiply } from '../../../src/core/math.ts';
import { loadCharacter, loadCharacterClip } from '../../../src/envs/character/assets.ts';
import { quatAngleAt } from '../../../src/envs/character/character-state.ts';
import { PdTracker } from '../../../src/envs/character/pd-tracker.ts';
import { ReferenceMotion } from '../../../src/envs/character/reference.ts';
import { SimCharacter } from '../../../src/envs/character/sim-character.ts';
import { revoluteAngle } from '../../../src/motion/clip.ts';

const human = loadCharacter('humanoid3d');
const ref = new ReferenceMotion(loadCharacterClip('walk', human.skeleton));
const s = human.skeleton;

test('residual layout: 3 per spherical joint, 1 per revolute, in joint order (28 for humanoid3d)', () => {
  const sim = new SimCharacter(s, human.gains, { physicsHz: 120 });
  try {
    const t = new PdTracker(sim, ref);
    assert.is(t.residualSize, 28);
    assert.is(t.substeps, 4);
  } finally {
    sim.close();
  }
});

test('the PD target is the reference at mid-step turned by exp(residual)', () => {
  const sim = new SimCharacter(s, human.gains, { physicsHz: 120 });
  try {
    const t = new PdTracker(sim, ref);
    t.reset(0.2);
    const residual = new Float32Array(28);
    // Offsets: chest 0..2, neck 3..5, right hip 6..8, right knee 9.
    residual[0] = 0.1; residual[1] = -0.2; residual[2] = 0.05;
    residual[9] = 0.3;
    t.step(residual, 'free');
    const mid = ref.evaluate(0.2 + 1 / 60, ref.newState());
    const knee = s.jointIndex('right_knee');
    const kneeTarget = revoluteAngle(t.targetState.pose[5 + 4 * knee]!, t.targetState.pose[6 + 4 * knee]!);
    const kneeRef = revoluteAngle(mid.pose[5 + 4 * knee]!, mid.pose[6 + 4 * knee]!);
    assert.ok(Math.abs(kneeTarget - kneeRef - 0.3) < 1e-6, `${kneeTarget} ${kneeRef}`); // float32 residual
    const chest = s.jointIndex('chest');
    const expected = quatMultiply(new Float64Array(4), mid.pose.subarray(3 + 4 * chest, 7 + 4 * chest), quatFromExpMap(new Float64Array(4), [0.1, -0.2, 0.05]));
    assert.ok(quatAngleAt(expected, 0, t.targetState.pose, 3 + 4 * chest) < 1e-6);
    // Joints without a residual keep the reference.
    const neck = s.jointIndex('neck');
    assert.ok(quatAngleAt(mid.pose, 3 + 4 * neck, t.targetState.pose, 3 + 4 * neck) < 1e-12);
    assert.ok(Math.abs(t.timeSeconds - (0.2 + 1 / 30)) < 1e-12);
  } finally {
    sim.close();
  }
});

test('a physics rate that is not a multiple of the control rate is refused', () => {
  const sim = new SimCharacter(s, human.gains, { physicsHz: 100 });
  try {
    assert.throws(() => new PdTracker(sim, ref), /whole multiple of the control rate/);
  } finally {
    sim.close();
  }
});

test.run();
