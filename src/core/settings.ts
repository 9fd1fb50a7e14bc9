/**
 * Settings as people type them: `key=value` pairs from the command line (`--option`, `--set`) and
 * YAML mappings from files. One rule for every command and every schema: a value stays the
 * string it was typed as when the schema takes that string; otherwise it is read as YAML (a
 * number, `true`/`false`, a flow list `[64, 64]`, …) and that is what the schema sees. So
 * `clip=001` stays a clip name while `hidden=[64,64]` becomes a list, whatever the command.
 */
import { readTextFile } from './files.ts';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { FileFormatError, ValidationError } from './errors.ts';

/** `key=value` strings (`--option clip=walk`), the values left as typed; `what` names the flag in errors. */
export function parseKeyValues(pairs: readonly string[] = [], what = '--option'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ValidationError(what, [{ path: pair, message: 'expected key=value' }]);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * Bounds on a YAML text before the parser sees it. Settings and scenario files are a few hundred
 * bytes written by hand; the `yaml` package is slow or worse on some hostile shapes: 10 000 nested
 * `[` take a second and overflow its stack, a run of 10 000 commas in a flow list or of 64 000
 * quotes takes seconds (the time grows with the square of the count), and a flood of `{` ends the
 * process out of memory.
 */
export const MAX_YAML_CHARACTERS = 1 << 20;
export const MAX_YAML_DEPTH = 64;
export const MAX_YAML_FLOW_MARKS = 4096;

const tooMany = (line: number) => `line ${line}: more than ${MAX_YAML_FLOW_MARKS} of [ ] { } , " ' (a settings file has a few)`;

/**
 * What makes `text` too big or too deep to parse, with its line, or null. Counts the flow marks
 * `[ ] { } ,` outside quotes and comments (their nesting depth, and their number with the quotes).
 */
export function yamlShapeProblem(text: string): string | null {
  if (text.length > MAX_YAML_CHARACTERS) return `${text.length} characters, more than the ${MAX_YAML_CHARACTERS} a settings file may have`;
  let depth = 0;
  let marks = 0;
  let line = 1;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    // Quotes count as marks wherever they are: a run of them (a flood of empty strings) is as slow.
    if ((c === '"' || c === "'") && ++marks > MAX_YAML_FLOW_MARKS) return tooMany(line);
    if (quote !== '') {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    const before = i === 0 ? '\n' : text[i - 1]!;
    const startsToken = /[\s[{,:]/.test(before);
    if (c === '#' && /\s/.test(before)) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if ((c === '"' || c === "'") && startsToken) quote = c;
    else if (c === '[' || c === '{' || c === ']' || c === '}' || c === ',') {
      if (++marks > MAX_YAML_FLOW_MARKS) return tooMany(line);
      if (c === '[' || c === '{') {
        if (++depth > MAX_YAML_DEPTH) return `line ${line}: nested more than ${MAX_YAML_DEPTH} levels deep`;
      } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    }
  }
  return null;
}

/** A typed string read as YAML (a scalar or a flow collection); the string itself where it is no YAML. */
export function yamlValue(text: string): unknown {
  // Too deep or too long to be a value anyone typed: left a string, which the schema then refuses.
  if (yamlShapeProblem(text) !== null) return text;
  try {
    return parseYaml(text) ?? text;
  } catch {
    return text;
  }
}

/**
 * The values with each string turned into what `schema`'s field for its key accepts: the string
 * itself, or its YAML reading. Non-strings pass as they are; a string the field rejects either way
 * (or a key the schema lacks) is given as YAML, so the schema's error shows the typed value.
 */
export function coerceToSchema(schema: z.ZodObject<any>, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const field = schema.shape[key] as z.ZodType | undefined;
    if (typeof value !== 'string') out[key] = value;
    else if (field?.safeParse(value).success) out[key] = value;
    else out[key] = yamlValue(value);
  }
  return out;
}

/** A YAML (or JSON) file holding one mapping, e.g. hyperparameters; an empty file is an empty mapping. */
export function readYamlMapping(file: string, what = 'settings'): Record<string, unknown> {
  const text = readTextFile(file);
  const problem = yamlShapeProblem(text);
  if (problem !== null) throw new FileFormatError(file, 'YAML', problem);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new FileFormatError(file, 'YAML', (e as Error).message.split('\n')[0]!);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new FileFormatError(file, '(root)', `expected a mapping of ${what}`);
  return doc as Record<string, unknown>;
}
