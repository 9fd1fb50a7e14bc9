/**
 * Turning problems found in a file into one FileFormatError that names the file and the field or
 * line: JSON syntax errors get a line and column, schema problems the path of the field
 * (`Skeleton.Joints[3].Type`) and what was expected.
 */
import type { z } from 'zod';
import { FileFormatError } from '../core/errors.ts';

/** Parses JSON text, reporting a syntax error with its line and column. */
export function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    // V8 gives a position for some errors only; otherwise find it ourselves.
    const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? jsonErrorPosition(text));
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    throw new FileFormatError(file, `line ${line} column ${column}`, `not valid JSON (${msg.length > 120 ? `${msg.slice(0, 117)}...` : msg})`);
  }
}

/** Offset of the first JSON syntax error in text (a small recursive-descent scan, run only after JSON.parse failed). */
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
    problem = `unknown value ${JSON.stringify(value)} (expected one of ${first.values.map((v) => JSON.stringify(v)).join(', ')})`;
  } else {
    problem = `${first.message}${value !== undefined ? ` (got ${JSON.stringify(value)?.slice(0, 60)})` : ''}`;
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new FileFormatError(file, formatPath(first.path), problem + more);
}
