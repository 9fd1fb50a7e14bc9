/**
 * The `gymnast` command. Thin: each command group lives in `commands/<name>.ts`, parses its
 * arguments and calls the rooms. Every error ends here as one line on stderr: bad input (a
 * GymnastError, a commander parse error, a file the system refuses) exits 2, anything else is a bug
 * and says "internal error" (exit 1). `--verbose` adds the stack. The same report covers what no
 * command catches (an error in a timer or a worker, a rejected promise), so no path prints a
 * library's source or a raw stack.
 *
 * Command modules load lazily: `gymnast envs` should not pay for TensorFlow.js or three. The
 * table says which module defines which top-level commands; an unknown first word (or `--help`)
 * loads them all, so a module missing from the table still works, only slower.
 */
import { writeSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { GymnastError, UsageError, ValidationError } from '../core/errors.ts';

type Registrar = { register(program: Command): void };

const COMMAND_MODULES: Record<string, () => Promise<Registrar>> = {
  cluster: () => import('./commands/cluster.ts'),
  envs: () => import('./commands/envs.ts'),
  export: () => import('./commands/export.ts'),
  generate: () => import('./commands/generate.ts'),
  imitation: () => import('./commands/imitation.ts'),
  mdp: () => import('./commands/mdp.ts'),
  motion: () => import('./commands/motion.ts'),
  record: () => import('./commands/record.ts'),
  scenario: () => import('./commands/scenario.ts'),
  site: () => import('./commands/site.ts'),
  train: () => import('./commands/train.ts'),
  view: () => import('./commands/view.ts'),
};

/** Top-level command → the module in COMMAND_MODULES that registers it. */
const COMMANDS: Record<string, keyof typeof COMMAND_MODULES> = {
  actor: 'cluster',
  sweep: 'cluster',
  worker: 'cluster',
  envs: 'envs',
  export: 'export',
  check: 'envs',
  rollout: 'envs',
  generate: 'generate',
  'motion-metrics': 'generate',
  'train-prior': 'generate',
  push: 'imitation',
  trackability: 'imitation',
  mdp: 'mdp',
  motion: 'motion',
  record: 'record',
  scenario: 'scenario',
  site: 'site',
  train: 'train',
  eval: 'train',
  agents: 'train',
  view: 'view',
  start: 'view',
};

/** `--verbose` anywhere on the line; read before parsing, as errors can come before commander runs. */
const verbose = process.argv.includes('--verbose');

/** System error codes of a file the user named (or a folder to write) that cannot be used: bad input, not a bug. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists (a file where a folder is wanted?)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

/** `text` on one line (each run of white space with a line break in it becomes a space), at most 1000 characters. */
function flat(text: string): string {
  const line = text.replace(/\s*[\r\n]\s*/g, ' ');
  return line.length > 1000 ? `${line.slice(0, 1000)}…` : line;
}

/** The first line of `text`, cut to a length a terminal line can hold. */
function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

/** What an error says, without trusting it: a thrown non-Error, or a message getter that throws. */
function messageOf(e: unknown): string {
  try {
    if (e instanceof Error) return String(e.message);
    return typeof e === 'string' ? e : JSON.stringify(e) ?? String(e);
  } catch {
    return '(the error\'s message could not be read)';
  }
}

/** The one line printed for `e` and the exit code: 2 for bad input, 1 for a bug. */
function describe(e: unknown): { line: string; code: number } {
  if (e instanceof ValidationError) {
    // One problem fits one line; several are listed under a first line, one line each.
    const issues = e.issues.map((i) => flat(`${i.path || '(root)'}: ${i.message}`));
    const line = issues.length === 1 ? `${flat(e.source)}: ${issues[0]}` : [`${flat(e.source)}: ${issues.length} problems`, ...issues.map((i) => `  - ${i}`)].join('\n');
    return { line, code: 2 };
  }
  // A message can quote what the user gave, newlines included: it stays one line.
  if (e instanceof GymnastError) return { line: flat(messageOf(e)), code: 2 };
  if (e instanceof CommanderError) {
    // Commander's own text, its suggestion ("Did you mean --steps?") joined to the same line.
    const command = process.argv[2] !== undefined && process.argv[2] in COMMANDS ? ` ${process.argv[2]}` : '';
    const text = messageOf(e)
      .replace(/^error: /, '')
      .split('\n')
      .filter((l) => l.trim())
      .join(' ')
      .replace(/\s*\(Did you mean (.*)\)$/, '; did you mean $1');
    return { line: `${text} (see gymnast${command} --help)`, code: 2 };
  }
  const sys = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof sys.code === 'string' && typeof sys.path === 'string' && sys.code in FILE_PROBLEMS) {
    return { line: `${sys.path}: ${FILE_PROBLEMS[sys.code]} (${sys.syscall ?? 'fs'} ${sys.code})`, code: 2 };
  }
  return { line: `internal error: ${firstLine(messageOf(e))}${verbose ? '' : ' (rerun with --verbose for the stack)'}`, code: 1 };
}

/**
 * Prints `e` as one line (the stack too with --verbose) and returns the exit code. Never throws:
 * an exception while reporting an uncaught one is what makes Node exit with code 7.
 */
function report(e: unknown): number {
  try {
    const { line, code } = describe(e);
    writeSync(2, `gymnast: ${line}\n`);
    if (verbose && e instanceof Error && typeof e.stack === 'string') writeSync(2, `${e.stack}\n`);
    return code;
  } catch {
    try {
      writeSync(2, 'gymnast: internal error (it could not be reported)\n');
    } catch {
      // stderr is gone: the exit code is all that is left
    }
    return 1;
  }
}

/** Reports `e` and ends the process now: whatever failed may have left timers, sockets or workers behind. */
function fail(e: unknown): never {
  process.exit(report(e));
}

// Errors no command catches: thrown in a timer or an event handler, a worker's unhandled 'error'
// event, a rejected promise nobody awaits. The capture callback replaces Node's own report and
// every 'uncaughtException' listener, among them the one tfjs-backend-wasm's Emscripten module
// installs, which rethrows (Node then prints the minified source line and exits with code 7).
// Emscripten also adds an 'unhandledRejection' listener that throws; ours runs first and exits.
process.setUncaughtExceptionCaptureCallback(fail);
process.on('unhandledRejection', fail);

// zod's messages with the value that was given: "Too small: expected number to be >0, got -1",
// "expected number, got 'abc'" (a value the user typed in --option, --set or a file).
const english = z.locales.en();
z.config({
  customError: (issue) => {
    if (!('input' in issue) || issue.input === undefined || issue.code === 'unrecognized_keys') return undefined;
    const input = issue.input;
    let shown: string;
    try {
      shown = typeof input === 'string' ? `'${flat(input)}'` : typeof input === 'object' && input !== null ? JSON.stringify(input) : String(input);
    } catch {
      return undefined;
    }
    if (shown.length > 80) shown = `${shown.slice(0, 80)}…`;
    if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${shown}`;
    const base = english.localeError(issue);
    const text = typeof base === 'string' ? base : base?.message;
    return text ? `${text}, got ${shown}` : undefined;
  },
});

const program = new Command();
program
  .name('gymnast')
  .description('Reinforcement learning and motion synthesis on Rapier, TensorFlow.js and three.js')
  .version('0.1.0')
  .option('--verbose', 'with an error, print its stack too')
  // Commander's error text is reported by report() on one line; its own print (and the help it
  // adds) would make it a screenful.
  .configureOutput({ outputError: () => {} })
  .exitOverride();

try {
  // No command is missing input like any other: one line, exit 2 (commander would print its help, exit 1).
  if (process.argv.slice(2).every((a) => a === '--verbose')) throw new UsageError('no command given: gymnast --help lists them (npm start runs gymnast start)');
  const first = process.argv[2];
  const wanted = first !== undefined && first in COMMANDS ? [COMMANDS[first]!] : Object.keys(COMMAND_MODULES);
  for (const name of wanted) (await COMMAND_MODULES[name]!()).register(program);
  await program.parseAsync(process.argv.filter((a) => a !== '--verbose'));
} catch (e) {
  // --help and --version end through commander's exit too; they printed what was asked.
  if (e instanceof CommanderError && ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code)) process.exitCode = e.exitCode;
  else fail(e);
}
