import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError, UsageError, ValidationError } from '../../src/core/errors.ts';
import { classifyExit } from './cli.ts';
import { fuzzFormat } from './engine.ts';
import { classify } from './worker.ts';

test('classify: a one-line GymnastError is clear; anything else thrown is a stack trace', () => {
  assert.is(classify(new UsageError('bad --fps')).outcome, 'clear');
  assert.is(classify(new FileFormatError('f', 'line 2', 'x')).outcome, 'clear');
  assert.is(classify(new ValidationError('cfg', [{ path: 'a', message: 'm' }, { path: 'b', message: 'n' }])).outcome, 'clear');
  assert.is(classify(new UsageError('two\nlines')).outcome, 'stack');
  assert.is(classify(new UsageError('x'.repeat(4001))).outcome, 'stack');
  assert.is(classify(new TypeError('x is undefined')).outcome, 'stack');
  assert.is(classify(new RangeError('Maximum call stack size exceeded')).outcome, 'stack');
  assert.is(classify('a string').outcome, 'stack');
});

test('classifyExit: exit 2 with one gymnast: line is clear; a stack, exit 1 or a timeout is not', () => {
  assert.is(classifyExit({ code: 0, stderr: '', timedOut: false }).outcome, 'clean');
  assert.is(classifyExit({ code: 2, stderr: 'gymnast: f.bvh: line 3: bad\n', timedOut: false }).outcome, 'clear');
  assert.is(classifyExit({ code: 2, stderr: 'gymnast: cfg: 2 problems\n  - a: m\n  - b: n\n', timedOut: false }).outcome, 'clear');
  assert.is(classifyExit({ code: 2, stderr: 'gymnast: x\nTypeError: y\n    at f (/a/b.ts:1:2)\n', timedOut: false }).outcome, 'stack');
  assert.is(classifyExit({ code: 1, stderr: 'gymnast: internal error: x\n', timedOut: false }).outcome, 'stack');
  assert.is(classifyExit({ code: 2, stderr: 'Usage: gymnast\n\nOptions:\n', timedOut: false }).outcome, 'stack');
  assert.is(classifyExit({ code: null, stderr: '', timedOut: true }).outcome, 'hang');
});

test('the engine tells apart clean, clear, stack, partial write, hang and out of memory, and goes on after each', async () => {
  // formats.ts's self-check format: case i ends the (i mod 6)-th way; from case 1 to case 7 so a
  // clean case follows the hang and the memory exhaustion (each stops the worker; a new one goes on).
  const s = await fuzzFormat('self-check', { cases: 7, from: 1, timeoutMs: 3000, heapMb: 64 });
  assert.equal(s.counts, { clean: 1, clear: 2, stack: 1, partial: 1, hang: 1, memory: 1 });
  assert.equal(s.failures.map((f) => `${f.index} ${f.outcome} ${f.what}`), ['2 stack TypeError', '3 partial partial', '4 hang hang', '5 memory memory']);
});

test.run();
