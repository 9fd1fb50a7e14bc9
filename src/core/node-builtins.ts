/**
 * Node's built-in modules for the code that also runs in a browser page.
 *
 * The envs, motion readers, networks and agents are one code base for Node and for the page
 * (`gymnast/browser`). A static `import … from 'node:fs'` anywhere in their import graph would
 * break a browser bundle, so the few Node-only operations they contain (writing a file, finding
 * the package folder, hashing with OpenSSL) reach the built-ins at call time through
 * `process.getBuiltinModule` (Node ≥ 20.16). In a page those calls throw one clear error; the
 * browser path reads its files through `files.ts`'s fetch loader instead.
 *
 * Modules that only ever run in Node (the CLI, training runs, worker pools, the viewer server)
 * import `node:*` as usual.
 */
import { UsageError } from './errors.ts';

type Builtins = {
  fs: typeof import('node:fs');
  path: typeof import('node:path');
  url: typeof import('node:url');
  crypto: typeof import('node:crypto');
  module: typeof import('node:module');
  os: typeof import('node:os');
};

/** True where Node's built-in modules can be reached (Node ≥ 20.16), false in a browser page. */
export function hasNodeBuiltins(): boolean {
  return typeof globalThis.process?.getBuiltinModule === 'function';
}

/** A Node built-in module; `what` names the operation in the error a browser page gets. */
export function nodeBuiltin<K extends keyof Builtins>(name: K, what: string): Builtins[K] {
  const get = globalThis.process?.getBuiltinModule;
  if (typeof get !== 'function') {
    throw new UsageError(`${what} needs Node.js (≥ 20.16); in a browser page, load files through gymnast/browser's fetch loader`);
  }
  return get(`node:${name}`) as Builtins[K];
}
