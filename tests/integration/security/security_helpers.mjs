// Helpers for the security suite (docs/security.md): minting HS256 tokens the way a PHP backend
// does, opening WebSockets that may be refused (and learning exactly how), raw sockets for
// clients no library would produce, and reading the server's memory from /proc.
//
// Every connection goes to 127.0.0.1 only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import WebSocket from 'ws';
import { timeoutScale } from '../interop/server.mjs';

export const SECRET = 'security-suite-secret-0123456789abcdef';  // >= 32 bytes, RFC 7518 §3.2
export const WAIT_MS = 5000 * timeoutScale;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function b64url(data) {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// header.claims.signature, signed with HMAC-SHA256 over the two encoded segments exactly as
// given (so tests can sign deliberately broken headers and claims).
export function signRaw(headerJson, claimsJson, secret = SECRET) {
  const input = `${b64url(headerJson)}.${b64url(claimsJson)}`;
  return `${input}.${b64url(crypto.createHmac('sha256', secret).update(input).digest())}`;
}

// A token as firebase/php-jwt would mint it: {"typ":"JWT","alg":"HS256"} and the claims.
export function mintToken(claims = {}, secret = SECRET) {
  const full = { sub: 'user-1', iat: nowSeconds(), exp: nowSeconds() + 300, ...claims };
  for (const key of Object.keys(full)) if (full[key] === undefined) delete full[key];
  return signRaw(JSON.stringify({ typ: 'JWT', alg: 'HS256' }), JSON.stringify(full), secret);
}

// The ways a token can be wrong, each of which the server must refuse (docs/security.md).
export function badTokens() {
  const now = nowSeconds();
  const good = mintToken();
  const [h, c, s] = good.split('.');
  const flip = s[0] === 'A' ? 'B' : 'A';
  return {
    'expired (past exp + 30 s skew)': mintToken({ exp: now - 120 }),
    'not yet valid (nbf beyond the skew)': mintToken({ nbf: now + 120 }),
    'wrong signature (other secret)': mintToken({}, 'some-other-secret-that-is-32-bytes-long'),
    'wrong signature (one character changed)': `${h}.${c}.${flip}${s.slice(1)}`,
    'alg none, no signature': `${b64url('{"alg":"none","typ":"JWT"}')}.${c}.`,
    'alg none, signed anyway': signRaw('{"alg":"none","typ":"JWT"}', JSON.stringify({ sub: 'u', exp: now + 300 })),
    'alg HS512': signRaw('{"alg":"HS512","typ":"JWT"}', JSON.stringify({ sub: 'u', exp: now + 300 })),
    'malformed base64 (padding)': `${h}=.${c}.${s}`,
    'malformed base64 (+ and /)': `${h}.${c}.${s.replace(/-/g, '+').replace(/_/g, '/')}+/`,
    'malformed (two segments)': `${h}.${c}`,
    'malformed (not JSON)': signRaw('{"alg":"HS256"', '{"sub":"u"}'),
    'missing sub': mintToken({ sub: undefined }),
    'missing exp': mintToken({ exp: undefined }),
    'sub of the wrong type': mintToken({ sub: ['u'] }),
    'empty token': '',
  };
}

// Opens a WebSocket and resolves with how the attempt ended:
//   { open: true, ws, messages, closed }    the upgrade succeeded (messages: texts received;
//                                           closed: promise of [code, reason])
//   { status, headers }                     refused with an HTTP response
//   { error }                               the connection failed without a response
export function tryConnect(url, options = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    // Listening from the start: a Close may come in the same packet as the 101.
    const messages = [];
    ws.on('message', (m) => messages.push(String(m)));
    const closed = new Promise((done) => ws.once('close', (code, reason) => done([code, String(reason)])));
    ws.once('open', () => resolve({ open: true, ws, messages, closed }));
    // The status line is the answer; the server closes right after its short body, which may
    // surface as a socket error too, so settle on the response and ignore what follows.
    ws.once('unexpected-response', (req, res) => {
      resolve({ status: res.statusCode, headers: res.headers });
      res.resume();
      req.destroy();
    });
    ws.on('error', (error) => resolve({ error: String(error.code || error.message) }));
  });
}

// A WebSocket client for the JSON protocol that records every event and how it closed.
export class Client {
  static async open(url, options = {}) {
    const client = new Client(url, options);
    await new Promise((resolve, reject) => {
      client.ws.once('open', resolve);
      client.ws.once('error', reject);
    });
    return client;
  }

  constructor(url, options) {
    this.ws = new WebSocket(url, options);
    this.events = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: String(reason), at: Date.now() };
        resolve(this.closeInfo);
      });
    });
    this.ws.on('error', () => {});  // a refused or reset connection is reported by `closed`
    this.ws.on('message', (data, isBinary) => {
      this.events.push(isBinary ? { event: '<binary>' } : JSON.parse(String(data)));
      this.#wake();
    });
  }

  #wake() {
    for (const waiter of [...this.waiters]) {
      const found = this.events.slice(waiter.from).find(waiter.match);
      if (found) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        clearTimeout(waiter.timer);
        waiter.resolve(found);
      }
    }
  }

  // The first event at index >= from matching `match`.
  next(match, what = 'a matching event', from = 0, waitMs = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve, from };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${waitMs} ms; got ${JSON.stringify(this.events).slice(0, 2000)}`));
      }, waitMs);
      this.waiters.push(waiter);
      this.#wake();
    });
  }

  event(name) {
    return this.next((m) => m.event === name, `"${name}" event`);
  }

  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  // Sends {event, ...fields, id} and resolves with the ack or error carrying that id.
  request(event, fields = {}) {
    const id = `${event}-${Math.random().toString(36).slice(2)}`;
    this.send({ event, ...fields, id });
    return this.next((m) => (m.event === 'ack' || m.event === 'error') && m.id === id, `answer to ${id}`);
  }

  // How the server ended the connection (rejects if it stays open).
  async closedWithin(ms = WAIT_MS) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

// A raw TCP connection that collects everything the server sends.
export function rawSocket(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const state = { socket, data: Buffer.alloc(0), ended: false, error: null };
    state.done = new Promise((done) => socket.once('close', () => { state.ended = true; done(state); }));
    socket.on('data', (d) => { state.data = Buffer.concat([state.data, d]); });
    socket.on('error', (e) => { state.error = e.code || String(e); });
    socket.once('connect', () => resolve(state));
    socket.once('error', reject);
  });
}

export function upgradeRequest(path = '/', extraHeaders = '') {
  const key = crypto.randomBytes(16).toString('base64');
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`;
}

// A masked client frame (RFC 6455 §5.2, §5.3).
export function clientFrame(opcode, payload, { fin = true } = {}) {
  const data = Buffer.from(payload);
  const mask = crypto.randomBytes(4);
  let header;
  if (data.length < 126) {
    header = Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | data.length]);
  } else if (data.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; ++i) masked[i] = data[i] ^ mask[i % 4];
  return Buffer.concat([header, mask, masked]);
}

// The close code of the first Close frame in what the server sent after its 101 response
// (null when there is none). Server frames are unmasked.
export function closeCodeIn(bytes) {
  const text = bytes.toString('latin1');
  let i = text.indexOf('\r\n\r\n');
  if (i < 0) return null;
  i += 4;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i] & 0x0f;
    let length = bytes[i + 1] & 0x7f;
    let at = i + 2;
    if (length === 126) { length = bytes.readUInt16BE(at); at += 2; }
    else if (length === 127) { length = Number(bytes.readBigUInt64BE(at)); at += 8; }
    if (opcode === 0x8) return at + 2 <= bytes.length ? bytes.readUInt16BE(at) : null;
    i = at + length;
  }
  return null;
}

// The status code of an HTTP response at the start of `bytes` (null when there is none).
export function statusIn(bytes) {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(bytes.toString('latin1'));
  return match ? Number(match[1]) : null;
}

export function httpGet(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

export async function rejections(port) {
  const { body } = await httpGet(port, '/stats');
  return JSON.parse(body).rejections;
}

// Resident memory of a process in KiB, from /proc/<pid>/status (VmRSS).
export function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)[1]);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
