// What a person trying the server by hand gets back (issue 17): a plain GET on a WebSocket path
// is 426 with Upgrade: websocket, not 404; plain HTTP on the TLS port is a readable 400 that
// says to use https, not a reset. Raw TCP (node:net) and https clients against the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePki, startTlsServer, httpsGet, openWss, echo, closeWs, stats } from '../tls/tls_helpers.mjs';
import { withServer, exchange, waitForLine } from './helpers.mjs';

const get = (path, method = 'GET', extra = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;

test('a plain GET on a WebSocket path answers 426 Upgrade Required with Upgrade: websocket', async () => {
  await withServer(['serve'], async (server) => {
    for (const path of ['/', '/ws', '/app/some-key', '/ws?token=abc']) {
      if (path === '/') continue;  // "/" is the test page when web/ is found
      const r = await exchange(server.port, get(path));
      assert.equal(r.status, 426, `${path}: ${r.text.slice(0, 200)}`);
      assert.equal(r.headers.upgrade, 'websocket', path);
      const body = JSON.parse(r.body);
      assert.equal(body.error.code, 'upgrade_required');
      assert.match(body.error.message, /WebSocket endpoint: connect with a WebSocket client/);
    }
    // HEAD: the same status and headers, no body.
    const head = await exchange(server.port, get('/ws', 'HEAD'));
    assert.equal(head.status, 426);
    assert.equal(head.body, '');
    // The same path still upgrades for a WebSocket client.
    const upgraded = await exchange(server.port,
      get('/ws', 'GET', 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'), { waitMs: 500 });
    assert.equal(upgraded.status, 101);
    // Files that do not exist, and API paths, stay 404.
    for (const path of ['/missing.js', '/favicon-nope.ico', '/api/nope']) {
      const r = await exchange(server.port, get(path));
      assert.equal(r.status, 404, path);
    }
    // Other methods on an unknown path are still 404.
    assert.equal((await exchange(server.port, get('/ws', 'DELETE'))).status, 404);
  });
});

test('plain HTTP on the TLS port gets a cleartext 400 saying to use https; TLS clients are unaffected', async () => {
  const pki = await makePki();
  const server = await startTlsServer(['serve', '--debug'], pki);
  try {
    // (The start-up probe that waited for the port already counts as one failed handshake.)
    const before = (await stats(server, pki.ca)).rejections.tls_handshake;
    const r = await exchange(server.port, get('/health'));
    assert.equal(r.status, 400, r.text || r.error);
    assert.match(r.body, /this port speaks TLS\. Use https:\/\/ \(or wss:\/\/\)/);
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
    assert.equal(r.error, null, 'the answer must end in an orderly close, not a reset');
    // A plain ws:// upgrade attempt gets the same answer.
    const ws = await exchange(server.port,
      get('/', 'GET', 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'));
    assert.equal(ws.status, 400);
    await waitForLine(server, /^DEBUG reject 127\.0\.0\.1:\d+ tls_handshake: TLS handshake failed: plain HTTP on the TLS port/);
    // https and wss work as before, on the same port.
    assert.equal((await httpsGet(`${server.httpsUrl}/health`, pki.ca)).status, 200);
    let welcomed;
    const welcome = new Promise((resolve) => { welcomed = resolve; });
    const { ws: client } = await openWss(server.wssUrl, pki.ca, {}, (data) => welcomed(JSON.parse(String(data))));
    assert.equal((await welcome).event, 'welcome');
    await closeWs(client);
    assert.equal((await stats(server, pki.ca)).rejections.tls_handshake, before + 2);
  } finally {
    await server.stop();
    pki.remove();
  }
});

test('garbage that is not TLS and not HTTP also gets the 400, and bytes of a TLS record go to OpenSSL', async () => {
  const pki = await makePki();
  const server = await startTlsServer(['echo'], pki);
  try {
    const garbage = await exchange(server.port, 'hello\r\n');
    assert.equal(garbage.status, 400);
    // A handshake record header with nonsense after it: OpenSSL refuses it its own way (no
    // cleartext answer), the server stays up.
    const bogus = await exchange(server.port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]).toString('latin1'));
    assert.equal(bogus.status, null);
    const { ws } = await openWss(server.wssUrl, pki.ca);
    assert.equal(String((await echo(ws, 'still fine')).data), 'still fine');
    await closeWs(ws);
  } finally {
    await server.stop();
    pki.remove();
  }
});
