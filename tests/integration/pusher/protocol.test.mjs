// The Pusher wire protocol at the frame level, with raw `ws` sockets: the handshake and each
// error code (4001, 4007, 4009, 4100, 4200, 4201, 4301), ping/pong both ways, cache channels,
// pusher:signin, and malformed input of every kind answered with pusher:error while the
// connection stays usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  APP_KEY, channelAuth, established, rawSocket, rest, sign, startPusherServer,
} from './pusher_helpers.mjs';

async function withPusher(extra, fn) {
  const server = await startPusherServer(extra);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

test('connection_established carries socket_id and activity_timeout as a JSON string', async () => {
  await withPusher(['--pusher-activity-timeout', '45'], async (server) => {
    const raw = await rawSocket(server);
    const m = await raw.event('pusher:connection_established');
    assert.equal(typeof m.data, 'string');
    const data = JSON.parse(m.data);
    assert.match(data.socket_id, /^\d+\.\d+$/);
    assert.equal(data.activity_timeout, 45);
    await raw.close();
  });
});

test('4001 for an unknown app key, 4007 for an unsupported protocol version', async () => {
  await withPusher([], async (server) => {
    const wrongKey = await rawSocket(server, '/app/nope?protocol=7');
    const e1 = await wrongKey.event('pusher:error');
    assert.equal(e1.data.code, 4001);
    assert.equal((await wrongKey.closed()).code, 4001);

    const oldProtocol = await rawSocket(server, `/app/${APP_KEY}?protocol=3`);
    assert.equal((await oldProtocol.event('pusher:error')).data.code, 4007);
    assert.equal((await oldProtocol.closed()).code, 4007);

    const noProtocol = await rawSocket(server, `/app/${APP_KEY}`);
    assert.equal((await noProtocol.closed()).code, 4007);
  });
});

test('4100 over pusher_max_connections', async () => {
  await withPusher(['--pusher-max-connections', '1'], async (server) => {
    const first = await rawSocket(server);
    await established(first);
    const second = await rawSocket(server);
    assert.equal((await second.event('pusher:error')).data.code, 4100);
    assert.equal((await second.closed()).code, 4100);
    first.send({ event: 'pusher:ping', data: {} });
    await first.event('pusher:pong');
    await first.close();
  });
});

test('pusher:ping gets pusher:pong; a silent client is pinged and closed with 4201', async () => {
  await withPusher(['--pusher-activity-timeout', '1'], async (server) => {
    const raw = await rawSocket(server);
    await established(raw);
    raw.send({ event: 'pusher:ping', data: {} });
    await raw.event('pusher:pong');
    // Then silence: the server pings after ~1 s and closes ~1 s later without a pong.
    await raw.event('pusher:ping', 5000);
    const closed = await raw.closed();
    assert.equal(closed.code, 4201);

    // A client that answers the ping stays.
    const polite = await rawSocket(server);
    await established(polite);
    await polite.event('pusher:ping', 5000);
    polite.send({ event: 'pusher:pong', data: {} });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(polite.closeInfo, null);
    await polite.close();
  });
});

test('graceful shutdown closes Pusher clients with 4200 (reconnect now), never 4009', async () => {
  const server = await startPusherServer();
  const raw = await rawSocket(server);
  await established(raw);
  const stopping = server.stop();
  const closed = await raw.closed();
  assert.equal(closed.code, 4200);
  await stopping;
});

test('malformed input gets pusher:error and the connection stays usable', async () => {
  await withPusher([], async (server) => {
    const raw = await rawSocket(server);
    await established(raw);
    const cases = [
      'not json', '[]', '{"event":1}', '{}', '{"event":"pusher:subscribe"}', '{"event":"pusher:subscribe","data":5}',
      '{"event":"pusher:subscribe","data":{}}', '{"event":"pusher:subscribe","data":{"channel":"bad name!"}}',
      '{"event":"pusher:subscribe","data":{"channel":"private-x"}}', '{"event":"no-such"}',
      '{"event":"pusher:signin","data":"[]"}', '{"a":' + '['.repeat(100) + ']'.repeat(100) + '}',
    ];
    for (const text of cases) {
      const before = raw.messages.length;
      raw.send(text);
      await raw.wait((m, i) => raw.messages.indexOf(m) >= before &&
        (m.event === 'pusher:error' || m.event === 'pusher:subscription_error'));
    }
    raw.ws.send(Buffer.from([1, 2, 3]));
    await raw.wait((m) => m.event === 'pusher:error' && /binary/.test(m.data.message));
    raw.send({ event: 'pusher:ping', data: {} });
    await raw.event('pusher:pong');
    assert.equal(raw.closeInfo, null);
    await raw.close();
  });
});

test('a bad channel signature: subscription_error (AuthError, 401) and pusher:error 4009', async () => {
  await withPusher([], async (server) => {
    const raw = await rawSocket(server);
    const { socket_id: socketId } = await established(raw);
    // Signed for another socket: refused.
    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-a', ...channelAuth('1.2', 'private-a') } });
    const refused = await raw.event('pusher:subscription_error');
    assert.equal(refused.channel, 'private-a');
    assert.deepEqual(JSON.parse(refused.data).status, 401);
    assert.equal((await raw.event('pusher:error')).data.code, 4009);
    // Signed for this socket: accepted (proves the refusal was about the signature).
    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-a', ...channelAuth(socketId, 'private-a') } });
    await raw.wait((m) => m.event === 'pusher_internal:subscription_succeeded' && m.channel === 'private-a');
    // presence: channel_data is part of what is signed.
    const auth = channelAuth(socketId, 'presence-a', { user_id: '1' });
    raw.send({ event: 'pusher:subscribe',
      data: { channel: 'presence-a', auth: auth.auth, channel_data: JSON.stringify({ user_id: '2' }) } });
    await raw.wait((m) => m.event === 'pusher:subscription_error' && m.channel === 'presence-a');
    await raw.close();
  });
});

test('presence limits: user_info size and member count', async () => {
  await withPusher(['--pusher-max-user-info', '32', '--pusher-max-presence-members', '1'], async (server) => {
    const a = await rawSocket(server);
    const { socket_id: idA } = await established(a);
    const big = channelAuth(idA, 'presence-lim', { user_id: 'a', user_info: { bio: 'x'.repeat(64) } });
    a.send({ event: 'pusher:subscribe', data: { channel: 'presence-lim', ...big } });
    const e = await a.event('pusher:subscription_error');
    assert.equal(JSON.parse(e.data).status, 413);
    a.send({ event: 'pusher:subscribe', data: { channel: 'presence-lim', ...channelAuth(idA, 'presence-lim', { user_id: 'a' }) } });
    await a.event('pusher_internal:subscription_succeeded');
    const b = await rawSocket(server);
    const { socket_id: idB } = await established(b);
    b.send({ event: 'pusher:subscribe', data: { channel: 'presence-lim', ...channelAuth(idB, 'presence-lim', { user_id: 'b' }) } });
    assert.equal(JSON.parse((await b.event('pusher:subscription_error')).data).status, 403);
    await a.close();
    await b.close();
  });
});

test('client events: rate limited with 4301, and off with pusher_client_events=false', async () => {
  await withPusher(['--pusher-client-event-rate', '2'], async (server) => {
    const a = await rawSocket(server);
    const { socket_id: id } = await established(a);
    a.send({ event: 'pusher:subscribe', data: { channel: 'private-r', ...channelAuth(id, 'private-r') } });
    await a.event('pusher_internal:subscription_succeeded');
    for (let i = 0; i < 5; ++i) a.send({ event: 'client-x', channel: 'private-r', data: { i } });
    const e = await a.event('pusher:error');
    assert.equal(e.data.code, 4301);
    assert.equal(a.closeInfo, null);
    await a.close();
  });
  await withPusher(['--pusher-client-events', 'false'], async (server) => {
    const a = await rawSocket(server);
    const { socket_id: id } = await established(a);
    a.send({ event: 'pusher:subscribe', data: { channel: 'private-r', ...channelAuth(id, 'private-r') } });
    await a.event('pusher_internal:subscription_succeeded');
    a.send({ event: 'client-x', channel: 'private-r', data: {} });
    assert.match((await a.event('pusher:error')).data.message, /disabled/);
    await a.close();
  });
});

test('cache channels: cache_miss first, then the last event is replayed to a new subscriber', async () => {
  await withPusher([], async (server) => {
    const a = await rawSocket(server);
    await established(a);
    a.send({ event: 'pusher:subscribe', data: { channel: 'cache-prices' } });
    await a.event('pusher:cache_miss');
    await rest(server).trigger('cache-prices', 'price', { eur: 1 });
    await rest(server).trigger('cache-prices', 'price', { eur: 2 });
    const b = await rawSocket(server);
    await established(b);
    b.send({ event: 'pusher:subscribe', data: { channel: 'cache-prices' } });
    const replay = await b.event('price');
    assert.deepEqual(JSON.parse(replay.data), { eur: 2 });
    assert.equal(b.messages.some((m) => m.event === 'pusher:cache_miss'), false);
    await a.close();
    await b.close();
  });
});

test('pusher:signin: signin_success for a signed user_data, 4009 close otherwise; terminate_connections', async () => {
  await withPusher([], async (server) => {
    const a = await rawSocket(server);
    const { socket_id: id } = await established(a);
    const userData = JSON.stringify({ id: 'u1', name: 'Ann' });
    a.send({ event: 'pusher:signin', data: { auth: `${APP_KEY}:${sign(`${id}::user::${userData}`)}`, user_data: userData } });
    const ok = await a.event('pusher:signin_success');
    assert.equal(JSON.parse(ok.data).user_data, userData);

    const b = await rawSocket(server);
    await established(b);
    b.send({ event: 'pusher:signin', data: { auth: `${APP_KEY}:${sign(`x::user::${userData}`)}`, user_data: userData } });
    assert.equal((await b.closed()).code, 4009);

    const response = await rest(server).terminateUserConnections('u1');
    assert.equal(response.status, 200);
    assert.equal((await a.closed()).code, 4009);
  });
});

test('private-encrypted-* data is relayed opaque', async () => {
  await withPusher([], async (server) => {
    const a = await rawSocket(server);
    const { socket_id: id } = await established(a);
    a.send({ event: 'pusher:subscribe', data: { channel: 'private-encrypted-x', ...channelAuth(id, 'private-encrypted-x') } });
    await a.event('pusher_internal:subscription_succeeded');
    const sealed = JSON.stringify({ nonce: 'bm9uY2U=', ciphertext: 'c2VjcmV0' });
    await rest(server).post({ path: '/events', body: { name: 'e', channels: ['private-encrypted-x'], data: sealed } });
    assert.equal((await a.event('e')).data, sealed);
    await a.close();
  });
});

