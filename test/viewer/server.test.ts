import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import WebSocket from 'ws';
import { startViewerServer, Probe, type ViewerServer } from '../../src/viewer/server/index.ts';
import { allowedHostNames } from '../../src/viewer/server/server.ts';
import { UsageError } from '../../src/core/errors.ts';
import { MAX_CLIENT_MESSAGE_BYTES, parseServerMessage } from '../../src/viewer/protocol.ts';

let server: ViewerServer;
const scene = { bodies: [{ name: 'b', shape: 'box' as const, size: [0.1, 0.1, 0.1], color: '#123456' }] };

test.before(async () => {
  server = await startViewerServer({ port: 0, log: () => {} });
});
test.after(async () => {
  await server.close();
});

function get(path: string, headers: Record<string, string> = {}, method = 'GET', port = server.port): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Tries a WebSocket upgrade; resolves 'open' or the HTTP status of the refusal (and its body, if asked). */
function upgrade(path: string, headers: Record<string, string> = {}, port = server.port, withBody = false): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(withBody ? `${res.statusCode} ${body}` : String(res.statusCode)));
    });
    ws.on('error', () => resolve('error'));
  });
}

test('listens on 127.0.0.1 by default', () => {
  assert.is(server.host, '127.0.0.1');
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('serves the page, the bundled script and its CSS', async () => {
  const page = await get('/');
  assert.is(page.status, 200);
  assert.match(page.type, /text\/html/);
  assert.match(page.body, /<script type="module" src="\/app\.js">/);
  const js = await get('/app.js');
  assert.is(js.status, 200);
  assert.match(js.type, /javascript/);
  assert.ok(js.body.length > 100_000, 'three.js is bundled in');
  const css = await get('/app.css');
  assert.is(css.status, 200);
  assert.match(css.body, /\.u-legend|\.uplot/, "uPlot's CSS is bundled in");
  assert.is((await get('/nope')).status, 404);
  assert.is((await get('/', {}, 'POST')).status, 405);
});

test('requests for another host name are refused (DNS rebinding)', async () => {
  assert.is((await get('/', { Host: 'evil.example:80' })).status, 403);
  assert.is((await get('/', { Host: `localhost:${server.port}` })).status, 200);
  assert.is(await upgrade('/ws', { Host: 'evil.example' }), '403');
});

test('on 0.0.0.0 the Host check stays: a foreign Host is refused over HTTP and WebSocket, saying how to allow it', async () => {
  const logged: string[] = [];
  const open = await startViewerServer({ host: '0.0.0.0', port: 0, allowHosts: ['Viewer.Lan'], log: (l) => logged.push(l) });
  try {
    const port = open.port;
    // The DNS-rebinding page of the issue: its own name in Host and Origin.
    const evil = { Host: `evil.example.com:${port}`, Origin: `http://evil.example.com:${port}` };
    const page = await get('/', evil, 'GET', port);
    assert.is(page.status, 403);
    assert.is(page.body, `forbidden: this viewer does not answer to Host 'evil.example.com:${port}' (a guard against DNS rebinding); if that name is this machine's, start the viewer with --allow-host evil.example.com\n`);
    assert.is((await get('/api/stats', { Host: 'evil.example.com' }, 'GET', port)).status, 403);
    const ws = await upgrade('/ws', evil, port, true);
    assert.ok(ws.startsWith('403 forbidden: this viewer does not answer to Host'), ws);
    assert.match(ws, /--allow-host evil\.example\.com\n$/);
    assert.is(await upgrade('/ws', { Host: 'evil.example.com' }, port), '403', 'refused without an Origin too');
    // Served: loopback names, this machine's name and addresses, and the --allow-host name (any case).
    const own = [`localhost:${port}`, `127.0.0.1:${port}`, `${hostname()}:${port}`, `viewer.lan:${port}`, `VIEWER.LAN.:${port}`];
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) own.push(a.family === 'IPv6' ? `[${a.address}]:${port}` : `${a.address}:${port}`);
    for (const host of own) {
      assert.is((await get('/', { Host: host }, 'GET', port)).status, 200, host);
      assert.is(await upgrade('/ws', { Host: host }, port), 'open', host);
    }
    // The Origin check is unchanged: an allowed Host with a foreign Origin is still refused.
    assert.is(await upgrade('/ws', { Host: `viewer.lan:${port}`, Origin: 'http://evil.example.com' }, port), '403');
    assert.is(await upgrade('/ws', { Host: `viewer.lan:${port}`, Origin: `http://viewer.lan:${port}` }, port), 'open');
    assert.ok(logged.some((l) => l.startsWith('viewer: answering to Host ') && l.includes('viewer.lan')), logged.join('\n'));
  } finally {
    await open.close();
  }
});

test('the names answered: the bound address, loopback names, and this machine\'s only when bound to all interfaces', () => {
  const specific = allowedHostNames('192.0.2.77', ['proxy.example', 'fd00::9']);
  assert.equal(specific, ['localhost', '127.0.0.1', '[::1]', '192.0.2.77', 'proxy.example', '[fd00::9]']);
  const all = allowedHostNames('::');
  assert.ok(all.includes(hostname().toLowerCase()));
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) assert.ok(all.includes(a.family === 'IPv6' ? `[${a.address}]` : a.address), a.address);
  for (const bad of ['viewer.lan:8080', 'http://viewer.lan', 'a b', '', '*']) {
    assert.throws(() => allowedHostNames('0.0.0.0', [bad]), (e: Error) => e instanceof UsageError && /--allow-host takes a host name or an address without a port/.test(e.message), bad);
  }
});

test('WebSocket upgrades must come from the page served here', async () => {
  assert.is(await upgrade('/ws', { Origin: 'http://evil.example' }), '403');
  assert.is(await upgrade('/ws', { Origin: 'null' }), '403');
  assert.is(await upgrade('/ws', { Origin: `http://127.0.0.1:${server.port}` }), 'open');
  assert.is(await upgrade('/ws'), 'open', 'programs without an Origin (not browsers) may connect');
  assert.is(await upgrade('/other'), '404');
});

test('a malformed message gets an error reply and the connection stays up', async () => {
  const ch = server.hub.channel({ id: 'm', kind: 'rollout', scene });
  const probe = new Probe(server.url);
  await probe.open();
  const replies: string[] = [];
  probe.onMessage = (m) => m.type === 'error' && replies.push(m.code);
  probe.ws.send('{this is not json');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(replies, ['bad-message']);
  ch.publish({ transforms: new Float32Array([0, 0, 0, 0, 0, 0, 1]), time: 0 }, { immediate: true });
  await new Promise((r) => setTimeout(r, 100));
  assert.is(probe.counts.frames.get('m'), 1, 'the published tick still arrives');
  probe.close();
  ch.close();
});

test('an oversized message closes that connection only; the server keeps serving', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  await new Promise((r) => ws.on('open', r));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('message', (d) => parseServerMessage(d.toString()));
  ws.send('x'.repeat(MAX_CLIENT_MESSAGE_BYTES + 1));
  assert.is(await closed, 1009, 'closed with "message too big"');
  assert.is((await get('/')).status, 200);
  assert.is(await upgrade('/ws'), 'open');
});

test('a port in use is a clear usage error', async () => {
  try {
    await startViewerServer({ port: server.port, log: () => {} });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, /in use/);
  }
});

test('stats are served as JSON', async () => {
  const r = await get('/api/stats');
  const s = JSON.parse(r.body);
  assert.type(s.clients, 'number');
  assert.type(s.memory.rss, 'number');
});

test.run();
