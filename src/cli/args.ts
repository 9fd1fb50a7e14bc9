/**
 * The command line's one parsing layer: repeatable flags, `--option` / `--set` pairs (values read
 * by the schema's rule in `core/settings.ts`), numbers with their bounds, choices, and tables.
 * Every command uses these, so the same flag means the same thing everywhere.
 */
import { UsageError } from '../core/errors.ts';
import { parseKeyValues } from '../core/settings.ts';

/** Commander's accumulator for a repeatable flag. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--option key=value` flags: env options, read by each env's schema. */
export const envOptions = (pairs: readonly string[] | undefined): Record<string, string> => parseKeyValues(pairs ?? [], '--option');

/** `--set key=value` flags: hyperparameter overrides, read by the agent's or the model's schema. */
export const overrides = (pairs: readonly string[] | undefined): Record<string, string> => parseKeyValues(pairs ?? [], '--set');

export interface NumberBounds {
  integer?: boolean;
  min?: number;
  max?: number;
  /** The bound excludes `min` itself (a positive number: `{ min: 0, exclusiveMin: true }`). */
  exclusiveMin?: boolean;
}

/** A number flag, undefined when absent; anything else than a number within its bounds is a UsageError naming the flag. */
export function numberFlag(flag: string, value: string | undefined, bounds: NumberBounds = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const kind = bounds.integer ? 'an integer' : 'a number';
  const low = bounds.min === undefined ? '' : bounds.exclusiveMin ? ` > ${bounds.min}` : ` ≥ ${bounds.min}`;
  const range = low + (bounds.max === undefined ? '' : `${low ? ' and' : ''} ≤ ${bounds.max}`);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(n) &&
    (!bounds.integer || Number.isInteger(n)) &&
    (bounds.min === undefined || (bounds.exclusiveMin ? n > bounds.min : n >= bounds.min)) &&
    (bounds.max === undefined || n <= bounds.max);
  if (!ok) throw new UsageError(`${flag} must be ${kind}${range}, got '${value}'`);
  return n;
}

/** A number flag that has a value (a default from commander, or a required flag). */
export function requiredNumber(flag: string, value: string, bounds: NumberBounds = {}): number {
  return numberFlag(flag, value, bounds)!;
}

/** A number flag > 0, or with `integer` an integer ≥ 1: durations, forces, counts. */
export function positiveFlag(flag: string, value: string | undefined, integer = false): number | undefined {
  return numberFlag(flag, value, integer ? { integer: true, min: 1 } : { min: 0, exclusiveMin: true });
}

/** An integer flag ≥ `min`: `--episodes`, `--seed`, `--steps`. */
export function integerFlag(flag: string, value: string | undefined, min = 0, max?: number): number | undefined {
  return numberFlag(flag, value, { integer: true, min, max });
}

/** A flag whose value is one of `allowed`. */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/** A left-aligned text table with a header and a rule. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
