/**
 * `gymnast site --out DIR`: writes the static site, a folder any static file server can serve.
 *
 *   index.html, page.js, page.css   the viewer's page, fed by Web Workers (page.ts)
 *   worker.js                       one job per worker: env + policy, or PPO learning (worker.ts)
 *   tfjs-wasm/*.wasm                tfjs's WASM backend (Rapier's WASM is inside worker.js)
 *   site.json                       the jobs (messages.ts)
 *   policies/<name>/                each shipped policy: config.json and its latest checkpoint
 *   data/…                          the data files those policies' envs read, with the licences
 *
 * Which data files a policy's env needs is not listed by hand: the env is built here once under a
 * file source that records what it reads, and exactly those files are copied.
 *
 * The page and worker scripts are prebuilt by `npm run build` into dist/site/; from the sources
 * (a checkout running through tsx) they are bundled here with esbuild.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFolder } from '../core/atomic-write.ts';
import { UsageError } from '../core/errors.ts';
import { files, nodeFiles, useFiles, type FileSource } from '../core/files.ts';
import { clearAssetCaches } from '../envs/character/assets.ts';
import { make } from '../envs/registry.ts';
import { latestCheckpoint } from '../nn/checkpoint.ts';
import { dataDir } from '../motion/data-path.ts';
import { readRunConfig } from '../train/run-config.ts';
import { shippedPolicies } from '../train/shipped-policies.ts';
import { loadEsbuild } from '../viewer/server/bundle.ts';
import { SITE_FORMAT, type PolicyJob, type SiteJob, type SiteManifest, type TrainJob } from './messages.ts';

export interface SiteOptions {
  outDir: string;
  /** Run folders to perform; default: every policy gymnast ships (`policies/*`). */
  policies?: string[];
  /** PPO learning CartPole in the page (default true), for this many env steps. */
  train?: boolean;
  trainSteps?: number;
  trainSeed?: number;
}

export interface SiteSummary {
  outDir: string;
  jobs: SiteJob[];
  files: number;
  bytes: number;
}

/** Files the scripts come from: prebuilt beside this module (dist/site/), else bundled from src/site/. */
const here = fileURLToPath(new URL('.', import.meta.url));
const SCRIPTS = ['page.js', 'page.css', 'worker.js'] as const;

async function siteScripts(): Promise<Record<(typeof SCRIPTS)[number], Uint8Array>> {
  if (SCRIPTS.every((f) => existsSync(join(here, f)))) {
    return Object.fromEntries(SCRIPTS.map((f) => [f, readFileSync(join(here, f))])) as unknown as Record<(typeof SCRIPTS)[number], Uint8Array>;
  }
  return bundleSiteScripts(here);
}

/** Bundles page.ts and worker.ts of `sourceDir` with esbuild (the build step, and runs from the sources). */
export async function bundleSiteScripts(sourceDir: string): Promise<Record<(typeof SCRIPTS)[number], Uint8Array>> {
  const build = await loadEsbuild("the site's page and worker");
  const result = await build({
    entryPoints: { page: join(sourceDir, 'page.ts'), worker: join(sourceDir, 'worker.ts') },
    bundle: true,
    write: false,
    outdir: '/gymnast-site',
    format: 'esm',
    platform: 'browser',
    target: ['chrome115', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    loader: { '.css': 'css' },
  });
  const get = (name: string) => {
    const f = result.outputFiles.find((o) => o.path.endsWith(`/${name}`));
    if (!f) throw new Error(`site: esbuild produced no ${name}`);
    return f.contents;
  };
  return { 'page.js': get('page.js'), 'page.css': get('page.css'), 'worker.js': get('worker.js') };
}

/** Writes the prebuilt scripts into `outDir` (npm run build: dist/site/). */
export async function writeSiteScripts(sourceDir: string, outDir: string): Promise<void> {
  const scripts = await bundleSiteScripts(sourceDir);
  mkdirSync(outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(scripts)) writeFileSync(join(outDir, name), bytes);
}

/** The viewer's index.html with the site's script and stylesheet, by relative URL. */
function indexHtml(): string {
  const client = join(here, '..', 'viewer', 'client', 'index.html');
  const html = readFileSync(client, 'utf8');
  return html
    .replace('href="/app.css"', 'href="page.css"')
    .replace('src="/app.js"', 'src="page.js"')
    .replace('<title>gymnast viewer</title>', '<title>gymnast in the browser</title>\n    <link rel="icon" href="data:," />')
    .replace('connecting…', 'starting…');
}

/** The files `make(envId, options)` reads (its character, controller and clip), as absolute paths. */
export function filesReadBy(envId: string, options: Record<string, unknown>): string[] {
  const read = new Set<string>();
  const inner = nodeFiles();
  const recording: FileSource = {
    ...inner,
    description: inner.description,
    readBytes: (p) => (read.add(resolve(p)), inner.readBytes(p)),
    readText: (p) => (read.add(resolve(p)), inner.readText(p)),
  };
  const before = files();
  clearAssetCaches();
  useFiles(recording);
  try {
    make(envId, { options }).close();
  } finally {
    useFiles(before);
    clearAssetCaches();
  }
  return [...read].sort();
}

/** Writes the site; returns what it wrote. */
export async function writeSite(options: SiteOptions): Promise<SiteSummary> {
  // Every policy is checked before anything is written.
  const runs = (options.policies ?? shippedPolicies()).map((runArg) => {
    const runDir = resolve(runArg);
    const config = readRunConfig(runDir);
    const checkpoint = latestCheckpoint(join(runDir, 'checkpoints'));
    if (!checkpoint) throw new UsageError(`${runArg}: the run has no checkpoint yet, so there is no policy to show`);
    return { runArg, runDir, config, checkpoint };
  });
  const names = runs.map((r) => basename(r.runDir));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`two policies are named '${twice}' (the site names a policy by its folder): copy one to a folder of another name`);
  const out = resolve(options.outDir);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${options.outDir}: is a file, not a folder`);
  ensureFolder(out);
  let count = 0;
  let bytes = 0;
  const put = (rel: string, content: Uint8Array | string) => {
    const target = join(out, rel);
    ensureFolder(dirname(target));
    writeFileSync(target, content);
    count++;
    bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  };
  const copy = (from: string, rel: string) => put(rel, readFileSync(from));

  const scripts = await siteScripts();
  for (const [name, content] of Object.entries(scripts)) put(name, content);
  put('index.html', indexHtml());
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) copy(join(wasmDir, f), `tfjs-wasm/${f}`);

  const jobs: SiteJob[] = [];
  const data = dataDir();
  const dataCopied = new Set<string>();
  runs.forEach(({ runArg, runDir, config, checkpoint }, k) => {
    const name = basename(runDir);
    const siteRun = `policies/${name}`;
    const jobFiles: string[] = [];
    for (const file of filesReadBy(config.env, config.envOptions)) {
      const rel = relative(data, file);
      if (rel.startsWith('..') || rel.startsWith(sep)) {
        throw new UsageError(`${runArg}: its env reads ${file}, outside gymnast's data folder (${data}); the site carries data files only`);
      }
      const siteRel = `data/${rel.split(sep).join('/')}`;
      if (!dataCopied.has(siteRel)) copy(file, siteRel);
      dataCopied.add(siteRel);
      jobFiles.push(siteRel);
    }
    const ckptName = basename(checkpoint);
    copy(join(runDir, 'config.json'), `${siteRun}/config.json`);
    put(`${siteRun}/checkpoints/latest.json`, JSON.stringify({ name: ckptName, step: readStep(checkpoint) }) + '\n');
    jobFiles.push(`${siteRun}/config.json`, `${siteRun}/checkpoints/latest.json`);
    for (const f of readdirSync(checkpoint).sort()) {
      copy(join(checkpoint, f), `${siteRun}/checkpoints/${ckptName}/${f}`);
      jobFiles.push(`${siteRun}/checkpoints/${ckptName}/${f}`);
    }
    const job: PolicyJob = { kind: 'policy', id: name, title: `${name} (${config.agent.toUpperCase()} on ${config.env})`, run: siteRun, files: jobFiles, seed: 0, offset: [0, 0, -2.5 * k] };
    jobs.push(job);
  });
  // The licences of the data the site carries.
  for (const top of new Set([...dataCopied].map((p) => p.split('/')[1]!))) {
    const licence = join(data, top, 'LICENSE');
    if (existsSync(licence)) copy(licence, `data/${top}/LICENSE`);
  }
  if (existsSync(join(data, 'README.md'))) copy(join(data, 'README.md'), 'data/README.md');

  if (options.train ?? true) {
    const job: TrainJob = {
      kind: 'train',
      id: 'ppo-cartpole',
      title: 'PPO learning CartPole-v1 in this page',
      env: 'CartPole-v1',
      agent: 'ppo',
      seed: options.trainSeed ?? 1,
      steps: options.trainSteps ?? 500_000,
      offset: [3, 0, 0],
    };
    jobs.push(job);
  }
  const manifest: SiteManifest = { format: SITE_FORMAT, generatedBy: 'gymnast site', jobs };
  put('site.json', JSON.stringify(manifest, null, 1) + '\n');
  put('THIRD_PARTY_LICENSES.txt', thirdPartyLicences());
  return { outDir: out, jobs, files: count, bytes };
}

function readStep(checkpoint: string): number {
  const index = JSON.parse(readFileSync(join(checkpoint, 'index.json'), 'utf8')) as { step: number };
  return index.step;
}

/** The licence texts of the libraries bundled into the page and worker scripts. */
function thirdPartyLicences(): string {
  const require = createRequire(import.meta.url);
  const pkgs = ['three', 'uplot', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@dimforge/rapier3d-compat', 'zod', 'yaml'];
  const parts: string[] = [];
  for (const pkg of pkgs) {
    // The package's folder: up from its entry point (not every package exports its package.json).
    let dir: string;
    try {
      dir = dirname(require.resolve(pkg));
    } catch {
      continue;
    }
    while (!dir.endsWith(`${sep}node_modules${sep}${pkg.split('/').join(sep)}`) && dirname(dir) !== dir) dir = dirname(dir);
    const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    const { license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { license?: string };
    parts.push(`${pkg} (${license ?? 'see its package'})\n\n${file ? readFileSync(join(dir, file), 'utf8').trim() : ''}\n`);
  }
  return parts.join('\n' + '-'.repeat(80) + '\n\n');
}
