/**
 * Starting worker threads, the one way gymnast does it (async vector envs, parallel DP sweeps, the
 * viewer's live training).
 *
 * An installed gymnast runs compiled JavaScript, and a worker starts straight from its `.js` file.
 * From a checkout, tests and scripts run the TypeScript sources through tsx; a worker does not
 * inherit the parent's loader (`--import tsx` in its execArgv is ignored), so a worker whose
 * modules are `.ts` first registers tsx (found by absolute URL, whatever the working directory)
 * and then imports its module. tsx is a development dependency: only that path needs it.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The URL of module `name` beside the module at `fromUrl` (pass `import.meta.url`), with the
 * caller's own extension: `.ts` when running from the sources, `.js` when compiled.
 */
export function siblingModule(fromUrl: string, name: string): URL {
  const ext = /\.[cm]?[jt]s$/.exec(new URL(fromUrl).pathname)?.[0] ?? '.js';
  return new URL(`./${name}${ext}`, fromUrl);
}

/** True for a module URL that needs a TypeScript loader. */
function isTypeScript(url: string | URL): boolean {
  return /\.[cm]?ts$/.test(new URL(url).pathname);
}

/**
 * A worker running `module`. `alsoLoads` are module URLs the worker will import itself (an env's
 * registering module, say): if any of them is TypeScript, the worker gets the tsx loader too.
 */
export function startWorker(module: URL, options: Omit<WorkerOptions, 'eval'> = {}, alsoLoads: readonly string[] = []): Worker {
  if (!isTypeScript(module) && !alsoLoads.some(isTypeScript)) return new Worker(module, options);
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    throw new Error(`a worker must load TypeScript (${[module.href, ...alsoLoads].filter((u) => isTypeScript(u)).join(', ')}) but tsx is not installed: npm install --save-dev tsx, or run the compiled package`);
  }
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
