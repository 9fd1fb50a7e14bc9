/**
 * Resolving an agent's hyperparameters: schema defaults, then the agent's tuned values for the env
 * (rl-baselines3-zoo / CleanRL), then a config file, then `--set key=value` pairs. The result is
 * validated by the agent's zod schema, every problem reported with its path; it is what the run
 * folder's config.json records.
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors.ts';
import { coerceToSchema, readYamlMapping } from '../core/settings.ts';
import { datasetSchema, type DatasetConfig } from '../generative/dataset.ts';
import { priorDefinition } from '../generative/families.ts';
import type { AgentDefinition } from '../agents/agent.ts';

export interface ConfigSources {
  envId: string;
  /** From --config (already read), labelled by its file name. */
  file?: { name: string; values: Record<string, unknown> };
  /** From --set key=value (strings read by the schema's rule: `core/settings.ts`). */
  overrides?: Record<string, unknown>;
}

export function resolveAgentConfig<S extends z.ZodObject<any>>(def: AgentDefinition<S>, sources: ConfigSources): z.output<S> {
  const merged = { ...(def.envDefaults[sources.envId] ?? {}), ...(sources.file?.values ?? {}), ...coerceToSchema(def.schema, sources.overrides ?? {}) };
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

/** The schema as a table for `gymnast agents <name>`: name, default, description. */
export function describeSchema(schema: z.ZodObject<any>): { name: string; default: unknown; description: string }[] {
  const defaults = schema.parse({});
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    default: (defaults as Record<string, unknown>)[name],
    description: (field as z.ZodType).description ?? '',
  }));
}

// ---------------------------------------------------------------- motion priors

function issues(error: z.ZodError, prefix: string, known: string[]): { path: string; message: string }[] {
  return error.issues.map((i) => {
    const keys = (i as { keys?: string[] }).keys;
    const path = [prefix, ...i.path.map(String), ...(keys ?? [])].filter(Boolean).join('.');
    return { path, message: keys ? `${i.message}; known: ${known.join(', ')}` : i.message };
  });
}

/** Resolves model and dataset hyperparameters: schema defaults, then the file, then the overrides. */
export function resolvePriorConfig(family: string, file?: string, set: Record<string, unknown> = {}): { config: Record<string, unknown>; dataset: DatasetConfig } {
  const def = priorDefinition(family);
  const fromFile = file ? readYamlMapping(file, 'hyperparameter names to values') : {};
  const { dataset: fileDataset, ...fileModel } = fromFile as { dataset?: unknown };
  if (fileDataset !== undefined && (typeof fileDataset !== 'object' || fileDataset === null || Array.isArray(fileDataset))) {
    throw new ValidationError(file ?? 'config', [{ path: 'dataset', message: 'expected a mapping of dataset settings' }]);
  }
  const model: Record<string, unknown> = { ...fileModel }, dataset: Record<string, unknown> = { ...(fileDataset as object | undefined) };
  for (const [k, v] of Object.entries(set)) {
    if (k.startsWith('dataset.')) dataset[k.slice('dataset.'.length)] = v;
    else model[k] = v;
  }
  const source = `${def.name} hyperparameters${file ? ` (${file} and --set)` : ''}`;
  const m = def.schema.safeParse(coerceToSchema(def.schema, model));
  const d = datasetSchema.safeParse(coerceToSchema(datasetSchema, dataset));
  const all = [...(m.success ? [] : issues(m.error, '', Object.keys(def.schema.shape))), ...(d.success ? [] : issues(d.error, 'dataset', Object.keys(datasetSchema.shape)))];
  if (all.length > 0) throw new ValidationError(source, all);
  return { config: m.data as Record<string, unknown>, dataset: d.data! };
}
