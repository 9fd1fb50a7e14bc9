import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { FileFormatError } from '../../src/core/errors.ts';
import { checkJsonDepth, formatPath, parseJsonFile, parseWithSchema, preview } from '../../src/motion/file-errors.ts';

test('JSON syntax errors give line and column', () => {
  const where = (text: string) => {
    try {
      parseJsonFile('f.json', text);
    } catch (e) {
      assert.instance(e, FileFormatError);
      assert.match((e as Error).message, /^f\.json: line \d+ column \d+: not valid JSON/);
      return (e as FileFormatError).where;
    }
    return 'parsed';
  };
  assert.is(where('{\n  "a": 1,\n  "b": ]\n}'), 'line 3 column 8');
  assert.is(where('{\n  "a": [1, 2,,3]\n}'), 'line 2 column 14');
  assert.is(where('{"a": 1'), 'line 1 column 8');
  assert.is(where('{"a": 1} x'), 'line 1 column 10');
});

test('schema problems name the path, say missing or list the allowed values', () => {
  const s = z.object({ A: z.array(z.object({ T: z.enum(['x', 'y']), n: z.number() })) });
  assert.throws(() => parseWithSchema('f', s, { A: [{ T: 'x', n: 1 }, { T: 'z', n: 2 }] }), /f: A\[1\]\.T: unknown value "z" \(expected one of "x", "y"\)/);
  assert.throws(() => parseWithSchema('f', s, { A: [{ T: 'x' }] }), /f: A\[0\]\.n: missing \(expected number\)/);
  assert.throws(() => parseWithSchema('f', s, { A: [{ T: 'q' }] }), /and 1 more problem/);
  assert.is(formatPath([]), '(top level)');
});

test('nesting depth is counted outside strings only, and refused past the limit with line and column', () => {
  checkJsonDepth('f', '{"a": "[[[[[[", "b": [[1]]}', 3);
  assert.throws(() => checkJsonDepth('f', '{"a": "\\"[[[[[[", "b": [[[1]]]}', 3), /^f: line 1 column 26: nested more than 3 levels deep$/);
  assert.throws(() => checkJsonDepth('f', '[\n [\n  [[]]]]', 3), /^f: line 3 column 4: nested more than 3 levels deep$/);
});

test('preview shows at most about 60 characters of any value', () => {
  assert.is(preview([1, 'a', null, { b: true }]), '[1,"a",null,{"b":true}]');
  assert.is(preview('x'.repeat(1000)), `"${'x'.repeat(56)}...`);
  assert.is(preview(new Array(1e6).fill(0)).length, 60);
});

test.run();
