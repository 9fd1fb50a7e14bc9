/**
 * The scenario file format (`scenarios/*.yaml`): an env, an agent, a seed, a budget and
 * expectations on the metrics the run reports. Validated with zod; every problem is reported with
 * its path and the file name. See `scenarios/README.md`.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { FileFormatError, ValidationError } from '../../core/errors.ts';
import { yamlShapeProblem } from '../../core/settings.ts';

/** An expectation on one metric: a range, or exact equality (numbers or strings such as hashes). */
export const expectationSchema = z.union([
  z
    .object({
      min: z.number().optional().describe('lowest accepted value (inclusive)'),
      max: z.number().optional().describe('highest accepted value (inclusive)'),
    })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, 'give min, max or both')
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max'),
  z.object({ equals: z.union([z.number(), z.string()]).describe('exact value, e.g. a determinism hash') }).strict(),
]);

const seedSchema = z.number().int().nonnegative();

export const scenarioSchema = z
  .object({
    name: z.string().min(1).describe('short name shown in reports'),
    description: z.string().optional().describe('what the scenario shows'),
    env: z.string().min(1).describe('registered env id, e.g. CartPole-v1'),
    options: z.record(z.string(), z.unknown()).default({}).describe('env options'),
    agent: z.string().min(1).describe('scenario agent: random, or one registered by a room (dqn, ppo, mdp-vi, …)'),
    seed: z
      .union([seedSchema, z.array(seedSchema).min(1).refine((a) => new Set(a).size === a.length, 'seeds must differ')])
      .describe('the one seed every random draw flows from; a list runs the scenario once per seed and every expectation must hold for each'),
    budget: z
      .object({
        episodes: z.number().int().positive().optional().describe('episodes to run or evaluate'),
        steps: z.number().int().positive().optional().describe('environment steps to train for'),
      })
      .strict()
      .default({})
      .describe('how much the run may do'),
    config: z.record(z.string(), z.unknown()).default({}).describe("the agent's hyperparameters (validated by the agent)"),
    quick: z.boolean().default(false).describe('runs in `npm test` (seconds, not minutes)'),
    expect: z.record(z.string(), expectationSchema).refine((e) => Object.keys(e).length > 0, 'expect at least one metric').describe('metric name → expectation'),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
/** What a scenario agent runs: the scenario with one of its seeds. */
export type SeededScenario = Omit<Scenario, 'seed'> & { seed: number };

/** A scenario's seeds, in the file's order. */
export function scenarioSeeds(s: Scenario): number[] {
  return typeof s.seed === 'number' ? [s.seed] : s.seed;
}
export type Expectation = z.infer<typeof expectationSchema>;

const MAX_LISTED = 20;
const cut = (text: string, length: number) => {
  const line = text.replace(/\s+/g, ' ');
  return line.length > length ? `${line.slice(0, length - 3)}...` : line;
};

/** Validates a parsed document; throws ValidationError naming `source` and every bad path. */
export function parseScenario(doc: unknown, source: string): Scenario {
  const r = scenarioSchema.safeParse(doc);
  if (r.success) return r.data;
  throw new ValidationError(
    source,
    // A key of the file is part of the path, and a key can be 100 000 characters: each line is cut;
    // a list of 2000 bad seeds is 2000 problems: the first 20 are listed.
    [
      ...r.error.issues.slice(0, MAX_LISTED).map((i) => ({
        path: cut([...i.path, ...((i as { keys?: string[] }).keys ?? [])].join('.'), 120),
        message: cut(i.message, 300),
      })),
      ...(r.error.issues.length > MAX_LISTED ? [{ path: '…', message: `and ${r.error.issues.length - MAX_LISTED} more problems` }] : []),
    ],
  );
}

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileFormatError(file, 'file', (e as Error).message);
  }
  const problem = yamlShapeProblem(text);
  if (problem !== null) throw new FileFormatError(file, 'YAML', problem);
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    const line = e instanceof YAMLParseError ? `line ${e.linePos?.[0]?.line ?? '?'}` : 'YAML';
    throw new FileFormatError(file, line, (e as Error).message.split('\n')[0]!);
  }
  return parseScenario(doc, file);
}

/** Whether a value meets an expectation, and how to show the expectation. */
export function checkExpectation(value: unknown, e: Expectation): { ok: boolean; shown: string } {
  if ('equals' in e) return { ok: value === e.equals, shown: `= ${e.equals}` };
  const shown = e.min !== undefined && e.max !== undefined ? `in [${e.min}, ${e.max}]` : e.min !== undefined ? `≥ ${e.min}` : `≤ ${e.max}`;
  const ok = typeof value === 'number' && Number.isFinite(value) && (e.min === undefined || value >= e.min) && (e.max === undefined || value <= e.max);
  return { ok, shown };
}
