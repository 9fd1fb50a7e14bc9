/**
 * Motion-prior benchmarks.
 *
 *   npm run bench -- generative [speed] [--repeats 5]
 *       Generation speed with the benchmark configurations (bench/generative/*.yaml; weights
 *       untrained, which does not change the cost): seconds to generate 4 s of motion, median over
 *       repeats, per family; for diffusion 20 DDIM steps against the baseline of ancestral DDPM
 *       over all 1000 steps, run in the same process, with the ratio. Target: diffusion with 20
 *       DDIM steps under 1 s for 4 s of motion.
 *
 *   npm run bench -- generative train [--minutes 14] [--families vae,flow,diffusion,mvae] [--out runs/bench-priors]
 *       The full benchmark: trains one prior per family on the full dataset with the benchmark
 *       configuration for at most `minutes` each (`gymnast train-prior … --max-seconds`), then
 *       prints the metric table of all of them side by side with the real-vs-real floor and the
 *       two baselines (`gymnast motion-metrics`). About an hour on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/nn/backend.ts';
import { generateMotion } from '../src/generative/generate.ts';
import { loadPrior } from '../src/generative/run.ts';
import { trainPrior } from '../src/train/prior-run.ts';
import { loadMotionDataset } from '../src/generative/dataset.ts';

const args = process.argv.slice(2);
const mode = args[0] && !args[0].startsWith('--') ? args[0] : 'speed';
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

if (mode === 'speed') {
  const repeats = Number(flag('repeats', '5'));
  await initBackend('auto');
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-bench-priors-'));
  // Weights do not change the cost: one training step builds each model with its benchmark size.
  const dataset = loadMotionDataset();
  const rows: string[] = [];
  const time = (f: () => void) => {
    const t: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      f();
      t.push((performance.now() - t0) / 1000);
    }
    return median(t);
  };
  try {
    for (const family of ['diffusion', 'vae', 'flow', 'mvae']) {
      const out = join(dir, family);
      await trainPrior({ family, steps: 1, configFile: join(here, 'generative', `${family}.yaml`), out, evalWindows: 0, dataset });
      const prior = await loadPrior(out);
      if (family === 'diffusion') {
        const ddim = time(() => generateMotion(prior, { label: 'walk', seconds: 4, steps: 20 }));
        const ddpm = time(() => generateMotion(prior, { label: 'walk', seconds: 4, sampler: 'ddpm' }));
        rows.push(`diffusion, 20 DDIM steps:       ${ddim.toFixed(3)} s for 4 s of motion (median of ${repeats})  ${ddim < 1 ? 'under' : 'OVER'} the 1 s target`);
        rows.push(`diffusion, DDPM 1000 steps:     ${ddpm.toFixed(3)} s (baseline, same process)`);
        rows.push(`ratio DDPM / DDIM-20:           ${(ddpm / ddim).toFixed(1)}×`);
      } else {
        const s = time(() => generateMotion(prior, { label: 'walk', seconds: 4 }));
        rows.push(`${family.padEnd(10)}                      ${s.toFixed(3)} s for 4 s of motion (median of ${repeats})`);
      }
      prior.model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(rows.join('\n'));
} else if (mode === 'train') {
  const minutes = Number(flag('minutes', '14'));
  const families = flag('families', 'vae,flow,diffusion,mvae').split(',');
  const out = flag('out', join(root, 'runs', 'bench-priors'));
  const gymnast = (...a: string[]) => execFileSync(process.execPath, [join(root, 'bin', 'gymnast.js'), ...a], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root }).toString();
  for (const family of families) {
    console.error(`training ${family} for at most ${minutes} min`);
    // The motion VAE's scheduled sampling is laid out over its step count: give it a real one.
    const steps = family === 'mvae' ? '1000' : '100000';
    gymnast('train-prior', '--family', family, '--config', join(here, 'generative', `${family}.yaml`), '--steps', steps, '--max-seconds', String(minutes * 60), '--checkpoint-every', '500', '--log-every', '100', '--eval-windows', '64', '--out', join(out, family));
  }
  console.log(gymnast('motion-metrics', ...families.flatMap((f) => ['--model', join(out, f)]), '--samples', '256', '--rollouts', '8', '--rollout-seconds', '60', '--track', '3'));
} else {
  console.error(`unknown mode '${mode}': speed or train`);
  process.exitCode = 2;
}
