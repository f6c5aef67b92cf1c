// The real wsrelay binary in a cluster: /health is degraded (503) while its Redis is away and
// ok again after, /metrics and /stats show the link, WebSocket clients keep being served during
// the outage, the node leaves Redis on SIGTERM, and its death by SIGKILL is noticed by a peer.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, test } from 'node:test';
import { RelayClient } from '../app/relay_client.mjs';
import { binaryPath, startServer } from '../interop/server.mjs';
import { Probe, Redis, sleep, timeoutScale } from './cluster_helpers.mjs';

const cleanup = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function get(server, path) {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return { status: response.status, body: await response.text() };
}

async function until(what, fn, ms = 10000) {
  const deadline = Date.now() + ms * timeoutScale;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('/health degraded while Redis is down, healed after; local clients served throughout', async () => {
  const redis = await Redis.start({ password: 'health-secret-7f3a' });
  cleanup.push(() => redis.stop());
  const server = await startServer(['serve', '--redis-url', redis.url(2), '--node-id', 'web1']);
  cleanup.push(() => server.stop());

  const healthy = await until('health ok', async () => {
    const r = await get(server, '/health');
    return r.status === 200 ? r : null;
  });
  assert.deepEqual(Object.keys(JSON.parse(healthy.body)), ['status', 'uptime', 'redis']);
  assert.equal(JSON.parse(healthy.body).status, 'ok');
  assert.equal(JSON.parse(healthy.body).redis, 'up');
  let metrics = (await get(server, '/metrics')).body;
  assert.match(metrics, /^wsrelay_redis_up 1$/m);
  assert.match(metrics, /^wsrelay_redis_connects_total 1$/m);
  let stats = JSON.parse((await get(server, '/stats')).body);
  assert.equal(stats.cluster.node_id, 'web1');
  assert.equal(stats.cluster.prefix, 'wsrelay');
  assert.equal(stats.cluster.redis, 'up');
  assert.equal(await redis.commandIn(2, 'EXISTS', 'wsrelay:node:web1'), 1);

  const a = await RelayClient.connect(server.url);
  const b = await RelayClient.connect(server.url);
  cleanup.push(() => a.close(), () => b.close());

  await redis.kill('SIGKILL');
  const degraded = await until('health degraded', async () => {
    const r = await get(server, '/health');
    return r.status === 503 ? r : null;
  });
  assert.equal(JSON.parse(degraded.body).status, 'degraded');
  assert.match(JSON.parse(degraded.body).redis, /^(down|connecting)$/);
  metrics = (await get(server, '/metrics')).body;
  assert.match(metrics, /^wsrelay_redis_up 0$/m);
  assert.match(metrics, /^wsrelay_redis_disconnects_total 1$/m);

  // The WebSocket side does not notice: echo, broadcast and new connections all work.
  a.send({ event: 'message', message: 'during the outage' });
  assert.equal((await a.nextEvent('echo')).original_message, 'during the outage');
  const ack = await a.request('broadcast', { message: 'still here' });
  assert.equal(ack.event, 'ack');
  await b.next((m) => m.event === 'broadcast' || m.message === 'still here', 'the broadcast');
  const c = await RelayClient.connect(server.url);
  cleanup.push(() => c.close());

  await redis.restart();
  await until('health ok again', async () => (await get(server, '/health')).status === 200, 15000);
  stats = JSON.parse((await get(server, '/stats')).body);
  assert.equal(stats.cluster.redis, 'up');
  assert.ok(stats.cluster.connects >= 2 && stats.cluster.disconnects >= 1, JSON.stringify(stats.cluster));
  // Re-registered in the restarted (empty) Redis.
  await until('node key back', async () => (await redis.commandIn(2, 'EXISTS', 'wsrelay:node:web1')) === 1);

  // The log told the story, without the password.
  const log = server.log();
  assert.match(log, /redis link down/);
  assert.match(log, /redis link up again/);
  assert.ok(!log.includes('health-secret-7f3a'), 'the password is not logged');
});

test('wsrelay and a library node: SIGKILL noticed by the peer, SIGTERM leaves at once', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const peer = await Probe.start(redis.url(), { nodeId: 'peer' });
  cleanup.push(() => peer.kill());
  await peer.waitFor(/^link up$/);

  const doomed = await startServer(['serve', '--redis-url', redis.url(), '--node-id', 'doomed']);
  cleanup.push(() => doomed.stop());
  await peer.waitFor(/^node up doomed$/, 10000);
  const killedAt = Date.now();
  doomed.proc.kill('SIGKILL');
  await peer.waitFor(/^node down doomed owner no heartbeat$/, 20000);
  assert.ok(Date.now() - killedAt <= 15000 * timeoutScale);

  const polite = await startServer(['serve', '--redis-url', redis.url(), '--node-id', 'polite']);
  await peer.waitFor(/^node up polite$/, 10000);
  const stoppedAt = Date.now();
  await polite.stop();
  await peer.waitFor(/^node down polite peer left$/, 3000);
  assert.ok(Date.now() - stoppedAt < 3000 * timeoutScale);
  assert.equal(await redis.command('EXISTS', 'wsrelay:node:polite'), 0);
  assert.equal(await redis.command('SISMEMBER', 'wsrelay:nodes', 'polite'), 0);
});

test('check-config shows the cluster settings with the password masked; bad URLs are refused', async () => {
  const run = (args) => new Promise((resolve) => {
    execFile(binaryPath(), args, { encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, out: stdout + stderr }));
  });
  const ok = await run(['check-config', '--redis-url', 'redis://:cfg-secret-99@10.0.0.5:6379/4',
    '--cluster-prefix', 'app1', '--node-id', 'n-1']);
  assert.equal(ok.code, 0, ok.out);
  assert.ok(!ok.out.includes('cfg-secret-99'));
  assert.match(ok.out, /^redis_url\s+= redis:\/\/:\*\*\*@10\.0\.0\.5:6379\/4 /m);
  assert.match(ok.out, /^cluster_prefix\s+= app1 /m);
  assert.match(ok.out, /^node_id\s+= n-1 /m);
  const tls = await run(['check-config', '--redis-url', 'rediss://:cfg-secret-99@cache:6379']);
  assert.notEqual(tls.code, 0);
  assert.match(tls.out, /TLS/);
  assert.ok(!tls.out.includes('cfg-secret-99'));
  const noPort = await run(['serve', '--redis-url', 'redis://cache']);
  assert.notEqual(noPort.code, 0);
  assert.match(noPort.out, /has no port/);
});
