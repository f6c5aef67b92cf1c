// pusher-js (its Node build) against the real binary: public channels, REST triggers through
// the `pusher` SDK, private and presence channels with one user in several tabs, client events
// (never echoed), toOthers, and delivery across the JSON protocol and the Pusher protocol in
// one room namespace.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  APP_KEY, arrives, connected, next, pusherClient, rawSocket, rest, startPusherServer, subscribed, WebSocket,
} from './pusher_helpers.mjs';
import { timeoutScale } from '../interop/server.mjs';

let server;
const clients = [];
function client(options) {
  const c = pusherClient(server, options);
  clients.push(c);
  return c;
}

before(async () => { server = await startPusherServer(); });
after(async () => {
  for (const c of clients) c.disconnect();
  if (server) await server.stop();
});

// A JSON-protocol client (wsrelay's own) on the default path.
async function jsonClient() {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  const messages = [];
  const waiters = [];
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    messages.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  return {
    ws, messages,
    send: (o) => ws.send(JSON.stringify(o)),
    wait(pred, ms = 3000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => { if (waiters.includes(w)) reject(new Error(`no message; got ${JSON.stringify(messages)}`)); },
          ms * timeoutScale);
      });
    },
  };
}

test('connects with a socket_id of the form \\d+.\\d+ and receives a REST trigger on a public channel', async () => {
  const c = client();
  const socketId = await connected(c);
  assert.match(socketId, /^\d+\.\d+$/);
  const channel = c.subscribe('orders-public');
  await subscribed(channel);
  const got = next(channel, 'OrderShipped');
  const response = await rest(server).trigger('orders-public', 'OrderShipped', { id: 5, total: '9.90' });
  assert.equal(response.status, 200);
  const { data } = await got;
  assert.deepEqual(data, { id: 5, total: '9.90' });
});

test('an unsubscribed channel stops receiving', async () => {
  const c = client();
  await connected(c);
  const channel = c.subscribe('news');
  await subscribed(channel);
  const first = next(channel, 'headline');
  await rest(server).trigger('news', 'headline', 'one');
  assert.equal((await first).data, 'one');
  c.unsubscribe('news');
  // A second subscriber proves the next trigger is delivered at all.
  const other = client();
  await connected(other);
  const otherChannel = other.subscribe('news');
  await subscribed(otherChannel);
  const otherGot = next(otherChannel, 'headline');
  const lost = arrives(channel, 'headline');
  await rest(server).trigger('news', 'headline', 'two');
  assert.equal((await otherGot).data, 'two');
  assert.equal(await lost, false);
});

test('private channel: the signed subscription succeeds; a bad signature is refused', async () => {
  const good = client();
  await connected(good);
  await subscribed(good.subscribe('private-orders'));
  const bad = client({ secret: 'not-the-secret' });
  await connected(bad);
  await assert.rejects(subscribed(bad.subscribe('private-orders')), /AuthError/);
});

test('presence: one user in two tabs is one member; member_added and member_removed once', async () => {
  const watcher = client({ user: { user_id: 'w', user_info: { name: 'Watcher' } } });
  await connected(watcher);
  const watched = watcher.subscribe('presence-team');
  await subscribed(watched);

  const added = next(watched, 'pusher:member_added');
  const tab1 = client({ user: { user_id: 42, user_info: { name: 'Ann' } } });
  await connected(tab1);
  const members = await subscribed(tab1.subscribe('presence-team'));
  assert.equal(members.count, 2);
  assert.deepEqual(members.get('w').info ?? members.members.w, { name: 'Watcher' });
  const addedEvent = await added;
  assert.equal(String(addedEvent.data.id), '42');
  assert.deepEqual(addedEvent.data.info, { name: 'Ann' });

  // The second tab of the same user: no member_added.
  const again = arrives(watched, 'pusher:member_added');
  const tab2 = client({ user: { user_id: 42, user_info: { name: 'Ann' } } });
  await connected(tab2);
  const members2 = await subscribed(tab2.subscribe('presence-team'));
  assert.equal(members2.count, 2);
  assert.equal(await again, false);

  // First tab closes: still a member. Second closes: member_removed.
  const early = arrives(watched, 'pusher:member_removed', 600);
  tab1.disconnect();
  assert.equal(await early, false);
  const removed = next(watched, 'pusher:member_removed');
  tab2.disconnect();
  assert.equal(String((await removed).data.id), '42');

  const users = await rest(server).get({ path: '/channels/presence-team/users' });
  assert.deepEqual(await users.json(), { users: [{ id: 'w' }] });
});

test('client events reach the other subscribers, never the sender, with user_id on presence', async () => {
  const a = client({ user: { user_id: 'a' } });
  const b = client({ user: { user_id: 'b' } });
  await Promise.all([connected(a), connected(b)]);
  const ca = a.subscribe('presence-chat');
  const cb = b.subscribe('presence-chat');
  await Promise.all([subscribed(ca), subscribed(cb)]);
  const atB = next(cb, 'client-typing');
  const echoed = arrives(ca, 'client-typing');
  assert.equal(ca.trigger('client-typing', { who: 'a' }), true);
  const { data, meta } = await atB;
  assert.deepEqual(data, { who: 'a' });
  assert.equal(meta.user_id, 'a');
  assert.equal(await echoed, false);
});

test('client events on a public channel are refused with pusher:error', async () => {
  const raw = await rawSocket(server);
  await raw.event('pusher:connection_established');
  raw.send({ event: 'pusher:subscribe', data: { channel: 'lobby' } });
  await raw.event('pusher_internal:subscription_succeeded');
  raw.send({ event: 'client-x', channel: 'lobby', data: {} });
  const error = await raw.event('pusher:error');
  assert.match(error.data.message, /private and presence/);
  await raw.close();
});

test('toOthers: a trigger with socket_id passes that connection by', async () => {
  const sender = client();
  const other = client();
  const senderId = await connected(sender);
  await connected(other);
  const cs = sender.subscribe('feed');
  const co = other.subscribe('feed');
  await Promise.all([subscribed(cs), subscribed(co)]);
  const atOther = next(co, 'posted');
  const atSender = arrives(cs, 'posted');
  await rest(server).trigger('feed', 'posted', { n: 1 }, { socket_id: senderId });
  assert.deepEqual((await atOther).data, { n: 1 });
  assert.equal(await atSender, false);
});

test('one namespace: JSON room_message and /api-less JSON clients reach Pusher listeners, and back', async () => {
  const pusher = client();
  await connected(pusher);
  const channel = pusher.subscribe('orders');
  await subscribed(channel);
  const json = await jsonClient();
  await json.wait((m) => m.event === 'welcome');
  json.send({ event: 'join_room', room: 'orders' });
  await json.wait((m) => m.event === 'room_joined' && m.room === 'orders');

  // JSON -> Pusher: event "room_message", data the message as JSON text.
  const atPusher = next(channel, 'room_message');
  json.send({ event: 'room_message', room: 'orders', message: { id: 9, state: 'paid' } });
  assert.deepEqual((await atPusher).data, { id: 9, state: 'paid' });

  // Pusher REST trigger -> JSON: room_message with the data parsed and the event name.
  await rest(server).trigger('orders', 'OrderShipped', { id: 9 });
  const atJson = await json.wait((m) => m.event === 'room_message' && m.name === 'OrderShipped');
  assert.deepEqual(atJson.message, { id: 9 });
  assert.equal(atJson.room, 'orders');
  assert.equal(atJson.from, 'server');
  json.ws.close();
});

test('the Pusher protocol is only on /app/{key}: the JSON protocol still serves other paths', async () => {
  const json = await jsonClient();
  const welcome = await json.wait((m) => m.event === 'welcome');
  assert.match(welcome.client_id, /^[0-9a-f]{32}$/);
  json.ws.close();
  const raw = await rawSocket(server, `/app/${APP_KEY}?protocol=7`);
  await raw.event('pusher:connection_established');
  await raw.close();
});
