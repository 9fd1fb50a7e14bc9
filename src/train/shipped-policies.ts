/**
 * The policies gymnast ships: the run folders under the package's `policies/` (the biped's walk,
 * the humanoid's skills), each with its config.json and latest checkpoint, installed with the
 * package. `gymnast start` plays them; `gymnast site` carries them. Node only (lists a folder).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../motion/data-path.ts';

/** The run folders of `policies/`, sorted by name: the folders that hold a config.json. */
export function shippedPolicies(): string[] {
  const dir = join(packageRoot, 'policies');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => existsSync(join(p, 'config.json')));
}
