/**
 * `gymnast envs`, `gymnast check <id>`, `gymnast rollout <id>`.
 *
 * The env table is what `make` gives for every registered id, which means building every env
 * (Rapier, the characters, the tabular models): about half a second. The build writes that table
 * once into the compiled package (`dist/cli/env-table.json`, as CLI frameworks ship a command
 * manifest), so an installed `gymnast envs` only reads it. It is computed live when there is no
 * such file (running the sources) or when GYMNAST_DATA points at other data, which could change
 * the characters' spaces. The rooms load lazily, so listing envs from the file loads none of them.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { collect, envOptions, integerFlag, printTable } from '../args.ts';

/** One row of `gymnast envs --json`. */
export interface EnvRow {
  id: string;
  family: string;
  observation_space: unknown;
  action_space: unknown;
  observation: string;
  action: string;
  max_episode_steps: number | null;
  reward_threshold: number | null;
  description: string;
}

/** Written by the build beside the compiled CLI; absent beside the sources. */
export const ENV_TABLE = new URL('../env-table.json', import.meta.url);

/** The registry (with every env of the catalog) and what the commands use besides. */
async function rooms() {
  const [registry, checker, rollout] = await Promise.all([import('../../envs/registry.ts'), import('../../envs/checker.ts'), import('../../envs/rollout.ts')]);
  return { ...registry, ...checker, ...rollout };
}

/** The env table, computed by building every registered env. */
export async function liveEnvRows(): Promise<EnvRow[]> {
  const { allSpecs, make } = await rooms();
  return allSpecs().map((s) => {
    const env = make(s.id);
    const row: EnvRow = {
      id: s.id,
      family: s.family,
      observation_space: env.observationSpace.toJSON(),
      action_space: env.actionSpace.toJSON(),
      observation: env.observationSpace.toString(),
      action: env.actionSpace.toString(),
      max_episode_steps: s.maxEpisodeSteps ?? null,
      reward_threshold: s.rewardThreshold ?? null,
      description: s.description,
    };
    env.close();
    return row;
  });
}

/** The env table: the one the build wrote where it applies, else computed live. */
export async function envRows(): Promise<EnvRow[]> {
  if (!process.env.GYMNAST_DATA && existsSync(ENV_TABLE)) return JSON.parse(readFileSync(ENV_TABLE, 'utf8')) as EnvRow[];
  return liveEnvRows();
}

export function register(program: Command): void {
  program
    .command('envs')
    .description('list registered environments')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = await envRows();
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = rows.map((r) => [r.id, r.observation, r.action, r.reward_threshold === null ? '-' : String(r.reward_threshold), r.description]);
      printTable(['id', 'observation', 'action', 'threshold', 'description'], table);
    });

  program
    .command('check <id>')
    .description("run checkEnv on a registered env (spaces, seeding, determinism, close)")
    .option('--option <key=value>', 'env option (repeatable)', collect, [])
    .action(async (id: string, opts: { option: string[] }) => {
      const { make, checkEnv } = await rooms();
      const env = make(id, { options: envOptions(opts.option) });
      const report = checkEnv(env);
      console.log(`${id}: ok (${report.stepsChecked} steps checked)`);
      for (const w of report.warnings) console.log(`  warning: ${w}`);
    });

  program
    .command('rollout <id>')
    .description('roll out a random policy: returns, lengths, steps per second and a trajectory hash')
    .option('--episodes <n>', 'episodes', '10')
    .option('--seed <s>', 'seed', '0')
    .option('--option <key=value>', 'env option (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { episodes: string; seed: string; option: string[]; json?: boolean }) => {
      const { spec, make, randomRollout, mean, std } = await rooms();
      spec(id);
      const env = make(id, { options: envOptions(opts.option) });
      const r = randomRollout(env, integerFlag('--episodes', opts.episodes, 1)!, integerFlag('--seed', opts.seed, 0)!);
      env.close();
      if (opts.json) {
        console.log(JSON.stringify({ env: id, seed: Number(opts.seed), returns: r.returns, lengths: r.lengths, hash: r.hash, steps_per_second: r.steps_per_second, errors: r.errors }));
        return;
      }
      r.returns.forEach((ret, i) => console.log(`episode ${i + 1}: return ${fmt(ret)}, length ${r.lengths[i]}`));
      console.log(`mean return ${fmt(mean(r.returns))} ± ${fmt(std(r.returns))} over ${r.returns.length} episodes`);
      console.log(`${r.steps} steps at ${Math.round(r.steps_per_second)} steps/s; hash ${r.hash}`);
    });
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}
