// Token edge cases over the wire (docs/security.md, "The token"): each bad token is refused in
// both places a client can present one — the upgrade URL (HTTP 401, no WebSocket) and the
// `auth` event (Close 1008 "Invalid authentication") — and the boundary cases the clock skew
// allows are accepted. Tokens are minted here with Node's own HMAC, as a PHP backend would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import { startServer } from '../interop/server.mjs';
import { SECRET, Client, badTokens, mintToken, nowSeconds, rejections, tryConnect } from './security_helpers.mjs';

let server;

before(async () => {
  server = await startServer(['serve', '--auth-enabled', 'true', '--auth-secret', SECRET, '--auth-clock-skew', '30']);
});

after(async () => {
  if (server) await server.stop();
});

const urlWith = (token) => `${server.url}?token=${encodeURIComponent(token)}`;

test('every bad token in the URL is refused with HTTP 401 before the upgrade', async () => {
  const cases = Object.entries(badTokens());
  const before = (await rejections(server.port)).unauthorized;
  for (const [name, token] of cases) {
    const result = await tryConnect(urlWith(token));
    assert.equal(result.status, 401, name);
    if (result.open) result.ws.terminate();
  }
  assert.equal((await rejections(server.port)).unauthorized - before, cases.length);
});

test('every bad token in an auth event closes the connection 1008 "Invalid authentication"', async () => {
  for (const [name, token] of Object.entries(badTokens())) {
    const client = await Client.open(server.url);
    assert.equal((await client.event('welcome')).auth_pending, true, name);
    client.send({ event: 'auth', token, id: 1 });
    const close = await client.closedWithin();
    assert.equal(close.code, 1008, name);
    assert.equal(close.reason, 'Invalid authentication', name);
    // Nothing but the welcome: no error event, no ack, no hint of what was wrong.
    assert.deepEqual(client.events.map((m) => m.event), ['welcome'], name);
  }
});

test('an auth event without a usable token field is a bad token too', async () => {
  for (const message of [{ event: 'auth' }, { event: 'auth', token: 42 }, { event: 'auth', token: null }, { type: 'auth', token: ['x'] }]) {
    const client = await Client.open(server.url);
    await client.event('welcome');
    client.send(message);
    const close = await client.closedWithin();
    assert.deepEqual([close.code, close.reason], [1008, 'Invalid authentication'], JSON.stringify(message));
  }
});

test('the clock skew: just expired or not quite valid yet is still accepted; integer sub works', async () => {
  const now = nowSeconds();
  const accepted = {
    'exp 10 s ago (within 30 s skew)': mintToken({ sub: 'a', exp: now - 10 }),
    'nbf 10 s ahead (within 30 s skew)': mintToken({ sub: 'b', nbf: now + 10 }),
    'integer sub': mintToken({ sub: 4711 }),
    'unknown claims are ignored': mintToken({ sub: 'c', iss: 'php', aud: 'x', jti: 'n-1' }),
  };
  const expectedUser = { 'integer sub': '4711' };
  for (const [name, token] of Object.entries(accepted)) {
    for (const via of ['url', 'event']) {
      const client = await Client.open(via === 'url' ? urlWith(token) : server.url);
      const welcome = await client.event('welcome');
      let userId = welcome.user_id;
      if (via === 'event') {
        const ack = await client.request('auth', { token });
        assert.equal(ack.event, 'ack', `${name} via ${via}: ${JSON.stringify(ack)}`);
        userId = ack.user_id;
      }
      assert.equal(userId, expectedUser[name] ?? JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).sub, name);
      assert.equal((await client.request('ping')).event, 'ack');
      client.close();
    }
  }
});

test('a token\'s rooms claim with a wildcard anywhere but the end is refused', async () => {
  const token = mintToken({ rooms: ['team-*-sales'] });
  assert.equal((await tryConnect(urlWith(token))).status, 401);
  const client = await Client.open(server.url);
  await client.event('welcome');
  client.send({ event: 'auth', token });
  assert.equal((await client.closedWithin()).code, 1008);
});

// An event of a WsRelay client, or a failure after `ms` (a missing event must fail, not hang).
function nextEvent(relay, name, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms`)), ms);
    relay.once(name, (payload) => { clearTimeout(timer); resolve(payload); });
  });
}

// web/wsrelay.js's `token` option against the real server (Node `ws` as its WebSocket): the
// token goes out first, so rooms joined before the connection opened are joined once it is
// authenticated; a refused token is reported as auth_failed and the client tries again.
test('wsrelay.js with a token function: authenticated, re-joins its room, gets room messages', async () => {
  const require = createRequire(import.meta.url);
  const WsRelay = require('../../../web/wsrelay.js');
  let issued = 0;
  const relay = new WsRelay(server.url, {
    WebSocket,
    token: async () => { issued += 1; return mintToken({ sub: 'browser-user', rooms: ['sales'] }); },
  });
  try {
    const joined = relay.joinRoom('sales');  // asked before the connection is even open
    const welcome = await nextEvent(relay, 'welcome');
    assert.equal(welcome.auth_pending, true);
    const authenticated = await nextEvent(relay, 'authenticated');
    assert.equal(authenticated.user_id, 'browser-user');
    assert.equal((await joined).event, 'ack');
    const other = await Client.open(`${server.url}?token=${encodeURIComponent(mintToken({ sub: 'php', rooms: ['sales'] }))}`);
    await other.event('welcome');
    assert.equal((await other.request('join_room', { room: 'sales' })).event, 'ack');
    const got = nextEvent(relay, 'room_message');
    other.send({ event: 'room_message', room: 'sales', message: 'hello sales' });
    const message = await got;
    assert.equal(message.message, 'hello sales');
    assert.equal(issued, 1);
    other.close();
  } finally {
    relay.close();
  }
});

test('wsrelay.js with a refused token: auth_failed (1008), then a new attempt with a new token', async () => {
  const require = createRequire(import.meta.url);
  const WsRelay = require('../../../web/wsrelay.js');
  const tokens = [mintToken({ sub: 'x' }, 'a-different-secret-that-is-long-enough-0123'), mintToken({ sub: 'second-try' })];
  const relay = new WsRelay(server.url, { WebSocket, initialDelay: 10, token: () => tokens.shift() });
  try {
    const failed = await nextEvent(relay, 'auth_failed');
    assert.deepEqual(failed, { code: 1008, reason: 'Invalid authentication' });
    const authenticated = await nextEvent(relay, 'authenticated');
    assert.equal(authenticated.user_id, 'second-try');
  } finally {
    relay.close();
  }
});
