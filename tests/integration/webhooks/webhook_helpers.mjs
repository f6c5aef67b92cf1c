// Helpers for the webhook suite: a receiver (Node http/https server on a free loopback port)
// that checks every POST with the `pusher` SDK's own webhook validation (what a Node backend
// does; the same HMAC as pusher-php-server's webhook()->isValid()) and answers from a script
// of status codes; and the webhook_driver program (tools/webhook_driver), which runs the real
// webhook service on a real event loop and takes front-end events on stdin.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot, timeoutScale } from '../interop/server.mjs';

const require = createRequire(import.meta.url);
const Pusher = require('pusher');

export { timeoutScale };
export const WAIT_MS = 10000 * timeoutScale;
export const APP = { appId: '1001', key: 'hook-key-3b9f', secret: 'hook-secret-8c1d7e2a' };

export function driverPath() {
  const build = process.env.BUILD || 'build';
  return path.isAbsolute(build) ? path.join(build, 'webhook_driver') : path.join(repoRoot, build, 'webhook_driver');
}

// Starts a receiver. `statuses` is consumed one per request (then 200). Every request is kept
// as { at, headers, body, json, valid, status } in receiver.requests; `valid` is the SDK's
// verdict on key and signature. `tls` = { key, cert } for https; `delayMs` delays each answer;
// idle keep-alive connections are closed after `keepAliveTimeout` ms.
export async function startReceiver({ statuses = [], tls = null, delayMs = 0, keepAliveTimeout = 5000 } = {}) {
  const pusher = new Pusher({ ...APP, useTLS: false, host: '127.0.0.1' });
  const requests = [];
  const waiters = [];
  const sockets = new Set();
  const script = [...statuses];
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const webhook = pusher.webhook({ headers: req.headers, rawBody: body });
      const status = script.length > 0 ? script.shift() : 200;
      let json = null;
      try { json = JSON.parse(body); } catch { /* kept as null */ }
      const entry = { at: Date.now(), method: req.method, url: req.url, headers: req.headers, body, json,
        valid: webhook.isValid(), status, socket: req.socket.remotePort };
      requests.push(entry);
      const answer = () => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(status === 200 ? '{}' : '{"error":"scripted"}');
        for (const w of waiters.splice(0)) w();
      };
      if (delayMs > 0) setTimeout(answer, delayMs); else answer();
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.keepAliveTimeout = keepAliveTimeout;
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/pusher/webhook`,
    requests,
    // Resolves once `n` requests were answered (or rejects after WAIT_MS).
    async waitFor(n, ms = WAIT_MS) {
      const deadline = Date.now() + ms;
      while (requests.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} webhook POSTs, got ${requests.length}`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, Math.min(left, 100)); });
      }
      return requests;
    },
    openConnections() { return sockets.size; },
    events() { return requests.filter((r) => r.status === 200).flatMap((r) => r.json.events); },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// The driver with `args`; send(fields...) writes one TAB-separated command; stats() asks for
// and resolves the next "stats {...}" line; finish() drains, waits for the exit and resolves
// the final stats.
export async function startDriver(args) {
  const proc = spawn(driverPath(), ['--key', APP.key, '--secret', APP.secret, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const lineWaiters = [];
  proc.stdout.on('data', (d) => {
    stdout += d;
    for (const w of lineWaiters.splice(0)) w();
  });
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  const seen = { ready: false, stats: 0 };
  async function waitLine(test) {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = test();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`webhook_driver said: ${stdout}\nstderr: ${stderr}`);
      await new Promise((resolve) => { lineWaiters.push(resolve); setTimeout(resolve, 50); });
    }
  }
  const statsLines = () => stdout.split('\n').filter((l) => l.startsWith('stats '));
  await waitLine(() => (stdout.includes('ready\n') ? true : undefined));
  return {
    proc,
    get stderr() { return stderr; },
    send(...fields) { proc.stdin.write(`${fields.join('\t')}\n`); },
    async stats() {
      const want = ++seen.stats;
      this.send('stats');
      const line = await waitLine(() => statsLines()[want - 1]);
      return JSON.parse(line.slice(6));
    },
    async finish() {
      proc.stdin.end();
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), WAIT_MS))]);
      if (code === 'timeout') {
        proc.kill('SIGKILL');
        throw new Error(`webhook_driver did not finish; stderr: ${stderr}`);
      }
      const lines = statsLines();
      return { code, stats: JSON.parse(lines[lines.length - 1].slice(6)) };
    },
    kill() { proc.kill('SIGKILL'); },
  };
}

export function hmacHex(secret, body) {
  return crypto.createHmac('sha256', secret).update(body).digest('hex');
}
