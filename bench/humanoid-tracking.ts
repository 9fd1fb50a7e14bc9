/**
 * `npm run bench -- humanoid-tracking [--seconds 4] [--clip walk]`
 *
 * How well each way of building and driving the Rapier humanoid tracks a clip with the root
 * held on the reference (the tracking test's part (a)), and what a physics step costs:
 *
 * - joints: Rapier impulse joints, or multibody joints (reduced coordinates);
 * - PD: Rapier's joint motors (implicit, force-based), our stable-PD torques (per-joint inertia
 *   approximation), or explicit PD torques;
 * - physics rate 120, 600, 1200 Hz; Rapier solver iterations (TGS sub-steps) × internal PGS
 *   sweeps: 1 × 1, 1 × 2 (our default), 2 × 1, 4 × 1 (Rapier's default);
 * - damping toward the reference joint velocity (ours) or toward zero (DeepMimic's PD).
 *
 * Prints the mean joint angle error over the 12 actuated joints and the worst joint's mean,
 * counted after the first second (a multibody character cannot be put in the reference state
 * through rapier.js — its joint coordinates are not exposed — so it starts from the rest pose and
 * needs that second to catch up), and CPU microseconds per physics step. The errors are
 * deterministic; the times depend on the machine.
 */
import { loadCharacter, loadCharacterClip } from '../src/envs/character/assets.ts';
import { CharacterState, quatAngleAt } from '../src/envs/character/character-state.ts';
import { PdTracker } from '../src/envs/character/pd-tracker.ts';
import { ReferenceMotion } from '../src/envs/character/reference.ts';
import { type JointKind, type PdMode, SimCharacter } from '../src/envs/character/sim-character.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1]!;
}
const seconds = Number(arg('seconds', '4'));
const clipName = arg('clip', 'walk');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const assets = loadCharacter('humanoid3d');
const clip = loadCharacterClip(clipName, assets.skeleton);
const reference = new ReferenceMotion(clip);
const skeleton = assets.skeleton;

interface Variant {
  jointKind: JointKind;
  pdMode: PdMode;
  physicsHz: number;
  iterations: number;
  pgs: number;
  velocityTarget: boolean;
}

function run(v: Variant): { meanDeg: number; worstDeg: number; worstJoint: string; usPerStep: number } {
  const sim = new SimCharacter(skeleton, assets.gains, { physicsHz: v.physicsHz, jointKind: v.jointKind, pdMode: v.pdMode, solverIterations: v.iterations, pgsIterations: v.pgs });
  try {
    const tracker = new PdTracker(sim, reference, { velocityTarget: v.velocityTarget });
    sim.setRootKinematic(true);
    tracker.reset(0);
    const s = new CharacterState(skeleton), r = new CharacterState(skeleton);
    const n = skeleton.numJoints;
    const sum = new Float64Array(n);
    let count = 0, ms = 0;
    const steps = Math.round(seconds * tracker.controlHz);
    for (let k = 0; k < steps; k++) {
      const t0 = cpuMs();
      tracker.step(null, 'kinematic');
      ms += cpuMs() - t0;
      if (tracker.timeSeconds < 1) continue;
      sim.readState(s);
      reference.evaluate(tracker.timeSeconds, r);
      for (let j = 1; j < n; j++) sum[j] += quatAngleAt(s.pose, 3 + 4 * j, r.pose, 3 + 4 * j);
      count++;
    }
    let total = 0, worst = 0, worstJoint = '';
    let actuated = 0;
    for (let j = 1; j < n; j++) {
      if (skeleton.joints[j]!.type === 'fixed') continue;
      const m = sum[j]! / count;
      total += m;
      actuated++;
      if (m > worst) { worst = m; worstJoint = skeleton.joints[j]!.name; }
    }
    const deg = 180 / Math.PI;
    return { meanDeg: (total / actuated) * deg, worstDeg: worst * deg, worstJoint, usPerStep: (ms * 1000) / (steps * tracker.substeps) };
  } finally {
    sim.close();
  }
}

const base: Variant = { jointKind: 'impulse', pdMode: 'motors', physicsHz: 600, iterations: 1, pgs: 2, velocityTarget: true };
const variants: Variant[] = [];
for (const physicsHz of [120, 600, 1200]) {
  for (const [iterations, pgs] of [[1, 1], [1, 2], [2, 1], [4, 1]] as const) variants.push({ ...base, physicsHz, iterations, pgs });
}
variants.push({ ...base, velocityTarget: false });
for (const physicsHz of [120, 600, 1200]) variants.push({ ...base, pdMode: 'torques', physicsHz });
for (const physicsHz of [600, 1200]) variants.push({ ...base, pdMode: 'explicit', physicsHz });
for (const physicsHz of [600, 1200]) variants.push({ ...base, jointKind: 'multibody', pdMode: 'torques', physicsHz });

console.log(`${clipName}, root held, ${seconds} s (errors counted after the first second)`);
console.log('joints     PD        Hz   iter×PGS damping→    mean err   worst joint (mean)        µs/step (CPU)');
for (const v of variants) {
  const r = run(v);
  console.log(
    `${v.jointKind.padEnd(10)} ${v.pdMode.padEnd(9)} ${String(v.physicsHz).padStart(4)}  ${`${v.iterations}×${v.pgs}`.padStart(7)}  ${(v.velocityTarget ? 'ref vel' : 'zero').padEnd(9)} ${r.meanDeg.toFixed(2).padStart(7)}°   ${`${r.worstJoint} ${r.worstDeg.toFixed(1)}°`.padEnd(24)} ${r.usPerStep.toFixed(0).padStart(8)}`,
  );
}
