/**
 * `gymnast site --out DIR`: the static site (src/site/build.ts). The folder works from any static
 * file server: `npx http-server DIR`, `python3 -m http.server -d DIR`, GitHub Pages.
 */
import type { Command } from 'commander';
import { collect, requiredNumber } from '../args.ts';

interface SiteOptions {
  out: string;
  policy: string[];
  train: boolean;
  trainSteps: string;
  seed: string;
}

export function register(program: Command): void {
  program
    .command('site')
    .description('write a static site: the shipped policies performing and PPO learning CartPole, all in the browser (no server)')
    .requiredOption('--out <dir>', 'the folder to write (any static file server can serve it)')
    .option('--policy <run>', 'a run folder to show (repeatable; default: every policy gymnast ships)', collect, [])
    .option('--no-train', 'leave out PPO learning CartPole in the page')
    .option('--train-steps <n>', 'env steps PPO trains for in the page', '500000')
    .option('--seed <s>', "seed of the page's PPO run", '1')
    .action(async (opts: SiteOptions) => {
      const trainSteps = requiredNumber('--train-steps', opts.trainSteps, { integer: true, min: 1, max: 1e9 });
      const trainSeed = requiredNumber('--seed', opts.seed, { integer: true, min: 0, max: 2 ** 31 - 1 });
      const { writeSite } = await import('../../site/build.ts');
      const site = await writeSite({ outDir: opts.out, policies: opts.policy.length > 0 ? opts.policy : undefined, train: opts.train, trainSteps, trainSeed });
      console.log(`gymnast site: ${site.files} files, ${(site.bytes / 1e6).toFixed(1)} MB in ${site.outDir}`);
      for (const job of site.jobs) console.log(`  ${job.kind === 'policy' ? 'policy' : 'training'}: ${job.title}`);
      console.log(`serve it with any static file server, e.g.: python3 -m http.server -d ${opts.out} 8000  (then open http://127.0.0.1:8000/)`);
    });
}
