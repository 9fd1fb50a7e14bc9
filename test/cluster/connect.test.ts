import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/core/errors.ts';
import { clusterOptions, describeCluster, jobNames } from '../../src/cluster/connect.ts';

test('flags win over the environment; credentials and TLS files come from either', () => {
  const env = { GYMNAST_CLUSTER: 'nats://env:4222', GYMNAST_NATS_USER: 'u', GYMNAST_NATS_PASSWORD: 'p', GYMNAST_JOB: 'j1', GYMNAST_NATS_CA: '/ca.pem' };
  assert.equal(clusterOptions({}, env), { servers: ['nats://env:4222'], user: 'u', password: 'p', token: undefined, tls: { caFile: '/ca.pem', certFile: undefined, keyFile: undefined }, job: 'j1' });
  const o = clusterOptions({ cluster: 'nats://a:1, tls://b:2', natsToken: 't', job: 'x' }, {});
  assert.equal([o.servers, o.token, o.user, o.job, o.tls], [['nats://a:1', 'tls://b:2'], 't', undefined, 'x', undefined]);
});

test('what is printed of a cluster holds no password or token', () => {
  const o = clusterOptions({ cluster: 'nats://h:1', natsUser: 'alice', natsPassword: 's3cret' }, {});
  assert.is(describeCluster(o), 'nats://h:1 job default, user alice');
  assert.is(describeCluster(clusterOptions({ cluster: 'nats://h:1', natsToken: 'tok3n' }, {})), 'nats://h:1 job default, token');
});

test('bad input is one UsageError naming the flag', () => {
  const cases: [Parameters<typeof clusterOptions>[0], RegExp][] = [
    [{}, /--cluster: the NATS server is required/],
    [{ cluster: 'http://h:1' }, /not a nats:\/\/ or tls:\/\/ URL/],
    [{ cluster: 'nats://bob:pw@h:1' }, /not in the URL/],
    [{ cluster: 'nats://h:1', job: 'a.b' }, /--job: 'a.b'/],
    [{ cluster: 'nats://h:1', natsUser: 'u' }, /--nats-user and --nats-password go together/],
    [{ cluster: 'nats://h:1', natsUser: 'u', natsPassword: 'p', natsToken: 't' }, /not both/],
    [{ cluster: 'nats://h:1', natsCert: '/c' }, /--nats-cert and --nats-key go together/],
  ];
  for (const [flags, message] of cases) {
    try {
      clusterOptions(flags, {});
      assert.unreachable(String(message));
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match((e as Error).message, message);
      assert.not.match((e as Error).message, /pw/);
    }
  }
});

test('a job\'s names are valid JetStream names', () => {
  const n = jobNames('my_job-1');
  for (const name of [n.kv, n.slots, n.policy, n.rolloutStream]) assert.match(name, /^[A-Za-z0-9_-]+$/);
  assert.is(n.rolloutSubject, 'gymnast.my_job-1.rollouts');
});

test.run();
