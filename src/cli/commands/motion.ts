/**
 * `gymnast motion info | fk | convert`: look into motion clips and convert them. Clips are paths
 * or short names of the bundled DeepMimic clips (`walk`, `run`, `long_walk1`, `biped3d_walk`).
 */
import type { Command } from 'commander';
import { FileFormatError, UsageError } from '../../core/errors.ts';
import { convertClip, loadClip, type LoadClipOptions } from '../../motion/load.ts';
import { Kinematics } from '../../motion/kinematics.ts';
import { MAX_FPS, type MotionClip } from '../../motion/clip.ts';
import { registerTrack } from './track.ts';
import { numberFlag } from '../args.ts';

interface ClipOptions {
  character?: string;
  scale?: string;
  json?: boolean;
}

function loadOptions(opts: ClipOptions): LoadClipOptions {
  return { character: opts.character, scale: numberFlag('--scale', opts.scale, { min: 0, exclusiveMin: true }) };
}

function summary(clip: MotionClip) {
  const s = clip.skeleton;
  return {
    name: clip.name,
    skeleton: s.name,
    joints: s.joints.map((j) => j.name),
    frames: clip.numFrames,
    fps: clip.fps,
    duration: clip.duration,
    loop: clip.loop,
    dof: s.dof(),
    mass_kg: s.hasBodies ? s.massKg : null,
  };
}

// To 1e-6 m; beyond 1e9 m there is nothing to round (and v × 1e6 could overflow).
const round = (v: number) => (Math.abs(v) < 1e9 ? Math.round(v * 1e6) / 1e6 : v);

export function register(program: Command): void {
  const motion = program.command('motion').description('motion clips: inspect, forward kinematics, convert between BVH and DeepMimic');
  const clipOptions = (c: Command) =>
    c
      .option('--character <file>', 'character of a DeepMimic motion file (path, or humanoid3d / biped3d); guessed when omitted')
      .option('--scale <s>', 'BVH: multiply lengths by this (0.056444 turns CMU units into metres)');

  clipOptions(
    motion
      .command('info <clip>')
      .description('joints, frames, frame rate, duration and loop mode of a clip (path or bundled name such as walk)')
      .option('--json', 'print JSON'),
  ).action((clipArg: string, opts: ClipOptions) => {
    const clip = loadClip(clipArg, loadOptions(opts));
    const s = summary(clip);
    if (opts.json) {
      console.log(JSON.stringify(s, null, 2));
      return;
    }
    console.log(`${s.name}: skeleton ${s.skeleton}, ${s.joints.length} joints, ${s.dof} DOF${s.mass_kg !== null ? `, ${round(s.mass_kg)} kg` : ''}`);
    console.log(`${s.frames} frames at ${s.fps.toFixed(3)} fps, ${s.duration.toFixed(3)} s, loop ${s.loop}`);
    console.log(`joints: ${s.joints.join(', ')}`);
  });

  clipOptions(
    motion
      .command('fk <clip>')
      .description('world joint positions (metres, y up) at one frame or time')
      .option('--frame <i>', 'frame index (0-based)')
      .option('--time <seconds>', 'time instead of a frame (interpolated; wrap clips repeat)')
      .option('--json', 'print JSON'),
  ).action((clipArg: string, opts: ClipOptions & { frame?: string; time?: string }) => {
    const clip = loadClip(clipArg, loadOptions(opts));
    const k = new Kinematics(clip);
    let frame: number | null = null;
    let time: number;
    if (opts.time !== undefined) {
      if (opts.frame !== undefined) throw new UsageError('give --frame or --time, not both');
      time = numberFlag('--time', opts.time)!;
      k.atTime(time);
    } else {
      frame = numberFlag('--frame', opts.frame ?? '0', { integer: true, min: 0, max: clip.numFrames - 1 })!;
      time = clip.frameTimes[frame]!;
      k.atFrame(frame);
    }
    // Lengths near the largest double (offsets, positions, --scale) overflow when added up the
    // chain; printing them would show Infinity, or null in JSON, as if it were a position.
    const bad = k.firstNonFinite();
    if (bad >= 0) {
      const at = frame !== null ? `frame ${frame}` : `time ${time} s`;
      throw new FileFormatError(clipArg, `${at}, joint '${clip.skeleton.joints[bad]!.name}'`, `world position (${k.jointPosition(bad).join(', ')}) is not finite: lengths too large${opts.scale !== undefined ? ` (--scale ${opts.scale})` : ''}`);
    }
    const joints: Record<string, [number, number, number]> = {};
    clip.skeleton.joints.forEach((j, i) => {
      joints[j.name] = k.jointPosition(i).map(round) as [number, number, number];
    });
    if (opts.json) {
      console.log(JSON.stringify({ clip: clip.name, frame, time, joints }, null, 2));
      return;
    }
    console.log(`${clip.name} ${frame !== null ? `frame ${frame} ` : ''}(t = ${time.toFixed(4)} s), world positions in metres:`);
    const w = Math.max(...Object.keys(joints).map((n) => n.length));
    for (const [n, p] of Object.entries(joints)) console.log(`  ${n.padEnd(w)}  ${p.map((v) => v.toFixed(4).padStart(8)).join(' ')}`);
  });

  clipOptions(
    motion
      .command('convert <in> <out>')
      .description('convert between BVH (.bvh) and DeepMimic (.txt/.json) by extension; --retarget maps a CMU BVH clip onto a DeepMimic character')
      .option('--retarget <character>', 'retarget onto this character first (humanoid3d)')
      .option('--fps <n>', 'resample to this frame rate'),
  ).action((input: string, output: string, opts: ClipOptions & { retarget?: string; fps?: string }) => {
    // Motion capture runs at up to a few hundred frames a second; beyond MAX_FPS a resample only allocates.
    const fps = numberFlag('--fps', opts.fps, { min: 0, exclusiveMin: true, max: MAX_FPS });
    const clip = convertClip(input, output, { ...loadOptions(opts), retarget: opts.retarget, fps });
    console.log(`wrote ${output}: ${clip.skeleton.name}, ${clip.numFrames} frames at ${clip.fps.toFixed(2)} fps, ${clip.duration.toFixed(3)} s`);
  });

  // `motion track`: the simulated character's tracking test (envs/character, commands/track.ts).
  registerTrack(motion);
}
