/**
 * Bad input through the real command (issue 16, item 6): every case exits 2 with exactly one
 * line on stderr, `gymnast: ` and what is wrong, and no stack trace. What each line must say is
 * the part the user needs: the option, the file, the value given and what was expected.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'gymnast-exit-codes-'));
const file = join(tmp, 'a-file');
writeFileSync(file, 'not a folder\n');
mkdirSync(join(tmp, 'empty'));

function gymnast(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/gymnast.js'), ...args], { cwd: root, env: { ...process.env, GYMNAST_SOURCE: '1', NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Whether the optional native backend is installed (then asking for it is no error). */
function hasTensorflowPackage(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
    return true;
  } catch {
    return false;
  }
}

const cartpole = ['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '64'];
const cases: { what: string; args: string[]; says: RegExp }[] = [
  { what: 'unknown option', args: [...cartpole, '--bogus'], says: /unknown option '--bogus' \(see gymnast train --help\)/ },
  { what: 'misspelt option', args: [...cartpole, '--seeed', '1'], says: /unknown option '--seeed'; did you mean --seed\?/ },
  { what: 'option without its value', args: ['train', '--env'], says: /option '--env <id>' argument missing/ },
  { what: 'missing argument', args: ['eval'], says: /missing required argument 'dir'/ },
  { what: 'no command', args: [], says: /no command given: gymnast --help lists them/ },
  { what: 'unknown command', args: ['tran'], says: /unknown command 'tran'; did you mean train\?/ },
  { what: 'missing file', args: ['scenario', 'run', join(tmp, 'missing.yaml')], says: /missing\.yaml: no such file or folder/ },
  { what: 'empty scenario folder', args: ['scenario', 'run', join(tmp, 'empty')], says: /empty: no scenario files/ },
  { what: '--out at a file', args: [...cartpole, '--out', file], says: /a-file: already exists \(a file where a folder is wanted\?\)/ },
  { what: '--out under a file', args: [...cartpole, '--out', join(file, 'run')], says: /a-file\/run: a part of the path is a file, not a folder/ },
  // /sys refuses new folders even to root (EPERM; EACCES for other users).
  { what: '--out where nothing may be written', args: [...cartpole, '--out', '/sys/gymnast-run'], says: /\/sys\/gymnast-run: (permission denied|operation not permitted)/ },
  // Node's recursive mkdir loops forever under /proc (the parent exists, the child is refused).
  { what: '--out two levels under /proc', args: [...cartpole, '--out', '/proc/gymnast/run'], says: /\/proc\/gymnast: no such file or folder/ },
  { what: 'env option out of range', args: ['rollout', 'Pendulum-v1', '--option', 'g=-1'], says: /Pendulum-v1 options: g: Too small: expected number to be >0, got -1$/ },
  { what: 'env option of the wrong type', args: ['rollout', 'Pendulum-v1', '--option', 'g=abc'], says: /g: expected number, got 'abc'$/ },
  { what: 'a value with a line break', args: ['rollout', 'FrozenLake-v1', '--option', 'is_slippery=a\nb'], says: /is_slippery: expected boolean, got 'a b'$/ },
  { what: 'option without =', args: ['rollout', 'CartPole-v1', '--option', 'seed'], says: /--option: seed: expected key=value/ },
  { what: 'hyperparameter out of range', args: [...cartpole, '--set', 'gamma=2'], says: /ppo hyperparameters: gamma: Too big: expected number to be <=1, got 2$/ },
  { what: 'empty number flag', args: ['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--steps', ''], says: /--steps must be an integer ≥ 1, got ''/ },
  { what: 'unknown env', args: ['rollout', 'Nope-v1'], says: /unknown env 'Nope-v1'/ },
  { what: 'view --run on no folder', args: ['view', '--run', join(tmp, 'no-run'), '--port', '0', '--seconds', '1'], says: /no-run: no such folder/ },
];
if (!hasTensorflowPackage()) {
  cases.push({ what: 'missing backend package', args: [...cartpole, '--backend', 'tensorflow', '--out', join(tmp, 'tf')], says: /backend 'tensorflow' is not available: .*@tensorflow\/tfjs-node-gpu/ });
}

test('every bad input: exit 2, one line on stderr, no stack', async () => {
  const failures: string[] = [];
  // Two at a time: the machine has two cores.
  for (let i = 0; i < cases.length; i += 2) {
    await Promise.all(
      cases.slice(i, i + 2).map(async (c) => {
        const r = await gymnast(c.args);
        const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
        const problems = [
          r.code !== 2 && `exit ${r.code}`,
          lines.length !== 1 && `${lines.length} lines on stderr`,
          /^\s+at /m.test(r.stderr) && 'a stack trace',
          lines.length === 1 && !lines[0]!.startsWith('gymnast: ') && 'no "gymnast: " prefix',
          lines.length === 1 && !c.says.test(lines[0]!) && `not ${c.says}`,
        ].filter(Boolean);
        if (problems.length > 0) failures.push(`${c.what} (gymnast ${c.args.join(' ')}): ${problems.join(', ')}\n${r.stderr}`);
      }),
    );
  }
  assert.is(failures.length, 0, failures.join('\n'));
});

test('--verbose adds the stack to the same line', async () => {
  const r = await gymnast(['rollout', 'Nope-v1', '--verbose']);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /^gymnast: unknown env 'Nope-v1'/);
  assert.match(r.stderr, /^\s+at /m);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
