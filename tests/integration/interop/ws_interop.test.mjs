// Interoperability: the real `wsrelay echo` driven by Node's `ws` package (npm).
//
// Each test starts its own server on a free port and stops it in a finally block. `ws` is a
// strict client (it fails the connection on a bad frame, bad UTF-8 or bad close code from the
// server), so every echo here is also a check of the server's framing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { withServer, timeoutScale } from './server.mjs';

const SIZES = [0, 125, 126, 65535, 65536, 16 * 1024 * 1024];
const TIMEOUT = 60000 * timeoutScale;

// n bytes of valid UTF-8 mixing 1- to 4-byte characters (padded with '*').
function textOf(n) {
  const unit = Buffer.from('Hello-µ@ßöäü-κόσμε-€-𝄞|');
  const out = Buffer.alloc(n, '*');
  for (let i = 0; i + unit.length <= n; i += unit.length) unit.copy(out, i);
  return out;
}

function binaryOf(n) {
  const out = Buffer.alloc(n);
  let x = 0x12345678 ^ n;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  return out;
}

// A client whose events (message, pong, close, error) queue up until a test asks for them,
// so nothing that arrives between two awaits is lost.
class Client {
  static open(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      const client = new Client(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.events = [];
    this.waiters = [];
    ws.on('message', (data, isBinary) => this.push({ type: 'message', data, isBinary }));
    ws.on('pong', (data) => this.push({ type: 'pong', data }));
    ws.on('close', (code, reason) => this.push({ type: 'close', code, reason: reason.toString() }));
    ws.on('error', (error) => this.push({ type: 'error', error }));
  }

  push(event) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(event); else this.events.push(event);
  }

  next(ms = 10000) {
    if (this.events.length) return Promise.resolve(this.events.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms * timeoutScale);
      this.waiters.push((event) => { clearTimeout(timer); resolve(event); });
    });
  }

  async expectMessage(payload, isBinary, ms) {
    const ev = await this.next(ms);
    assert.equal(ev.type, 'message', `expected a message, got ${ev.type} ${ev.error || ev.code || ''}`);
    assert.equal(ev.isBinary, isBinary, 'message type (binary/text)');
    assert.equal(ev.data.length, payload.length, 'message length');
    assert.ok(Buffer.compare(ev.data, payload) === 0, 'message content differs');
  }

  // Close with this code and reason; the server must echo the code and close TCP.
  async closeWith(code, reason) {
    this.ws.close(code, reason);
    const ev = await this.next();
    assert.equal(ev.type, 'close', `expected close, got ${ev.type} ${ev.error || ''}`);
    assert.equal(ev.code, code, 'echoed close code');
    // A reason, if echoed, must be ours; an empty one is fine.
    if (ev.reason !== '') assert.equal(ev.reason, reason, 'echoed close reason');
    // 'close' fires only once the TCP connection is gone.
    assert.equal(this.ws.readyState, WebSocket.CLOSED);
  }
}

async function echoTest(payload, isBinary) {
  await withServer(async (server) => {
    const c = await Client.open(server.url);
    c.ws.send(payload, { binary: isBinary });
    await c.expectMessage(payload, isBinary, 60000);
    await c.closeWith(1000, 'done');
  });
}

for (const n of SIZES) {
  test(`text message of ${n} bytes is echoed`, { timeout: TIMEOUT }, () => echoTest(textOf(n), false));
  test(`binary message of ${n} bytes is echoed`, { timeout: TIMEOUT }, () => echoTest(binaryOf(n), true));
}

test('fragmented text (fin:false pieces, a character split across fragments)', { timeout: TIMEOUT }, async () => {
  await withServer(async (server) => {
    const c = await Client.open(server.url);
    const whole = Buffer.from('Hello κόσμε €𝄞!');
    const pieces = [whole.subarray(0, 7), whole.subarray(7, 8), whole.subarray(8, 20), whole.subarray(20)];
    pieces.forEach((piece, i) => c.ws.send(piece, { binary: false, fin: i === pieces.length - 1 }));
    await c.expectMessage(whole, false);
    await c.closeWith(1000, 'done');
  });
});

test('fragmented binary of 65536 bytes in 100 pieces', { timeout: TIMEOUT }, async () => {
  await withServer(async (server) => {
    const c = await Client.open(server.url);
    const whole = binaryOf(65536);
    const step = Math.ceil(whole.length / 100);
    for (let i = 0; i < whole.length; i += step) {
      c.ws.send(whole.subarray(i, i + step), { binary: true, fin: i + step >= whole.length });
    }
    await c.expectMessage(whole, true);
    await c.closeWith(1000, 'done');
  });
});

test('ping with and without payload is answered with a matching pong', { timeout: TIMEOUT }, async () => {
  await withServer(async (server) => {
    const c = await Client.open(server.url);
    for (const payload of [Buffer.alloc(0), Buffer.from('hello'), binaryOf(125)]) {
      c.ws.ping(payload);
      const ev = await c.next();
      assert.equal(ev.type, 'pong');
      assert.ok(Buffer.compare(ev.data, payload) === 0, 'pong payload differs');
    }
    await c.closeWith(1000, 'done');
  });
});

test('ping in the middle of a fragmented message is answered first', { timeout: TIMEOUT }, async () => {
  await withServer(async (server) => {
    const c = await Client.open(server.url);
    c.ws.send('frag', { fin: false });
    c.ws.ping('between');
    c.ws.send('ment', { fin: true });
    const pong = await c.next();
    assert.equal(pong.type, 'pong');
    assert.equal(pong.data.toString(), 'between');
    await c.expectMessage(Buffer.from('fragment'), false);
    await c.closeWith(1000, 'done');
  });
});

test('200 messages sent back to back are echoed in order', { timeout: TIMEOUT }, async () => {
  await withServer(async (server) => {
    const c = await Client.open(server.url);
    for (let i = 0; i < 200; i++) c.ws.send(`message ${i}`);
    for (let i = 0; i < 200; i++) await c.expectMessage(Buffer.from(`message ${i}`), false);
    await c.closeWith(1000, 'done');
  });
});

for (const code of [1000, 1001, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999]) {
  test(`close code ${code} with a reason is echoed`, { timeout: TIMEOUT }, async () => {
    await withServer(async (server) => {
      const c = await Client.open(server.url);
      await c.closeWith(code, `closing with ${code}`);
    });
  });
}

test('server survives a client that drops without closing', { timeout: TIMEOUT }, async () => {
  await withServer(async (server) => {
    const a = await Client.open(server.url);
    a.ws.terminate();
    const b = await Client.open(server.url);
    b.ws.send('still here');
    await b.expectMessage(Buffer.from('still here'), false);
    await b.closeWith(1000, 'done');
    assert.ok(server.alive(), 'server is still running');
  });
});
