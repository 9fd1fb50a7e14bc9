/**
 * The env catalog (src/envs/catalog.ts): importing the registry alone, with no other module of
 * gymnast, knows every shipped id, and each id is registered by the module its catalog line names.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registeredIds, spec } from '../../src/envs/registry.ts';

const catalogFile = new URL('../../src/envs/catalog.ts', import.meta.url);

/** `import './classic/cartpole.ts'; // CartPole-v1` → [module URL, [ids]] per line. */
function catalogLines(): [string, string[]][] {
  const lines = readFileSync(catalogFile, 'utf8').split('\n').filter((l) => l.startsWith('import '));
  return lines.map((l) => {
    const m = /^import '(\.\/[^']+)'; \/\/ (.+)$/.exec(l);
    assert.ok(m, `catalog line without its ids: ${l}`);
    return [new URL(m[1]!, catalogFile).href, m[2]!.split(',').map((s) => s.trim())];
  });
}

test('the registry alone knows every id the catalog lists, and no other', () => {
  const listed = catalogLines().flatMap(([, ids]) => ids).sort();
  assert.equal(registeredIds(), listed);
  assert.is(listed.length, 18);
});

test("each id is registered by the module on its catalog line (what a worker imports to build it)", () => {
  for (const [module, ids] of catalogLines()) {
    for (const id of ids) assert.is(fileURLToPath(spec(id).module), fileURLToPath(module), id);
  }
});

test.run();
