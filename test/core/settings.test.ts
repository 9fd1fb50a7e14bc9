import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { FileFormatError, ValidationError } from '../../src/core/errors.ts';
import { coerceToSchema, MAX_YAML_DEPTH, MAX_YAML_FLOW_MARKS, parseKeyValues, readYamlMapping, yamlShapeProblem, yamlValue } from '../../src/core/settings.ts';

const schema = z.object({
  clip: z.string(),
  hidden: z.array(z.number()),
  rate: z.number(),
  flag: z.boolean(),
  mode: z.union([z.number(), z.string()]),
});

test('key=value pairs keep the typed strings; a pair without = names the flag', () => {
  assert.equal(parseKeyValues(['a=1', 'b=x=y', 'c=']), { a: '1', b: 'x=y', c: '' });
  assert.throws(() => parseKeyValues(['novalue'], '--set'), (e: unknown) => e instanceof ValidationError && /--set: 1 problem/.test((e as Error).message) && /novalue: expected key=value/.test((e as Error).message));
});

test('each value becomes what its field accepts: the string itself, else its YAML reading', () => {
  const out = coerceToSchema(schema, parseKeyValues(['clip=001', 'hidden=[64, 64]', 'rate=3e-4', 'flag=false', 'mode=2', 'other=[1]']));
  // A clip named 001 stays a name; the rest read as YAML where the schema wants them so.
  assert.equal(out, { clip: '001', hidden: [64, 64], rate: 0.0003, flag: false, mode: '2', other: [1] });
  // Values already typed (from a YAML file or a library caller) pass as they are.
  assert.equal(coerceToSchema(schema, { rate: 1, clip: 'walk' }), { rate: 1, clip: 'walk' });
  // A value no reading makes valid reaches the schema as YAML, so its error names the typed value.
  assert.equal(coerceToSchema(schema, { rate: 'fast' }), { rate: 'fast' });
  assert.is(yamlValue('[1, 2'), '[1, 2');
  assert.is(yamlValue(''), '');
});

test('a YAML mapping file: empty is empty; not a mapping or unreadable names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gymnast-settings-'));
  try {
    const good = join(dir, 'hp.yaml');
    writeFileSync(good, 'learningRate: 0.002\nhidden: [32, 32]\n');
    assert.equal(readYamlMapping(good), { learningRate: 0.002, hidden: [32, 32] });
    writeFileSync(join(dir, 'empty.yaml'), '');
    assert.equal(readYamlMapping(join(dir, 'empty.yaml')), {});
    writeFileSync(join(dir, 'list.yaml'), '- a\n- b\n');
    assert.throws(() => readYamlMapping(join(dir, 'list.yaml'), 'hyperparameters'), (e: unknown) => e instanceof FileFormatError && /list\.yaml: \(root\): expected a mapping of hyperparameters/.test((e as Error).message));
    writeFileSync(join(dir, 'bad.yaml'), 'a: [1,\n');
    assert.throws(() => readYamlMapping(join(dir, 'bad.yaml')), (e: unknown) => e instanceof FileFormatError && /bad\.yaml: YAML:/.test((e as Error).message));
    assert.throws(() => readYamlMapping(join(dir, 'missing.yaml')), (e: unknown) => e instanceof FileFormatError && /missing\.yaml: file: cannot read \(ENOENT\)/.test((e as Error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('YAML too deep or with too many flow marks is refused before the parser (it took seconds, overflowed, or ran out of memory)', () => {
  assert.is(MAX_YAML_DEPTH, 64);
  assert.is(MAX_YAML_FLOW_MARKS, 4096);
  assert.is(yamlShapeProblem(`a: ${'['.repeat(64)}${']'.repeat(64)}\n`), null);
  assert.is(yamlShapeProblem(`a: 1\nb: ${'['.repeat(65)}`), 'line 2: nested more than 64 levels deep');
  assert.is(yamlShapeProblem(`a: [1${','.repeat(5000)}]`), 'line 1: more than 4096 of [ ] { } , " \' (a settings file has a few)');
  // 64 000 quotes in a row took the parser seconds: quotes count too.
  assert.match(yamlShapeProblem(`a: ${'"'.repeat(5000)}`)!, /^line 1: more than 4096 of/);
  // Marks inside quotes and comments are text, not structure; an apostrophe inside a word opens no quote.
  assert.is(yamlShapeProblem(`a: "${'['.repeat(100)}"\nb: '${'{'.repeat(100)}'\n# ${'['.repeat(100)}\nc: don't [1, 2]\n`), null);
  assert.match(yamlShapeProblem('x'.repeat(2 ** 20 + 1))!, /1048577 characters, more than the 1048576 a settings file may have/);
  // A --set value that deep stays the typed string (the schema then says what it expected).
  assert.is(yamlValue(`[${'['.repeat(100)}`), `[${'['.repeat(100)}`);
  const file = join(mkdtempSync(join(tmpdir(), 'gymnast-settings-')), 'deep.yaml');
  writeFileSync(file, `hidden: ${'{'.repeat(100_000)}\n`);
  assert.throws(() => readYamlMapping(file), (e: unknown) => e instanceof FileFormatError && /deep\.yaml: YAML: line 1: nested more than 64 levels deep/.test((e as Error).message));
});

test.run();
