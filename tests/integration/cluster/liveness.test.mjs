// Node liveness through a real redis-server: a node killed with SIGKILL is noticed by every
// peer within the bound (default settings: 15 s), exactly one peer owns its cleanup, a node
// leaving gracefully is dropped at once with its keys gone, and a restart under the same id is
// a new life.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Probe, Redis, sleep, timeoutScale } from './cluster_helpers.mjs';

const cleanup = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function node(url, nodeId, options = {}) {
  const p = await Probe.start(url, { nodeId, ...options });
  cleanup.push(() => p.kill());
  await p.waitFor(/^link up$/);
  return p;
}

test('kill -9 of a node: every peer hears it is down within 15 s (defaults), one owns the cleanup', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const a = await node(redis.url(), 'a');
  const b = await node(redis.url(), 'b');
  const victim = await node(redis.url(), 'victim');
  await a.waitFor(/^node up victim$/);
  await b.waitFor(/^node up victim$/);
  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  const [da, db] = await Promise.all([a.waitFor(/^node down victim (owner|peer) (.*)$/, 20000),
    b.waitFor(/^node down victim (owner|peer) (.*)$/, 20000)]);
  const elapsed = Date.now() - killedAt;
  assert.ok(elapsed <= 15000 * timeoutScale, `noticed after ${elapsed} ms`);
  // Exactly one of them removed it from the node set.
  assert.deepEqual([da[1], db[1]].sort(), ['owner', 'peer']);
  assert.equal(await redis.command('SISMEMBER', 'wsrelay:nodes', 'victim'), 0);
  assert.equal(await redis.command('EXISTS', 'wsrelay:node:victim'), 0);
  await sleep(4000);
  // Heard once each, not on every later check.
  assert.equal(a.out.all(/^node down victim/).length, 1);
  assert.equal(b.out.all(/^node down victim/).length, 1);
});

test('graceful leave: peers drop the node at once and its keys are gone', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const a = await node(redis.url(), 'a');
  const b = await node(redis.url(), 'b');
  await a.waitFor(/^node up b$/);
  const leftAt = Date.now();
  b.send('leave');
  await a.waitFor(/^node down b peer left$/, 3000);
  assert.ok(Date.now() - leftAt < 3000 * timeoutScale);
  await b.exited;
  assert.equal(await redis.command('EXISTS', 'wsrelay:node:b'), 0);
  assert.equal(await redis.command('SISMEMBER', 'wsrelay:nodes', 'b'), 0);
  assert.equal(await redis.command('EXISTS', 'wsrelay:node:a'), 1);
});

test('a node restarted under the same id is a new life: down, then up', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const fast = { heartbeatMs: 300, ttlMs: 900 };
  const a = await node(redis.url(), 'a', fast);
  const b1 = await node(redis.url(), 'b', fast);
  await a.waitFor(/^node up b$/);
  await b1.kill('SIGKILL');
  // Back before its key expired: the new epoch tells the two lives apart.
  await node(redis.url(), 'b', fast);
  await a.waitFor(/^node down b peer restarted \(new epoch\)$/, 5000);
  await a.waitFor(/^node up b$/, 5000);
});

test('a node that was declared dead while cut off restores itself', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const fast = { heartbeatMs: 300, ttlMs: 900 };
  const a = await node(redis.url(), 'a', fast);
  // Joined (its first SADD answered) before the keys vanish.
  for (let i = 0; (await a.stats()).heartbeats < 1; i++) {
    assert.ok(i < 100 * timeoutScale, 'a first heartbeat');
    await sleep(50);
  }
  // What a partition looks like from Redis: the node's key and membership vanish.
  await redis.command('DEL', 'wsrelay:node:a', 'wsrelay:nodes');
  await a.waitFor(/^self restored$/, 5000);
  assert.equal(await redis.command('SISMEMBER', 'wsrelay:nodes', 'a'), 1);
  assert.equal(await redis.command('EXISTS', 'wsrelay:node:a'), 1);
  const ttl = await redis.command('PTTL', 'wsrelay:node:a');
  assert.ok(ttl > 0 && ttl <= 900, `the key expires: ${ttl}`);
});
