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
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnknownIdError, UsageError } from '../core/errors.ts';

/**
 * The package root: two levels above this file, both for `src/motion/data-path.ts` and for the
 * compiled `dist/motion/data-path.js`.
 */
export const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The data folder (GYMNAST_DATA, else the package's `data/`). */
export function dataDir(): string {
  return process.env.GYMNAST_DATA ? resolve(process.env.GYMNAST_DATA) : join(packageRoot, 'data');
}

/** Where the data folder comes from, for error messages. */
function dataSource(): string {
  return process.env.GYMNAST_DATA
    ? `the folder named by GYMNAST_DATA (${dataDir()}); unset GYMNAST_DATA to use the data gymnast ships`
    : `gymnast's data folder (${dataDir()}); the installation is incomplete, reinstall gymnast`;
}

/** A path inside the data folder (it may not exist: see `dataFile`). */
export function dataPath(...parts: string[]): string {
  return join(dataDir(), ...parts);
}

/** A file inside the data folder that must exist: one error naming the file and the folder otherwise. */
export function dataFile(...parts: string[]): string {
  const path = dataPath(...parts);
  if (!existsSync(path)) throw new UsageError(`missing data file ${relative(dataDir(), path)}: not in ${dataSource()}`);
  return path;
}

/** Short name → file, for every clip shipped in the data folder. */
export function bundledClips(): Map<string, string> {
  const out = new Map<string, string>();
  const add = (dir: string, prefix: RegExp) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.txt')) continue;
      out.set(basename(f, '.txt').replace(prefix, ''), join(dir, f));
    }
  };
  add(dataPath('deepmimic', 'motions'), /^humanoid3d_/);
  add(dataPath('deepmimic', 'motions', 'long'), /^humanoid3d_/);
  const biped = dataPath('deeploco', 'motions', 'biped3d_walk.txt');
  if (existsSync(biped)) out.set('biped3d_walk', biped);
  return out;
}

/** A path if it exists, else the bundled clip of that short name; UnknownIdError listing the bundled clips otherwise. */
export function resolveClipPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const clips = bundledClips();
  const hit = clips.get(arg.replace(/^humanoid3d_/, '').replace(/\.txt$/, ''));
  if (hit) return hit;
  const hint = process.env.GYMNAST_DATA ? `not a file, nor a clip in GYMNAST_DATA=${dataDir()}` : 'not a file, nor a clip gymnast ships';
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
  if (existsSync(arg)) return arg;
  const parts = characterFiles.get(arg) ?? characterFiles.get(arg.replace(/_mocap$/, ''));
  if (parts) return dataFile(...parts);
  throw new UnknownIdError('character', arg, [...characterFiles.keys()]);
}
