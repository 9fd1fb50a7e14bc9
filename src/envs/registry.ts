/**
 * The env registry (Gymnasium's `register` / `make`): versioned ids `Name-vN`, options validated
 * by each env's zod schema, and the standard wrappers applied by `make`
 * (order enforcing with action checks, then a time limit).
 *
 * Each spec records the module that registered it, so a worker thread can import that module and
 * build the same env (see `vector/async-vector-env.ts`).
 */
import { z } from 'zod';
import { UnknownIdError, ValidationError } from '../core/errors.ts';
import { coerceToSchema } from '../core/settings.ts';
import type { AnyEnv } from './env.ts';
import { OrderEnforcing } from './wrappers/order-enforcing.ts';
import { TimeLimit } from './wrappers/time-limit.ts';

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

export interface MakeOptions {
  /** Env options (validated by the spec's schema). Strings are coerced as on the command line. */
  options?: EnvOptions;
  /** Overrides the spec's time limit; 0 = no time limit. */
  maxEpisodeSteps?: number;
  /** Skip the order-enforcing and action-checking wrapper (for `checkEnv` on a bare env). */
  disableOrderEnforcing?: boolean;
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

/** Builds a registered env with its standard wrappers. */
export function make(id: string, makeOptions: MakeOptions = {}): AnyEnv {
  const s = spec(id);
  let env: AnyEnv = s.create(resolveOptions(s, makeOptions.options));
  if (!makeOptions.disableOrderEnforcing) env = new OrderEnforcing(env);
  const limit = makeOptions.maxEpisodeSteps ?? s.maxEpisodeSteps;
  if (limit !== undefined && limit > 0) env = new TimeLimit(env, limit);
  return env;
}
