/**
 * `gymnast push <run>` and `gymnast trackability <clip>`: thin wrappers over
 * src/train/imitation.ts. (`gymnast eval` on an imitation run prints the imitation metrics
 * itself: the env reports them per episode, see src/envs/imitation/imitation-env.ts.)
 */
import type { Command } from 'commander';
import { compareTrackability, pushTest, type PushSearch, type TrackabilityEntry } from '../../train/imitation.ts';
import { collect, envOptions, integerFlag, oneOf, overrides, positiveFlag } from '../args.ts';


function describePush(s: PushSearch): string {
  const bound = s.minFallN === null ? `at least ${s.maxSurvivedN.toFixed(0)} N (survived the largest force tried)` : `${s.maxSurvivedN.toFixed(0)} N (falls at ${s.minFallN.toFixed(0)} N)`;
  return `${s.direction.padEnd(9)} ${bound}, ${s.trials.length} trials`;
}

function describeEntry(label: string, e: TrackabilityEntry): string {
  return `${label.padEnd(8)} ${e.clip}: normalized return ${e.normalizedReturn.toFixed(3)}, fall rate ${(100 * e.fallRate).toFixed(0)}%, pose error ${e.poseErrorDeg.toFixed(1)}°, end effectors ${e.endEffectorErrorCm.toFixed(1)} cm (${e.steps} steps, ${e.seconds.toFixed(0)} s; ${e.runDir})`;
}

export function register(program: Command): void {
  program
    .command('push <run>')
    .description("push test of an imitation run's last checkpoint: the largest 0.2 s push on the pelvis, forward and sideways, the policy survives (bisection over force)")
    .option('--duration <s>', 'push length, seconds', '0.2')
    .option('--pre <s>', 'seconds of walking before the push', '2')
    .option('--post <s>', 'seconds it must stay up after the push starts', '4')
    .option('--max-force <N>', 'upper end of the search, newtons', '1000')
    .option('--tolerance <N>', 'stop when the bracket is this narrow, newtons', '5')
    .option('--backend <name>', 'tfjs backend (default: the one the run used)')
    .option('--best', 'test the checkpoint with the best eval return during training instead of the last')
    .option('--option <key=value>', "env option over the run's own (repeatable)", collect, [])
    .option('--json', 'print the report as one JSON document')
    .action(async (run: string, opts: Record<string, any>) => {
      const r = await pushTest(run, {
        durationSeconds: positiveFlag('--duration', opts.duration as string),
        preSeconds: positiveFlag('--pre', opts.pre as string),
        postSeconds: positiveFlag('--post', opts.post as string),
        maxForceN: positiveFlag('--max-force', opts.maxForce as string),
        toleranceN: positiveFlag('--tolerance', opts.tolerance as string),
        backend: opts.backend as string | undefined,
        best: opts.best === true,
        envOptions: envOptions(opts.option),
      });
      if (opts.json) return void console.log(JSON.stringify(r));
      console.log(`${r.env}, checkpoint at step ${r.step} (${r.checkpoint})`);
      console.log(`${r.durationSeconds} s push on the pelvis after ${r.preSeconds} s of walking; survived = no fall within ${r.postSeconds} s`);
      if (r.fallsUnpushed) console.log('the policy falls without any push: 0 N both ways');
      console.log(describePush(r.forward));
      console.log(describePush(r.sideways));
      console.log("(DeepMimic's walk policy: 240 N forward, 300 N sideways)");
    });

  program
    .command('trackability <clip>')
    .description('imitate a clip (e.g. generated: gymnast generate … --out x.txt) and the real clip it imitates with the same budget; normalized return and fall rate side by side')
    .option('--against <clip>', 'the real clip (default walk; biped3d_walk on BipedImitate-v0)')
    .option('--env <id>', 'HumanoidImitate-v0 (default) or BipedImitate-v0')
    .requiredOption('--steps <n>', 'training budget per clip, env steps')
    .requiredOption('--out <dir>', 'folder for the two runs (<out>/clip, <out>/against)')
    .option('--seed <s>', 'seed of both runs', '0')
    .option('--config <file>', 'PPO settings (e.g. scenarios/imitation/ppo.yaml)')
    .option('--set <key=value>', 'PPO override (repeatable)', collect, [])
    .option('--option <key=value>', 'env option for both runs (repeatable)', collect, [])
    .option('--vector-env <kind>', 'sync or async')
    .option('--episodes <n>', 'test episodes per clip', '10')
    .option('--backend <name>', 'tfjs backend')
    .option('--json', 'print the report as one JSON document')
    .action(async (clip: string, opts: Record<string, any>) => {
      const vectorEnv = opts.vectorEnv === undefined ? undefined : oneOf('--vector-env', opts.vectorEnv, ['sync', 'async', 'pipeline'] as const);
      const seed = integerFlag('--seed', opts.seed, 0)!;
      const r = await compareTrackability(
        {
          clip,
          against: opts.against,
          env: opts.env,
          steps: positiveFlag('--steps', opts.steps, true)!,
          seed,
          out: opts.out,
          envOptions: envOptions(opts.option),
          configFile: opts.config,
          set: overrides(opts.set),
          vectorEnv,
          episodes: positiveFlag('--episodes', opts.episodes, true),
          backend: opts.backend,
        },
        (which) => ({ onStart: ({ runDir }) => console.error(`training on ${which === 'clip' ? clip : 'the real clip'} → ${runDir}`) }),
      );
      if (opts.json) return void console.log(JSON.stringify(r));
      console.log(`${r.env}, ${r.steps} steps each, seed ${r.seed}; ${r.testSeconds.toFixed(1)} s test episodes for both`);
      console.log(describeEntry('clip', r.clip));
      console.log(describeEntry('real', r.against));
      console.log(`trackability: ${(100 * r.returnRatio).toFixed(0)}% of the real clip's normalized return`);
    });
}
