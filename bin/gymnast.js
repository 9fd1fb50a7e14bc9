#!/usr/bin/env node
// The `gymnast` command. It runs the compiled package (dist/, written by `npm run build`, which
// `npm install` runs in a checkout). With GYMNAST_SOURCE=1, as the test runner sets, it runs the
// TypeScript sources through tsx instead, so tests exercise src/ as it is now.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);

if (process.env.GYMNAST_SOURCE === '1' && existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  console.error('gymnast: dist/ is missing: run `npm run build` in the checkout (or set GYMNAST_SOURCE=1 to run the sources through tsx)');
  process.exit(2);
}
