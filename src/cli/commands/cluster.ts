/**
 * The cluster's commands (src/cluster): `gymnast actor`, and the flags every cluster role shares
 * (`clusterFlags`, also used by `gymnast train --cluster`). The NATS client loads only when a
 * cluster command runs.
 */
import type { Command } from 'commander';
import { integerFlag } from '../args.ts';

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
      .command('actor')
      .description("collect rollouts for a cluster learner (gymnast train --cluster): claims a slot of the job, runs its envs and the learner's latest policy over this machine's cores, publishes batches")
      .option('--threads <n>', 'worker threads for the envs (default: one per core)'),
  ).action(async (opts: Record<string, any>) => {
    const { clusterOptions } = await import('../../cluster/connect.ts');
    const { runActor } = await import('../../cluster/actor.ts');
    await runActor({ cluster: clusterOptions(opts), threads: integerFlag('--threads', opts.threads, 1), signal: stopSignal() });
  });
}
