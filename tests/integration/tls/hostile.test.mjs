// Clients that do not speak TLS properly, against the TLS port (issue 6): a plain-text HTTP
// client and random garbage are dropped without harming a concurrent wss client and are
// counted (GET /stats: rejections.tls_handshake); a client that stalls mid-handshake is dropped
// after handshake_timeout; TLS 1.0/1.1 and non-AEAD cipher suites are refused while TLS 1.2
// and 1.3 are accepted (openssl s_client).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import {
  makePki, startTlsServer, openWss, echo, closeWs, stats, runCommand, waitUntil, timeoutScale, WAIT_MS,
} from './tls_helpers.mjs';

let pki;
before(async () => { pki = await makePki(); });
after(() => pki?.remove());

// Connects over plain TCP, writes `bytes`, and resolves with everything the server sent back
// and how the connection ended, once the server has closed it.
function rawExchange(port, bytes, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks = [];
    const started = Date.now();
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`server kept the connection over ${ms} ms`)); }, ms);
    socket.on('connect', () => { if (bytes.length) socket.write(bytes); });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});  // a reset is one of the ways to be dropped
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(chunks), elapsed: Date.now() - started });
    });
  });
}

// The ClientHello a real TLS client sends, captured from Node's own TLS stack.
async function captureClientHello() {
  let hello = null;
  const capture = net.createServer((socket) => {
    socket.once('data', (chunk) => { hello = chunk; socket.destroy(); });
  });
  await new Promise((resolve) => capture.listen(0, '127.0.0.1', resolve));
  await new Promise((resolve) => {
    const client = tls.connect({ port: capture.address().port, host: '127.0.0.1', rejectUnauthorized: false });
    client.on('error', resolve);
    client.on('close', resolve);
  });
  capture.close();
  assert.ok(hello && hello[0] === 0x16, 'captured a TLS handshake record');
  return hello;
}

describe('plain text and garbage on the TLS port', () => {
  let server;
  before(async () => { server = await startTlsServer(['echo', '--log-level', 'debug'], pki); });
  after(async () => { await server?.stop(); });

  test('a plain HTTP request gets a cleartext 400, garbage is dropped, all counted, and a wss client is unharmed', async () => {
    const { ws } = await openWss(server.wssUrl, pki.ca);
    const before = (await stats(server, pki.ca)).rejections.tls_handshake;

    const plain = await rawExchange(server.port, Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    // A short answer in clear text that says to use https (issue 17), instead of a reset; the
    // connection is then closed. tests/integration/diagnostics/http.test.mjs checks it in detail.
    assert.match(plain.received.toString('latin1'), /^HTTP\/1\.1 400 Bad Request\r\n[^]*Use https:\/\//);
    assert.equal((await echo(ws, 'still here after plain http')).data.toString(), 'still here after plain http');

    for (let i = 0; i < 3; ++i) {
      const garbage = crypto.randomBytes(4096);
      garbage[0] = 0x42;  // never a valid TLS record type
      await rawExchange(server.port, garbage);
      const payload = crypto.randomBytes(70000);
      assert.ok((await echo(ws, payload)).data.equals(payload), `echo after garbage ${i}`);
    }
    // Garbage that starts like a handshake record but is not one.
    const fake = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), crypto.randomBytes(64)]);
    await rawExchange(server.port, fake);

    const after = await stats(server, pki.ca);
    assert.equal(after.rejections.tls_handshake - before, 5, 'one tls_handshake rejection per bad client');
    assert.equal(after.rejections.handshake_timeout, 0);
    assert.equal((await echo(ws, 'and at the end')).data.toString(), 'and at the end');
    await closeWs(ws);
    // The reason reaches the log at debug level.
    await waitUntil(() => /DEBUG .*tls_handshake.*plain HTTP on the TLS port/.test(server.log()), 'the debug line for plain HTTP');
  });
});

describe('a TLS client that stalls mid-handshake', () => {
  let server;
  before(async () => { server = await startTlsServer(['echo', '--handshake-timeout', '1'], pki); });
  after(async () => { await server?.stop(); });

  test('half a ClientHello, then silence: dropped after handshake_timeout, a wss client unharmed', async () => {
    const { ws } = await openWss(server.wssUrl, pki.ca);
    const hello = await captureClientHello();
    const before = (await stats(server, pki.ca)).rejections;
    const stalled = await rawExchange(server.port, hello.subarray(0, Math.floor(hello.length / 2)), 5000 * timeoutScale);
    // Dropped by the timer, not at once and not much later (1 s timeout; timer wheel slack).
    assert.ok(stalled.elapsed >= 900, `dropped after ${stalled.elapsed} ms`);
    assert.ok(stalled.elapsed < 3000 * timeoutScale, `dropped after ${stalled.elapsed} ms`);
    const after = (await stats(server, pki.ca)).rejections;
    assert.equal(after.handshake_timeout - before.handshake_timeout, 1);
    assert.equal(after.tls_handshake - before.tls_handshake, 0, 'a timeout, not a handshake error');
    // The wss client was not disturbed (it was idle less than handshake_timeout's scope).
    assert.equal((await echo(ws, 'unharmed')).data.toString(), 'unharmed');
    await closeWs(ws);
  });

  test('a completed TLS handshake followed by no HTTP request is dropped after handshake_timeout too', async () => {
    const started = Date.now();
    const socket = tls.connect({ port: server.port, host: '127.0.0.1', ca: pki.ca });
    socket.on('error', () => {});
    let answer = '';
    socket.on('data', (chunk) => { answer += chunk; });
    const ended = new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started)));
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    const elapsed = await ended;
    assert.ok(elapsed >= 900 && elapsed < 3000 * timeoutScale, `closed after ${elapsed} ms`);
    // Past the TLS handshake the timeout is an HTTP one: the 408 arrives encrypted.
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });
});

describe('protocol versions and cipher suites (openssl s_client)', () => {
  let server;
  before(async () => { server = await startTlsServer(['echo'], pki); });
  after(async () => { await server?.stop(); });

  // s_client prints the negotiated protocol and the verification result, then reads stdin (empty).
  function sClient(args) {
    return runCommand('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-CAfile', pki.file('ca.pem'),
      '-servername', 'localhost', ...args], { input: '' });
  }

  for (const version of ['-tls1', '-tls1_1']) {
    test(`${version} is refused by the server (protocol version alert)`, async () => {
      // SECLEVEL=0 lets the client itself offer the old protocol: the refusal must be the server's.
      const result = await sClient([version, '-cipher', 'DEFAULT@SECLEVEL=0']);
      assert.notEqual(result.code, 0);
      assert.match(result.stdout + result.stderr, /alert protocol version/);
    });
  }

  for (const [flag, name] of [['-tls1_2', 'TLSv1.2'], ['-tls1_3', 'TLSv1.3']]) {
    test(`${flag} is accepted and the chain verifies`, async () => {
      const result = await sClient([flag]);
      assert.equal(result.code, 0, result.stderr);
      // "New, <version>, Cipher is ..." (the session block after it may be cut short when
      // s_client quits before TLS 1.3's session ticket arrives).
      assert.match(result.stdout, new RegExp(`New, ${name.replace('.', '\\.')}, Cipher is `));
      assert.match(result.stdout, /Verify return code: 0 \(ok\)/);
    });
  }

  test('TLS 1.2 negotiates an AEAD suite with forward secrecy', async () => {
    const result = await sClient(['-tls1_2']);
    assert.match(result.stdout, /New, TLSv1\.2, Cipher is ECDHE-ECDSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)\n/);
  });

  // An interactive `openssl s_client -msg` session: write() lines to it, wait for its output.
  async function sClientSession(version, body) {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-CAfile', pki.file('ca.pem'),
      version, '-msg'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const session = { out: '' };
    child.stdout.on('data', (d) => { session.out += d; });
    child.stderr.on('data', (d) => { session.out += d; });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    session.write = (text) => child.stdin.write(text);
    session.count = (re) => (session.out.match(re) || []).length;
    session.until = (re, what) => waitUntil(() => re.test(session.out), what);
    try {
      await session.until(/Verify return code: 0/, 'the TLS handshake');
      await body(session);
    } finally {
      child.stdin.end();
      child.kill();
      await exited;
    }
  }
  const REQUEST = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

  test('TLS 1.3 KeyUpdate mid-connection (the client asks for ours too): requests on both sides of it are answered', async () => {
    // s_client sends a KeyUpdate with update_requested when a line is just "K"; the server
    // must answer with its own (OpenSSL sends it before its next record) and keep going.
    await sClientSession('-tls1_3', async (s) => {
      s.write(REQUEST);
      await waitUntil(() => s.count(/HTTP\/1\.1 200 OK/g) === 1, 'the first answer');
      s.write('K\n');
      await s.until(/>>> TLS 1\.3, Handshake \[length 0005\], KeyUpdate/, 'our KeyUpdate');
      s.write(REQUEST);
      await waitUntil(() => s.count(/HTTP\/1\.1 200 OK/g) === 2, 'the answer after the key update');
      assert.match(s.out, /<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/, "the server's KeyUpdate");
    });
  });

  test('TLS 1.2 renegotiation asked by the client is refused (no_renegotiation), the server unharmed', async () => {
    await sClientSession('-tls1_2', async (s) => {
      s.write(REQUEST);
      await waitUntil(() => s.count(/HTTP\/1\.1 200 OK/g) === 1, 'the first answer');
      s.write('R\n');  // s_client: renegotiate
      await s.until(/<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation/, 'the refusal');
      assert.equal(s.count(/<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], ServerHello\b/g), 1, 'no second handshake');
    });
    const { ws } = await openWss(server.wssUrl, pki.ca);
    assert.equal((await echo(ws, 'still serving')).data.toString(), 'still serving');
    await closeWs(ws);
  });

  test('a TLS 1.2 client offering only CBC or RSA-key-exchange suites is refused', async () => {
    for (const cipher of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256']) {
      const result = await sClient(['-tls1_2', '-cipher', cipher]);
      assert.notEqual(result.code, 0, `${cipher} was accepted`);
      assert.match(result.stdout + result.stderr, /handshake failure|no shared cipher|no ciphers available/, cipher);
    }
  });
});
