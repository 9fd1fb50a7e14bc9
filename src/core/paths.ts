/**
 * Path strings for the code shared by Node and the browser: '/'-separated, as in URLs and POSIX
 * paths. Node accepts '/' on every platform, and a page's loader maps these paths onto URLs.
 */

/** Joins segments with one '/' between them; empty segments are skipped, `..` and `.` are resolved. */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return normalizePath(joined);
}

/** Resolves `.` and `..` segments and repeated slashes, keeping a leading '/'. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg === '..' && absolute) continue;
    else out.push(seg);
  }
  const body = out.join('/');
  return absolute ? `/${body}` : body || '.';
}

/** The last segment, without `ext` when it ends with it (Node's path.basename). */
export function baseName(path: string, ext?: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return ext && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
}

/** The extension with its dot (`.bvh`), or '' (Node's path.extname). */
export function extName(path: string): string {
  const base = baseName(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

/** Everything before the last segment ('.' for a bare name). */
export function dirName(path: string): string {
  if (/^\/+$/.test(path)) return '/';
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : trimmed.slice(0, i);
}

/**
 * An absolute path in Node (`path.resolve`, against the working folder); in a browser page, where
 * paths are relative to the page's file source, the normalized path.
 */
export function resolvePath(path: string): string {
  const node = globalThis.process?.getBuiltinModule?.('node:path') as typeof import('node:path') | undefined;
  return node ? node.resolve(path) : normalizePath(path);
}
