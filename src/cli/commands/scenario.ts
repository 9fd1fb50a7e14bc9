/** `gymnast scenario run <files or folders> [--quick] [--json]`. */
import type { Command } from 'commander';
import { runScenarioFiles, scenarioFiles } from '../scenarios/runner.ts';
import { printTable } from '../args.ts';

export function register(program: Command): void {
  const scenario = program.command('scenario').description('scenario regression files (scenarios/*.yaml)');
  scenario
    .command('run <paths...>')
    .description('run scenario files or folders and check their expectations; exits 1 if any fails')
    .option('--quick', 'only scenarios marked quick: true')
    .option('--json', 'print JSON')
    .action(async (paths: string[], opts: { quick?: boolean; json?: boolean }) => {
      const results = await runScenarioFiles(scenarioFiles(paths), (s) => !opts.quick || s.quick);
      if (opts.json) console.log(JSON.stringify(results, null, 2));
      else {
        const rows: string[][] = [];
        for (const r of results) {
          if (r.error) rows.push([r.name, r.env, r.agent, 'error', '', r.error.replace(/\n\s*/g, ' '), 'FAIL']);
          for (const c of r.checks) {
            rows.push([r.name, r.env, r.agent, c.metric, c.value === null ? '-' : typeof c.value === 'number' ? fmt(c.value) : c.value, c.expected, c.ok ? 'ok' : 'FAIL']);
          }
        }
        printTable(['scenario', 'env', 'agent', 'metric', 'value', 'expected', ''], rows);
        const failed = results.filter((r) => !r.ok).length;
        console.log(`\n${results.length - failed} scenarios passed, ${failed} failed`);
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(4);
}
