/**
 * The CLI's last line of defence (src/cli/main.ts): a failure nothing catches, in a timer, a
 * promise or a worker thread, while tfjs's WASM backend is loaded, is one line on stderr and an
 * exit code, 1 for a bug and 2 for bad input. Before, tfjs's Emscripten listener rethrew it: Node
 * exited with code 7 and printed about 38 KB of minified tfjs-backend-wasm source (measured
 * 2026-12-07 with a timer throwing after `initBackend('wasm')`, no handlers).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const fixture = join(root, 'test/cli/fixtures/fail-later.ts');

function failLater(mode: string, ...extra: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', fixture, mode, ...extra], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 90_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

const cases: [mode: string, code: number, line: string][] = [
  ['throw', 1, 'gymnast: internal error: boom in a timer (rerun with --verbose for the stack)'],
  ['reject', 1, 'gymnast: internal error: boom in a promise (rerun with --verbose for the stack)'],
  ['worker', 1, 'gymnast: internal error: boom in a worker (rerun with --verbose for the stack)'],
  ['usage', 2, 'gymnast: bad input found late'],
];

test('an uncaught error, a rejected promise, a worker that throws: one line, exit 1 (2 for bad input), never code 7', async () => {
  for (let i = 0; i < cases.length; i += 2) {
    await Promise.all(
      cases.slice(i, i + 2).map(async ([mode, code, line]) => {
        const r = await failLater(mode);
        assert.is(r.code, code, `${mode}: exit ${r.code}\n${r.stderr.slice(0, 2000)}`);
        assert.equal(r.stderr.split('\n').filter((l) => l.trim() !== ''), [line], mode);
      }),
    );
  }
});

test('--verbose: the line (without the hint), then the stack', async () => {
  const r = await failLater('throw', '--verbose');
  assert.is(r.code, 1, r.stderr.slice(0, 2000));
  const lines = r.stderr.split('\n');
  assert.is(lines[0], 'gymnast: internal error: boom in a timer');
  assert.is(lines[1], 'TypeError: boom in a timer');
  assert.match(lines[2]!, /^\s+at .*fail-later\.ts/);
});

test.run();
