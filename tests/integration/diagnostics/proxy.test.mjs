// Behind a reverse proxy (issue 17, trusted_proxies): a fake proxy — a Node client connecting
// from 127.0.0.1 that sets X-Forwarded-For / X-Real-IP as nginx would — against the real
// binary, with and without trusted_proxies=127.0.0.1. The forwarded address must reach the
// logs, max_clients_per_ip and allow_ips/deny_ips only when the proxy is trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tryConnect } from '../security/security_helpers.mjs';
import { withServer, exchange, waitForLine, logLines } from './helpers.mjs';

const via = (headers) => ({ headers });
const xff = (value) => via({ 'X-Forwarded-For': value });

async function openThen(server, options) {
  const attempt = await tryConnect(server.url, options);
  return attempt;
}

test('without trusted_proxies the headers are the client\'s own words: ignored', async () => {
  await withServer(['serve', '--deny-ips', '203.0.113.0/24', '--max-clients-per-ip', '5'], async (server) => {
    const a = await openThen(server, xff('203.0.113.7'));
    assert.ok(a.open, JSON.stringify(a));
    await waitForLine(server, /^INFO  open 127\.0\.0\.1:\d+ \/$/);
    assert.ok(!server.log().includes('203.0.113.7'));
    a.ws.terminate();
  });
});

test('trusted_proxies: logs name the forwarded client and the proxy', async () => {
  await withServer(['serve', '--debug', '--trusted-proxies', '127.0.0.1'], async (server) => {
    const a = await openThen(server, xff('203.0.113.7'));
    assert.ok(a.open, JSON.stringify(a));
    await waitForLine(server, /^INFO  open 203\.0\.113\.7 via 127\.0\.0\.1:\d+ \/$/);
    await waitForLine(server, /^DEBUG join 203\.0\.113\.7 via 127\.0\.0\.1:\d+ client=[0-9a-f]{8} room="general"/);
    // X-Real-IP when there is no X-Forwarded-For; IPv6 in brackets.
    const b = await openThen(server, via({ 'X-Real-IP': '2001:db8::5' }));
    assert.ok(b.open);
    await waitForLine(server, /^INFO  open \[2001:db8::5\] via 127\.0\.0\.1:\d+ \/$/);
    // A client that writes its own X-Forwarded-For: the proxy appends the real address; the
    // rightmost untrusted hop is the client, whatever it claimed to the left.
    const c = await openThen(server, xff('10.9.9.9, 198.51.100.20, 127.0.0.1'));
    assert.ok(c.open);
    await waitForLine(server, /^INFO  open 198\.51\.100\.20 via 127\.0\.0\.1:\d+ \/$/);
    // Garbage in the header: nothing left of it is believed; here the proxy is the client.
    const d = await openThen(server, xff('not-an-address'));
    assert.ok(d.open);
    // Plain HTTP requests are logged with the client too.
    const r = await exchange(server.port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: 192.0.2.44\r\n\r\n');
    assert.equal(r.status, 200);
    await waitForLine(server, /^DEBUG http 192\.0\.2\.44 via 127\.0\.0\.1:\d+ GET \/health -> 200$/);
    for (const x of [a, b, c, d]) x.ws.terminate();
  });
});

test('trusted_proxies: max_clients_per_ip counts forwarded clients, not the proxy', async () => {
  await withServer(['serve', '--trusted-proxies', '127.0.0.1', '--max-clients-per-ip', '1'], async (server) => {
    const one = await openThen(server, xff('203.0.113.1'));
    const two = await openThen(server, xff('203.0.113.2'));
    assert.ok(one.open && two.open, 'two clients behind one proxy are two addresses');
    const again = await openThen(server, xff('203.0.113.1'));
    assert.equal(again.status, 429);
    await waitForLine(server, /^INFO  reject 203\.0\.113\.1 via 127\.0\.0\.1:\d+ too_many_per_ip: max_clients_per_ip reached$/);
    one.ws.terminate();
    two.ws.terminate();
  });
  // Without trusting the proxy, they all share its address.
  await withServer(['serve', '--max-clients-per-ip', '1'], async (server) => {
    const one = await openThen(server, xff('203.0.113.1'));
    assert.ok(one.open);
    assert.equal((await openThen(server, xff('203.0.113.2'))).status, 429);
    one.ws.terminate();
  });
});

test('trusted_proxies: allow_ips and deny_ips judge the forwarded client after the headers', async () => {
  await withServer(['serve', '--trusted-proxies', '127.0.0.1', '--deny-ips', '203.0.113.0/24'], async (server) => {
    const denied = await openThen(server, xff('203.0.113.9'));
    assert.equal(denied.status, 403);
    await waitForLine(server,
      /^INFO  reject 203\.0\.113\.9 via 127\.0\.0\.1:\d+ address_denied: address not allowed \(forwarded by a trusted proxy\)$/);
    const ok = await openThen(server, xff('198.51.100.1'));
    assert.ok(ok.open);
    ok.ws.terminate();
    // HTTP requests are judged the same way.
    const r = await exchange(server.port, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n');
    assert.equal(r.status, 403);
  });
  // allow_ips lists clients: the proxy itself need not be in it, but a request it sends
  // without naming a client is judged as its own.
  await withServer(['serve', '--trusted-proxies', '127.0.0.1', '--allow-ips', '203.0.113.0/24'], async (server) => {
    const inside = await openThen(server, xff('203.0.113.9'));
    assert.ok(inside.open, JSON.stringify(inside));
    inside.ws.terminate();
    assert.equal((await openThen(server, xff('198.51.100.1'))).status, 403);
    assert.equal((await openThen(server, {})).status, 403);
  });
  // Without trusted_proxies, the same allow_ips refuses 127.0.0.1 at accept time, headers or not.
  await withServer(['serve', '--allow-ips', '203.0.113.0/24'], async (server) => {
    const refused = await openThen(server, xff('203.0.113.9'));
    assert.ok(!refused.open && refused.status === undefined, JSON.stringify(refused));
  });
});

test('a trusted proxy that deny_ips names is still refused at accept time', async () => {
  await withServer(['serve', '--trusted-proxies', '127.0.0.0/8', '--deny-ips', '127.0.0.1'], async (server) => {
    const refused = await openThen(server, xff('198.51.100.1'));
    assert.ok(!refused.open && refused.status === undefined, JSON.stringify(refused));
    await waitForLine(server, /^INFO  reject 127\.0\.0\.1:\d+ address_denied: address not allowed$/);
    assert.ok(!logLines(server).some((l) => l.includes('198.51.100.1')));
  });
});
