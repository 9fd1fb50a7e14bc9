/**
 * gymnast as a user installs it: `npm pack` of this checkout (after a fresh build), then the
 * tarball installed into an empty project with `npm ci --offline`: the project's lockfile is made
 * from ours (gymnast from the tarball, plus our lockfile's entries for what it needs at run time,
 * development-only entries left out), so npm takes every package from the local cache by its
 * integrity and asks no registry. The cache holds them once `npm install` or `npm ci` has run in
 * the checkout. Used by the packaging test and the start-up benchmark.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** What `npm pack --json` says of the tarball. */
export interface PackInfo {
  filename: string;
  integrity: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a command run as a user would: no tsx loader, no "run the sources" switch,
 * no data override.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.GYMNAST_SOURCE;
  delete env.GYMNAST_DATA;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

/** Runs a command to its end (two minutes at most) and returns its exit code and output. */
export function runCommand(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: userEnv(extraEnv), maxBuffer: 64 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed; its stdout, or an error with everything it printed. */
export async function runOk(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await runCommand(cmd, args, cwd, extraEnv);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** The newest modification time (ms) under `dir`: its files, and its folders (a file removed). */
function newestMtime(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * True when dist/ was built after every source and build input last changed (as after `npm ci`,
 * whose `prepare` builds): then packing need not build again, as `make` would not.
 */
function distIsFresh(): boolean {
  const stamp = join(repoRoot, 'dist', 'cli', 'env-table.json'); // the build's last output
  if (!existsSync(stamp)) return false;
  const inputs = Math.max(newestMtime(join(repoRoot, 'src')), newestMtime(join(repoRoot, 'data')), ...['scripts/build.mjs', 'tsconfig.build.json', 'tsconfig.json', 'package.json'].map((f) => statSync(join(repoRoot, f)).mtimeMs));
  return statSync(stamp).mtimeMs > inputs;
}

/** Packs the checkout into `dir`, building dist/ first unless it is newer than its sources. */
export async function packCheckout(dir: string): Promise<PackInfo> {
  if (!distIsFresh()) await runOk(process.execPath, [join(repoRoot, 'scripts/build.mjs')], repoRoot);
  const out = await runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], repoRoot);
  return (JSON.parse(out) as PackInfo[])[0]!;
}

/** Installs a tarball packed into `dir` into a new empty project `dir/project`, offline; returns the project folder. */
export async function installOffline(dir: string, pack: PackInfo): Promise<string> {
  const project = join(dir, 'project');
  const ours = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const runtime = Object.fromEntries(Object.entries(ours.packages as Record<string, { dev?: boolean }>).filter(([path, p]) => path !== '' && !p.dev));
  const tarball = `file:../${pack.filename}`;
  const packageJson = { name: 'gymnast-user', version: '1.0.0', private: true, type: 'module', dependencies: { gymnast: tarball } };
  const lock = {
    name: 'gymnast-user',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'gymnast-user', version: '1.0.0', dependencies: { gymnast: tarball } },
      'node_modules/gymnast': {
        version: manifest.version,
        resolved: tarball,
        integrity: pack.integrity,
        license: manifest.license,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
        engines: manifest.engines,
      },
      ...runtime,
    },
  };
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify(packageJson, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const r = await runCommand('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
  if (r.code !== 0) throw new Error(`npm ci --offline of the packed gymnast failed (a package missing from the npm cache? run npm ci in the checkout first):\n${r.stderr}`);
  return project;
}
