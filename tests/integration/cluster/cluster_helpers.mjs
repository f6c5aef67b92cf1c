// Helpers for the cluster suite: a real redis-server per test (127.0.0.1, a free port, its own
// temporary folder and unix socket, no persistence), cluster_probe nodes driven over stdin, a
// fake "Redis" that answers garbage, and a tiny RESP client to look inside Redis.
//
// Every process started here is killed when the test process exits, so a failing test never
// leaves a redis-server behind. The Debian redis-server service (port 6379) is never used.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryPath, timeoutScale } from '../interop/server.mjs';

export { timeoutScale };

const live = new Set();
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

export async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export function probePath() {
  return path.join(path.dirname(binaryPath()), 'cluster_probe');
}

// Lines of a child's stdout, with waitFor(regex) resolving the first line (seen or to come)
// that matches. Lines already consumed by an earlier waitFor are not matched again.
class LineStream {
  constructor(stream, name) {
    this.name = name;
    this.lines = [];
    this.next = 0;
    this.waiters = [];
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        this.lines.push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      this.wake();
    });
  }

  wake() {
    for (const w of [...this.waiters]) {
      for (let i = this.next; i < this.lines.length; i++) {
        const m = this.lines[i].match(w.regex);
        if (m) {
          this.next = i + 1;
          this.waiters.splice(this.waiters.indexOf(w), 1);
          clearTimeout(w.timer);
          w.resolve(m);
          break;
        }
      }
    }
  }

  waitFor(regex, ms = 10000) {
    return new Promise((resolve, reject) => {
      const w = { regex, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.name}: no line matching ${regex} within ${ms * timeoutScale} ms; got:\n` +
          this.lines.slice(-30).join('\n')));
      }, ms * timeoutScale);
      this.waiters.push(w);
      this.wake();
    });
  }

  // Resolves when some line, seen at any time, matches (consumes nothing).
  async seen(regex, ms = 10000) {
    const deadline = Date.now() + ms * timeoutScale;
    while (!this.lines.some((l) => regex.test(l))) {
      if (Date.now() > deadline) throw new Error(`${this.name}: never printed a line matching ${regex}`);
      await sleep(20);
    }
  }

  // Every line that matches, seen so far.
  all(regex) {
    return this.lines.filter((l) => regex.test(l));
  }
}

export class Redis {
  static async start({ password = null, port = null } = {}) {
    const r = new Redis();
    r.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsrelay-redis-'));
    r.socket = path.join(r.dir, 'redis.sock');
    r.password = password;
    r.port = port ?? await freePort();
    await r.launch();
    return r;
  }

  async launch() {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', this.dir, '--unixsocket', this.socket, '--unixsocketperm', '700', '--daemonize', 'no',
      '--databases', '16'];
    if (this.password) args.push('--requirepass', this.password);
    this.proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.proc);
    this.proc.on('exit', () => live.delete(this.proc));
    this.out = new LineStream(this.proc.stdout, 'redis-server');
    await this.out.waitFor(/Ready to accept connections/, 10000);
  }

  url(db = 0) {
    const auth = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    return `redis://${auth}127.0.0.1:${this.port}/${db}`;
  }

  unixUrl(db = 0) {
    const auth = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    return `unix://${auth}${this.socket}?db=${db}`;
  }

  async kill(signal = 'SIGKILL') {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill(signal);
    await exited;
  }

  async restart() {
    await this.kill();
    await this.launch();
  }

  async stop() {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // One command over a fresh connection; resolves the reply (strings, numbers, arrays, null).
  command(...args) {
    return respCommand(this.port, this.password, args);
  }

  // Resolves once `count` connections are subscribed to `channel` (a full Redis channel name):
  // a SUBSCRIBE is asynchronous, and a message published before it took effect is not lost
  // by the code under test but never meant for that subscriber.
  async subscribers(channel, count, ms = 10000) {
    const deadline = Date.now() + ms * timeoutScale;
    for (;;) {
      const [, n] = await this.command('PUBSUB', 'NUMSUB', channel);
      if (n === count) return;
      if (Date.now() > deadline) throw new Error(`${channel}: ${n} subscribers, wanted ${count}`);
      await sleep(20);
    }
  }

  // The same in database `db`.
  commandIn(db, ...args) {
    return respCommand(this.port, this.password, args, db);
  }
}

// A minimal RESP client (enough for the tests to look at keys), independent of the code under test.
export function respCommand(port, password, args, db = 0) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const encode = (a) => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(String(x))}\r\n${x}\r\n`).join('');
    let buffer = '';
    const expected = (password ? 1 : 0) + (db ? 1 : 0) + 1;
    const replies = [];
    socket.on('connect', () => {
      if (password) socket.write(encode(['AUTH', password]));
      if (db) socket.write(encode(['SELECT', String(db)]));
      socket.write(encode(args));
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        const parsed = parseResp(buffer, 0);
        if (!parsed) break;
        replies.push(parsed.value);
        buffer = buffer.slice(parsed.end);
      }
      if (replies.length >= expected) {
        socket.end();
        resolve(replies[expected - 1]);
      }
    });
    socket.on('error', reject);
  });
}

function parseResp(text, at) {
  const nl = text.indexOf('\r\n', at);
  if (nl < 0) return null;
  const type = text[at];
  const line = text.slice(at + 1, nl);
  if (type === '+' || type === '-') return { value: type === '-' ? new Error(line) : line, end: nl + 2 };
  if (type === ':') return { value: Number(line), end: nl + 2 };
  if (type === '$') {
    const len = Number(line);
    if (len < 0) return { value: null, end: nl + 2 };
    if (text.length < nl + 2 + len + 2) return null;
    return { value: text.slice(nl + 2, nl + 2 + len), end: nl + 2 + len + 2 };
  }
  if (type === '*') {
    const count = Number(line);
    const items = [];
    let end = nl + 2;
    for (let i = 0; i < count; i++) {
      const item = parseResp(text, end);
      if (!item) return null;
      items.push(item.value);
      end = item.end;
    }
    return { value: items, end };
  }
  throw new Error(`bad RESP: ${JSON.stringify(text.slice(at, at + 40))}`);
}

// One cluster node (tools/cluster_probe): a process built from the wsrelay library.
export class Probe {
  static async start(url, { prefix = 'wsrelay', nodeId, heartbeatMs, ttlMs, replyTimeoutMs, connectTimeoutMs,
    keepaliveMs } = {}) {
    const args = ['--redis-url', url, '--prefix', prefix];
    if (nodeId) args.push('--node-id', nodeId);
    if (heartbeatMs) args.push('--heartbeat-ms', String(heartbeatMs));
    if (ttlMs) args.push('--ttl-ms', String(ttlMs));
    if (replyTimeoutMs) args.push('--reply-timeout-ms', String(replyTimeoutMs));
    if (connectTimeoutMs) args.push('--connect-timeout-ms', String(connectTimeoutMs));
    if (keepaliveMs) args.push('--keepalive-ms', String(keepaliveMs));
    const p = new Probe();
    p.nodeId = nodeId;
    p.proc = spawn(probePath(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(p.proc);
    p.exited = new Promise((resolve) => p.proc.on('exit', (code, signal) => {
      live.delete(p.proc);
      resolve({ code, signal });
    }));
    p.out = new LineStream(p.proc.stdout, `probe ${nodeId}`);
    p.err = new LineStream(p.proc.stderr, `probe ${nodeId} log`);
    await p.out.waitFor(/^ready$/);
    return p;
  }

  send(line) {
    this.proc.stdin.write(`${line}\n`);
  }

  waitFor(regex, ms) {
    return this.out.waitFor(regex, ms);
  }

  async stats() {
    this.send('stats');
    const m = await this.waitFor(/^stats (.*)$/);
    return Object.fromEntries(m[1].split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : v]));
  }

  alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async kill(signal = 'SIGKILL') {
    if (!this.alive()) return this.exited;
    this.proc.kill(signal);
    return this.exited;
  }

  async quit() {
    if (!this.alive()) return;
    this.send('quit');
    await this.exited;
  }
}

// A TCP server that is not Redis: `respond(data, socket)` decides what it says.
export async function fakeServer(respond) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (data) => respond(data, socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(resolve);
    }),
  };
}

export { sleep };
