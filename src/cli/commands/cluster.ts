/**
 * The cluster's commands (src/cluster): `gymnast actor`, and the flags every cluster role shares
 * (`clusterFlags`, also used by `gymnast train --cluster`). The NATS client loads only when a
 * cluster command runs.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { integerFlag, printTable } from '../args.ts';

/** The connection flags of every cluster command (src/cluster/connect.ts reads them, then the environment). */
export function clusterFlags(cmd: Command, withCluster = true): Command {
  if (withCluster) cmd.option('--cluster <url>', 'NATS server with JetStream, nats://HOST:PORT (or GYMNAST_CLUSTER)');
  return cmd
    .option('--job <name>', 'the job learners and actors share (default `default`, or GYMNAST_JOB)')
    .option('--nats-user <user>', 'NATS user (or GYMNAST_NATS_USER); never written to a run folder')
    .option('--nats-password <password>', 'NATS password (or GYMNAST_NATS_PASSWORD)')
    .option('--nats-token <token>', 'NATS token (or GYMNAST_NATS_TOKEN)')
    .option('--nats-ca <file>', 'TLS: CA certificate, PEM (or GYMNAST_NATS_CA)')
    .option('--nats-cert <file>', 'TLS: client certificate, PEM (or GYMNAST_NATS_CERT)')
    .option('--nats-key <file>', 'TLS: client key, PEM (or GYMNAST_NATS_KEY)');
}

/** An AbortSignal that fires on SIGINT or SIGTERM (the role finishes what it is doing and leaves cleanly). */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('stopping (again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}

export function register(program: Command): void {
  clusterFlags(
    program
      .command('sweep <spec-or-action> [name]')
      .description('gymnast sweep SPEC.yaml: queue every run of a sweep (seeds × settings) for workers; gymnast sweep status NAME: where each run is; gymnast sweep results NAME: the final metrics')
      .option('--ack-wait-s <s>', 'seconds a silent worker keeps a run before it goes back to the queue (default 60)')
      .option('--json', 'print JSON'),
  ).action(async (what: string, name: string | undefined, opts: Record<string, any>) => {
    const { clusterOptions } = await import('../../cluster/connect.ts');
    const sweep = await import('../../cluster/sweep.ts');
    const cluster = clusterOptions(opts);
    if (what === 'status' || what === 'results') {
      if (!name) throw new UsageError(`gymnast sweep ${what} NAME: which sweep?`);
      const records = await sweep.sweepRecords(cluster, name);
      if (what === 'status') {
        if (opts.json) return console.log(JSON.stringify(records));
        printTable(['run', 'seed', 'settings', 'status', 'step', 'attempts', 'worker'], records.map((r) => [r.id, String(r.seed), JSON.stringify(r.settings), r.status + (r.error ? `: ${r.error}` : ''), `${r.step}/${r.steps}`, String(r.attempts), r.worker ?? '']));
        const done = records.filter((r) => r.status === 'done').length;
        console.log(`${done} of ${records.length} done`);
        return;
      }
      const rows = records.map((r) => ({ run: r.id, seed: r.seed, ...r.settings, status: r.status, step: r.step, ...(r.results ?? {}) }));
      if (opts.json) return console.log(JSON.stringify(rows));
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      printTable(columns, rows.map((r) => columns.map((c) => format((r as Record<string, unknown>)[c]))));
      return;
    }
    if (name !== undefined) throw new UsageError(`gymnast sweep ${what}: one spec file, or status NAME, or results NAME`);
    const spec = sweep.readSweepSpec(what);
    const queued = await sweep.submitSweep(cluster, spec, integerFlag('--ack-wait-s', opts.ackWaitS, 1) ?? 60);
    const total = sweep.expandSweep(spec).length;
    if (opts.json) console.log(JSON.stringify({ sweep: spec.name, runs: total, queued: queued.map((r) => r.id) }));
    else console.error(`sweep ${spec.name}: ${queued.length} of ${total} runs queued${queued.length < total ? ' (the others were queued before)' : ''}; start workers with gymnast worker --cluster …; follow with gymnast sweep status ${spec.name}`);
  });

  clusterFlags(
    program
      .command('worker')
      .description('train sweep runs from the queue, one at a time (gymnast sweep); a run whose worker died is resumed from its last stored checkpoint')
      .option('--store <dir>', 'keep run folders under <dir>/<sweep>/<run> (a shared folder) instead of the JetStream object store')
      .option('--idle-exit-s <s>', 'leave after this many seconds without work (default: never)'),
  ).action(async (opts: Record<string, any>) => {
    const { clusterOptions } = await import('../../cluster/connect.ts');
    const { runWorker } = await import('../../cluster/sweep.ts');
    await runWorker({ cluster: clusterOptions(opts), store: opts.store, idleExitSeconds: integerFlag('--idle-exit-s', opts.idleExitS, 1), signal: stopSignal() });
  });

  clusterFlags(
    program
      .command('actor')
      .description("collect rollouts for a cluster learner (gymnast train --cluster): claims a slot of the job, runs its envs and the learner's latest policy over this machine's cores, publishes batches")
      .option('--threads <n>', 'worker threads for the envs (default: one per core)'),
  ).action(async (opts: Record<string, any>) => {
    const { clusterOptions } = await import('../../cluster/connect.ts');
    const { runActor } = await import('../../cluster/actor.ts');
    await runActor({ cluster: clusterOptions(opts), threads: integerFlag('--threads', opts.threads, 1), signal: stopSignal() });
  });
}

function format(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return typeof v === 'string' ? v : JSON.stringify(v);
}
