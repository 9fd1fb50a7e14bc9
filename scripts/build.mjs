#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install` in a checkout builds): compiles src/ to dist/
// with tsc (ES modules and .d.ts), prebuilds the viewer's page into dist/viewer/client/, so a
// running gymnast needs neither tsx nor esbuild, and writes the env table of `gymnast envs`.
// Plain JavaScript: it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const t0 = performance.now();

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('build: tsc failed');
  process.exit(1);
}

const { writeClientBundle } = await import(`${dist}/viewer/server/bundle.js`);
const page = await writeClientBundle(`${root}src/viewer/client`, `${dist}/viewer/client`);
// The page bundles three.js and uPlot (MIT): their licence texts travel with it.
const licences = ['three', 'uplot'].map((pkg) => `${pkg}\n\n${readFileSync(`${root}node_modules/${pkg}/LICENSE`, 'utf8').trim()}\n`);
writeFileSync(`${dist}/viewer/client/THIRD_PARTY_LICENSES.txt`, licences.join('\n' + '-'.repeat(80) + '\n\n'));

// The page `gymnast record` renders in, bundled like the viewer's page.
const { bundleRecordScript } = await import(`${dist}/live/record.js`);
writeFileSync(`${dist}/viewer/client/record.js`, await bundleRecordScript(`${root}src/viewer/client/record.ts`));

// The static site's page and worker scripts (`gymnast site`), bundled once here like the viewer's page.
const { writeSiteScripts } = await import(`${dist}/site/build.js`);
await writeSiteScripts(`${root}src/site`, `${dist}/site`);

// The env table of `gymnast envs`, computed once here from the compiled code and the packaged
// data (src/cli/commands/envs.ts says why).
delete process.env.GYMNAST_DATA;
const { liveEnvRows, ENV_TABLE } = await import(`${dist}/cli/commands/envs.js`);
const rows = await liveEnvRows();
writeFileSync(ENV_TABLE, JSON.stringify(rows, null, 2) + '\n');

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`build: dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s (viewer page ${kib(page.js.length)} JS, ${kib(page.css.length)} CSS; ${rows.length} envs in the env table)`);
