// Helpers for the TLS suite (issue 6): a throwaway PKI made at test time with the `openssl`
// command (make_certs.sh), a wsrelay started with ssl_enabled on a free loopback port, and
// clients that trust only the test root — so every connection really verifies the chain and
// the subjectAltName, as a browser would.
//
//   const pki = await makePki();                 // ca.pem, inter.pem, server.pem/.key, ...
//   const server = await startTlsServer(['echo'], pki);
//   const { ws, cert } = await openWss(server.wssUrl, pki.ca);   // cert: the peer certificate
//   ...; await server.stop(); pki.remove();
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { startServer, timeoutScale } from '../interop/server.mjs';

export { timeoutScale };
export const WAIT_MS = 10000 * timeoutScale;

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

// A loopback port that was free a moment ago.
export async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// A root CA, an intermediate, and server.pem (leaf only) + server.key + fullchain.pem, serial
// 0x2001. pki.file(name) is the absolute path of a file in the PKI folder.
export async function makePki() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsrelay-tls-'));
  await run('bash', [path.join(here, 'make_certs.sh'), dir]);
  const file = (name) => path.join(dir, name);
  return {
    dir,
    file,
    ca: fs.readFileSync(file('ca.pem')),
    // Another leaf from the same intermediate: NAME.pem, NAME.key, NAME-full.pem (keyType
    // 'rsa' for an RSA key; P-256 otherwise).
    async addLeaf(name, serialHex, commonName, keyType = '') {
      await run('bash', [path.join(here, 'make_certs.sh'), dir, 'leaf', name, serialHex, commonName, keyType]);
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// wsrelay with TLS on. `files` picks the certificate files inside the PKI (defaults: leaf in
// ssl_cert_path, intermediate in ssl_chain_path, which also checks the chain option works).
export async function startTlsServer(args, pki, files = {}) {
  const { cert = 'server.pem', key = 'server.key', chain = 'inter.pem' } = files;
  const tlsArgs = ['--ssl-enabled', 'true', '--ssl-cert-path', pki.file(cert), '--ssl-key-path', pki.file(key)];
  if (chain) tlsArgs.push('--ssl-chain-path', pki.file(chain));
  const server = await startServer([...args, ...tlsArgs]);
  server.wssUrl = `wss://127.0.0.1:${server.port}/`;
  server.httpsUrl = `https://127.0.0.1:${server.port}`;
  return server;
}

// Opens a wss connection trusting only `ca`. Resolves { ws, cert } once open, where cert is
// the server certificate this connection was given (tls.TLSSocket#getPeerCertificate()).
// `onMessage`, when given, is attached before the upgrade: a server that speaks first (serve
// mode's welcome) may deliver a message in the same read as the 101 response.
export function openWss(url, ca, options = {}, onMessage = null) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca, maxPayload: 64 << 20, handshakeTimeout: WAIT_MS, ...options });
    if (onMessage) ws.on('message', onMessage);
    let cert = null;
    ws.once('upgrade', (response) => { cert = response.socket.getPeerCertificate(); });
    ws.once('open', () => resolve({ ws, cert }));
    ws.once('error', reject);
  });
}

// The next message on `ws`, as { data, isBinary }, or a rejection after WAIT_MS.
export function nextMessage(ws, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no message within ${ms} ms`)); }, ms);
    const onMessage = (data, isBinary) => { cleanup(); resolve({ data, isBinary }); };
    const onClose = (code) => { cleanup(); reject(new Error(`closed with ${code} while waiting for a message`)); };
    function cleanup() {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
    }
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}

// Sends `payload` and resolves with the echoed message.
export async function echo(ws, payload) {
  const reply = nextMessage(ws);
  ws.send(payload);
  return reply;
}

export function closeWs(ws) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once('close', resolve);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  });
}

// GET over https trusting `ca`; resolves { status, body }.
export function httpsGet(url, ca) {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, timeout: WAIT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('timeout', () => request.destroy(new Error('https request timed out')));
    request.on('error', reject);
  });
}

export async function stats(server, ca) {
  const { status, body } = await httpsGet(`${server.httpsUrl}/stats`, ca);
  if (status !== 200) throw new Error(`/stats answered ${status}`);
  return JSON.parse(body);
}

// Polls `check` every 20 ms until it returns a truthy value; rejects after `ms`.
export async function waitUntil(check, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Runs a command to completion; resolves { code, stdout, stderr } whatever the exit status.
export function runCommand(file, args, { input, timeout = WAIT_MS, ...options } = {}) {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout, maxBuffer: 16 << 20, ...options }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? -1) : 0, signal: error?.signal ?? null, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}
