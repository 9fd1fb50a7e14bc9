/**
 * Resolving an agent's hyperparameters: schema defaults, then the agent's tuned values for the env
 * (rl-baselines3-zoo / CleanRL), then a config file, then `--set key=value` pairs. The result is
 * validated by the agent's zod schema, every problem reported with its path; it is what the run
 * folder's config.json records.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FileFormatError, ValidationError } from '../core/errors.ts';
import type { AgentDefinition } from '../agents/agent.ts';

/** Reads a YAML or JSON file of hyperparameters (a mapping). */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FileFormatError(file, 'file', (err as Error).message);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new FileFormatError(file, 'YAML', (err as Error).message.split('\n')[0]!);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new FileFormatError(file, '(root)', 'expected a mapping of hyperparameter names to values');
  return doc as Record<string, unknown>;
}

/** `key=value` strings as from the command line: values parse as YAML scalars/flow ("0.5", "true", "[64, 64]"). */
export function parseKeyValues(pairs: readonly string[], what: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ValidationError(what, [{ path: pair, message: 'expected key=value' }]);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
    out[pair.slice(0, eq)] = value ?? raw;
  }
  return out;
}

export interface ConfigSources {
  envId: string;
  /** From --config (already read), labelled by its file name. */
  file?: { name: string; values: Record<string, unknown> };
  /** From --set key=value. */
  overrides?: Record<string, unknown>;
}

export function resolveAgentConfig<S extends z.ZodObject<any>>(def: AgentDefinition<S>, sources: ConfigSources): z.output<S> {
  const merged = { ...(def.envDefaults[sources.envId] ?? {}), ...(sources.file?.values ?? {}), ...(sources.overrides ?? {}) };
  const parsed = def.schema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const source = sources.file ? `${def.name} hyperparameters (${sources.file.name} and --set)` : `${def.name} hyperparameters`;
  throw new ValidationError(
    source,
    parsed.error.issues.map((i) => {
      const keys = (i as { keys?: string[] }).keys;
      const path = [...i.path, ...(keys ?? [])].join('.');
      let message = i.message;
      if (keys) message += `; known: ${Object.keys(def.schema.shape).join(', ')}`;
      return { path, message };
    }),
  );
}

/** The schema as a table for `gymnast train --help-agent` and the README: name, default, description. */
export function describeSchema(schema: z.ZodObject<any>): { name: string; default: unknown; description: string }[] {
  const defaults = schema.parse({});
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    default: (defaults as Record<string, unknown>)[name],
    description: (field as z.ZodType).description ?? '',
  }));
}
