/**
 * Resolving an agent's hyperparameters: schema defaults, then the agent's tuned values for the env
 * (rl-baselines3-zoo / CleanRL), then a config file, then `--set key=value` pairs. The result is
 * validated by the agent's zod schema, every problem reported with its path; it is what the run
 * folder's config.json records.
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors.ts';
import { coerceToSchema } from '../core/settings.ts';
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
