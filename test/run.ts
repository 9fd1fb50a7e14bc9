/**
 * Test runner: runs every `test/**\/*.test.ts` file (or those whose path contains one of the
 * arguments) in its own Node process with tsx, two at a time, and prints uvu's counts summed over
 * files, ending with the line CI reads: `N passed, N failed`.
 *
 * One process per file keeps native state (Rapier worlds, tfjs backends, worker threads, servers)
 * from leaking between files, and uses both cores.
 *
 * `--slow` adds the slow tier, `*.slow.ts` files (every scenario under scenarios/, minutes each):
 * `npm run test:slow` runs that tier alone, `npm test -- --slow` everything.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'test');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const slow = process.argv.includes('--slow');
const jobs = Number(process.env.TEST_JOBS) || Math.max(1, Math.min(2, cpus().length));
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS) || 300_000;
// A slow file trains a dozen agents in a row: a budget of its own.
const slowFileTimeoutMs = Number(process.env.TEST_SLOW_FILE_TIMEOUT_MS) || 3_600_000;

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts') || (slow && name.endsWith('.slow.ts'))) out.push(p);
  }
  return out;
}

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
  output: string;
  code: number | null;
}

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      // GYMNAST_SOURCE: the `gymnast` command the tests spawn runs src/, not a possibly stale dist/.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', GYMNAST_SOURCE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timeoutMs = file.endsWith('.slow.ts') ? slowFileTimeoutMs : fileTimeoutMs;
    const timer = setTimeout(() => {
      output += `\n[runner] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
      const total = Number(/Total:\s+(\d+)/.exec(clean)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(clean)?.[1] ?? 0);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(clean)?.[1] ?? 0);
      // uvu's Total counts the tests that ran; skipped ones are counted apart. A file that crashed
      // before uvu's summary counts as one failure.
      let failed = Number.isNaN(total) ? 1 : total - passed;
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file, passed, failed, skipped, ms: Date.now() - started, output: clean, code });
    });
  });
}

const files = findTests(testDir).filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)));
if (files.length === 0) {
  console.log(`no test files match ${filters.join(' ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/** A test file that skips says why on a line starting `skipped:`; the runner repeats it. */
function skipReason(output: string): string {
  const line = /^skipped: (.*)$/m.exec(output)?.[1];
  return line ? `: ${line}` : '';
}

const results: FileResult[] = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++]!;
    const r = await runFile(file);
    results.push(r);
    const status = r.failed > 0 ? 'FAIL' : 'ok  ';
    const skipNote = r.skipped ? `, ${r.skipped} skipped${skipReason(r.output)}` : '';
    console.log(`${status} ${relative(root, file)}  (${r.passed} passed${r.failed ? `, ${r.failed} failed` : ''}${skipNote}, ${(r.ms / 1000).toFixed(1)} s)`);
    if (r.failed > 0) console.log(r.output.split('\n').map((l) => '    ' + l).join('\n'));
  }
}
const t0 = Date.now();
await Promise.all(Array.from({ length: jobs }, worker));
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
const skipped = results.reduce((a, r) => a + r.skipped, 0);
console.log(`\n${files.length} files in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
