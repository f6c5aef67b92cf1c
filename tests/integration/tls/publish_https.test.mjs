// `wsrelay publish` over https against wsrelay with TLS on (issue 17): the test's own PKI
// (make_certs.sh) trusted with --cacert, a self-signed certificate made here accepted only with
// --insecure, host-name/IP verification, the publish_url derived from ssl_enabled, and clear
// errors for the wrong scheme. The broadcast is received by a wss:// client that trusts only
// the test root, so the whole path is checked end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { binaryPath, startServer, timeoutScale } from '../interop/server.mjs';
import { closeWs, makePki, openWss, startTlsServer } from './tls_helpers.mjs';

const KEY = 'publish-over-https-key-0123456789';
let pki;
let server;

before(async () => {
  pki = await makePki();
  // The full chain in ssl_cert_path: publish must verify leaf -> intermediate -> root.
  server = await startTlsServer(['serve', '--api-key', KEY], pki, { cert: 'fullchain.pem', chain: null });
});
after(async () => {
  await server?.stop();
  pki?.remove();
});

// Runs `wsrelay publish ARGS` with only `env` (no WEBSOCKET_* from the runner).
function publish(args, env = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WEBSOCKET_')));
  const result = spawnSync(binaryPath(), ['publish', ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 20000 * timeoutScale });
  if (result.error) throw result.error;
  return result;
}

test('publish --cacert: the broadcast reaches a wss client; the answer is printed', async () => {
  // Listen before the upgrade completes: serve mode speaks first (welcome, room_joined).
  const events = [];
  let wake = () => {};
  const { ws } = await openWss(server.wssUrl, pki.ca, {}, (data) => { events.push(JSON.parse(String(data))); wake(); });
  const eventNamed = (name) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name}: ${JSON.stringify(events)}`)), 10000 * timeoutScale);
    const check = () => {
      const found = events.find((e) => e.event === name);
      if (found) { clearTimeout(timer); resolve(found); }
    };
    wake = check;
    check();
  });
  try {
    await eventNamed('room_joined');
    const result = publish(['--url', server.httpsUrl, '--api-key', KEY, '--cacert', pki.file('ca.pem'), '--broadcast', 'over https']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).delivered, 1, result.stdout);
    const event = await eventNamed('broadcast');
    assert.equal(event.message, 'over https');
  } finally {
    await closeWs(ws);
  }
  // localhost is in the certificate's subjectAltName too (DNS:localhost), and is sent as SNI.
  const byName = publish(['--url', `https://localhost:${server.port}`, '--api-key', KEY, '--cacert', pki.file('ca.pem'), '--rooms']);
  assert.equal(byName.status, 0, byName.stderr);
  assert.ok(Array.isArray(JSON.parse(byName.stdout).rooms), byName.stdout);
});

test('publish without --cacert verifies against the system CAs, which do not know the test root', () => {
  const result = publish(['--url', server.httpsUrl, '--api-key', KEY, '--rooms']);
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, new RegExp(`wsrelay publish: TLS: the certificate of 127\\.0\\.0\\.1:${server.port} is not trusted: unable to get local issuer certificate; pass --cacert FILE`));
});

test('publish_url follows ssl_enabled: the same environment as the server reaches it over https', () => {
  const env = {
    WEBSOCKET_PORT: String(server.port),
    WEBSOCKET_SSL_ENABLED: 'true',
    WEBSOCKET_SSL_CERT_PATH: pki.file('fullchain.pem'),
    WEBSOCKET_SSL_KEY_PATH: pki.file('server.key'),
    WEBSOCKET_API_KEY: KEY,
  };
  const result = publish(['--cacert', pki.file('ca.pem'), '--signal', 'deploy', '--data', '{"v":1}'], env);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).delivered, 0);  // nobody listens for "deploy": still a success
});

test('a plain http:// URL to the TLS port, and https:// to a plain port, fail with a reason', async () => {
  const plain = publish(['--url', `http://127.0.0.1:${server.port}`, '--api-key', KEY, '--rooms']);
  assert.notEqual(plain.status, 0);
  assert.ok(plain.stderr.startsWith('wsrelay publish: '), plain.stderr);
  const plainServer = await startServer(['serve', '--api-key', KEY]);
  try {
    const wrong = publish(['--url', `https://127.0.0.1:${plainServer.port}`, '--api-key', KEY, '--rooms', '--insecure']);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /TLS handshake with 127\.0\.0\.1:\d+ failed: .*\(is it an https:\/\/ server\? for plain http, use an http:\/\/ URL\)/);
  } finally {
    await plainServer.stop();
  }
});

test('a self-signed certificate: refused by default, accepted with --insecure; the name is checked', async (t) => {
  const dir = fs.mkdtempSync(path.join(pki.dir, 'selfsigned-'));
  // Self-signed, for a name that is NOT 127.0.0.1: trusting it with --cacert still fails the
  // IP check, which proves the address is verified and not only the chain.
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', path.join(dir, 'self.key'), '-out', path.join(dir, 'self.pem'), '-days', '2', '-subj', '/CN=wrong.example',
    '-addext', 'subjectAltName=DNS:wrong.example']);
  const selfServer = await startServer(['serve', '--api-key', KEY, '--ssl-enabled', '--ssl-cert-path', path.join(dir, 'self.pem'),
    '--ssl-key-path', path.join(dir, 'self.key')]);
  t.after(() => selfServer.stop());
  const url = `https://127.0.0.1:${selfServer.port}`;

  const refused = publish(['--url', url, '--api-key', KEY, '--rooms']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /is not trusted: self-signed certificate; pass --cacert FILE .* or --insecure/);

  const wrongName = publish(['--url', url, '--api-key', KEY, '--rooms', '--cacert', path.join(dir, 'self.pem')]);
  assert.equal(wrongName.status, 1);
  assert.match(wrongName.stderr, /is not trusted: IP address mismatch/);

  const insecure = publish(['--url', url, '--api-key', KEY, '--rooms', '--insecure']);
  assert.equal(insecure.status, 0, insecure.stderr);
  assert.ok(Array.isArray(JSON.parse(insecure.stdout).rooms));

  const badCa = publish(['--url', url, '--api-key', KEY, '--rooms', '--cacert', path.join(dir, 'missing.pem')]);
  assert.equal(badCa.status, 1);
  assert.match(badCa.stderr, /--cacert .*missing\.pem: /);
});
