/**
 * The connection to a NATS server with JetStream, the one thing every cluster role shares: the
 * server's address, credentials and TLS files from flags or the environment, and the names of the
 * streams, buckets and subjects of one job.
 *
 * Credentials live in memory only: they are never written into a run folder, a log line or a
 * stored message (`describeCluster` prints the address without them; a test checks a run folder).
 *
 *   flag                    environment              what
 *   --cluster URL           GYMNAST_CLUSTER          nats://host:port (or tls://); comma-separated for several
 *   --nats-user / -password GYMNAST_NATS_USER / _PASSWORD
 *   --nats-token            GYMNAST_NATS_TOKEN
 *   --nats-ca / -cert / -key GYMNAST_NATS_CA / _CERT / _KEY   TLS files (PEM)
 *   --job NAME              GYMNAST_JOB              which learner's job (default `default`)
 */
import { connect } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import { UsageError } from '../core/errors.ts';

export interface ClusterOptions {
  /** Server URLs, `nats://host:port` or `tls://host:port`. */
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** The job's name: learners and actors of one job share its streams and buckets. */
  job: string;
}

/** Flags as commander gives them (camelCase). */
export interface ClusterFlags {
  cluster?: string;
  natsUser?: string;
  natsPassword?: string;
  natsToken?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
  job?: string;
}

const JOB = /^[A-Za-z0-9_-]{1,32}$/;

/** The cluster options from flags, then the environment; one UsageError for a bad address or job name. */
export function clusterOptions(flags: ClusterFlags, env: NodeJS.ProcessEnv = process.env): ClusterOptions {
  const url = flags.cluster ?? env.GYMNAST_CLUSTER;
  if (!url) throw new UsageError('--cluster: the NATS server is required, e.g. --cluster nats://127.0.0.1:4222 (or GYMNAST_CLUSTER)');
  const servers = url.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of servers) {
    let parsed: URL;
    try {
      parsed = new URL(s);
    } catch {
      throw new UsageError(`--cluster: '${redact(s)}' is not a URL; expected nats://host:port`);
    }
    if (!['nats:', 'tls:'].includes(parsed.protocol)) throw new UsageError(`--cluster: '${redact(s)}' is not a nats:// or tls:// URL`);
    if (parsed.username || parsed.password) throw new UsageError('--cluster: put credentials in --nats-user/--nats-password or GYMNAST_NATS_USER/GYMNAST_NATS_PASSWORD, not in the URL (URLs end up in logs)');
  }
  const job = flags.job ?? env.GYMNAST_JOB ?? 'default';
  if (!JOB.test(job)) throw new UsageError(`--job: '${job}' must be 1 to 32 letters, digits, '-' or '_'`);
  const user = flags.natsUser ?? env.GYMNAST_NATS_USER;
  const password = flags.natsPassword ?? env.GYMNAST_NATS_PASSWORD;
  const token = flags.natsToken ?? env.GYMNAST_NATS_TOKEN;
  if ((user === undefined) !== (password === undefined)) throw new UsageError('--nats-user and --nats-password go together');
  if (token !== undefined && user !== undefined) throw new UsageError('--nats-token or --nats-user/--nats-password, not both');
  const caFile = flags.natsCa ?? env.GYMNAST_NATS_CA;
  const certFile = flags.natsCert ?? env.GYMNAST_NATS_CERT;
  const keyFile = flags.natsKey ?? env.GYMNAST_NATS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--nats-cert and --nats-key go together');
  const tls = caFile || certFile ? { caFile, certFile, keyFile } : undefined;
  return { servers, user, password, token, tls, job };
}

/** The servers and job as they may be printed: no credential. */
export function describeCluster(o: ClusterOptions): string {
  const auth = o.token ? ', token' : o.user ? `, user ${o.user}` : '';
  return `${o.servers.map(redact).join(',')} job ${o.job}${auth}${o.tls ? ', TLS' : ''}`;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Connects (retrying while the server is not up yet, for `waitMs`), as `name` in the server's connection list. */
export async function connectCluster(o: ClusterOptions, name: string, waitMs = 30_000): Promise<NatsConnection> {
  const opts: ConnectionOptions & { tls?: { caFile?: string; certFile?: string; keyFile?: string } } = {
    servers: o.servers,
    name,
    user: o.user,
    pass: o.password,
    token: o.token,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (o.tls) opts.tls = o.tls;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await connect(opts);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // Wrong credentials or TLS are not going to get better by waiting.
      if (/auth|permission|tls|certificate/i.test(message) || Date.now() > deadline) {
        throw new UsageError(`cannot connect to ${describeCluster(o)}: ${message}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The JetStream names of one job. */
export function jobNames(job: string) {
  return {
    /** KV: `spec` (what the learner trains), `state`. */
    kv: `gymnast-${job}`,
    /** KV with a TTL: `slot.<k>`, an actor's lease on a slot. */
    slots: `gymnast-${job}-slots`,
    /** Object store: `command`, the current rollout command with the policy's weights. */
    policy: `gymnast-${job}-policy`,
    /** Work-queue stream of rollout batches, actors → learner. */
    rolloutStream: `GYMNAST-${job}-ROLLOUTS`,
    rolloutSubject: `gymnast.${job}.rollouts`,
  };
}

/** JetStream API calls wait this long (the client's default, 5 s, is short for a loaded 2-core machine whose actors start). */
export const JS_TIMEOUT_MS = 30_000;
