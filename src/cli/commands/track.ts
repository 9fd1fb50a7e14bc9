/**
 * `gymnast motion track <clip>`: the tracking test of the simulated character
 * (`envs/character/tracking.ts`): joint angle errors with the root held, time standing with the
 * root free, and the virtual root force it takes to keep the character on the reference.
 * Registered under the `motion` command by `registerTrack(motion)` (called from motion.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { integerFlag, oneOf, positiveFlag } from '../args.ts';
import { defaultCharacterFor, loadCharacter, loadCharacterClip } from '../../envs/character/assets.ts';
import { DEFAULT_PGS_ITERATIONS, DEFAULT_SOLVER_ITERATIONS } from '../../envs/character/sim-character.ts';
import { type TrackingReport, trackingTest } from '../../envs/character/tracking.ts';

interface TrackOptions {
  seconds: string;
  character?: string;
  physicsHz: string;
  trials: string;
  seed: string;
  pdMode: string;
  solverIterations: string;
  pgsIterations: string;
  velocityTarget: boolean;
  json?: boolean;
}

/** A positive number flag with a default (an integer ≥ 1 with `integer`). */
const positive = (flag: string, v: string, integer = false): number => positiveFlag(flag, v, integer)!;

const deg = (rad: number) => (rad * 180) / Math.PI;

/** The report with degrees added next to radians, for `--json`. */
function withDegrees(r: TrackingReport) {
  return {
    ...r,
    rootHeld: {
      meanErrorRad: r.rootHeld.meanErrorRad,
      meanErrorDeg: deg(r.rootHeld.meanErrorRad),
      joints: r.rootHeld.joints.map((j) => ({ ...j, meanErrorDeg: deg(j.meanErrorRad), maxErrorDeg: deg(j.maxErrorRad) })),
    },
  };
}

function print(r: TrackingReport): void {
  console.log(`${r.clip} on ${r.character}: ${r.physicsHz} Hz physics (${r.solverIterations} solver iteration${r.solverIterations > 1 ? 's' : ''} × ${r.pgsIterations} PGS), ${r.controlHz} Hz control, ${r.pdMode} PD, ${r.seconds} s per run`);
  console.log('');
  console.log('Root held on the reference: joint angle error (mean, max)');
  for (const j of r.rootHeld.joints) console.log(`  ${j.joint.padEnd(16)} ${deg(j.meanErrorRad).toFixed(2).padStart(6)}°  ${deg(j.maxErrorRad).toFixed(1).padStart(6)}°`);
  console.log(`  ${'mean'.padEnd(16)} ${deg(r.rootHeld.meanErrorRad).toFixed(2).padStart(6)}°`);
  console.log('');
  const f = r.rootFree;
  console.log(`Root free, from the reference state at ${f.trials.length} random times: time standing`);
  for (const t of f.trials) {
    console.log(`  start ${t.startSeconds.toFixed(2)} s: ${t.fell ? `${t.secondsUp.toFixed(2)} s (${t.fallBody} touched the ground)` : `${t.secondsUp.toFixed(2)} s (did not fall)`}`);
  }
  console.log(`  mean ${f.meanSecondsUp.toFixed(2)} s, min ${f.minSecondsUp.toFixed(2)} s, ${f.fellCount}/${f.trials.length} fell`);
  console.log('');
  const v = r.virtualForce;
  console.log('Virtual root force keeping the free root on the reference');
  console.log(`  force  mean ${v.meanForceN.toFixed(0)} N (${(100 * v.meanForceOverWeight).toFixed(0)}% of body weight), max ${v.maxForceN.toFixed(0)} N`);
  console.log(`  torque mean ${v.meanTorqueNm.toFixed(0)} N·m, max ${v.maxTorqueNm.toFixed(0)} N·m${v.fell ? `; fell after ${v.secondsUp.toFixed(2)} s even so` : ''}`);
}

/** Adds `track` to the `motion` command. */
export function registerTrack(motion: Command): void {
  motion
    .command('track <clip>')
    .description('tracking test: drive the simulated character with the clip as PD target; joint errors with the root held, time standing with it free, virtual root force')
    .option('--seconds <s>', 'seconds per run', '10')
    .option('--character <name>', 'humanoid3d, biped3d or a character file (default: from the clip name)')
    .option('--physics-hz <hz>', 'physics steps per second, a multiple of 30', '600')
    .option('--trials <n>', 'random starts for the root-free run', '10')
    .option('--seed <n>', 'seed of the random starts', '0')
    .option('--solver-iterations <n>', 'Rapier solver iterations (TGS sub-steps) per physics step', String(DEFAULT_SOLVER_ITERATIONS))
    .option('--pgs-iterations <n>', "Rapier's internal PGS sweeps per solver iteration", String(DEFAULT_PGS_ITERATIONS))
    .option('--pd-mode <mode>', 'motors (Rapier joint motors), torques (stable PD by us) or explicit', 'motors')
    .option('--no-velocity-target', 'damp toward zero joint velocity as DeepMimic does (default: toward the reference velocity)')
    .option('--json', 'print the figures as one JSON document')
    .action((clipArg: string, opts: TrackOptions) => {
      const seconds = positive('--seconds', opts.seconds);
      const physicsHz = positive('--physics-hz', opts.physicsHz, true);
      if (physicsHz % 30 !== 0) throw new UsageError(`--physics-hz: ${physicsHz} is not a multiple of the 30 Hz control rate`);
      const trials = positive('--trials', opts.trials, true);
      const solverIterations = positive('--solver-iterations', opts.solverIterations, true);
      const pgsIterations = positive('--pgs-iterations', opts.pgsIterations, true);
      const seed = integerFlag('--seed', opts.seed, 0)!;
      const pdMode = oneOf('--pd-mode', opts.pdMode, ['motors', 'torques', 'explicit'] as const);
      const assets = loadCharacter(opts.character ?? defaultCharacterFor(clipArg));
      const clip = loadCharacterClip(clipArg, assets.skeleton);
      const report = trackingTest(assets, clip, {
        seconds,
        physicsHz,
        trials,
        seed,
        solverIterations,
        pgsIterations,
        pdMode,
        velocityTarget: opts.velocityTarget,
      });
      if (opts.json) console.log(JSON.stringify(withDegrees(report), null, 2));
      else print(report);
    });
}
