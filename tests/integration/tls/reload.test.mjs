// Certificate reload under live connections (issue 6): the files behind ssl_cert_path and
// ssl_key_path are replaced (as certbot renews them) and the server gets SIGHUP. Connections
// already open keep working; new ones get the new certificate. A reload that fails (a garbage
// key, or a certificate whose key has not been replaced yet) keeps the previous certificate and
// says why in the log; a later good reload still works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { makePki, startTlsServer, openWss, echo, closeWs, waitUntil } from './tls_helpers.mjs';

let pki;
let server;
const live = [];

// certbot's layout: fullchain.pem (leaf + intermediate) and privkey.pem, no separate chain.
const CERT = 'live-fullchain.pem';
const KEY = 'live-privkey.pem';

function install(certFile, keyFile) {
  // Written in place, like `cp` over the old files (certbot swaps symlinks; either way the
  // server must read the files again on SIGHUP, not keep an open descriptor).
  fs.copyFileSync(pki.file(certFile), pki.file(CERT));
  fs.copyFileSync(pki.file(keyFile), pki.file(KEY));
}

// Sends SIGHUP and waits for the log line that answers it (the n-th such line).
async function reload(pattern) {
  const count = () => (server.log().match(pattern) || []).length;
  const before = count();
  server.proc.kill('SIGHUP');
  await waitUntil(() => count() > before, `log line ${pattern}`);
}

async function serialOfNewConnection() {
  const { ws, cert } = await openWss(server.wssUrl, pki.ca);
  await closeWs(ws);
  return { serial: cert.serialNumber.toUpperCase(), cn: cert.subject.CN };
}

async function allLiveEcho(tag) {
  await Promise.all(live.map(async ({ ws }, i) => {
    const payload = crypto.randomBytes(1000 + i * 7000);
    const got = await echo(ws, payload);
    assert.ok(got.data.equals(payload), `${tag}: live client ${i} echo`);
  }));
}

before(async () => {
  pki = await makePki();
  await pki.addLeaf('renewed', '2002', 'renewed server');
  await pki.addLeaf('third', '2003', 'third server');
  fs.copyFileSync(pki.file('fullchain.pem'), pki.file('server-full.pem'));
  install('server-full.pem', 'server.key');
  server = await startTlsServer(['echo'], pki, { cert: CERT, key: KEY, chain: null });
  for (let i = 0; i < 5; ++i) live.push(await openWss(server.wssUrl, pki.ca));
});

after(async () => {
  await Promise.all(live.map(({ ws }) => closeWs(ws)));
  await server?.stop();
  pki?.remove();
});

test('before any reload, connections see the first certificate (serial 2001)', async () => {
  for (const { cert } of live) assert.equal(cert.serialNumber.toUpperCase(), '2001');
  assert.deepEqual(await serialOfNewConnection(), { serial: '2001', cn: 'wsrelay test server' });
  await allLiveEcho('initial');
});

test('SIGHUP after renewal: live connections keep echoing, a new one sees the new certificate', async () => {
  install('renewed-full.pem', 'renewed.key');
  // A message in flight across the reload, on every live connection.
  const inFlight = Promise.all(live.map(({ ws }) => echo(ws, 'across the reload')));
  await reload(/TLS certificate reloaded/g);
  for (const got of await inFlight) assert.equal(got.data.toString(), 'across the reload');
  await allLiveEcho('after reload');
  assert.deepEqual(await serialOfNewConnection(), { serial: '2002', cn: 'renewed server' });
  // The log says what is now served.
  assert.match(server.log(), /TLS certificate reloaded.*renewed server.*serial 2002/i);
});

test('a reload with a garbage key keeps the previous certificate and logs why', async () => {
  fs.writeFileSync(pki.file(KEY), '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
  await reload(/TLS reload failed/g);
  const line = server.log().split('\n').filter((l) => /TLS reload failed/.test(l)).pop();
  assert.match(line, /ERROR/);
  assert.ok(line.includes(pki.file(KEY)), `the failing file is named: ${line}`);
  assert.match(line, /keeping the previous certificate/);
  assert.deepEqual(await serialOfNewConnection(), { serial: '2002', cn: 'renewed server' });
  await allLiveEcho('after failed reload');
});

test('a certificate whose key was not replaced yet (mid-renewal) is refused the same way', async () => {
  install('third-full.pem', 'renewed.key');  // new certificate, old key: they do not match
  await reload(/TLS reload failed/g);
  const line = server.log().split('\n').filter((l) => /TLS reload failed/.test(l)).pop();
  assert.match(line, /does not match/);
  assert.deepEqual(await serialOfNewConnection(), { serial: '2002', cn: 'renewed server' });
});

test('a later good reload still works, and the server kept running throughout', async () => {
  install('third-full.pem', 'third.key');
  await reload(/TLS certificate reloaded/g);
  assert.deepEqual(await serialOfNewConnection(), { serial: '2003', cn: 'third server' });
  await allLiveEcho('after the third certificate');
  for (const { ws, cert } of live) {
    assert.equal(ws.readyState, ws.OPEN);
    assert.equal(cert.serialNumber.toUpperCase(), '2001', 'a live connection keeps the session it began with');
  }
  assert.ok(server.alive());
});
