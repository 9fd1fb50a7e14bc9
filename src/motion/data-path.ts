/**
 * Where the bundled data lives and what the short clip names mean.
 *
 * The data folder is `../shared/data` from the repository root (a sibling checkout), or the
 * folder named by the environment variable GYMNAST_DATA. A clip argument is a path, or a short
 * name: `walk` → `deepmimic/motions/humanoid3d_walk.txt`, `long_walk1` →
 * `deepmimic/motions/long/humanoid3d_long_walk1.txt`, `biped3d_walk` →
 * `deeploco/motions/biped3d_walk.txt`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnknownIdError } from '../core/errors.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The data folder (GYMNAST_DATA, else `<repo>/../shared/data`). */
export function dataDir(): string {
  return process.env.GYMNAST_DATA ? resolve(process.env.GYMNAST_DATA) : resolve(repoRoot, '..', 'shared', 'data');
}

/** A path inside the data folder. */
export function dataPath(...parts: string[]): string {
  return join(dataDir(), ...parts);
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

/** A path if it exists, else the bundled clip of that short name; UnknownIdError otherwise. */
export function resolveClipPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const clips = bundledClips();
  const hit = clips.get(arg.replace(/^humanoid3d_/, '').replace(/\.txt$/, ''));
  if (hit) return hit;
  throw new UnknownIdError('clip', arg, [...clips.keys()]);
}

/** Character files shipped in the data folder, by skeleton name. */
export function bundledCharacters(): Map<string, string> {
  return new Map([
    ['humanoid3d', dataPath('deepmimic', 'characters', 'humanoid3d.txt')],
    ['biped3d', dataPath('deeploco', 'characters', 'biped3d_mocap.txt')],
  ]);
}

/** A character file path, or the bundled character of that name (`humanoid3d`, `biped3d`). */
export function resolveCharacterPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const chars = bundledCharacters();
  const hit = chars.get(arg) ?? chars.get(arg.replace(/_mocap$/, ''));
  if (hit) return hit;
  throw new UnknownIdError('character', arg, [...chars.keys()]);
}
