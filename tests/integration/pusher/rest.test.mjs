// Pusher's REST API through the `pusher` Node SDK (the same signing as pusher-php-server, which
// Laravel's broadcaster uses), and every signature failure with hand-built requests.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  APP_ID, APP_KEY, APP_SECRET, channelAuth, established, rawSocket, rest, sign, startPusherServer,
} from './pusher_helpers.mjs';

let server;
before(async () => { server = await startPusherServer(); });
after(async () => { if (server) await server.stop(); });

async function subscriber(channel, user = null) {
  const raw = await rawSocket(server);
  const { socket_id: id } = await established(raw);
  const auth = channel.startsWith('private-') || channel.startsWith('presence-') ? channelAuth(id, channel, user) : {};
  raw.send({ event: 'pusher:subscribe', data: { channel, ...auth } });
  await raw.wait((m) => m.event === 'pusher_internal:subscription_succeeded' && m.channel === channel);
  raw.socketId = id;
  return raw;
}

// A signed request built by hand, so each part can be broken on purpose.
function signedUrl(method, path, body, { secret = APP_SECRET, key = APP_KEY, timestamp, md5, tamper } = {}) {
  const params = { auth_key: key, auth_timestamp: String(timestamp ?? Math.floor(Date.now() / 1000)), auth_version: '1.0' };
  if (body !== undefined) params.body_md5 = md5 ?? crypto.createHash('md5').update(body).digest('hex');
  const sorted = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
  let signature = sign(`${method}\n${path}\n${sorted}`, secret);
  if (tamper) signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  return `http://127.0.0.1:${server.port}${path}?${sorted}&auth_signature=${signature}`;
}

async function send(method, path, body, options) {
  const response = await fetch(signedUrl(method, path, body, options),
    { method, body, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } });
  return { status: response.status, body: await response.json() };
}

test('POST events: one channel, many channels, and info with the channels\' counts', async () => {
  const a = await subscriber('presence-shop', { user_id: 'u1' });
  const b = await subscriber('orders');
  const r = await rest(server).trigger(['presence-shop', 'orders'], 'Sale', { pct: 10 }, { info: 'subscription_count' });
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { channels: { 'presence-shop': { subscription_count: 1 }, orders: { subscription_count: 1 } } });
  assert.deepEqual(JSON.parse((await a.event('Sale')).data), { pct: 10 });
  assert.deepEqual(JSON.parse((await b.event('Sale')).data), { pct: 10 });
  const plain = await rest(server).trigger('orders', 'Sale', 'x');
  assert.deepEqual(await plain.json(), {});
  const users = await rest(server).trigger('presence-shop', 'Sale', 'x', { info: 'user_count' });
  assert.deepEqual(await users.json(), { channels: { 'presence-shop': { user_count: 1 } } });
  await a.close();
  await b.close();
});

test('POST batch_events delivers each event; with info the counts come back in order', async () => {
  const a = await subscriber('batch-a');
  const r = await rest(server).triggerBatch([
    { channel: 'batch-a', name: 'one', data: '1', info: 'subscription_count' },
    { channel: 'batch-b', name: 'two', data: '2', info: 'subscription_count' },
  ]);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { batch: [{ subscription_count: 1 }, { subscription_count: 0 }] });
  assert.equal((await a.event('one')).data, '1');
  await a.close();
});

test('GET channels (filter_by_prefix, info=user_count), channels/{name}, channels/{name}/users', async () => {
  const p1 = await subscriber('presence-room1', { user_id: 'ann', user_info: { n: 1 } });
  const p2 = await subscriber('presence-room1', { user_id: 'ann' });
  const p3 = await subscriber('presence-room1', { user_id: 'bob' });
  const pub = await subscriber('public-info');
  const all = await (await rest(server).get({ path: '/channels' })).json();
  assert.ok(all.channels['presence-room1'] && all.channels['public-info']);
  const presence = await (await rest(server).get({ path: '/channels',
    params: { filter_by_prefix: 'presence-', info: 'user_count' } })).json();
  assert.deepEqual(presence, { channels: { 'presence-room1': { user_count: 2 } } });
  const one = await (await rest(server).get({ path: '/channels/presence-room1',
    params: { info: 'user_count,subscription_count' } })).json();
  assert.deepEqual(one, { occupied: true, subscription_count: 3, user_count: 2 });
  const empty = await (await rest(server).get({ path: '/channels/nobody-here' })).json();
  assert.deepEqual(empty, { occupied: false });
  const users = await (await rest(server).get({ path: '/channels/presence-room1/users' })).json();
  assert.deepEqual(users, { users: [{ id: 'ann' }, { id: 'bob' }] });
  const notPresence = await rest(server).get({ path: '/channels/public-info/users' }).catch((e) => e);
  assert.equal(notPresence.status, 400);
  for (const s of [p1, p2, p3, pub]) await s.close();
});

test('POST users/{id}/terminate_connections closes that user\'s connections only', async () => {
  const target = await subscriber('presence-t', { user_id: 'evil' });
  const bystander = await subscriber('presence-t', { user_id: 'good' });
  const r = await rest(server).terminateUserConnections('evil');
  assert.equal(r.status, 200);
  assert.equal((await target.closed()).code, 4009);
  bystander.send({ event: 'pusher:ping', data: {} });
  await bystander.event('pusher:pong');
  await bystander.close();
});

test('every signature failure is 401 with a JSON error; a correct hand-signed request passes', async () => {
  const path = `/apps/${APP_ID}/events`;
  const body = JSON.stringify({ name: 'e', channel: 'c', data: '{}' });
  assert.equal((await send('POST', path, body)).status, 200);
  const failures = [
    { secret: 'wrong-secret' },
    { key: 'wrong-key' },
    { tamper: true },
    { md5: 'd41d8cd98f00b204e9800998ecf8427e' },
    { timestamp: Math.floor(Date.now() / 1000) - 700 },
    { timestamp: Math.floor(Date.now() / 1000) + 700 },
  ];
  for (const failure of failures) {
    const r = await send('POST', path, body, failure);
    assert.equal(r.status, 401, JSON.stringify(failure));
    assert.equal(r.body.error.code, 'unauthorized');
  }
  const unsigned = await fetch(`http://127.0.0.1:${server.port}${path}`, { method: 'POST', body });
  assert.equal(unsigned.status, 401);
  // A signed GET whose query is changed after signing.
  const url = signedUrl('GET', `/apps/${APP_ID}/channels`, undefined) + '&filter_by_prefix=x';
  assert.equal((await fetch(url)).status, 401);
});

test('limits and errors: 404 unknown app, 413 data over 10 KB, 400 over 100 channels, bad names', async () => {
  assert.equal((await send('GET', '/apps/999/channels')).status, 404);
  const big = JSON.stringify({ name: 'e', channel: 'c', data: 'x'.repeat(10241) });
  assert.equal((await send('POST', `/apps/${APP_ID}/events`, big)).status, 413);
  const ok = JSON.stringify({ name: 'e', channel: 'c', data: 'x'.repeat(10240) });
  assert.equal((await send('POST', `/apps/${APP_ID}/events`, ok)).status, 200);
  const channels = Array.from({ length: 101 }, (_, i) => `c${i}`);
  const many = JSON.stringify({ name: 'e', channels, data: '{}' });
  assert.equal((await send('POST', `/apps/${APP_ID}/events`, many)).status, 400);
  const hundred = JSON.stringify({ name: 'e', channels: channels.slice(0, 100), data: '{}' });
  assert.equal((await send('POST', `/apps/${APP_ID}/events`, hundred)).status, 200);
  for (const bad of [{ name: 'e', channel: 'bad name', data: '' }, { channel: 'c', data: '' }, { name: 'e', channel: 'c', data: {} },
    { name: 'e', channel: 'c', data: '', socket_id: 'abc' }]) {
    const r = await send('POST', `/apps/${APP_ID}/events`, JSON.stringify(bad));
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.ok(r.body.error.message);
  }
  assert.equal((await send('POST', `/apps/${APP_ID}/events`, 'not json')).status, 400);
  assert.equal((await send('GET', `/apps/${APP_ID}/nothing`)).status, 404);
  assert.equal((await send('GET', `/apps/${APP_ID}/events`)).status, 405);
  const tooMany = JSON.stringify({ batch: Array.from({ length: 11 }, () => ({ channel: 'c', name: 'e', data: '' })) });
  assert.equal((await send('POST', `/apps/${APP_ID}/batch_events`, tooMany)).status, 400);
});

test('the JSON backend API publish reaches Pusher subscribers of the room', async () => {
  const api = await startPusherServer(['--api-key', 'k'.repeat(32)]);
  try {
    const raw = await rawSocket(api);
    await established(raw);
    raw.send({ event: 'pusher:subscribe', data: { channel: 'orders' } });
    await raw.event('pusher_internal:subscription_succeeded');
    const r = await fetch(`http://127.0.0.1:${api.port}/api/publish`, {
      method: 'POST', headers: { Authorization: `Bearer ${'k'.repeat(32)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ room: 'orders', message: { id: 1 } }),
    });
    assert.deepEqual(await r.json(), { delivered: 1 });
    const m = await raw.event('room_message');
    assert.equal(m.channel, 'orders');
    assert.deepEqual(JSON.parse(m.data), { id: 1 });
    await raw.close();
  } finally {
    await api.stop();
  }
});

test('/stats and /metrics report the Pusher front end\'s counters', async () => {
  const a = await subscriber('stats-room');
  await rest(server).trigger('stats-room', 'e', '1');
  await a.event('e');
  const stats = await (await fetch(`http://127.0.0.1:${server.port}/stats`)).json();
  assert.ok(stats.pusher.connections >= 1);
  assert.ok(stats.pusher.subscriptions >= 1);
  assert.ok(stats.pusher.api_events >= 1);
  const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  assert.match(metrics, /^wsrelay_pusher_connections [1-9]\d*$/m);
  assert.match(metrics, /^wsrelay_pusher_total\{counter="subscriptions"\} [1-9]\d*$/m);
  await a.close();
});
