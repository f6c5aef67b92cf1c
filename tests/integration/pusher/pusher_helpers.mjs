// Helpers for the Pusher suite: a wsrelay with the Pusher protocol on, pusher-js clients (its
// Node build brings its own WebSocket client), the `pusher` server SDK for the REST API, raw
// `ws` sockets for protocol-level cases, and the channel signatures a Laravel backend would
// compute (/broadcasting/auth), done here with node:crypto, independently of the server.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, timeoutScale } from '../interop/server.mjs';

const require = createRequire(import.meta.url);
export const Pusher = require('pusher-js');
export const PusherServer = require('pusher');
export const WebSocket = require('ws');

export const APP_ID = '424242';
export const APP_KEY = 'itestkey4f1c9a2e7b3d';
export const APP_SECRET = 'itest-secret-5f1c9a2e7b3d4c6a8e0f1b2d3c4a5e6f';

export function startPusherServer(extra = []) {
  return startServer(['serve', '--pusher-app-id', APP_ID, '--pusher-app-key', APP_KEY,
    '--pusher-app-secret', APP_SECRET, '--rate-limit', '0', ...extra]);
}

export function sign(stringToSign, secret = APP_SECRET) {
  return crypto.createHmac('sha256', secret).update(stringToSign).digest('hex');
}

// What Laravel's /broadcasting/auth answers for `socketId` on `channel` (presence: `user`).
export function channelAuth(socketId, channel, user = null, secret = APP_SECRET) {
  if (user === null) return { auth: `${APP_KEY}:${sign(`${socketId}:${channel}`, secret)}` };
  const channelData = JSON.stringify(user);
  return { auth: `${APP_KEY}:${sign(`${socketId}:${channel}:${channelData}`, secret)}`, channel_data: channelData };
}

// A pusher-js client of `server`. `user` is the presence identity its authorizer signs.
export function pusherClient(server, { user = null, secret = APP_SECRET, key = APP_KEY, ...options } = {}) {
  return new Pusher(key, {
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    cluster: 'mt1',
    disableStats: true,
    authorizer: (channel) => ({
      authorize: (socketId, callback) => callback(null, channelAuth(socketId, channel.name,
        channel.name.startsWith('presence-') ? user : null, secret)),
    }),
    ...options,
  });
}

export function connected(client) {
  return new Promise((resolve, reject) => {
    if (client.connection.state === 'connected') return resolve(client.connection.socket_id);
    const timer = setTimeout(() => reject(new Error(`not connected: ${client.connection.state}`)), 5000 * timeoutScale);
    client.connection.bind('connected', () => { clearTimeout(timer); resolve(client.connection.socket_id); });
  });
}

export function subscribed(channel) {
  return new Promise((resolve, reject) => {
    if (channel.subscribed) return resolve(channel);
    const timer = setTimeout(() => reject(new Error(`no subscription to ${channel.name}`)), 5000 * timeoutScale);
    channel.bind('pusher:subscription_succeeded', (data) => { clearTimeout(timer); resolve(data); });
    channel.bind('pusher:subscription_error', (error) => { clearTimeout(timer); reject(new Error(JSON.stringify(error))); });
  });
}

// The next `event` on `channel` (a pusher-js channel), or a rejection after `ms`.
export function next(channel, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { channel.unbind(event, handler); reject(new Error(`no ${event} on ${channel.name}`)); },
      ms * timeoutScale);
    function handler(data, meta) { clearTimeout(timer); channel.unbind(event, handler); resolve({ data, meta }); }
    channel.bind(event, handler);
  });
}

// Resolves true if `event` arrives within `ms`, false otherwise (for "must NOT arrive" checks,
// always paired with a positive delivery proving the path works).
export function arrives(channel, event, ms = 400) {
  return next(channel, event, ms).then(() => true, () => false);
}

export function rest(server, overrides = {}) {
  return new PusherServer({ appId: APP_ID, key: APP_KEY, secret: APP_SECRET, host: '127.0.0.1', port: String(server.port),
    useTLS: false, ...overrides });
}

// A raw Pusher socket: `messages` collects every parsed frame; `wait(pred)` the first one that
// matches (already received or to come).
export async function rawSocket(server, path = `/app/${APP_KEY}?protocol=7&client=js&version=8.4.0`) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
  const messages = [];
  const waiters = [];
  let closed = null;
  const closedPromise = new Promise((resolve) => ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    resolve(closed);
  }));
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    messages.push(message);
    for (const w of [...waiters]) {
      if (w.pred(message)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(message); }
    }
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return {
    ws, messages,
    send(object) { ws.send(typeof object === 'string' ? object : JSON.stringify(object)); },
    wait(pred, ms = 3000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) { waiters.splice(i, 1); reject(new Error(`no matching message; got ${JSON.stringify(messages)}`)); }
        }, ms * timeoutScale);
      });
    },
    event(name, ms) { return this.wait((m) => m.event === name, ms); },
    closed: () => closedPromise,
    get closeInfo() { return closed; },
    close() { ws.close(); return closedPromise; },
  };
}

export async function established(socket) {
  const m = await socket.event('pusher:connection_established');
  return JSON.parse(m.data);
}

export { sleep, timeoutScale };
