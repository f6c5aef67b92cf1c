// /health, /stats, /metrics and the web files against the real `wsrelay serve`, with curl.
// Binary: $WSRELAY_BIN (default build/wsrelay); web files: the repository's web/ folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, repoRoot } from '../interop/server.mjs';
import { API_KEY, curl, jsonOf, parsePrometheus, sampleValue, serveForSuite } from './http_helpers.mjs';

const webRoot = path.join(repoRoot, 'web');
const suite = serveForSuite(['serve', '--api-key', API_KEY, '--web-root', webRoot]);
const { connect } = suite;

test('GET /health: 200 {"status":"ok","uptime":<seconds>}', async () => {
  const r = await curl(`${suite.base}/health`);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  const body = jsonOf(r);
  assert.equal(body.status, 'ok');
  assert.ok(Number.isInteger(body.uptime) && body.uptime >= 0, r.body);
  assert.deepEqual(Object.keys(body).sort(), ['status', 'uptime']);
});

test('HEAD: the GET headers, Content-Length included, without a body', async () => {
  const r = await curl(`${suite.base}/health`, ['-I']);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.equal(r.body, '');
  // RFC 9110 §9.3.2: the length a GET would get (a static file: its content never changes).
  const get = await curl(`${suite.base}/wsrelay.js`);
  const head = await curl(`${suite.base}/wsrelay.js`, ['-I']);
  assert.equal(head.body, '');
  assert.equal(Number(head.headers['content-length']), Buffer.byteLength(get.body));
  assert.equal(head.headers.etag, get.headers.etag);
});

test('GET /stats: clients, rooms with member counts, traffic, events, rejections, uptime', async () => {
  const a = await connect();
  const b = await connect();
  assert.equal((await a.request('join_room', { room: 'stats-room' })).event, 'ack');
  await b.request('ping');
  const r = await curl(`${suite.base}/stats`);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  const stats = jsonOf(r);
  assert.ok(stats.clients >= 2, r.body);
  assert.ok(Number.isInteger(stats.uptime));
  const room = stats.rooms.find((x) => x.name === 'stats-room');
  assert.ok(room, r.body);
  assert.equal(room.members, 1);
  const general = stats.rooms.find((x) => x.name === 'general');
  assert.ok(general && general.members >= 2, r.body);
  assert.ok(stats.messages.in >= 2 && stats.messages.out >= 4, r.body);
  assert.ok(stats.bytes.in > 0 && stats.bytes.out > 0, r.body);
  assert.ok(stats.events.join_room >= 1 && stats.events.ping >= 1, r.body);
  assert.equal(typeof stats.errors, 'object');
  for (const reason of ['bad_request', 'body_too_large', 'origin', 'unauthorized', 'slow_consumer']) {
    assert.equal(typeof stats.rejections[reason], 'number', reason);
  }
});

test('GET /metrics: strict Prometheus 0.0.4 text with the same numbers', async () => {
  await connect();
  const [metrics, stats] = [await curl(`${suite.base}/metrics`), jsonOf(await curl(`${suite.base}/stats`))];
  assert.equal(metrics.status, 200);
  assert.equal(metrics.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const families = parsePrometheus(metrics.body);
  for (const [name, family] of families) {
    assert.ok(name.startsWith('wsrelay_'), name);
    assert.equal(name.endsWith('_total'), family.type === 'counter', `${name} is a ${family.type}`);
  }
  assert.equal(sampleValue(families, 'wsrelay_clients'), stats.clients);
  assert.equal(sampleValue(families, 'wsrelay_room_members', { room: 'general' }),
    stats.rooms.find((x) => x.name === 'general').members);
  assert.ok(sampleValue(families, 'wsrelay_http_requests_total') >= 1);
  assert.ok(sampleValue(families, 'wsrelay_uptime_seconds') >= 0);
  assert.equal(families.get('wsrelay_rejections_total').samples.length, Object.keys(stats.rejections).length);
  assert.equal(sampleValue(families, 'wsrelay_rejections_total', { reason: 'bad_request' }), stats.rejections.bad_request);
});

test('GET / serves web/index.html; /wsrelay.js and /wsrelay.mjs with JavaScript types', async () => {
  const index = await curl(`${suite.base}/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.body, fs.readFileSync(path.join(webRoot, 'index.html'), 'utf8'));
  assert.match(index.headers.etag, /^"[0-9a-f]+"$/);
  assert.ok(index.headers['cache-control'], 'Cache-Control');
  assert.ok(index.headers['last-modified'], 'Last-Modified');
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.equal((await curl(`${suite.base}/index.html`)).body, index.body);

  for (const name of ['wsrelay.js', 'wsrelay.mjs']) {
    const r = await curl(`${suite.base}/${name}`);
    assert.equal(r.status, 200, name);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8', name);
    assert.equal(r.body, fs.readFileSync(path.join(webRoot, name), 'utf8'), name);
  }
});

test('conditional GET: If-None-Match and If-Modified-Since answer 304 without a body', async () => {
  const first = await curl(`${suite.base}/wsrelay.js`);
  const byTag = await curl(`${suite.base}/wsrelay.js`, ['-H', `If-None-Match: ${first.headers.etag}`]);
  assert.equal(byTag.status, 304);
  assert.equal(byTag.body, '');
  // RFC 9110 §8.6: a 304 says nothing of the length rather than a wrong one.
  assert.equal(byTag.headers['content-length'], undefined);
  assert.equal(byTag.headers.etag, first.headers.etag);
  const otherTag = await curl(`${suite.base}/wsrelay.js`, ['-H', 'If-None-Match: "something-else"']);
  assert.equal(otherTag.status, 200);
  const byDate = await curl(`${suite.base}/wsrelay.js`, ['-H', `If-Modified-Since: ${first.headers['last-modified']}`]);
  assert.equal(byDate.status, 304);
  const old = await curl(`${suite.base}/wsrelay.js`, ['-H', 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT']);
  assert.equal(old.status, 200);
});

test('no path traversal: dot-segments (also encoded), NUL and backslashes are refused', async () => {
  for (const target of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E/Makefile',
    '/.%2e/.%2e/etc/passwd', '/index.html%00.js', '/..%5c..%5cetc%5cpasswd', '/web/../Makefile']) {
    const r = await curl(`${suite.base}${target}`);
    assert.equal(r.status, 400, target);
    assert.equal(jsonOf(r).error.code, 'bad_path', target);
    assert.ok(!r.body.includes('root:'), target);
  }
  // Encoded slashes stay inside one segment: a file name with slashes, which does not exist.
  for (const target of ['/..%2f..%2fetc%2fpasswd', '/%2fetc%2fpasswd', '/.env', '/.git/config', '/Makefile',
    '/%2e%2e%2f../src/main.cpp']) {
    const r = await curl(`${suite.base}${target}`);
    // 426 (no file there, so the path is a WebSocket endpoint) is as safe an answer as 404.
    assert.ok(r.status === 404 || r.status === 400 || r.status === 426, `${target}: ${r.status}`);
    assert.ok(!r.body.includes('root:') && !r.body.includes('int main'), target);
  }
});

test('unknown files 404, wrong methods 405 with Allow', async () => {
  const missing = await curl(`${suite.base}/no-such-page.html`);
  assert.equal(missing.status, 404);
  assert.equal(jsonOf(missing).error.code, 'not_found');

  const post = await curl(`${suite.base}/health`, ['-X', 'POST', '--data-binary', 'x']);
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  assert.equal(jsonOf(post).error.code, 'method_not_allowed');

  const del = await curl(`${suite.base}/wsrelay.js`, ['-X', 'DELETE']);
  assert.equal(del.status, 405);
  assert.equal(del.headers.allow, 'GET, HEAD');

  const put = await curl(`${suite.base}/metrics`, ['-X', 'PUT', '--data-binary', '{}']);
  assert.equal(put.status, 405);
});

test('request bodies over max_http_body are 413; chunked bodies 411', async () => {
  const small = await startServer(['serve', '--api-key', API_KEY, '--max-http-body', '1024']);
  try {
    const url = `http://127.0.0.1:${small.port}/api/signal`;
    const big = JSON.stringify({ name: 'x', data: 'y'.repeat(2000) });
    const r = await curl(url, ['-H', 'Expect:', ...['-X', 'POST', '-H', `Authorization: Bearer ${API_KEY}`,
      '-H', 'Content-Type: application/json', '--data-binary', big]]);
    assert.equal(r.status, 413);
    const fits = await curl(url, ['-X', 'POST', '-H', `Authorization: Bearer ${API_KEY}`,
      '-H', 'Content-Type: application/json', '--data-binary', JSON.stringify({ name: 'x', data: 'y'.repeat(900) })]);
    assert.equal(fits.status, 200);
    const chunked = await curl(url, ['-X', 'POST', '-H', `Authorization: Bearer ${API_KEY}`,
      '-H', 'Content-Type: application/json', '-H', 'Transfer-Encoding: chunked', '--data-binary', '{"name":"x"}']);
    assert.equal(chunked.status, 411);
    const stats = jsonOf(await curl(`http://127.0.0.1:${small.port}/stats`));
    assert.equal(stats.rejections.body_too_large, 1);
  } finally {
    await small.stop();
  }
});
