/**
 * The page's code: three.js, uPlot and its CSS, the protocol file and the client, bundled by
 * esbuild into one script and one stylesheet.
 *
 * An installed gymnast serves the bundle that `npm run build` wrote beside the compiled server
 * (`dist/viewer/client/page.js`, `page.css`, `index.html`): no esbuild at run time. From the
 * sources (a checkout running through tsx) there is no prebuilt bundle, and the page is bundled in
 * memory with esbuild (a development dependency) the first time it is asked for; the server asks
 * at startup, so the first page load does not wait.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Beside the server: the client's sources (from src/) or the prebuilt bundle (in dist/). */
const clientDir = fileURLToPath(new URL('../client', import.meta.url));

/** The prebuilt bundle's file names, inside the client folder. */
export const PREBUILT = { html: 'index.html', js: 'page.js', css: 'page.css' } as const;

export interface ClientBundle {
  html: string;
  js: Uint8Array;
  css: Uint8Array;
  /** Milliseconds spent bundling (0 for a prebuilt bundle). */
  buildMs: number;
}

let pending: Promise<ClientBundle> | undefined;

/** The bundle, loaded or built once per process; a failure is retried on the next call. */
export function clientBundle(): Promise<ClientBundle> {
  pending ??= (existsSync(join(clientDir, PREBUILT.js)) ? readPrebuilt(clientDir) : bundleClientSources(clientDir)).catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

async function readPrebuilt(dir: string): Promise<ClientBundle> {
  const [html, js, css] = await Promise.all([
    readFile(join(dir, PREBUILT.html), 'utf8'),
    readFile(join(dir, PREBUILT.js)),
    readFile(join(dir, PREBUILT.css)),
  ]);
  return { html, js, css, buildMs: 0 };
}

/**
 * esbuild's `build`, loaded when first needed: only a checkout running the sources bundles at run
 * time (an installed gymnast has its pages prebuilt). `what` names the page for the error.
 */
export async function loadEsbuild(what: string): Promise<typeof import('esbuild').build> {
  try {
    return (await import('esbuild')).build;
  } catch (e) {
    throw new Error(`${what} is not prebuilt here (run npm run build), and esbuild, which would bundle it, cannot be loaded (${(e as Error).message})`);
  }
}

/** Bundles the client whose sources (`main.ts`, `index.html`, …) are in `sourceDir`. */
export async function bundleClientSources(sourceDir: string): Promise<ClientBundle> {
  const t0 = performance.now();
  const build = await loadEsbuild("the viewer's page");
  const result = await build({
    entryPoints: { app: join(sourceDir, 'main.ts') },
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
  const html = await readFile(join(sourceDir, 'index.html'), 'utf8');
  return { html, js: js.contents, css: css?.contents ?? new Uint8Array(), buildMs: performance.now() - t0 };
}

/** Bundles the client sources in `sourceDir` and writes the prebuilt files into `outDir` (the build step). */
export async function writeClientBundle(sourceDir: string, outDir: string): Promise<ClientBundle> {
  const bundle = await bundleClientSources(sourceDir);
  await mkdir(outDir, { recursive: true });
  await Promise.all([
    writeFile(join(outDir, PREBUILT.html), bundle.html),
    writeFile(join(outDir, PREBUILT.js), bundle.js),
    writeFile(join(outDir, PREBUILT.css), bundle.css),
  ]);
  return bundle;
}
