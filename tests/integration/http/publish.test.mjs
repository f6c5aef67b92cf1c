// `wsrelay publish` against the real server: a signal reaches a connected Node `ws` client, room
// messages and queries work, the URL and key come from flags or the environment, and failures
// exit non-zero (1: the server said no or could not be reached; 2: usage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { API_KEY, publish, serveForSuite } from './http_helpers.mjs';

const suite = serveForSuite(['serve', '--api-key', API_KEY]);
const { connect } = suite;

test('publish --signal NAME --data JSON delivers the signal to a listening ws client', async () => {
  const page = await connect();
  const other = await connect();
  assert.equal((await page.request('listen', { name: 'ReportIncome' })).event, 'ack');
  const result = await publish(['--publish-url', suite.base, '--api-key', API_KEY,
    '--signal', 'ReportIncome', '--data', '{"month":"2024-05","total":1200}']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { delivered: 1 });
  const signal = await page.nextEvent('signal');
  assert.equal(signal.name, 'ReportIncome');
  assert.deepEqual(signal.data, { month: '2024-05', total: 1200 });
  assert.equal(signal.from, 'server');
  await other.sync();
  assert.equal(other.all.filter((m) => m.event === 'signal').length, 0);
});

test('URL and key from the environment; --room R --message M publishes to the room', async () => {
  const member = await connect();
  await member.request('join_room', { room: 'sales' });
  const env = { WEBSOCKET_PUBLISH_URL: suite.base, WEBSOCKET_API_KEY: API_KEY };
  const result = await publish(['--room', 'sales', '--message', 'new order #42'], env);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { delivered: 1 });
  const message = await member.nextEvent('room_message');
  assert.equal(message.message, 'new order #42');
  assert.equal(message.room, 'sales');

  const signal = await publish(['--signal', 'refresh', '--room', 'sales'], env);
  assert.equal(signal.code, 0, signal.stderr);
  assert.deepEqual(JSON.parse(signal.stdout), { delivered: 0 });  // member does not listen

  const rooms = await publish(['--rooms'], env);
  assert.equal(rooms.code, 0, rooms.stderr);
  assert.ok(JSON.parse(rooms.stdout).rooms.some((r) => r.name === 'sales' && r.members === 1));

  const room = await publish(['--room', 'sales'], env);
  assert.equal(room.code, 0, room.stderr);
  assert.deepEqual(JSON.parse(room.stdout).clients, [member.id]);
});

test('--broadcast and --to deliver, and say how many clients got it', async () => {
  const a = await connect();
  const env = { WEBSOCKET_PUBLISH_URL: suite.base, WEBSOCKET_API_KEY: API_KEY };
  const direct = await publish(['--to', a.id, '--message-json', '{"text":"hi"}'], env);
  assert.equal(direct.code, 0, direct.stderr);
  assert.deepEqual(JSON.parse(direct.stdout), { delivered: 1 });
  assert.deepEqual((await a.nextEvent('direct')).message, { text: 'hi' });
  const broadcast = await publish(['--broadcast', 'maintenance'], env);
  assert.equal(broadcast.code, 0, broadcast.stderr);
  assert.ok(JSON.parse(broadcast.stdout).delivered >= 1);
  assert.equal((await a.nextEvent('broadcast')).message, 'maintenance');
});

test('a refused request exits 1 and still prints the JSON answer', async () => {
  const wrongKey = await publish(['--publish-url', suite.base, '--api-key', 'not-the-key', '--signal', 'x']);
  assert.equal(wrongKey.code, 1);
  assert.equal(JSON.parse(wrongKey.stdout).error.code, 'unauthorized');
  const unknown = await publish(['--publish-url', suite.base, '--api-key', API_KEY, '--to', 'f'.repeat(32), '--message', 'x']);
  assert.equal(unknown.code, 1);
  assert.equal(JSON.parse(unknown.stdout).error.code, 'unknown_client');
});

test('an unreachable server exits 1 with a reason on stderr', async () => {
  // A port nobody listens on: bind one, note it, close it.
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const result = await publish(['--publish-url', `http://127.0.0.1:${port}`, '--api-key', API_KEY, '--signal', 'x']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /connect/i);
  assert.equal(result.stdout, '');
});

test('usage errors exit 2 without sending anything', async () => {
  const env = { WEBSOCKET_PUBLISH_URL: suite.base, WEBSOCKET_API_KEY: API_KEY };
  for (const args of [['--signal'], ['--message', 'x'], ['--signal', 'a', '--data', '{oops'], []]) {
    const result = await publish(args, env);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.ok(result.stderr.length > 0);
  }
});
