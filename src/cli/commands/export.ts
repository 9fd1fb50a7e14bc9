/** `gymnast export RUN --format tfjs-layers --out DIR`: a run's greedy policy as a standard model (src/train/export.ts). */
import type { Command } from 'commander';
import { oneOf } from '../args.ts';

export function register(program: Command): void {
  program
    .command('export <run>')
    .description("write a run's greedy policy as a standard TensorFlow.js LayersModel (model.json, weights.bin) with policy.json beside it")
    .requiredOption('--out <dir>', 'the folder to write')
    .option('--format <format>', 'tfjs-layers (tf.loadLayersModel loads it, in a page or in Node)', 'tfjs-layers')
    .option('--best', "export the run's best checkpoint (kept with --eval-episodes) instead of its last")
    .action(async (run: string, opts: { out: string; format: string; best?: boolean }) => {
      const { exportPolicy, EXPORT_FORMATS } = await import('../../train/export.ts');
      const format = oneOf('--format', opts.format, EXPORT_FORMATS);
      const result = await exportPolicy(run, { format, outDir: opts.out, best: opts.best });
      const p = result.policy;
      console.log(`gymnast export: ${p.agent} on ${p.env}, checkpoint at step ${p.step} → ${result.outDir} (${result.files.join(', ')})`);
      console.log(`  input: ${p.observationSize} observations${p.obsNorm ? ', normalized as policy.json says' : ''}; output: ${p.action.kind === 'argmax' ? 'argmax → a discrete action' : 'the mean, clipped to the action box'}`);
    });
}
