// The JSON application protocol against the real `wsrelay serve` (issue 3's seven scenarios
// plus bad input), with real clients from the npm `ws` package. Each test starts its own server
// on a free loopback port and stops it. Binary: $WSRELAY_BIN, default build/wsrelay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../interop/server.mjs';
import { RelayClient } from './relay_client.mjs';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server;
const clients = [];

before(async () => {
  server = await startServer(['serve']);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  if (server) await server.stop();
});

async function connect() {
  const client = await RelayClient.connect(server.url);
  clients.push(client);
  return client;
}

const ofEvent = (events, name) => events.filter((m) => m.event === name);

test('1. connect -> welcome with an unguessable client id', async () => {
  const a = await connect();
  const b = await connect();
  assert.equal(a.welcome.event, 'welcome');
  assert.match(a.id, /^[0-9a-f]{32}$/);
  assert.notEqual(a.id, b.id);
  assert.equal(typeof a.welcome.message, 'string');
  assert.match(a.welcome.timestamp, ISO_MS);
  // The default room is joined right after the welcome.
  const joined = await b.nextEvent('room_joined');
  assert.equal(joined.room, 'general');
  assert.ok(joined.member_count >= 2);
  assert.ok(joined.members.includes(a.id) && joined.members.includes(b.id));
});

test('2. message -> echo with the original message and a timestamp', async () => {
  const a = await connect();
  a.send({ event: 'message', message: 'Hello, relay' });
  const echo = await a.nextEvent('echo');
  assert.equal(echo.original_message, 'Hello, relay');
  assert.match(echo.timestamp, ISO_MS);
  // `type` is an alias of `event`, and any JSON value may be the message.
  a.send({ type: 'message', message: { nested: [1, 'two', null] } });
  assert.deepEqual((await a.nextEvent('echo')).original_message, { nested: [1, 'two', null] });
});

test('3. three clients: a broadcast reaches the other two, not the sender', async () => {
  const [c1, c2, c3] = [await connect(), await connect(), await connect()];
  const ack = await c1.request('broadcast', { message: 'to everyone else' });
  assert.equal(ack.event, 'ack');
  for (const other of [c2, c3]) {
    const got = await other.nextEvent('broadcast');
    assert.equal(got.message, 'to everyone else');
    assert.equal(got.from, c1.id);
    assert.match(got.timestamp, ISO_MS);
  }
  // The ack came after any broadcast the sender could have received: there was none.
  assert.deepEqual(ofEvent(c1.all, 'broadcast'), []);
});

test('4. room isolation: a message to test-room reaches its other member only', async () => {
  const [c1, c2, c3] = [await connect(), await connect(), await connect()];
  assert.equal((await c1.request('join_room', { room: 'test-room' })).event, 'ack');
  assert.equal((await c2.request('join_room', { room: 'test-room' })).member_count, 2);
  assert.equal((await c3.request('join_room', { room: 'other-room' })).event, 'ack');

  const ack = await c1.request('room_message', { room: 'test-room', message: 'only for test-room' });
  assert.equal(ack.recipients, 1);
  const got = await c2.nextEvent('room_message');
  assert.deepEqual(
    { message: got.message, from: got.from, room: got.room },
    { message: 'only for test-room', from: c1.id, room: 'test-room' });
  assert.equal(typeof got.seq, 'number');
  assert.match(got.timestamp, ISO_MS);
  assert.deepEqual(ofEvent(await c3.sync(), 'room_message'), []);
  assert.deepEqual(ofEvent(await c1.sync(), 'room_message'), []);
});

test('5. leaving one of three rooms: the room list and the notices are right', async () => {
  const [leaver, inSupport, inSales] = [await connect(), await connect(), await connect()];
  for (const room of ['support', 'sales']) {
    assert.equal((await leaver.request('join_room', { room })).event, 'ack');
  }
  await inSupport.request('join_room', { room: 'support' });
  await inSales.request('join_room', { room: 'sales' });
  const before = await leaver.request('rooms');
  assert.deepEqual(before.rooms, ['general', 'sales', 'support']);
  await inSupport.sync();
  await inSales.sync();

  const ack = await leaver.request('leave_room', { room: 'support' });
  assert.equal(ack.event, 'ack');
  assert.equal(ack.room, 'support');
  const left = await leaver.nextEvent('room_left');
  assert.equal(left.room, 'support');

  const notice = await inSupport.nextEvent('user_left');
  assert.deepEqual(
    { client_id: notice.client_id, room: notice.room, reason: notice.reason },
    { client_id: leaver.id, room: 'support', reason: 'left' });
  assert.deepEqual(ofEvent(await inSales.sync(), 'user_left'), []);

  const list = await leaver.request('rooms');
  assert.deepEqual(list.rooms, ['general', 'sales']);
  // Messages to support no longer reach the leaver.
  await inSupport.request('room_message', { room: 'support', message: 'after you left' });
  assert.deepEqual(ofEvent(await leaver.sync(), 'room_message'), []);
});

test('6. signals: a listening page gets the signal with its data, a non-listening one nothing', async () => {
  const [pageA, pageB, pageC] = [await connect(), await connect(), await connect()];
  assert.equal((await pageB.request('listen', { name: 'ReportIncome' })).event, 'ack');
  const ack = await pageA.request('signal', { name: 'ReportIncome', data: { month: '2024-05', amount: 1250.5 } });
  assert.equal(ack.recipients, 1);
  const got = await pageB.nextEvent('signal');
  assert.equal(got.name, 'ReportIncome');
  assert.deepEqual(got.data, { month: '2024-05', amount: 1250.5 });
  assert.equal(got.from, pageA.id);
  assert.match(got.timestamp, ISO_MS);
  assert.deepEqual(ofEvent(await pageC.sync(), 'signal'), []);
  // After unlisten, B gets nothing either.
  await pageB.request('unlisten', { name: 'ReportIncome' });
  await pageA.request('signal', { name: 'ReportIncome' });
  assert.deepEqual(ofEvent(await pageB.sync(), 'signal'), []);
});

test('7. disconnecting a member notifies the room', async () => {
  const [stays, goes] = [await connect(), await connect()];
  await stays.request('join_room', { room: 'farewell' });
  await goes.request('join_room', { room: 'farewell' });
  await goes.close();
  const fromGoes = (m) => m.event === 'user_left' && m.client_id === goes.id;
  const notices = [await stays.next(fromGoes), await stays.next(fromGoes)];
  const rooms = notices.map((n) => n.room).sort();
  assert.deepEqual(rooms, ['farewell', 'general']);
  for (const n of notices) assert.equal(n.reason, 'disconnected');
});

test('bad input gets an error event, the connection stays open, nobody else hears it', async () => {
  const [a, bystander] = [await connect(), await connect()];
  await bystander.sync();
  const cases = [
    ['not json at all', 'invalid_json'],
    ['[1,2,3]', 'invalid_message'],
    ['{"message":"no event"}', 'missing_field'],
    ['{"event":"teleport"}', 'unknown_event'],
    ['{"event":"join_room","room":""}', 'invalid_name'],
    ['{"event":"join_room","room":"bad\\nname"}', 'invalid_name'],
    [`{"event":"join_room","room":"${'x'.repeat(129)}"}`, 'invalid_name'],
    ['{"event":"join_room","room":42}', 'invalid_field'],
    ['{"event":"room_message","room":"not-mine","message":"x"}', 'not_in_room'],
    ['{"event":"send","to":"0123456789abcdef0123456789abcdef","message":"x"}', 'unknown_client'],
    ['{"event":"broadcast","message":"\\udc00"}', 'invalid_json'],
  ];
  for (const [text, code] of cases) {
    a.send(text);
    const error = await a.nextEvent('error');
    assert.equal(error.code, code, `for ${text}`);
    assert.equal(typeof error.message, 'string');
  }
  a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  assert.equal((await a.nextEvent('error')).code, 'binary_not_supported');
  // An id comes back on the error.
  const refused = await a.request('leave_room', { room: 'never-joined' });
  assert.deepEqual({ event: refused.event, code: refused.code }, { event: 'error', code: 'not_in_room' });
  // Still open and working; the bystander heard nothing at all.
  a.send({ event: 'message', message: 'still fine' });
  assert.equal((await a.nextEvent('echo')).original_message, 'still fine');
  assert.deepEqual(await bystander.sync(), []);
});

test('a direct message reaches exactly the addressed client', async () => {
  const [a, b, c] = [await connect(), await connect(), await connect()];
  await c.sync();
  const ack = await a.request('send', { to: b.id, message: 'just for you' });
  assert.equal(ack.recipients, 1);
  const got = await b.nextEvent('direct');
  assert.deepEqual({ message: got.message, from: got.from }, { message: 'just for you', from: a.id });
  assert.deepEqual(ofEvent(await c.sync(), 'direct'), []);
});
