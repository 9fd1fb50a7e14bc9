/** `npm run bench -- <name> [args]`: runs `bench/<name>.ts`. */
import { existsSync, readdirSync } from 'node:fs';

const [name, ...rest] = process.argv.slice(2);
const dir = new URL('./', import.meta.url);
const available = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3)).sort();
if (!name || !existsSync(new URL(`${name}.ts`, dir))) {
  console.error(`usage: npm run bench -- <name>; benchmarks: ${available.join(', ')}`);
  process.exit(2);
}
process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
await import(new URL(`${name}.ts`, dir).href);
