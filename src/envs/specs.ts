/**
 * The env specs (Gymnasium's `register` and `spec`): versioned ids `Name-vN`, each with its
 * options' zod schema, time limit and the module that registered it (a worker thread imports
 * that module to build the same env, see `vector/async-vector-env.ts`).
 *
 * Env modules register from here; `registry.ts` adds `make` and loads the catalog. Kept apart so
 * that the catalog's modules, which import this file, never import the file that imports them.
 */
import { z } from 'zod';
import { UnknownIdError, ValidationError } from '../core/errors.ts';
import { coerceToSchema } from '../core/settings.ts';
import type { AnyEnv } from './env.ts';

export type EnvOptions = Record<string, unknown>;

export interface EnvSpec {
  /** `Name-vN`. */
  id: string;
  /** Builds the bare env from validated options. */
  create: (options: any) => AnyEnv;
  /** zod object of the env's options (defaults filled in); none = the env takes no options. */
  options?: z.ZodObject<any>;
  /** `TimeLimit` applied by `make`; undefined = none. */
  maxEpisodeSteps?: number;
  /** Return at which the task counts as solved (Gymnasium's `reward_threshold`). */
  rewardThreshold?: number;
  /** One line for tables. */
  description: string;
  /** `import.meta.url` of the registering module: workers import it to get the same spec. */
  module: string;
  /** Physics, tabular, … (for the env table). */
  family: string;
}

const ID_PATTERN = /^(?:[\w-]+\/)?([\w:.-]+?)(?:-v(\d+))$/;
const specs = new Map<string, EnvSpec>();

export function register(spec: EnvSpec): void {
  if (!ID_PATTERN.test(spec.id)) throw new RangeError(`register: id '${spec.id}' must look like Name-vN`);
  if (specs.has(spec.id)) {
    // The same module may be evaluated twice (e.g. under two URLs in a worker); a different one may not.
    if (specs.get(spec.id)!.module === spec.module) return;
    throw new RangeError(`register: '${spec.id}' is already registered by ${specs.get(spec.id)!.module}`);
  }
  specs.set(spec.id, spec);
}

export function registeredIds(): string[] {
  return [...specs.keys()].sort();
}

export function spec(id: string): EnvSpec {
  const s = specs.get(id);
  if (s) return s;
  const m = ID_PATTERN.exec(id);
  const name = m ? m[1] : id;
  const versions = registeredIds().filter((k) => ID_PATTERN.exec(k)?.[1] === name);
  if (versions.length > 0) {
    throw new UnknownIdError('env', id, registeredIds(), `registered versions of ${name}: ${versions.join(', ')}`);
  }
  throw new UnknownIdError('env', id, registeredIds());
}

export function allSpecs(): EnvSpec[] {
  return registeredIds().map((id) => specs.get(id)!);
}

/** Validates env options against the spec's schema; every problem is reported with its path. */
export function resolveOptions(s: EnvSpec, options: EnvOptions = {}): EnvOptions {
  if (!s.options) {
    const keys = Object.keys(options);
    if (keys.length > 0) throw new ValidationError(`${s.id} options`, keys.map((k) => ({ path: k, message: `${s.id} takes no options` })));
    return {};
  }
  const parsed = s.options.strict().safeParse(coerceToSchema(s.options, options));
  if (!parsed.success) {
    throw new ValidationError(
      `${s.id} options`,
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || (i as any).keys?.join(', ') || '', message: i.message })),
    );
  }
  return parsed.data;
}
