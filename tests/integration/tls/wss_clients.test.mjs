// wss:// and https:// against the real binary with real clients (issue 6): Node `ws` in echo
// mode (text and binary of every length class, a 16 MiB message sent in fragments, many
// clients at once) and in serve mode (rooms and broadcast), and curl over https. Every client
// trusts only the throwaway test root made by make_certs.sh, so each connection also proves
// the certificate chain (leaf + ssl_chain_path intermediate) and the subjectAltName.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import {
  makePki, startTlsServer, openWss, nextMessage, echo, closeWs, httpsGet, runCommand, WAIT_MS,
} from './tls_helpers.mjs';

let pki;
before(async () => { pki = await makePki(); });
after(() => pki?.remove());

function textOf(n) {
  // Exactly n bytes of UTF-8 with 2-, 3- and 4-byte characters.
  const unit = 'wss-µ@ßöäü-κόσμε-€-𝄞|';
  const s = unit.repeat(Math.floor(n / Buffer.byteLength(unit)));
  return s + '*'.repeat(n - Buffer.byteLength(s));
}

describe('echo mode over wss', () => {
  let server;
  before(async () => { server = await startTlsServer(['echo'], pki); });
  after(async () => { await server?.stop(); });

  test('the server presents the test certificate, verified through the intermediate', async () => {
    const { ws, cert } = await openWss(server.wssUrl, pki.ca);
    assert.equal(cert.serialNumber.toUpperCase(), '2001');
    assert.equal(cert.subject.CN, 'wsrelay test server');
    assert.equal(cert.issuer.CN, 'wsrelay test intermediate');
    assert.equal(ws._socket.getProtocol(), 'TLSv1.3');
    await closeWs(ws);
    // The name in the URL is checked too: localhost is in the subjectAltName.
    const local = await openWss(`wss://localhost:${server.port}/`, pki.ca);
    await closeWs(local.ws);
  });

  test('a client that does not trust the test root is refused by its own verification', async () => {
    await assert.rejects(openWss(server.wssUrl, undefined), /self[- ]signed|unable to (get|verify)/i);
  });

  test('text and binary messages of every length class echo intact', async () => {
    const { ws } = await openWss(server.wssUrl, pki.ca);
    for (const n of [0, 1, 125, 126, 65535, 65536, 100000, 1 << 20]) {
      const text = textOf(n);
      const gotText = await echo(ws, text);
      assert.equal(gotText.isBinary, false, `text ${n}`);
      assert.equal(gotText.data.toString('utf8'), text, `text ${n}`);
      const binary = crypto.randomBytes(n);
      const gotBinary = await echo(ws, binary);
      assert.equal(gotBinary.isBinary, true, `binary ${n}`);
      assert.ok(gotBinary.data.equals(binary), `binary ${n} differs`);
    }
    await closeWs(ws);
  });

  test('a 16 MiB binary message sent in 256 fragments comes back whole', async () => {
    const { ws } = await openWss(server.wssUrl, pki.ca);
    const whole = crypto.randomBytes(16 << 20);
    const reply = nextMessage(ws, 4 * WAIT_MS);
    const piece = 64 << 10;
    for (let offset = 0; offset < whole.length; offset += piece) {
      const last = offset + piece >= whole.length;
      ws.send(whole.subarray(offset, offset + piece), { binary: true, fin: last });
    }
    const got = await reply;
    assert.equal(got.isBinary, true);
    assert.equal(got.data.length, whole.length);
    assert.ok(got.data.equals(whole), '16 MiB echo differs');
    await closeWs(ws);
  });

  test('a fragmented text message (UTF-8 split across fragments) comes back whole', async () => {
    const { ws } = await openWss(server.wssUrl, pki.ca);
    const whole = Buffer.from(textOf(3 << 20));
    const reply = nextMessage(ws, 2 * WAIT_MS);
    // Odd fragment size: multi-byte characters straddle the fragment boundaries.
    const piece = 99991;
    for (let offset = 0; offset < whole.length; offset += piece) {
      const last = offset + piece >= whole.length;
      ws.send(whole.subarray(offset, offset + piece), { binary: false, fin: last });
    }
    const got = await reply;
    assert.equal(got.isBinary, false);
    assert.ok(got.data.equals(whole), 'fragmented text differs');
    await closeWs(ws);
  });

  test('twenty clients echo interleaved bursts at the same time', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => openWss(server.wssUrl, pki.ca)));
    await Promise.all(clients.map(async ({ ws }, index) => {
      const messages = Array.from({ length: 50 }, (_, i) => crypto.randomBytes(((index * 50 + i) * 997) % 40000));
      const received = [];
      const done = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`client ${index}: ${received.length}/50 echoes`)), 2 * WAIT_MS);
        ws.on('message', (data) => {
          received.push(data);
          if (received.length === messages.length) { clearTimeout(timer); resolve(); }
        });
      });
      for (const m of messages) ws.send(m);
      await done;
      received.forEach((data, i) => assert.ok(data.equals(messages[i]), `client ${index} message ${i}`));
    }));
    await Promise.all(clients.map(({ ws }) => closeWs(ws)));
  });

  test('the closing handshake completes with the code echoed', async () => {
    const { ws } = await openWss(server.wssUrl, pki.ca);
    const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    ws.close(4001, 'bye over tls');
    assert.deepEqual(await closed, { code: 4001, reason: 'bye over tls' });
  });

  test('curl gets /health over https, verifying with --cacert', async () => {
    const result = await runCommand('curl', ['-sS', '--max-time', '10', '--cacert', pki.file('ca.pem'),
      '-w', '\\n%{http_code} %{ssl_verify_result}', `${server.httpsUrl}/health`]);
    assert.equal(result.code, 0, result.stderr);
    const [body, status] = result.stdout.split('\n');
    assert.equal(JSON.parse(body).status, 'ok');
    assert.equal(status, '200 0');
    const viaName = await runCommand('curl', ['-sS', '--max-time', '10', '--cacert', pki.file('ca.pem'),
      `https://localhost:${server.port}/health`]);
    assert.equal(viaName.code, 0, viaName.stderr);
  });

  test('curl without the test root fails verification (exit 60), proving it is really TLS', async () => {
    const result = await runCommand('curl', ['-sS', '--max-time', '10', `${server.httpsUrl}/health`]);
    assert.equal(result.code, 60, result.stderr);
  });

  test('keep-alive: several https requests on one TLS connection', async () => {
    const urls = Array.from({ length: 5 }, () => `${server.httpsUrl}/health`);
    const result = await runCommand('curl', ['-sS', '--max-time', '10', '--cacert', pki.file('ca.pem'),
      '-w', ' %{num_connects}\\n', ...urls]);
    assert.equal(result.code, 0, result.stderr);
    const connects = result.stdout.trim().split('\n').map((line) => Number(line.trim().split(' ').pop()));
    assert.deepEqual(connects, [1, 0, 0, 0, 0], result.stdout);
  });
});

describe('serve mode over wss', () => {
  const API_KEY = 'tls-test-key-0123456789abcdef0123456789abcdef';
  let server;
  before(async () => { server = await startTlsServer(['serve', '--api-key', API_KEY], pki); });
  after(async () => { await server?.stop(); });

  // A JSON-protocol client: every parsed event in order, and waiting for the next match.
  async function connect() {
    const client = { inbox: [], waiters: [] };
    const { ws } = await openWss(server.wssUrl, pki.ca, {}, (data) => {
      client.inbox.push(JSON.parse(String(data)));
      for (const waiter of [...client.waiters]) waiter();
    });
    client.ws = ws;
    // The oldest event for which match(event) holds, taken out of the inbox.
    const take = (match, what) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what}; inbox ${JSON.stringify(client.inbox)}`)), WAIT_MS);
      const check = () => {
        const index = client.inbox.findIndex(match);
        if (index < 0) return;
        clearTimeout(timer);
        client.waiters.splice(client.waiters.indexOf(check), 1);
        resolve(client.inbox.splice(index, 1)[0]);
      };
      client.waiters.push(check);
      check();
    });
    client.next = (event) => take((m) => m.event === event, event);
    client.request = (event, fields) => {
      const id = `${event}-${Math.random()}`;
      const answer = take((m) => m.id === id, `answer to ${id}`);
      ws.send(JSON.stringify({ event, ...fields, id }));
      return answer;
    };
    client.welcome = await client.next('welcome');
    return client;
  }

  test('rooms: a room message reaches the other member only; a broadcast reaches everyone else', async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    assert.equal((await a.request('join_room', { room: 'tls-room' })).event, 'ack');
    assert.equal((await b.request('join_room', { room: 'tls-room' })).event, 'ack');
    const ack = await a.request('room_message', { room: 'tls-room', message: 'secret over tls' });
    assert.equal(ack.recipients, 1);
    const got = await b.next('room_message');
    assert.deepEqual({ room: got.room, message: got.message, from: got.from },
      { room: 'tls-room', message: 'secret over tls', from: a.welcome.client_id });

    const big = 'x'.repeat(40000);  // several TLS records per broadcast frame
    const sent = await c.request('broadcast', { message: big });
    assert.equal(sent.recipients, 2);
    for (const other of [a, b]) assert.equal((await other.next('broadcast')).message, big);
    // c got no room_message: ask for a round trip and look at what arrived before it.
    await c.request('ping', {});
    assert.equal(c.inbox.filter((m) => m.event === 'room_message').length, 0);
    await Promise.all([a, b, c].map((x) => closeWs(x.ws)));
  });

  test('a broadcast to thirty wss clients arrives at every one', async () => {
    const clients = await Promise.all(Array.from({ length: 30 }, () => connect()));
    const [sender, ...rest] = clients;
    const ack = await sender.request('broadcast', { message: { n: 42, text: 'to all' } });
    assert.equal(ack.recipients, rest.length);
    for (const client of rest) assert.deepEqual((await client.next('broadcast')).message, { n: 42, text: 'to all' });
    await Promise.all(clients.map((x) => closeWs(x.ws)));
  });

  test('the backend API over https (curl with a Bearer key) reaches a wss client', async () => {
    const a = await connect();
    assert.equal((await a.request('join_room', { room: 'api-room' })).event, 'ack');
    const result = await runCommand('curl', ['-sS', '--max-time', '10', '--cacert', pki.file('ca.pem'),
      '-H', `Authorization: Bearer ${API_KEY}`, '-H', 'Content-Type: application/json',
      '-d', JSON.stringify({ room: 'api-room', message: 'from the backend over https' }),
      `${server.httpsUrl}/api/publish`]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).delivered, 1);
    assert.equal((await a.next('room_message')).message, 'from the backend over https');
    await closeWs(a.ws);
  });

  test('the web page and /stats are served over https too', async () => {
    const { status, body } = await httpsGet(`${server.httpsUrl}/stats`, pki.ca);
    assert.equal(status, 200);
    assert.equal(typeof JSON.parse(body).rejections.tls_handshake, 'number');
    const page = await httpsGet(`${server.httpsUrl}/`, pki.ca);
    assert.equal(page.status, 200);
    assert.match(page.body, /<html/i);
  });
});

test('an RSA certificate works too (ECDHE-RSA suites for TLS 1.2, any suite for 1.3)', async () => {
  await pki.addLeaf('rsa', '4001', 'rsa server', 'rsa');
  const server = await startTlsServer(['echo'], pki, { cert: 'rsa-full.pem', key: 'rsa.key', chain: null });
  try {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
      const { ws, cert } = await openWss(server.wssUrl, pki.ca, { maxVersion });
      assert.equal(cert.subject.CN, 'rsa server');
      assert.equal(ws._socket.getProtocol(), maxVersion);
      if (maxVersion === 'TLSv1.2') assert.match(ws._socket.getCipher().name, /^ECDHE-RSA-/);
      assert.equal((await echo(ws, 'rsa')).data.toString(), 'rsa');
      await closeWs(ws);
    }
  } finally {
    await server.stop();
  }
});

test('graceful shutdown (SIGTERM): wss clients get Close 1001 and the server exits 0', async () => {
  const server = await startTlsServer(['echo'], pki);
  const clients = await Promise.all([1, 2, 3].map(() => openWss(server.wssUrl, pki.ca)));
  const closes = clients.map(({ ws }) => new Promise((resolve) => ws.once('close', (code) => resolve(code))));
  const exited = await server.stop();
  assert.deepEqual(await Promise.all(closes), [1001, 1001, 1001]);
  assert.deepEqual(exited, { code: 0, signal: null });
});

test('ws:// (plain) client to the TLS port does not get a WebSocket', async () => {
  const server = await startTlsServer(['echo'], pki);
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { handshakeTimeout: WAIT_MS });
    const outcome = await new Promise((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', (error) => resolve(`error: ${error.message}`));
    });
    assert.match(outcome, /^error: /);
  } finally {
    await server.stop();
  }
});
