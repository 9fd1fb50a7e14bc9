/**
 * The `gymnast` command. Thin: each command group lives in `commands/<name>.ts`, parses its
 * arguments and calls the rooms. Known errors (bad input) print one clear message and exit 2;
 * anything else is a bug and prints its stack.
 */
import { Command, CommanderError } from 'commander';
import { GymnastError } from '../core/errors.ts';
import { register as registerEnvs } from './commands/envs.ts';
import { register as registerMdp } from './commands/mdp.ts';
import { register as registerMotion } from './commands/motion.ts';
import { register as registerScenario } from './commands/scenario.ts';
import { register as registerTrain } from './commands/train.ts';
import { register as registerView } from './commands/view.ts';

const program = new Command();
program
  .name('gymnast')
  .description('Reinforcement learning and motion synthesis on Rapier, TensorFlow.js and three.js')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerEnvs(program);
registerMdp(program);
registerMotion(program);
registerScenario(program);
registerTrain(program);
registerView(program);

try {
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
