/**
 * `gymnast/browser` (src/browser.ts): its whole import graph bundles for the browser platform with
 * no Node built-in in it, and what it reads comes through the page's file source: a character env
 * built from files fetched over HTTP steps exactly as the one built from the file system.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from 'esbuild';
import { BitHash, FetchedFiles, files, useFiles, make, packageRoot } from '../src/browser.ts';

test('src/browser.ts bundles for the browser with no node: import anywhere in its graph', async () => {
  const result = await build({
    entryPoints: [join(packageRoot, 'src', 'browser.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
    // Marked external so the build lists them instead of failing on the first. A bare name
    // (`require('fs')` in a dependency) that the package's "browser" field does not map away
    // fails the build itself: esbuild cannot resolve it for the browser platform.
    external: ['node:*'],
  });
  const nodeImports: string[] = [];
  for (const [file, input] of Object.entries(result.metafile!.inputs)) {
    for (const imp of input.imports) if (imp.path.startsWith('node:')) nodeImports.push(`${file} imports ${imp.path}`);
  }
  assert.equal(nodeImports, []);
  const inputs = Object.keys(result.metafile!.inputs);
  // The graph holds what the entry promises: the character envs, the agents, checkpoints.
  for (const f of ['src/envs/imitation/imitation-env.ts', 'src/agents/ppo.ts', 'src/nn/checkpoint.ts', 'src/envs/locomotion/ant.ts']) {
    assert.ok(inputs.includes(f), `${f} is in the browser graph`);
  }
});

test('a character env built from files fetched over HTTP steps bit for bit as the one read from disk', async () => {
  const needed = ['data/deeploco/characters/biped3d_mocap.txt', 'data/deeploco/motions/biped3d_walk.txt'];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname).slice(1);
    if (!needed.includes(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(join(packageRoot, path)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const rollout = () => {
    const env = make('BipedImitate-v0');
    try {
      env.actionSpace.seed(3);
      const h = new BitHash().numbers(env.reset({ seed: 3 }).obs as ArrayLike<number>);
      for (let t = 0; t < 20; t++) {
        const r = env.step(env.actionSpace.sample());
        h.numbers(r.obs as ArrayLike<number>).number(r.reward);
        if (r.terminated || r.truncated) break;
      }
      return h.hex();
    } finally {
      env.close();
    }
  };
  try {
    const fromDisk = rollout();
    const fetched = await FetchedFiles.load(`http://127.0.0.1:${port}/`, needed);
    // The page's layout: paths relative to the site, the data under data/.
    useFiles(FetchedFiles.fromMap('test', new Map(needed.map((p) => [join(packageRoot, p), fetched.readBytes(p)]))));
    assert.is(files().description, 'test');
    assert.is(rollout(), fromDisk);
  } finally {
    useFiles(null);
    server.close();
  }
});

test('FetchedFiles: a path that was not fetched, and a failed fetch, are errors naming the path', async () => {
  const source = FetchedFiles.fromMap('two files', new Map([['a/b.txt', 'x'], ['a/c/d.txt', 'y']]));
  assert.equal(source.list('a'), ['b.txt', 'c']);
  assert.ok(source.exists('a/c'));
  assert.not.ok(source.isFile('a/c'));
  assert.is(source.regularFileSize('a/b.txt'), 1);
  assert.throws(() => source.readText('a/zzz.txt'), /a\/zzz\.txt: cannot read \(not fetched/);
  const notFound = (async () => new Response('', { status: 404 })) as typeof fetch;
  try {
    await FetchedFiles.load('http://site/', ['data/x.txt'], notFound);
    assert.unreachable('a 404 must throw');
  } catch (e) {
    assert.match((e as Error).message, 'http://site/data/x.txt: cannot read (HTTP 404)');
  }
});

test.run();
