/**
 * The page's code, bundled in memory with esbuild's JS API the first time it is asked for (the
 * server asks at startup, so the first page load does not wait): three.js, uPlot and its CSS, the
 * protocol file and the client. No build step for the user, nothing written to disk.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const clientDir = fileURLToPath(new URL('../client/', import.meta.url));

export interface ClientBundle {
  html: string;
  js: Uint8Array;
  css: Uint8Array;
  buildMs: number;
}

let pending: Promise<ClientBundle> | undefined;

/** The bundle, built once per process; a failed build is retried on the next call. */
export function clientBundle(): Promise<ClientBundle> {
  pending ??= buildClient().catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

async function buildClient(): Promise<ClientBundle> {
  const t0 = performance.now();
  // Loaded here, not at the top: importing the viewer (as the library's index does) must not need
  // esbuild until a page is actually served.
  let build: typeof import('esbuild').build;
  try {
    ({ build } = await import('esbuild'));
  } catch (e) {
    throw new Error(`the viewer bundles its page with esbuild, which cannot be loaded (${(e as Error).message}): npm install esbuild`);
  }
  const result = await build({
    entryPoints: { app: `${clientDir}main.ts` },
    bundle: true,
    write: false,
    outdir: '/gymnast-viewer',
    format: 'esm',
    platform: 'browser',
    // Current Chromium and Firefox: nothing newer than what both ship.
    target: ['chrome115', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    loader: { '.css': 'css' },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js) throw new Error('viewer: esbuild produced no JavaScript for the page');
  const html = await readFile(`${clientDir}index.html`, 'utf8');
  return { html, js: js.contents, css: css?.contents ?? new Uint8Array(), buildMs: performance.now() - t0 };
}
