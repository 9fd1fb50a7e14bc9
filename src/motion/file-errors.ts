/**
 * Turning problems found in a file into one FileFormatError that names the file and the field or
 * line: JSON syntax errors get a line and column, schema problems the path of the field
 * (`Skeleton.Joints[3].Type`) and what was expected.
 */
import type { z } from 'zod';
import { FileFormatError } from '../core/errors.ts';

/**
 * Deepest nesting of `[` and `{` a motion, character or controller file may have. The deepest
 * real one is a character file at 4 (`{"Skeleton": {"Joints": [{...}]}}`); 64 leaves room and
 * keeps every recursive walk of the parsed value (zod, JSON.stringify, the position scan below)
 * far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 64;

/** Line and column (1-based) of offset `pos` in text. */
function lineColumn(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line} column ${pos - before.lastIndexOf('\n')}`;
}

/**
 * Refuses text nested deeper than `maxDepth` before anything parses it: one pass counting
 * brackets outside strings, so its own depth is a number, not the stack's.
 */
export function checkJsonDepth(file: string, text: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* backslash: skip the escaped character */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) throw new FileFormatError(file, lineColumn(text, i), `nested more than ${maxDepth} levels deep`);
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
}

/** Parses JSON text, reporting a syntax error with its line and column, and nesting beyond MAX_JSON_DEPTH. */
export function parseJsonFile(file: string, text: string): unknown {
  checkJsonDepth(file, text);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    // V8 gives a position for some errors only; otherwise find it ourselves.
    const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? jsonErrorPosition(text));
    throw new FileFormatError(file, lineColumn(text, pos), `not valid JSON (${msg.length > 120 ? `${msg.slice(0, 117)}...` : msg})`);
  }
}

/**
 * Offset of the first JSON syntax error in text (a small recursive-descent scan, run only after
 * JSON.parse failed; checkJsonDepth has bounded its depth).
 */
function jsonErrorPosition(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          value();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) fail();
      i++;
    } else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    return at as number;
  }
}

/** `['Skeleton', 'Joints', 3, 'Type']` → `Skeleton.Joints[3].Type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s || '(top level)';
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * At most about 60 characters showing a value in a message: a long string or a big array is
 * cut, not written out whole first (a file may hold millions of numbers where one was expected).
 */
export function preview(value: unknown, limit = 60): string {
  let out = '';
  const put = (s: string): boolean => {
    out += s;
    return out.length <= limit;
  };
  const walk = (v: unknown): boolean => {
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) if ((i > 0 && !put(',')) || !walk(v[i])) return false;
      return put(']');
    }
    if (v !== null && typeof v === 'object') {
      if (!put('{')) return false;
      let first = true;
      for (const k in v) {
        if ((!first && !put(',')) || !put(`${JSON.stringify(k.slice(0, limit))}:`) || !walk((v as Record<string, unknown>)[k])) return false;
        first = false;
      }
      return put('}');
    }
    if (typeof v === 'string') return put(JSON.stringify(v.slice(0, limit + 1)));
    return put(v === undefined ? 'undefined' : typeof v === 'number' || typeof v === 'boolean' || v === null ? String(v) : typeof v);
  };
  walk(value);
  return out.length > limit ? `${out.slice(0, limit - 3)}...` : out;
}

/** Validates `data` with a zod schema; the first problem becomes a FileFormatError. */
export function parseWithSchema<T extends z.ZodType>(file: string, schema: T, data: unknown): z.output<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues;
  const first = issues[0]!;
  const value = valueAt(data, first.path);
  let problem: string;
  if (first.code === 'invalid_type' && value === undefined) {
    problem = `missing (expected ${first.expected})`;
  } else if (first.code === 'invalid_value') {
    problem = `unknown value ${preview(value)} (expected one of ${first.values.map((v) => JSON.stringify(v)).join(', ')})`;
  } else {
    problem = `${first.message}${value !== undefined ? ` (got ${preview(value)})` : ''}`;
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new FileFormatError(file, formatPath(first.path), problem + more);
}
