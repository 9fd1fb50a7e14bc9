/**
 * The env registry (Gymnasium's `register` / `make`): the specs (`specs.ts`), every env gymnast
 * ships (`catalog.ts`, loaded here, so any code that can call `make` knows every id), and `make`,
 * which validates the options with the env's schema and applies the standard wrappers (order
 * enforcing with action checks, then a time limit).
 */
import './catalog.ts';
import type { AnyEnv } from './env.ts';
import { resolveOptions, spec, type EnvOptions } from './specs.ts';
import { OrderEnforcing } from './wrappers/order-enforcing.ts';
import { TimeLimit } from './wrappers/time-limit.ts';

export * from './specs.ts';

export interface MakeOptions {
  /** Env options (validated by the spec's schema). Strings are coerced as on the command line. */
  options?: EnvOptions;
  /** Overrides the spec's time limit; 0 = no time limit. */
  maxEpisodeSteps?: number;
  /** Skip the order-enforcing and action-checking wrapper (for `checkEnv` on a bare env). */
  disableOrderEnforcing?: boolean;
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
