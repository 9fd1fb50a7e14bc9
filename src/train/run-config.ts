/**
 * The `config.json` of an agent's run folder: one zod schema, used by every reader (resume, eval,
 * the viewer following a run, live training). A file that is not JSON, lacks a field or holds a
 * wrong value fails with one `FileFormatError` naming the file and the field.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { readRunConfigFile } from '../nn/run-folder.ts';

/** The largest count of steps a run may ask for (beyond it the numbers are not exact integers). */
const MAX_STEPS = Number.MAX_SAFE_INTEGER;

export const runConfigSchema = z.object({
  /** gymnast's version that wrote it. */
  gymnast: z.string().default('0.1.0'),
  env: z.string().min(1),
  /**
   * The env's options with every default filled in (runs made before gymnast recorded them hold
   * only the options given: those take today's defaults for the rest).
   */
  envOptions: z.record(z.string(), z.unknown()).default({}),
  agent: z.string().min(1),
  steps: z.number().int().min(1).max(MAX_STEPS),
  seed: z.number().int().min(0).max(MAX_STEPS),
  checkpointEvery: z.number().int().min(1).max(MAX_STEPS),
  evalEpisodes: z.number().int().min(0).default(0),
  /** Absent in runs written before it existed: sync. */
  vectorEnv: z.enum(['sync', 'async', 'pipeline']).optional(),
  /** Threads of the update (PPO: 2 runs the value half beside the policy half; the same numbers). Absent in older runs: 1. */
  updateThreads: z.number().int().min(1).max(2).optional(),
  backend: z
    .object({ requested: z.string(), name: z.string(), simd: z.boolean().optional(), threads: z.number().optional() })
    .default({ requested: 'auto', name: '' }),
  /** The agent's hyperparameters, validated by its own schema when the agent is built. */
  config: z.record(z.string(), z.unknown()),
});

/** What both trainers (agents' runs and motion priors') take besides their own settings. */
export interface RunFolderArgs {
  /** Steps to train for (env steps for an agent, optimizer steps for a prior). */
  steps?: number;
  seed?: number;
  /** A YAML/JSON file of hyperparameters. */
  configFile?: string;
  /** Hyperparameter overrides (`--set key=value`). */
  set?: Record<string, unknown>;
  /** Run folder (a default from the env, agent or family and the seed). */
  out?: string;
  /** Continue the run in this folder from its last checkpoint (its config.json decides the rest). */
  resume?: string;
  backend?: string;
  /** Steps between checkpoints (default: a tenth of the run). */
  checkpointEvery?: number;
}

/** What config.json holds. */
export type RunConfig = z.output<typeof runConfigSchema>;

/** Reads and checks `<runDir>/config.json` (nn/run-folder.ts says what each failure gives). */
export function readRunConfig(runDir: string): RunConfig {
  return readRunConfigFile(runDir, runConfigSchema, {
    hint: 'train one with gymnast train',
    kind: (raw) => {
      if (raw.kind === 'motion-prior') throw new UsageError(`${runDir} holds a motion prior (gymnast train-prior), not an agent's run`);
    },
  });
}
