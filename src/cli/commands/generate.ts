/**
 * `gymnast train-prior`, `gymnast generate` and `gymnast motion-metrics`: thin wrappers over
 * src/train/prior-run.ts (training, in the agents' run-folder layout) and src/generative
 * (generation and metrics). The metrics command adds the physics
 * trackability figure with the humanoid's tracking test (src/envs/character), which the
 * generative room may not import itself.
 */
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { UsageError, ValidationError } from '../../core/errors.ts';
import { loadCharacter } from '../../envs/character/assets.ts';
import { DEFAULT_VIRTUAL_GAINS, virtualForce } from '../../envs/character/tracking.ts';
import { datasetSchema, loadMotionDataset } from '../../generative/dataset.ts';
import { familyNames, priorDefinition } from '../../generative/families.ts';
import { generateMotion } from '../../generative/generate.ts';
import { computeMotionMetrics, formatMetricsTable } from '../../generative/metrics.ts';
import { loadPrior, readPriorRunConfig } from '../../generative/run.ts';
import { trainPrior } from '../../train/prior-run.ts';
import type { MotionClip } from '../../motion/clip.ts';
import { loadClip, saveClip } from '../../motion/load.ts';
import { describeBackend } from '../../nn/backend.ts';
import { describeSchema } from '../../train/config.ts';
import { collect, numberFlag, overrides } from '../args.ts';

export function register(program: Command): void {
  program
    .command('train-prior')
    .description('train a motion prior (vae, mvae, flow, diffusion); writes a run folder (config.json, metrics.jsonl, checkpoints/)')
    .option('--family <name>', `prior family: ${familyNames().join(', ')}`)
    .option('--steps <n>', 'optimizer steps (default 2000)')
    .option('--seed <s>', 'seed (default 0)')
    .option('--config <file>', 'YAML/JSON hyperparameters; dataset settings under a `dataset:` key')
    .option('--set <key=value>', 'override (repeatable): --set latentSize=16, --set dataset.windowFrames=24', collect, [])
    .option('--out <dir>', 'run folder (default runs/prior-<family>-<seed>)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, wasm or cpu (default auto)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default a tenth of the run)')
    .option('--log-every <n>', 'steps between metric records (default 50)')
    .option('--eval-windows <n>', 'held-out windows evaluated at each checkpoint (default 128; 0: none)')
    .option('--max-seconds <s>', 'stop with a checkpoint after this long (resume continues)')
    .option('--describe', "print the family's hyperparameters and the dataset settings (name, default, description) and exit")
    .option('--json', 'print the result as JSON on stdout')
    .action(async (opts: Record<string, any>) => {
      if (opts.describe) {
        if (!opts.family) throw new ValidationError('command line', [{ path: '--family', message: `required with --describe: one of ${familyNames().join(', ')}` }]);
        const def = priorDefinition(opts.family);
        const rows = { family: def.name, description: def.description, hyperparameters: describeSchema(def.schema), dataset: describeSchema(datasetSchema) };
        if (opts.json) console.log(JSON.stringify(rows));
        else {
          console.log(`${def.name}: ${def.description}\n`);
          for (const r of rows.hyperparameters) console.log(`${r.name.padEnd(22)} ${JSON.stringify(r.default).padEnd(18)} ${r.description}`);
          console.log('\ndataset (dataset.<name>):');
          for (const r of rows.dataset) console.log(`${r.name.padEnd(22)} ${JSON.stringify(r.default).slice(0, 18).padEnd(18)} ${r.description}`);
        }
        return;
      }
      if (!opts.resume && !opts.family) throw new ValidationError('command line', [{ path: '--family', message: `required (or --resume DIR): one of ${familyNames().join(', ')}` }]);
      const result = await trainPrior(
        {
          family: opts.family,
          steps: numberFlag('--steps', opts.steps, { integer: true, min: 1 }),
          seed: numberFlag('--seed', opts.seed, { integer: true, min: 0 }),
          configFile: opts.config,
          set: overrides(opts.set),
          out: opts.out,
          resume: opts.resume,
          backend: opts.backend,
          checkpointEvery: numberFlag('--checkpoint-every', opts.checkpointEvery, { integer: true, min: 1 }),
          logEvery: numberFlag('--log-every', opts.logEvery, { integer: true, min: 1 }),
          evalWindows: numberFlag('--eval-windows', opts.evalWindows, { integer: true, min: 0 }),
          maxSeconds: numberFlag('--max-seconds', opts.maxSeconds, { min: 0 }),
        },
        {
          onStart: ({ runDir, config, backend, resumedFrom, trainWindows }) => {
            console.error(`backend: ${describeBackend(backend)}`);
            console.error(`${resumedFrom === null ? 'training' : `resuming at step ${resumedFrom}:`} ${config.family} prior, ${config.steps} steps, seed ${config.seed}, ${trainWindows} training windows → ${runDir}`);
          },
          onMetrics: (step, values) => {
            const show = Object.entries(values).filter(([k]) => k.startsWith('losses/') || k.startsWith('eval/') || k === 'charts/SPS').map(([k, v]) => `${k.replace(/^losses\//, '')} ${Number(v.toPrecision(4))}`);
            console.error(`step ${step}: ${show.join(', ')}`);
          },
          onCheckpoint: (c) => console.error(`checkpoint at step ${c.step} → ${c.path}`),
        },
      );
      if (opts.json) console.log(JSON.stringify({ runDir: result.runDir, family: result.config.family, steps: result.step, seconds: result.seconds, stoppedEarly: result.stoppedEarly, checkpoint: result.lastCheckpoint }));
      else console.error(`done: ${result.step} steps in ${result.seconds.toFixed(1)} s${result.stoppedEarly ? ' (stopped by --max-seconds; --resume continues)' : ''}; run folder ${result.runDir}`);
    });

  program
    .command('generate')
    .description('generate a motion with a trained prior; writes a DeepMimic motion file (.txt/.json) or BVH (.bvh)')
    .requiredOption('--model <dir>', 'run folder of a trained prior')
    .requiredOption('--out <file>', 'output file: .txt/.json (DeepMimic) or .bvh')
    .option('--label <name>', 'clip family to generate (walk, run, …); default: drawn from the training data (diffusion: unconditional)')
    .option('--seconds <s>', 'length of the motion, seconds', '4')
    .option('--seed <s>', 'seed', '0')
    .option('--guidance <g>', 'diffusion: classifier-free guidance scale (0 unconditional, 1 conditional; default the model\'s, 2.5)')
    .option('--steps <k>', 'diffusion: DDIM steps (default the model\'s, 20)')
    .option('--sampler <name>', 'diffusion: ddim or ddpm (ancestral, all training steps)')
    .option('--temperature <t>', 'VAE / flow / MVAE: latent noise scale')
    .option('--candidates <k>', 'VAE / flow: samples per window when chaining, the best match kept')
    .option('--overlap <frames>', 'frames shared by consecutive windows (default a quarter window)')
    .option('--count <n>', 'motions to generate (files get _0, _1, … before the extension)', '1')
    .option('--prefix <motion>', 'continue this motion (file or bundled clip name on the model skeleton)')
    .option('--backend <name>', 'tfjs backend (default auto)')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (opts: Record<string, any>) => {
      const prior = await loadPrior(opts.model, { backend: opts.backend });
      try {
        const diffusionOnly = ['guidance', 'steps', 'sampler'].filter((k) => opts[k] !== undefined);
        if (prior.model.family !== 'diffusion' && diffusionOnly.length > 0) {
          throw new UsageError(`--${diffusionOnly.join(', --')} only apply to diffusion priors; ${opts.model} is a ${prior.model.family} prior`);
        }
        if (opts.sampler !== undefined && opts.sampler !== 'ddim' && opts.sampler !== 'ddpm') throw new UsageError(`--sampler must be ddim or ddpm, got '${opts.sampler}'`);
        let prefix: MotionClip | undefined;
        if (opts.prefix) prefix = loadClip(opts.prefix, { character: prior.config.dataset.character });
        const count = numberFlag('--count', opts.count, { integer: true, min: 1 })!;
        const t0 = performance.now();
        const g = generateMotion(prior, {
          label: opts.label,
          seconds: numberFlag('--seconds', opts.seconds, { min: 0 }),
          seed: numberFlag('--seed', opts.seed, { integer: true, min: 0 }),
          guidance: numberFlag('--guidance', opts.guidance),
          steps: numberFlag('--steps', opts.steps, { integer: true, min: 1 }),
          sampler: opts.sampler,
          temperature: numberFlag('--temperature', opts.temperature, { min: 0 }),
          candidates: numberFlag('--candidates', opts.candidates, { integer: true, min: 1 }),
          overlapFrames: numberFlag('--overlap', opts.overlap, { integer: true, min: 1 }),
          count,
          prefix,
        });
        const seconds = (performance.now() - t0) / 1000;
        const files = g.clips.map((clip, i) => {
          const file = count === 1 ? opts.out : join(opts.out.slice(0, opts.out.length - basename(opts.out).length), `${basename(opts.out, extname(opts.out))}_${i}${extname(opts.out)}`);
          saveClip(file, clip);
          return file;
        });
        const summary = { model: prior.runDir, family: prior.model.family, files, labels: g.labels, frames: g.frames, fps: prior.layout.fps, seconds: (g.frames - 1) / prior.layout.fps, generationSeconds: seconds };
        if (opts.json) console.log(JSON.stringify(summary));
        else console.error(`${prior.model.family}: ${count} motion${count > 1 ? 's' : ''} of ${g.frames} frames (${summary.seconds.toFixed(2)} s, label ${g.labels.join(', ')}) in ${seconds.toFixed(2)} s → ${files.join(', ')}`);
      } finally {
        prior.model.dispose();
      }
    });

  program
    .command('motion-metrics')
    .description('the motion-prior metric suite for one or more trained priors, next to real data (held-out and the train-vs-held-out floor) and two baselines')
    .requiredOption('--model <dir>', 'run folder of a trained prior (repeatable: side by side)', collect, [])
    .option('--samples <n>', 'generated segments per model, and size of the comparison sets', '256')
    .option('--segment-frames <n>', 'frames per segment', '60')
    .option('--seed <s>', 'seed', '0')
    .option('--rollouts <n>', 'long rollouts per model for the stability rows (0: skip)', '8')
    .option('--rollout-seconds <s>', 'length of each long rollout', '60')
    .option('--noise <std>', 'noise of the noisy-train baseline, standardised units', '0.3')
    .option('--guidance <g>', 'diffusion: guidance scale')
    .option('--steps <k>', 'diffusion: DDIM steps')
    .option('--temperature <t>', 'VAE / flow / MVAE: latent noise scale')
    .option('--track <k>', 'physics trackability: track k segments per set on the simulated humanoid (0: skip)', '0')
    .option('--backend <name>', 'tfjs backend (default auto)')
    .option('--json', 'print the report as one JSON document on stdout')
    .action(async (opts: Record<string, any>) => {
      const dirs: string[] = opts.model;
      const configs = dirs.map((d) => readPriorRunConfig(d));
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      configs.forEach((c, i) => {
        const { windowFrames: _w, ...rest } = c.dataset;
        const { windowFrames: _w0, ...first } = configs[0]!.dataset;
        if (!same(rest, first)) throw new UsageError(`${dirs[i]} was trained on other data than ${dirs[0]} (dataset settings differ); compare priors of the same dataset`);
      });
      const priors = [];
      for (const d of dirs) priors.push({ name: `${configs[priors.length]!.family} (${basename(d)})`, prior: await loadPrior(d, { backend: opts.backend })});
      try {
        console.error(`loading the dataset (${configs[0]!.dataset.clips.length} clips)`);
        const ds = loadMotionDataset(configs[0]!.dataset);
        const track = numberFlag('--track', opts.track, { integer: true, min: 0 })!;
        let trackability: ((clip: MotionClip) => number) | undefined;
        if (track > 0) {
          const assets = loadCharacter(configs[0]!.dataset.character);
          trackability = (clip) =>
            virtualForce(assets, clip, {
              physicsHz: 600, seconds: clip.duration, trials: 1, seed: 0, pdMode: 'motors', jointKind: 'impulse',
              velocityTarget: true, fallRule: 'nonFoot', virtualGains: DEFAULT_VIRTUAL_GAINS,
            }).meanForceOverWeight;
        }
        const report = computeMotionMetrics(ds, priors, {
          samples: numberFlag('--samples', opts.samples, { integer: true, min: 2 }),
          segmentFrames: numberFlag('--segment-frames', opts.segmentFrames, { integer: true, min: 4 }),
          seed: numberFlag('--seed', opts.seed, { integer: true, min: 0 }),
          rollouts: numberFlag('--rollouts', opts.rollouts, { integer: true, min: 0 }),
          rolloutSeconds: numberFlag('--rollout-seconds', opts.rolloutSeconds, { min: 1 }),
          noiseStd: numberFlag('--noise', opts.noise, { min: 0 }),
          sampleOptions: { guidance: numberFlag('--guidance', opts.guidance), steps: numberFlag('--steps', opts.steps, { integer: true, min: 1 }), temperature: numberFlag('--temperature', opts.temperature, { min: 0 }) },
          trackability,
          trackClips: track,
          onProgress: (m) => console.error(m),
        });
        if (opts.json) console.log(JSON.stringify(report));
        else console.log(formatMetricsTable(report));
      } finally {
        for (const p of priors) p.prior.model.dispose();
      }
    });
}
