/**
 * The `gymnast` command. Thin: each command group lives in `commands/<name>.ts`, parses its
 * arguments and calls the rooms. Known errors (bad input) print one clear message and exit 2;
 * anything else is a bug and prints its stack.
 *
 * Command modules load lazily: `gymnast envs` should not pay for TensorFlow.js or three. The
 * table says which module defines which top-level commands; an unknown first word (or `--help`)
 * loads them all, so a module missing from the table still works, only slower.
 */
import { Command, CommanderError } from 'commander';
import { GymnastError } from '../core/errors.ts';

type Registrar = { register(program: Command): void };

const COMMAND_MODULES: Record<string, () => Promise<Registrar>> = {
  envs: () => import('./commands/envs.ts'),
  generate: () => import('./commands/generate.ts'),
  imitation: () => import('./commands/imitation.ts'),
  mdp: () => import('./commands/mdp.ts'),
  motion: () => import('./commands/motion.ts'),
  scenario: () => import('./commands/scenario.ts'),
  train: () => import('./commands/train.ts'),
  view: () => import('./commands/view.ts'),
};

/** Top-level command → the module in COMMAND_MODULES that registers it. */
const COMMANDS: Record<string, keyof typeof COMMAND_MODULES> = {
  envs: 'envs',
  check: 'envs',
  rollout: 'envs',
  generate: 'generate',
  'motion-metrics': 'generate',
  'train-prior': 'generate',
  push: 'imitation',
  trackability: 'imitation',
  mdp: 'mdp',
  motion: 'motion',
  scenario: 'scenario',
  train: 'train',
  eval: 'train',
  agents: 'train',
  view: 'view',
  start: 'view',
};

const program = new Command();
program
  .name('gymnast')
  .description('Reinforcement learning and motion synthesis on Rapier, TensorFlow.js and three.js')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

try {
  const first = process.argv[2];
  const wanted = first !== undefined && first in COMMANDS ? [COMMANDS[first]!] : Object.keys(COMMAND_MODULES);
  for (const name of wanted) (await COMMAND_MODULES[name]!()).register(program);
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else if (e instanceof GymnastError) {
    console.error(`gymnast: ${e.message}`);
    process.exitCode = 2;
  } else {
    console.error(e);
    process.exitCode = 1;
  }
}
