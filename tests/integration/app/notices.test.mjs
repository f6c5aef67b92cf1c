// Join/leave notices in their three modes (room_notices = each | batched | off, and a room's
// own :notices= in `rooms`) against the real `wsrelay serve`, with npm `ws` clients
// (docs/protocol.md, "Join and leave notices").
//
// A batch is what the server reads in one loop iteration. To make one deterministic, a client
// writes several requests with its socket corked, so they leave in one TCP write and arrive in
// one read; every request carries an id, and its ack proves it was handled before the
// observer's sync() (a ping round trip) looks at what the observer received. Batched notices
// may wait up to 100 ms after an earlier flush (the window of docs/protocol.md), so a test
// waits for the batch it expects with next() and then uses sync() to see what else came.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../interop/server.mjs';
import { RelayClient } from './relay_client.mjs';

const servers = [];
const clients = [];

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

async function serve(...flags) {
  const server = await startServer(['serve', ...flags]);
  servers.push(server);
  return server;
}

async function connect(server) {
  const client = await RelayClient.connect(server.url);
  clients.push(client);
  await client.nextEvent('room_joined');  // the default room
  return client;
}

// Sends the requests in one TCP write; resolves with their answers, in order.
async function corked(client, requests) {
  const socket = client.ws._socket;
  const answers = [];
  socket.cork();
  for (const [event, fields] of requests) {
    const id = `${event}-${++client.nextId}`;
    client.send({ event, ...fields, id });
    answers.push(client.next((m) => (m.event === 'ack' || m.event === 'error') && m.id === id, `answer to ${id}`));
  }
  socket.uncork();
  const settled = await Promise.all(answers);
  for (const answer of settled) assert.equal(answer.event, 'ack', JSON.stringify(answer));
  return settled;
}

const NOTICES = ['user_joined', 'user_left', 'members_changed'];
const notices = (events, room) => events.filter((m) => NOTICES.includes(m.event) && (room === undefined || m.room === room));
// The next notice about `room` (earlier events about other rooms stay in the inbox).
const nextNotice = (client, room) => client.next((m) => NOTICES.includes(m.event) && m.room === room, `a notice about ${room}`);
const joinLeaveJoin = [['join_room', { room: 'lobby' }], ['leave_room', { room: 'lobby' }], ['join_room', { room: 'lobby' }]];

test('batched: the notices of one read reach each member as ONE members_changed', async () => {
  const server = await serve('--room-notices', 'batched');
  const observer = await connect(server);
  await observer.request('join_room', { room: 'lobby' });
  const x = await connect(server);
  await observer.sync();

  await corked(x, joinLeaveJoin);
  const batch = await nextNotice(observer, 'lobby');
  assert.deepEqual(notices(await observer.sync(), 'lobby'), []);
  assert.equal(batch.event, 'members_changed', JSON.stringify(batch));
  assert.equal(batch.room, 'lobby');
  assert.equal(batch.member_count, 2);
  // The observer's own join may still be in the same window's batch: x's three are the rest.
  assert.deepEqual(batch.joined.map((e) => e.client_id).filter((id) => id !== observer.id), [x.id, x.id]);
  assert.equal(batch.joined_count, batch.joined.length);
  assert.deepEqual(batch.left, [{ client_id: x.id, reason: 'left' }]);
  assert.equal(batch.left_count, 1);
  assert.match(batch.timestamp, /^\d{4}-\d{2}-\d{2}T/);
});

test('batched: a single notice is the plain user_joined / user_left of `each`', async () => {
  const server = await serve('--room-notices', 'batched');
  const observer = await connect(server);
  const y = await connect(server);  // joins "general", alone in its read
  const joined = await observer.nextEvent('user_joined');
  assert.equal(joined.client_id, y.id);
  assert.equal(joined.room, 'general');
  assert.equal(joined.member_count, 2);
  await y.close();
  const left = await observer.nextEvent('user_left');
  assert.equal(left.client_id, y.id);
  assert.equal(left.reason, 'disconnected');
  assert.equal(left.member_count, 1);
  assert.equal(notices(await observer.sync()).length, 0);
});

test('batched: past member_list_limit the event carries the counts only', async () => {
  const server = await serve('--room-notices', 'batched', '--member-list-limit', '1');
  const observer = await connect(server);
  await observer.request('join_room', { room: 'lobby' });
  const x = await connect(server);
  await observer.sync();
  await corked(x, joinLeaveJoin);
  const batch = await nextNotice(observer, 'lobby');
  assert.deepEqual(notices(await observer.sync(), 'lobby'), []);
  assert.equal(batch.event, 'members_changed', JSON.stringify(batch));
  assert.ok(batch.joined_count === 2 || batch.joined_count === 3, JSON.stringify(batch));  // + the observer's own?
  assert.equal(batch.left_count, 1);
  assert.equal(batch.member_count, 2);
  assert.equal(batch.joined, undefined);
  assert.equal(batch.left, undefined);
});

test('batched: members hear of a join before the newcomer\'s first room message', async () => {
  const server = await serve('--room-notices', 'batched');
  const observer = await connect(server);
  await observer.request('join_room', { room: 'lobby' });
  const x = await connect(server);
  await observer.sync();
  await corked(x, [['join_room', { room: 'lobby' }], ['room_message', { room: 'lobby', message: 'hi' }]]);
  const got = (await observer.sync()).filter((m) => m.event !== 'ack' && m.room === 'lobby');
  // The join (alone, or in a batch with the observer's own) comes first, then the message.
  assert.equal(got.length, 2, JSON.stringify(got));
  assert.ok(got[0].event === 'user_joined' ? got[0].client_id === x.id : got[0].joined.some((e) => e.client_id === x.id),
    JSON.stringify(got));
  assert.equal(got[1].event, 'room_message');
  assert.equal(got[1].message, 'hi');
});

test('each (the default): one user_joined / user_left per change, in order, even within one read', async () => {
  const server = await serve();
  const observer = await connect(server);
  await observer.request('join_room', { room: 'lobby' });
  const x = await connect(server);
  await observer.sync();
  await corked(x, joinLeaveJoin);
  const got = notices(await observer.sync());
  assert.deepEqual(got.map((m) => `${m.event}:${m.client_id}`), [`user_joined:${x.id}`, `user_left:${x.id}`, `user_joined:${x.id}`]);
  assert.equal(got[1].reason, 'left');
});

test('off: nobody is told, the joiner and leaver still get their answers', async () => {
  const server = await serve('--room-notices', 'off');
  const observer = await connect(server);
  const x = await connect(server);
  const answers = await corked(x, [['leave_room', { room: 'general' }], ['join_room', { room: 'general' }]]);
  assert.equal(answers[0].room, 'general');
  await x.nextEvent('room_left');
  await x.nextEvent('room_joined');
  await x.close();
  assert.deepEqual(notices(await observer.sync()), []);
});

test('a room\'s own :notices= overrides room_notices', async () => {
  const server = await serve('--room-notices', 'each', '--rooms', 'quiet:notices=off,bulk:notices=batched');
  const observer = await connect(server);
  await observer.request('join_room', { room: 'quiet' });
  await observer.request('join_room', { room: 'bulk' });
  const x = await connect(server);
  await observer.sync();
  await corked(x, [['join_room', { room: 'quiet' }], ['join_room', { room: 'bulk' }], ['leave_room', { room: 'bulk' }],
    ['leave_room', { room: 'general' }], ['join_room', { room: 'general' }]]);
  const bulk = await nextNotice(observer, 'bulk');
  assert.equal(bulk.event, 'members_changed');
  const got = notices(await observer.sync());
  // general (room_notices = each): two plain notices; bulk: one batch; quiet: nothing.
  const byRoom = (room) => got.filter((m) => m.room === room).map((m) => m.event);
  assert.deepEqual(byRoom('quiet'), []);
  assert.deepEqual(byRoom('bulk'), []);
  assert.deepEqual(byRoom('general'), ['user_left', 'user_joined']);
});

test('bad notice modes are refused at start-up', async () => {
  await assert.rejects(startServer(['serve', '--room-notices', 'sometimes']), /notice mode|exited before listening/);
  await assert.rejects(startServer(['serve', '--rooms', 'lobby:notices=loud']), /notices=|exited before listening/);
});
