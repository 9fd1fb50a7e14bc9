/** `gymnast record`: a video of a policy, an env or a clip (src/live/record.ts). */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { collect, envOptions, requiredNumber } from '../args.ts';

interface RecordFlags {
  run?: string;
  env?: string;
  clip?: string;
  option: string[];
  seconds: string;
  out: string;
  size: string;
  fps?: string;
  seed: string;
}

export function register(program: Command): void {
  program
    .command('record')
    .description('record a video (WebM or GIF) of a trained policy, an env or a motion clip, rendered headless in Chromium at a steady frame rate')
    .option('--run <dir>', "a run folder: its latest checkpoint's greedy policy, in the env it was trained in")
    .option('--env <id>', 'a registered env, with its hand-written controller where there is one, else random actions')
    .option('--clip <file>', 'a motion clip: a .bvh or DeepMimic file, or a bundled name like walk')
    .option('--option <key=value>', 'env option for --env (repeatable)', collect, [])
    .requiredOption('--seconds <s>', 'seconds of simulated time')
    .requiredOption('--out <file>', 'the video: FILE.webm (VP9) or FILE.gif')
    .option('--size <WxH>', 'frame size in pixels', '640x360')
    .option('--fps <n>', 'frames per second of simulated time (default 30 for WebM, 20 for GIF)')
    .option('--seed <s>', 'seed of the episode', '0')
    .action(async (opts: RecordFlags) => {
      const size = /^(\d+)x(\d+)$/.exec(opts.size);
      if (!size) throw new UsageError(`--size must be WxH, like 640x360, got '${opts.size}'`);
      const seconds = requiredNumber('--seconds', opts.seconds, { min: 0.05, max: 600 });
      const fps = opts.fps === undefined ? undefined : requiredNumber('--fps', opts.fps, { integer: true, min: 1, max: 60 });
      const seed = requiredNumber('--seed', opts.seed, { integer: true, min: 0, max: 2 ** 31 - 1 });
      const { recordVideo } = await import('../../live/record.ts');
      const r = await recordVideo({ run: opts.run, env: opts.env, clip: opts.clip, envOptions: envOptions(opts.option), seconds, out: opts.out, width: Number(size[1]), height: Number(size[2]), fps, seed });
      console.log(`gymnast record: ${r.out}: ${r.frames} frames, ${r.simulatedSeconds} s of simulated time, ${(r.bytes / 1024).toFixed(0)} KiB (${r.format})`);
    });
}
