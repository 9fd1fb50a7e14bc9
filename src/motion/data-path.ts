/**
 * Where the bundled data lives and what the short clip names mean.
 *
 * The data folder is the package's own `data/` (found from this file, so it resolves the same from
 * a clone, running the TypeScript sources, and from an installed package, running `dist/`), or
 * the folder named by the environment variable GYMNAST_DATA, which must have the same layout
 * (`data/README.md`). A clip argument is a path, or a short name: `walk` →
 * `deepmimic/motions/humanoid3d_walk.txt`, `long_walk1` →
 * `deepmimic/motions/long/humanoid3d_long_walk1.txt`, `biped3d_walk` →
 * `deeploco/motions/biped3d_walk.txt`.
 */
import { UnknownIdError, UsageError } from '../core/errors.ts';
import { files } from '../core/files.ts';
import { hasNodeBuiltins, nodeBuiltin } from '../core/node-builtins.ts';
import { baseName, joinPath } from '../core/paths.ts';

/**
 * The package root: two levels above this file, both for `src/motion/data-path.ts` and for the
 * compiled `dist/motion/data-path.js`. In a browser page it is '.', the site's own folder: the
 * page's file source (core/files.ts) fetches `data/…` relative to the site.
 */
export const packageRoot: string = hasNodeBuiltins()
  ? nodeBuiltin('path', 'the package folder').resolve(nodeBuiltin('url', 'the package folder').fileURLToPath(new URL('.', import.meta.url)), '..', '..')
  : '.';

/** GYMNAST_DATA where a process environment exists. */
function dataEnv(): string | undefined {
  return globalThis.process?.env?.GYMNAST_DATA || undefined;
}

/** The data folder (GYMNAST_DATA, else the package's `data/`). */
export function dataDir(): string {
  const env = dataEnv();
  return env ? nodeBuiltin('path', 'GYMNAST_DATA').resolve(env) : joinPath(packageRoot, 'data');
}

/** Where the data folder comes from, for error messages. */
function dataSource(): string {
  return dataEnv()
    ? `the folder named by GYMNAST_DATA (${dataDir()}); unset GYMNAST_DATA to use the data gymnast ships`
    : `gymnast's data folder (${dataDir()} in ${files().description}); the installation is incomplete, reinstall gymnast`;
}

/** A path inside the data folder (it may not exist: see `dataFile`). */
export function dataPath(...parts: string[]): string {
  return joinPath(dataDir(), ...parts);
}

/** A file inside the data folder that must exist: one error naming the file and the folder otherwise. */
export function dataFile(...parts: string[]): string {
  const path = dataPath(...parts);
  if (!files().isFile(path)) throw new UsageError(`missing data file ${joinPath(...parts)}: not in ${dataSource()}`);
  return path;
}

/** Short name → file, for every clip shipped in the data folder. */
export function bundledClips(): Map<string, string> {
  const out = new Map<string, string>();
  const add = (dir: string, prefix: RegExp) => {
    for (const f of files().list(dir)) {
      if (!f.endsWith('.txt')) continue;
      out.set(baseName(f, '.txt').replace(prefix, ''), joinPath(dir, f));
    }
  };
  add(dataPath('deepmimic', 'motions'), /^humanoid3d_/);
  add(dataPath('deepmimic', 'motions', 'long'), /^humanoid3d_/);
  const biped = dataPath('deeploco', 'motions', 'biped3d_walk.txt');
  if (files().isFile(biped)) out.set('biped3d_walk', biped);
  return out;
}

/** A path if it exists, else the bundled clip of that short name; UnknownIdError listing the bundled clips otherwise. */
export function resolveClipPath(arg: string): string {
  if (files().isFile(arg)) return arg;
  const clips = bundledClips();
  const hit = clips.get(arg.replace(/^humanoid3d_/, '').replace(/\.txt$/, ''));
  if (hit) return hit;
  const hint = dataEnv() ? `not a file, nor a clip in GYMNAST_DATA=${dataDir()}` : 'not a file, nor a clip gymnast ships';
  throw new UnknownIdError('clip', arg, [...clips.keys()], hint);
}

/** Character files shipped in the data folder, by skeleton name (relative to the data folder). */
const characterFiles: ReadonlyMap<string, readonly string[]> = new Map([
  ['humanoid3d', ['deepmimic', 'characters', 'humanoid3d.txt']],
  ['biped3d', ['deeploco', 'characters', 'biped3d_mocap.txt']],
]);

/** Character files shipped in the data folder, by skeleton name. */
export function bundledCharacters(): Map<string, string> {
  return new Map([...characterFiles].map(([name, parts]) => [name, dataPath(...parts)]));
}

/** A character file path, or the bundled character of that name (`humanoid3d`, `biped3d`). */
export function resolveCharacterPath(arg: string): string {
  if (files().isFile(arg)) return arg;
  const parts = characterFiles.get(arg) ?? characterFiles.get(arg.replace(/_mocap$/, ''));
  if (parts) return dataFile(...parts);
  throw new UnknownIdError('character', arg, [...characterFiles.keys()]);
}
