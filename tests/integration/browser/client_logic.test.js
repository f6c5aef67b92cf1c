// Unit tests of web/wsrelay.js's own logic (backoff, offline queue, requests, re-subscription
// after reconnect, the global helpers) against a scripted fake WebSocket, so each rule is checked
// deterministically and fast. The real-browser tests beside this file check the same client
// against the real server in Chromium.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const CLIENT = path.resolve(__dirname, '../../../web/wsrelay.js');
const WsRelay = require(CLIENT);

// A WebSocket whose server side the test plays by hand.
class FakeSocket {
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.all.push(this);
  }
  send(text) {
    if (this.readyState !== 1) throw new Error('send() on a socket that is not open');
    this.sent.push(JSON.parse(text));
  }
  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  // ---- the server's side ----
  accept() { this.readyState = 1; this.onopen && this.onopen({}); }
  deliver(message) { this.onmessage && this.onmessage({ data: typeof message === 'string' ? message : JSON.stringify(message) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose && this.onclose({ code, reason: '', wasClean: false }); }
}
FakeSocket.all = [];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Creates a client and lets its deferred auto-connect run.
async function makeRelay(options = {}) {
  FakeSocket.all = [];
  const relay = new WsRelay('ws://relay.test/', { WebSocket: FakeSocket, initialDelay: 5, maxDelay: 40, ...options });
  const events = [];
  for (const name of ['connecting', 'open', 'closed', 'reconnecting', 'dropped', 'error']) {
    relay.on(name, (payload) => events.push([name, payload]));
  }
  await null;
  return { relay, events, socket: () => FakeSocket.all[FakeSocket.all.length - 1] };
}

test('backoff doubles from initialDelay, caps at maxDelay, and jitter only shortens it', () => {
  const opts = { initialDelay: 100, maxDelay: 1000, jitter: 0.5 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => WsRelay.backoffDelay(a, opts, 0)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(WsRelay.backoffDelay(3, opts, 1), 200); // the most jitter takes off half
  for (let i = 0; i < 200; i++) {
    const d = WsRelay.backoffDelay(4, opts);
    assert.ok(d >= 400 && d <= 800, `delay ${d} outside [400, 800]`);
  }
});

test('URLs: http(s) and relative URLs become ws(s); other schemes are refused', () => {
  assert.equal(new WsRelay('https://relay.test/ws', { WebSocket: FakeSocket, autoConnect: false }).url, 'wss://relay.test/ws');
  assert.equal(new WsRelay('http://relay.test:8080', { WebSocket: FakeSocket, autoConnect: false }).url, 'ws://relay.test:8080/');
  assert.throws(() => new WsRelay('ftp://relay.test/', { WebSocket: FakeSocket }), /unsupported URL scheme/);
  assert.throws(() => new WsRelay({ WebSocket: FakeSocket }), /no url given/); // Node has no page host
});

test('connects on creation and reports connecting then open; welcome sets clientId', async () => {
  const { relay, events, socket } = await makeRelay();
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(socket().url, 'ws://relay.test/');
  assert.equal(relay.status, 'connecting');
  socket().accept();
  socket().deliver({ event: 'welcome', client_id: 'c-123', message: 'hi', timestamp: '2026-01-01T00:00:00.000Z' });
  assert.deepEqual(events.map((e) => e[0]), ['connecting', 'open']);
  assert.equal(relay.status, 'open');
  assert.equal(relay.clientId, 'c-123');
  relay.close();
});

test('members_changed (batched notices) reaches user_joined/user_left handlers as plain notices, without our own', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  socket().deliver({ event: 'welcome', client_id: 'me', message: 'hi', timestamp: '2026-01-01T00:00:00.000Z' });
  const seen = [];
  relay.on('user_joined', (m) => seen.push(['joined', m]));
  relay.on('user_left', (m) => seen.push(['left', m]));
  relay.on('members_changed', (m) => seen.push(['batch', m.joined_count, m.left_count]));
  socket().deliver({
    event: 'members_changed', room: 'lobby', member_count: 3, joined_count: 3, left_count: 1,
    joined: [{ client_id: 'a', user_id: 'u1', user_info: { name: 'Ann' } }, { client_id: 'me' }, { client_id: 'b' }],
    left: [{ client_id: 'c', reason: 'disconnected' }],
    timestamp: '2026-01-01T00:00:01.000Z',
  });
  assert.deepEqual(seen.map((s) => (s[0] === 'batch' ? s.join(':') : `${s[0]}:${s[1].client_id}`)),
    ['joined:a', 'joined:b', 'left:c', 'batch:3:1']);
  const first = seen[0][1];
  assert.equal(first.event, 'user_joined');
  assert.equal(first.room, 'lobby');
  assert.equal(first.member_count, 3);
  assert.equal(first.user_id, 'u1');
  assert.deepEqual(first.user_info, { name: 'Ann' });
  assert.equal(first.batched, true);
  assert.equal(seen[2][1].reason, 'disconnected');
  // Past the server's list limit only the counts come: no per-member events are made up.
  seen.length = 0;
  socket().deliver({ event: 'members_changed', room: 'lobby', member_count: 900, joined_count: 800, left_count: 2, timestamp: 't' });
  assert.deepEqual(seen, [['batch', 800, 2]]);
  relay.close();
});

test('send() puts event first and cannot be overridden by fields', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  assert.equal(relay.send('broadcast', { message: 'x', event: 'evil' }), true);
  assert.deepEqual(socket().sent, [{ event: 'broadcast', message: 'x' }]);
  assert.deepEqual(Object.keys(socket().sent[0]), ['event', 'message']);
  relay.close();
});

test('messages sent offline wait in order and go out on open', async () => {
  const { relay, socket } = await makeRelay();
  assert.equal(relay.broadcast('one'), false);
  assert.equal(relay.roomMessage('r', 'two'), false);
  assert.deepEqual(socket().sent, []);
  socket().accept();
  assert.deepEqual(socket().sent, [
    { event: 'broadcast', message: 'one' },
    { event: 'room_message', room: 'r', message: 'two' },
  ]);
  relay.close();
});

test('the offline queue is bounded: the oldest is dropped with an event, a dropped request rejects', async () => {
  const { relay, events, socket } = await makeRelay({ queueLimit: 2 });
  const first = relay.request('rooms', {});
  relay.broadcast('b');
  relay.broadcast('c');
  await assert.rejects(first, (err) => err.code === 'queue_full');
  const dropped = events.filter((e) => e[0] === 'dropped');
  assert.equal(dropped.length, 1);
  assert.equal(dropped[0][1].reason, 'queue_full');
  assert.equal(dropped[0][1].message.event, 'rooms');
  assert.equal(relay.stats.dropped, 1);
  socket().accept();
  assert.deepEqual(socket().sent.map((m) => m.message), ['b', 'c']);
  relay.close();
});

test('request() resolves with the matching ack and rejects with the matching error', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  const a = relay.request('rooms', {});
  const b = relay.request('join_room', { room: 'vip' });
  const [ra, rb] = socket().sent;
  assert.ok(ra.id !== rb.id);
  // Answers may come in any order; ids match them.
  socket().deliver({ event: 'error', id: rb.id, code: 'room_full', message: 'room is full' });
  socket().deliver({ event: 'ack', id: ra.id, rooms: ['general'] });
  assert.deepEqual((await a).rooms, ['general']);
  await assert.rejects(b, (err) => err.code === 'room_full' && err.message === 'room is full' && err.response.id === rb.id);
  relay.close();
});

test('an unclaimed error is emitted as an error event', async () => {
  const { relay, events, socket } = await makeRelay();
  socket().accept();
  socket().deliver({ event: 'error', code: 'invalid_json', message: 'bad' });
  socket().deliver({ event: 'error', id: 999, code: 'unknown_event', message: 'who?' });
  assert.deepEqual(events.filter((e) => e[0] === 'error').map((e) => e[1].code), ['invalid_json', 'unknown_event']);
  relay.close();
});

test('request() times out, and a request in flight when the connection drops rejects as disconnected', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  await assert.rejects(relay.request('rooms', {}, { timeout: 10 }), (err) => err.code === 'timeout');
  const inFlight = relay.request('rooms', {});
  socket().drop();
  await assert.rejects(inFlight, (err) => err.code === 'disconnected');
  relay.close();
});

test('an unexpected close reconnects with backoff and re-joins rooms and re-listens before queued messages', async () => {
  const { relay, events, socket } = await makeRelay();
  const first = socket();
  first.accept();
  const joined = relay.joinRoom('sales');
  first.deliver({ event: 'ack', id: first.sent[0].id, room: 'sales', members: 1 });
  assert.equal((await joined).members, 1);
  const calls = [];
  relay.receiveSignal('ReportIncome', (data) => calls.push(data));
  assert.deepEqual(first.sent.map((m) => m.event), ['join_room', 'listen']);

  first.drop(1001);
  const closed = events.find((e) => e[0] === 'closed');
  assert.equal(closed[1].code, 1001);
  assert.equal(closed[1].willReconnect, true);
  const reconnecting = events.find((e) => e[0] === 'reconnecting');
  assert.equal(reconnecting[1].attempt, 1);
  assert.ok(reconnecting[1].delay <= 5);
  relay.roomMessage('sales', 'queued while offline');

  await sleep(50); // the delay is at most initialDelay (5 ms)
  assert.equal(FakeSocket.all.length, 2, 'a new socket was opened');
  const second = socket();
  second.accept();
  assert.deepEqual(second.sent.map((m) => [m.event, m.room || m.name]), [
    ['join_room', 'sales'], ['listen', 'ReportIncome'], ['room_message', 'sales'],
  ]);
  second.deliver({ event: 'signal', name: 'ReportIncome', data: { total: 5 }, from: 'x' });
  assert.deepEqual(calls, [{ total: 5 }]);
  assert.equal(relay.stats.reconnects, 1);
  relay.close();
});

test('failed attempts back off further; a successful open resets the attempt count', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { relay, events, socket } = await makeRelay({ jitter: 0, initialDelay: 100, maxDelay: 1000 });
  const delays = () => events.filter((e) => e[0] === 'reconnecting').map((e) => [e[1].attempt, e[1].delay]);
  for (const delay of [100, 200, 400, 800, 1000]) {
    const before = FakeSocket.all.length;
    socket().drop();
    t.mock.timers.tick(delay - 1);
    assert.equal(FakeSocket.all.length, before, `no new attempt before ${delay} ms`);
    t.mock.timers.tick(1);
    assert.equal(FakeSocket.all.length, before + 1, `a new attempt at ${delay} ms`);
  }
  assert.deepEqual(delays(), [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1000]]);
  socket().accept();
  socket().drop();
  assert.deepEqual(delays().pop(), [1, 100]);
  relay.close();
});

test('close() stops reconnecting; connect() opens again', async () => {
  const { relay, events, socket } = await makeRelay();
  socket().accept();
  relay.close(1000, 'bye');
  assert.deepEqual(socket().closedWith, { code: 1000, reason: 'bye' });
  assert.equal(relay.status, 'closed');
  assert.equal(events.filter((e) => e[0] === 'closed').pop()[1].willReconnect, false);
  await sleep(20);
  assert.equal(FakeSocket.all.length, 1, 'no reconnect after close()');
  relay.connect();
  assert.equal(FakeSocket.all.length, 2);
  relay.close(1001); // a code browsers refuse from pages becomes 1000
  assert.deepEqual(socket().closedWith, { code: 1000, reason: '' });
});

test('an attempt stuck in CONNECTING is abandoned after connectTimeout', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { relay, socket } = await makeRelay({ connectTimeout: 1000 });
  const stuck = socket();
  t.mock.timers.tick(999);
  assert.equal(stuck.closedWith, null);
  t.mock.timers.tick(1);
  assert.ok(stuck.closedWith, 'the stuck socket was closed');
  stuck.drop(); // what a browser reports after close() on a connecting socket
  assert.equal(relay.status, 'reconnecting');
  relay.close();
});

test('a refused join rejects and is not retried after reconnect', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  const join = relay.joinRoom('vip');
  socket().deliver({ event: 'error', id: socket().sent[0].id, code: 'forbidden', message: 'private room' });
  await assert.rejects(join, (err) => err.code === 'forbidden');
  assert.deepEqual(relay.rooms, []);
  relay.close();
});

test('joinRoom() while offline resolves once a connection has joined; leaveRoom() stops re-joining', async () => {
  const { relay, socket } = await makeRelay();
  const join = relay.joinRoom('support');
  assert.deepEqual(socket().sent, []);
  socket().accept();
  const req = socket().sent[0];
  assert.deepEqual([req.event, req.room], ['join_room', 'support']);
  socket().deliver({ event: 'ack', id: req.id, room: 'support', members: 3 });
  assert.equal((await join).members, 3);
  const leave = relay.leaveRoom('support');
  const leaveReq = socket().sent[1];
  assert.deepEqual([leaveReq.event, leaveReq.room], ['leave_room', 'support']);
  socket().deliver({ event: 'ack', id: leaveReq.id, room: 'support' });
  await leave;
  assert.deepEqual(relay.rooms, []);
  socket().drop();
  await sleep(20);
  socket().accept();
  assert.deepEqual(socket().sent, [], 'a left room is not re-joined');
  relay.close();
});

test('receiveSignal: every handler runs, a throwing handler does not stop the others, unlisten after the last', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  const seen = [];
  const offA = relay.receiveSignal('Refresh', (data, msg) => seen.push(['a', data, msg.from]));
  relay.receiveSignal('Refresh', () => { throw new Error('handler bug'); });
  const offC = relay.receiveSignal('Refresh', (data) => seen.push(['c', data]));
  assert.deepEqual(socket().sent.map((m) => m.event), ['listen'], 'one listen per name');

  // The client rethrows a handler's exception from a zero-delay timer; catch that timer here
  // (the test runner would otherwise fail the test on the uncaught exception).
  const deferred = [];
  const realSetTimeout = global.setTimeout;
  global.setTimeout = (fn, ms, ...args) => (ms === 0 ? deferred.push(fn) : realSetTimeout(fn, ms, ...args));
  try {
    socket().deliver({ event: 'signal', name: 'Refresh', data: 7, from: 'p1' });
    socket().deliver({ event: 'signal', name: 'Other', data: 8, from: 'p1' });
  } finally {
    global.setTimeout = realSetTimeout;
  }
  assert.deepEqual(seen, [['a', 7, 'p1'], ['c', 7]]);
  assert.equal(deferred.length, 1);
  assert.throws(deferred[0], /handler bug/, 'the exception is rethrown, not swallowed');

  offA();
  assert.equal(socket().sent.length, 1);
  relay._signals.get('Refresh').clear(); // drop the throwing handler without its off()
  relay._signals.get('Refresh').add(() => {});
  offC(); // not the last one: still listening
  assert.equal(socket().sent.length, 1);
  relay.close();
});

test('unlisten is sent when the last handler of a name goes', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  const off1 = relay.receiveSignal('S', () => {});
  const off2 = relay.receiveSignal('S', () => {});
  off1();
  off1(); // removing twice is harmless
  assert.deepEqual(socket().sent.map((m) => m.event), ['listen']);
  off2();
  assert.deepEqual(socket().sent.map((m) => [m.event, m.name]), [['listen', 'S'], ['unlisten', 'S']]);
  relay.close();
});

test('sendSignal sends name, optional data and room', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  relay.sendSignal('A');
  relay.sendSignal('B', { x: 1 }, { room: 'sales' });
  assert.deepEqual(socket().sent, [{ event: 'signal', name: 'A' }, { event: 'signal', name: 'B', data: { x: 1 }, room: 'sales' }]);
  relay.close();
});

test('non-JSON frames are reported as raw, not thrown', async () => {
  const { relay, socket } = await makeRelay();
  socket().accept();
  const raws = [];
  relay.on('raw', (d) => raws.push(d));
  socket().deliver('not json');
  socket().deliver('[1,2]');
  assert.deepEqual(raws, ['not json', '[1,2]']);
  relay.close();
});

// Runs wsrelay.js as a browser would run <script src=...>: in a fresh global scope with a page
// location and (when `script` is given) document.currentScript.
function loadAsClassicScript(pageHref, script) {
  FakeSocket.all = [];
  const page = {
    WebSocket: FakeSocket, location: { href: pageHref }, document: { currentScript: script || null },
    URL, Map, Set, Promise, JSON, Math, Date, Object, Array, Error, TypeError, String, setTimeout, clearTimeout,
  };
  page.globalThis = page;
  vm.runInNewContext(fs.readFileSync(CLIENT, 'utf8'), page, { filename: 'wsrelay.js' });
  return page;
}

const scriptTag = (src, dataUrl) => ({ src, getAttribute: (name) => (name === 'data-url' ? dataUrl || null : null) });

test('as a classic script it defines WsRelay and the two helpers, sharing one connection per page', async () => {
  const page = loadAsClassicScript('https://shop.example.com/sales/new', scriptTag('https://relay.example.com/wsrelay.js'));
  assert.equal(typeof page.WsRelay, 'function');
  assert.equal(typeof page.sendSignal, 'function');
  assert.equal(typeof page.receiveSignal, 'function');
  assert.equal(FakeSocket.all.length, 0, 'no connection until a helper is used');

  page.receiveSignal('ReportIncome', () => {});
  page.sendSignal('ReportIncome', { amount: 10 });
  await null;
  assert.equal(FakeSocket.all.length, 1, 'one shared connection');
  // The default URL is the origin the script came from: the relay that served it.
  assert.equal(FakeSocket.all[0].url, 'wss://relay.example.com/');
  FakeSocket.all[0].accept();
  assert.deepEqual(FakeSocket.all[0].sent.map((m) => m.event), ['listen', 'signal']);
  page.WsRelay.shared().close();
});

test('data-url on the script tag sets the default URL', async () => {
  const page = loadAsClassicScript('https://shop.example.com/', scriptTag('https://cdn.example.com/wsrelay.js', 'wss://relay.example.com/ws'));
  page.sendSignal('X');
  await null;
  assert.equal(FakeSocket.all[0].url, 'wss://relay.example.com/ws');
  page.WsRelay.shared().close();
});

test("without a script tag to go by, the default URL is the page's own host", async () => {
  const page = loadAsClassicScript('http://intranet.example:8080/report?x=1');
  page.receiveSignal('X', () => {});
  await null;
  assert.equal(FakeSocket.all[0].url, 'ws://intranet.example:8080/');
  page.WsRelay.shared().close();
});

test('heartbeat: a ping after silence; any answer keeps the connection, none replaces it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { relay, events, socket } = await makeRelay({ heartbeatInterval: 1000, heartbeatTimeout: 500 });
  const first = socket();
  first.accept();
  t.mock.timers.tick(999);
  assert.deepEqual(first.sent, []);
  t.mock.timers.tick(1);
  assert.deepEqual(first.sent, [{ event: 'ping' }], 'a ping after heartbeatInterval of silence');
  t.mock.timers.tick(200);
  first.deliver({ event: 'pong', timestamp: 'x' });
  t.mock.timers.tick(300);
  assert.equal(relay.status, 'open', 'answered: still open');
  // Silence again: counted from the pong, the next ping goes 1000 ms after it.
  t.mock.timers.tick(699);
  assert.equal(first.sent.length, 1);
  t.mock.timers.tick(1);
  assert.equal(first.sent.length, 2);
  t.mock.timers.tick(499);
  assert.equal(first.closedWith, null);
  t.mock.timers.tick(1);
  assert.deepEqual(first.closedWith, { code: 4000, reason: 'heartbeat timeout' });
  const closed = events.filter((e) => e[0] === 'closed').pop()[1];
  assert.deepEqual([closed.code, closed.willReconnect], [4000, true]);
  t.mock.timers.tick(5);
  assert.equal(FakeSocket.all.length, 2, 'reconnected');
  relay.close();
});

test('heartbeat: no ping while messages keep arriving', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { relay, socket } = await makeRelay({ heartbeatInterval: 1000, heartbeatTimeout: 500 });
  socket().accept();
  for (let i = 0; i < 10; i++) {
    t.mock.timers.tick(600);
    socket().deliver({ event: 'broadcast', message: i });
  }
  assert.deepEqual(socket().sent, []);
  relay.close();
});

test("a room left stays left when the server re-joins a new connection to it (the default room)", async () => {
  const { relay, socket } = await makeRelay({ heartbeatInterval: 0 });
  socket().accept();
  socket().deliver({ event: 'room_joined', room: 'general', member_count: 2 });
  assert.deepEqual(socket().sent, [], 'the default room is fine until it is left');
  relay.leaveRoom('general');
  socket().deliver({ event: 'ack', id: socket().sent[0].id, room: 'general' });
  socket().drop();
  await sleep(20);
  socket().accept();
  socket().deliver({ event: 'room_joined', room: 'general', member_count: 2 });
  assert.deepEqual(socket().sent, [{ event: 'leave_room', room: 'general' }]);
  relay.joinRoom('general'); // asked for again: no longer left
  socket().deliver({ event: 'room_joined', room: 'general', member_count: 2 });
  assert.deepEqual(socket().sent.map((m) => m.event), ['leave_room', 'join_room']);
  relay.close();
});

// ---- authentication (the `token` option) ----------------------------------------------------

test('token: nothing goes out before the welcome; then auth first, re-joins and queued messages after', async () => {
  const { relay, events, socket } = await makeRelay({ token: 'tok-1' });
  relay.joinRoom('sales');
  relay.send('broadcast', { message: 'early' });
  socket().accept();
  assert.equal(relay.status, 'connecting', 'not open until the token went out');
  assert.deepEqual(socket().sent, []);
  socket().deliver({ event: 'welcome', client_id: 'c-1', auth_pending: true, auth_timeout: 10 });
  await null; // the token is resolved in a microtask, even a plain string
  await null;
  assert.deepEqual(socket().sent.map((m) => m.event), ['auth', 'join_room', 'broadcast']);
  assert.equal(socket().sent[0].token, 'tok-1');
  assert.equal(relay.status, 'open');
  assert.deepEqual(events.map((e) => e[0]), ['connecting', 'open']);
  relay.close();
});

test('token: a welcome without auth_pending (URL token, or auth off) sends no auth', async () => {
  let asked = 0;
  const { relay, socket } = await makeRelay({ token: () => { asked += 1; return 'unused'; } });
  relay.send('broadcast', { message: 'x' });
  socket().accept();
  socket().deliver({ event: 'welcome', client_id: 'c-2', auth_pending: false });
  assert.deepEqual(socket().sent.map((m) => m.event), ['broadcast']);
  assert.equal(asked, 0);
  relay.close();
});

test('token: a function is asked again for every connection and may answer with a Promise', async () => {
  let issued = 0;
  const { relay, socket } = await makeRelay({ token: () => Promise.resolve('fresh-' + (++issued)) });
  socket().accept();
  socket().deliver({ event: 'welcome', auth_pending: true });
  await sleep(1);
  assert.equal(socket().sent[0].token, 'fresh-1');
  socket().drop(1006);
  await sleep(50);
  socket().accept();
  socket().deliver({ event: 'welcome', auth_pending: true });
  await sleep(1);
  assert.deepEqual(socket().sent.map((m) => [m.event, m.token]), [['auth', 'fresh-2']]);
  relay.close();
});

test('token: a function that fails gives an error event and a later attempt, never an unauthenticated send', async () => {
  let calls = 0;
  const { relay, events, socket } = await makeRelay({
    token: () => { calls += 1; if (calls === 1) throw new Error('backend down'); return 'ok-token'; },
  });
  const errors = [];
  relay.on('error', (err) => errors.push(err));
  relay.send('broadcast', { message: 'waits' });
  const first = socket();
  first.accept();
  first.deliver({ event: 'welcome', auth_pending: true });
  await sleep(1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'token');
  assert.deepEqual(first.sent, []);
  assert.deepEqual(first.closedWith, { code: 4001, reason: 'no token' });
  assert.ok(events.some((e) => e[0] === 'reconnecting'));
  await sleep(50);
  const second = socket();
  assert.notEqual(second, first);
  second.accept();
  second.deliver({ event: 'welcome', auth_pending: true });
  await sleep(1);
  assert.deepEqual(second.sent.map((m) => m.event), ['auth', 'broadcast']);
  relay.close();
});

test("token: the server's 1008 authentication closes are reported as auth_failed", async () => {
  const { relay, socket } = await makeRelay({ token: 'bad' });
  const failures = [];
  relay.on('auth_failed', (detail) => failures.push(detail));
  socket().accept();
  socket().deliver({ event: 'welcome', auth_pending: true });
  await sleep(1);
  socket().onclose({ code: 1008, reason: 'Invalid authentication', wasClean: true });
  socket().onclose && socket().onclose({ code: 1008, reason: 'ignored: detached', wasClean: true });
  assert.deepEqual(failures, [{ code: 1008, reason: 'Invalid authentication' }]);
  // Another 1008 (a policy close of the application) is not an authentication failure.
  await sleep(50);
  socket().accept();
  socket().deliver({ event: 'welcome', auth_pending: true });
  await sleep(1);
  socket().onclose({ code: 1008, reason: 'Rate limit exceeded', wasClean: true });
  assert.equal(failures.length, 1);
  relay.close();
});

test('token: an open socket that never gets its welcome is abandoned after connectTimeout', async () => {
  const { relay, events, socket } = await makeRelay({ token: 't', connectTimeout: 20 });
  const first = socket();
  first.accept();
  await sleep(60);
  assert.ok(first.closedWith, 'the waiting socket was closed');
  first.drop(1006);
  assert.ok(events.some((e) => e[0] === 'reconnecting'));
  relay.close();
});
