// The Redis link against a real redis-server and against servers that are not Redis: it comes
// up over TCP and unix sockets, a wrong password / garbage / silence / a bad db each end in a
// clear error kind, the node process never crashes, and it keeps retrying.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Probe, Redis, fakeServer, sleep } from './cluster_helpers.mjs';

const cleanup = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function probe(url, options = {}) {
  const p = await Probe.start(url, { nodeId: options.nodeId ?? `n${cleanup.length}`, ...options });
  cleanup.push(() => p.kill());
  return p;
}

test('link comes up over TCP with a password and a db, and over the unix socket', async () => {
  const redis = await Redis.start({ password: 'p@ss:w/rd' });
  cleanup.push(() => redis.stop());
  const tcp = await probe(redis.url(3), { nodeId: 'tcp' });
  await tcp.waitFor(/^link up$/);
  const unix = await probe(redis.unixUrl(3), { nodeId: 'unix' });
  await unix.waitFor(/^link up$/);
  // SELECT really happened: the node keys are in db 3, not db 0.
  await tcp.waitFor(/^node up unix$/);
  const inDb3 = await redis.commandIn(3, 'KEYS', 'wsrelay:*');
  assert.deepEqual([...inDb3].sort(), ['wsrelay:node:tcp', 'wsrelay:node:unix', 'wsrelay:nodes'].sort());
  const inDb0 = await redis.command('KEYS', 'wsrelay:*');
  assert.deepEqual(inDb0, []);
  assert.equal((await tcp.stats()).state, 'up');
  // The password never reaches the log.
  assert.ok(!tcp.err.lines.join('\n').includes('p@ss:w/rd'));
  assert.ok(tcp.err.lines.join('\n').includes('redis://:***@127.0.0.1'));
});

test('wrong password and no password: clear auth errors, no crash, retries continue', async () => {
  const redis = await Redis.start({ password: 'right-password' });
  cleanup.push(() => redis.stop());
  const wrong = await probe(`redis://:wrong-password@127.0.0.1:${redis.port}`);
  const down = await wrong.waitFor(/^link down (\S+) (.*)$/);
  assert.equal(down[1], 'auth');
  assert.match(down[2], /AUTH refused: (WRONGPASS|ERR invalid password)/);
  const none = await probe(`redis://127.0.0.1:${redis.port}`);
  const noauth = await none.waitFor(/^link down (\S+) (.*)$/);
  assert.equal(noauth[1], 'auth');
  assert.match(noauth[2], /requires a password/);
  await sleep(1500);
  for (const p of [wrong, none]) {
    assert.ok(p.alive());
    const s = await p.stats();
    assert.equal(s.state, 'down');
    assert.equal(s.last_error, 'auth');
    assert.ok(s.failed > 1, `retried: ${JSON.stringify(s)}`);
  }
  // Logged once as an error, the retries at debug level: the log does not fill up.
  assert.equal(wrong.err.lines.filter((l) => l.includes(' ERROR ') && l.includes('AUTH refused')).length, 1);
});

test('a db past the server\'s databases is a server error, not a crash', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const p = await probe(redis.url(99));
  const down = await p.waitFor(/^link down (\S+) (.*)$/);
  assert.equal(down[1], 'server');
  assert.match(down[2], /SELECT 99 refused/);
});

test('servers that are not Redis: garbage, unsolicited replies, a wrong greeting, silence', async () => {
  const cases = [
    // An HTTP server on the Redis port.
    { name: 'http', respond: (d, s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'), kind: 'protocol' },
    // Valid RESP, but more replies than commands: hiredis' own async layer would abort here.
    { name: 'extra replies', respond: (d, s) => s.write('+PONG\r\n'.repeat(20)), kind: 'protocol' },
    // Valid RESP, wrong answer to PING.
    { name: 'not pong', respond: (d, s) => s.write('$5\r\nhello\r\n'), kind: 'protocol' },
    // A pub/sub-shaped array with a non-string head, unsolicited.
    { name: 'odd array', respond: (d, s) => s.write('*3\r\n:1\r\n:2\r\n:3\r\n+x\r\n'), kind: 'protocol' },
    // A reply that claims to be enormous.
    { name: 'huge bulk', respond: (d, s) => s.write('$99999999999\r\nabc'), kind: 'protocol|timeout' },
    // Accepts, reads, never answers.
    { name: 'silent', respond: () => {}, kind: 'timeout' },
  ];
  for (const c of cases) {
    const fake = await fakeServer(c.respond);
    cleanup.push(() => fake.close());
    const p = await probe(`redis://127.0.0.1:${fake.port}`, { connectTimeoutMs: 500, replyTimeoutMs: 500 });
    const down = await p.waitFor(/^link down (\S+) (.*)$/);
    assert.match(down[1], new RegExp(`^(${c.kind})$`), `${c.name}: ${down[0]}`);
    await sleep(300);
    assert.ok(p.alive(), `${c.name}: the node process is still running`);
    assert.equal((await p.stats()).state === 'up', false, c.name);
  }
});

test('nothing listening: unreachable, then up as soon as Redis starts', async () => {
  const redis = await Redis.start();
  const port = redis.port;
  await redis.stop();
  const p = await probe(`redis://127.0.0.1:${port}`);
  const down = await p.waitFor(/^link down (\S+) (.*)$/);
  assert.equal(down[1], 'unreachable');
  const back = await Redis.start({ port });
  cleanup.push(() => back.stop());
  // Backoff is capped at 5 s (jittered): it reconnects well within that.
  await p.waitFor(/^link up$/, 8000);
});
