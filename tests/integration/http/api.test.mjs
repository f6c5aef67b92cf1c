// The backend publish API against the real `wsrelay serve`, with curl for the HTTP side and real
// `ws` clients on the WebSocket side: every endpoint, every error status, the API switched off
// without a key, pipelined keep-alive requests on one raw socket, and no key in the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../interop/server.mjs';
import { API_KEY, curl, jsonOf, postJson, rawExchange, serveForSuite, splitResponses } from './http_helpers.mjs';

// Debug logging: the key must stay out of even the most detailed log.
const suite = serveForSuite(['serve', '--api-key', API_KEY, '--log-level', 'debug']);
const { connect } = suite;

const api = (name) => `${suite.base}/api/${name}`;

test('POST /api/signal reaches listeners only, as a signal from the server', async () => {
  const listener = await connect();
  const bystander = await connect();
  assert.equal((await listener.request('listen', { name: 'ReportIncome' })).event, 'ack');
  const r = await curl(api('signal'), postJson({ name: 'ReportIncome', data: { month: '2024-05', total: 1200 } }));
  assert.equal(r.status, 200, r.body);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(jsonOf(r), { delivered: 1 });
  const signal = await listener.nextEvent('signal');
  assert.equal(signal.name, 'ReportIncome');
  assert.deepEqual(signal.data, { month: '2024-05', total: 1200 });
  assert.equal(signal.from, 'server');
  await bystander.sync();
  assert.equal(bystander.all.filter((m) => m.event === 'signal').length, 0);

  const nobody = await curl(api('signal'), postJson({ name: 'nobody-listens' }));
  assert.deepEqual(jsonOf(nobody), { delivered: 0 });
});

test('POST /api/signal with a room reaches only the listeners in it', async () => {
  const inside = await connect();
  const outside = await connect();
  await inside.request('listen', { name: 'refresh' });
  await outside.request('listen', { name: 'refresh' });
  await inside.request('join_room', { room: 'dashboard' });
  const r = await curl(api('signal'), postJson({ name: 'refresh', room: 'dashboard' }));
  assert.deepEqual(jsonOf(r), { delivered: 1 });
  assert.equal((await inside.nextEvent('signal')).room, 'dashboard');
  await outside.sync();
  assert.equal(outside.all.filter((m) => m.event === 'signal').length, 0);
});

test('POST /api/publish, /api/broadcast and /api/send', async () => {
  const a = await connect();
  const b = await connect();
  await a.request('join_room', { room: 'sales team' });
  let r = await curl(api('publish'), postJson({ room: 'sales team', message: { order: 42 } }));
  assert.deepEqual(jsonOf(r), { delivered: 1 });
  const roomMessage = await a.nextEvent('room_message');
  assert.equal(roomMessage.room, 'sales team');
  assert.deepEqual(roomMessage.message, { order: 42 });
  assert.equal(roomMessage.from, 'server');
  assert.ok(Number.isInteger(roomMessage.seq));

  r = await curl(api('publish'), postJson({ room: 'empty-room', message: 'x' }));
  assert.deepEqual(jsonOf(r), { delivered: 0 });

  const before = jsonOf(await curl(`${suite.base}/stats`)).clients;
  r = await curl(api('broadcast'), postJson({ message: 'maintenance at 22:00' }));
  assert.equal(jsonOf(r).delivered, before);
  assert.equal((await a.nextEvent('broadcast')).message, 'maintenance at 22:00');
  assert.equal((await b.nextEvent('broadcast')).from, 'server');

  r = await curl(api('send'), postJson({ client_id: b.id, message: { text: 'your report is ready' } }));
  assert.deepEqual(jsonOf(r), { delivered: 1 });
  const direct = await b.nextEvent('direct');
  assert.deepEqual(direct.message, { text: 'your report is ready' });
  await a.sync();
  assert.equal(a.all.filter((m) => m.event === 'direct').length, 0);

  r = await curl(api('send'), postJson({ client_id: '0'.repeat(32), message: 'x' }));
  assert.equal(r.status, 404);
  assert.equal(jsonOf(r).error.code, 'unknown_client');
});

test('GET /api/rooms and /api/rooms/{room} (URL-decoded)', async () => {
  const member = await connect();
  await member.request('join_room', { room: 'support/eu' });
  const auth = ['-H', `Authorization: Bearer ${API_KEY}`];
  let r = await curl(api('rooms'), auth);
  assert.equal(r.status, 200);
  const list = jsonOf(r);
  assert.equal(list.count, list.rooms.length);
  const room = list.rooms.find((x) => x.name === 'support/eu');
  assert.ok(room, r.body);
  assert.equal(room.members, 1);

  r = await curl(api('rooms/support%2Feu'), auth);
  assert.equal(r.status, 200, r.body);
  const detail = jsonOf(r);
  assert.equal(detail.name, 'support/eu');
  assert.equal(detail.members, 1);
  assert.deepEqual(detail.clients, [member.id]);

  r = await curl(api('rooms/no-such-room'), auth);
  assert.equal(r.status, 404);
  assert.equal(jsonOf(r).error.code, 'room_not_found');
});

test('401 without the right Bearer key, with WWW-Authenticate; nothing is delivered', async () => {
  const listener = await connect();
  await listener.request('listen', { name: 'secret-signal' });
  const body = ['-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', '{"name":"secret-signal"}'];
  for (const extra of [[], ['-H', 'Authorization: Bearer wrong-key'], ['-H', `Authorization: Basic ${API_KEY}`],
    ['-H', `Authorization: Bearer ${API_KEY}x`], ['-H', `Authorization: Bearer ${API_KEY.slice(0, -1)}`]]) {
    const r = await curl(api('signal'), [...body, ...extra]);
    assert.equal(r.status, 401, extra.join(' '));
    assert.match(r.headers['www-authenticate'], /^Bearer realm="wsrelay"/);
    assert.equal(jsonOf(r).error.code, 'unauthorized');
  }
  assert.equal((await curl(api('rooms'))).status, 401);
  assert.equal((await curl(api('rooms/general'))).status, 401);
  await listener.sync();
  assert.equal(listener.all.filter((m) => m.event === 'signal').length, 0);
});

test('415 unless the body is declared application/json', async () => {
  const auth = ['-X', 'POST', '-H', `Authorization: Bearer ${API_KEY}`];
  // curl -d sends application/x-www-form-urlencoded, as PHP's curl does by default.
  let r = await curl(api('signal'), [...auth, '-d', '{"name":"x"}']);
  assert.equal(r.status, 415);
  assert.equal(jsonOf(r).error.code, 'unsupported_media_type');
  r = await curl(api('publish'), [...auth, '-H', 'Content-Type: text/plain', '--data-binary', '{"room":"a","message":1}']);
  assert.equal(r.status, 415);
  r = await curl(api('signal'), [...auth, '-H', 'Content-Type: application/json; charset=UTF-8', '--data-binary', '{"name":"x"}']);
  assert.equal(r.status, 200);
});

test('400 for bad JSON, missing fields, wrong types and invalid names', async () => {
  const cases = [
    ['signal', '{"name":', 'invalid_json'],
    ['signal', '', 'invalid_json'],
    ['signal', '[]', 'invalid_body'],
    ['signal', '{"data":1}', 'missing_field'],
    ['signal', '{"name":12}', 'invalid_field'],
    ['signal', '{"name":""}', 'invalid_name'],
    ['signal', JSON.stringify({ name: 'x'.repeat(129) }), 'invalid_name'],
    ['signal', '{"name":"x","room":5}', 'invalid_field'],
    ['publish', '{"message":"x"}', 'missing_field'],
    ['publish', '{"room":"a"}', 'missing_field'],
    ['publish', '{"room":"bad\\u0007name","message":"x"}', 'invalid_name'],
    ['broadcast', '{}', 'missing_field'],
    ['send', '{"client_id":7,"message":"x"}', 'invalid_field'],
    ['send', '{"message":"x"}', 'missing_field'],
    ['signal', `{"name":"x","data":${'['.repeat(100)}${']'.repeat(100)}}`, 'json_too_deep'],
  ];
  for (const [endpoint, body, code] of cases) {
    const r = await curl(api(endpoint), postJson(body));
    assert.equal(r.status, 400, `${endpoint} ${body}`);
    const error = jsonOf(r).error;
    assert.equal(error.code, code, `${endpoint} ${body}`);
    assert.equal(typeof error.message, 'string');
  }
});

test('405 with Allow for a wrong method on an API path', async () => {
  const r = await curl(api('signal'), ['-H', `Authorization: Bearer ${API_KEY}`]);
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'POST');
  const rooms = await curl(api('rooms'), postJson('{}'));
  assert.equal(rooms.status, 405);
  assert.equal(rooms.headers.allow, 'GET, HEAD');
});

test('pipelined keep-alive requests on one socket are answered in order', async () => {
  const listener = await connect();
  await listener.request('listen', { name: 'pipelined' });
  const signalBody = '{"name":"pipelined","data":1}';
  const requests = [
    ['GET', 'GET /health HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['POST', `POST /api/signal HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${API_KEY}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${signalBody.length}\r\n\r\n${signalBody}`],
    ['HEAD', 'HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['GET', `GET /api/rooms HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${API_KEY}\r\n\r\n`],
    ['GET', 'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['GET', 'GET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'],
  ];
  // All in one write: the server must answer each, in order, and close after the last.
  const { bytes, closed } = await rawExchange(suite.server.port, [requests.map(([, text]) => text).join('')]);
  const { responses, rest } = splitResponses(bytes, requests.map(([method]) => method));
  assert.equal(rest, '');
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  assert.equal(jsonOf(responses[0]).status, 'ok');
  assert.deepEqual(jsonOf(responses[1]), { delivered: 1 });
  assert.equal(responses[2].body, '');
  assert.ok(Array.isArray(jsonOf(responses[3]).rooms));
  assert.match(responses[4].headers['content-type'], /version=0\.0\.4/);
  assert.ok(typeof jsonOf(responses[5]).clients === 'number');
  for (const r of responses.slice(0, 5)) assert.equal(r.headers.connection, 'keep-alive');
  assert.equal(responses[5].headers.connection, 'close');
  assert.ok(closed, 'the server closes after Connection: close');
  assert.equal((await listener.nextEvent('signal')).data, 1);
});

test('in a pipeline, an error answer comes in its turn', async () => {
  // The server closes a connection after any 4xx (a confused client starts afresh), so what
  // follows an error may go unanswered; what precedes it must be answered first, in order.
  const requests = [
    'GET /health HTTP/1.1\r\nHost: t\r\n\r\n',
    'POST /api/signal HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    'GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
  ];
  const { bytes } = await rawExchange(suite.server.port, [requests.join('')]);
  const { responses, rest } = splitResponses(bytes);
  assert.equal(rest, '');
  assert.deepEqual(responses.map((r) => r.status).slice(0, 2), [200, 401]);
  assert.equal(jsonOf(responses[1]).error.code, 'unauthorized');
});

test('a request trickling in byte by byte, then a second one on the same connection', async () => {
  const first = 'GET /health HTTP/1.1\r\nHost: t\r\n\r\n';
  const second = 'GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
  const { bytes } = await rawExchange(suite.server.port, [...first.split(''), second], { gapMs: 2 });
  const { responses } = splitResponses(bytes);
  assert.deepEqual(responses.map((r) => r.status), [200, 200]);
  assert.equal(responses[0].headers.connection, 'keep-alive');
});

test('the API key never appears in the log', async () => {
  // Everything above ran with debug logging, including wrong and right keys.
  await curl(api('signal'), postJson({ name: 'log-check' }));
  assert.ok(suite.server.log().length > 0);
  assert.ok(!suite.server.log().includes(API_KEY), 'the log contains the API key');
  assert.ok(!suite.server.log().includes(API_KEY.slice(0, 20)), 'the log contains part of the API key');
});

test('without api_key the API does not exist: 404 for every /api path', async () => {
  const off = await startServer(['serve']);
  try {
    const offBase = `http://127.0.0.1:${off.port}`;
    for (const [name, args] of [['signal', postJson({ name: 'x' }, '')], ['rooms', []], ['rooms/general', []],
      ['broadcast', postJson({ message: 'x' }, 'anything')]]) {
      const r = await curl(`${offBase}/api/${name}`, args);
      assert.equal(r.status, 404, name);
      assert.equal(jsonOf(r).error.code, 'not_found', name);
    }
    assert.equal((await curl(`${offBase}/health`)).status, 200);
  } finally {
    await off.stop();
  }
});
