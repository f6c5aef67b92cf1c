// The bus between node processes through a real redis-server: in order, exactly once, own
// messages dropped, prefixes isolated, and a Redis killed and restarted mid-traffic healed by
// reconnect + re-subscribe, with lost messages reported as gaps rather than hidden.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Probe, Redis, sleep } from './cluster_helpers.mjs';

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

test('messages cross nodes in publish order, exactly once; a node never hears itself', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const a = await node(redis.url(), 'a');
  const b = await node(redis.url(), 'b');
  const c = await node(redis.url(), 'c');
  for (const p of [a, b, c]) {
    p.send('sub room:lobby');
    await p.waitFor(/^sub room:lobby$/);
  }
  await redis.subscribers('wsrelay:bus:room:lobby', 3);
  for (let i = 1; i <= 200; i++) a.send(`pub room:lobby m${i}`);
  for (let i = 1; i <= 50; i++) b.send(`pub room:lobby b${i}`);
  // Lines from a and b interleave in c's output in any order: look at all of them.
  for (const receiver of [b, c]) await receiver.out.seen(/^msg room:lobby a 200 0 m200$/);
  await c.out.seen(/^msg room:lobby b 50 0 b50$/);
  await sleep(300);
  for (const receiver of [b, c]) {
    const fromA = receiver.out.all(/^msg room:lobby a /);
    assert.equal(fromA.length, 200, 'exactly once');
    fromA.forEach((line, i) => assert.equal(line, `msg room:lobby a ${i + 1} 0 m${i + 1}`));
  }
  assert.equal(c.out.all(/^msg room:lobby b /).length, 50);
  assert.equal(a.out.all(/^msg room:lobby a /).length, 0, 'a does not receive its own');
  assert.equal(b.out.all(/^msg room:lobby b /).length, 0, 'b does not receive its own');
  const s = await a.stats();
  assert.ok(s.own >= 200, `own messages dropped (bus + registry): ${s.own}`);
  assert.equal(s.missed, 0);
});

test('only subscribed channels arrive; unsubscribe stops them', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const a = await node(redis.url(), 'a');
  const b = await node(redis.url(), 'b');
  b.send('sub room:x');
  await b.waitFor(/^sub room:x$/);
  await redis.subscribers('wsrelay:bus:room:x', 1);
  a.send('pub room:y not-for-b');
  a.send('pub room:x for-b');
  await b.waitFor(/^msg room:x a 1 0 for-b$/);
  b.send('unsub room:x');
  await b.waitFor(/^unsub room:x$/);
  await redis.subscribers('wsrelay:bus:room:x', 0);
  a.send('pub room:x after-unsub');
  await sleep(400);
  assert.deepEqual(b.out.all(/^msg /), ['msg room:x a 1 0 for-b']);
});

test('two clusters on one Redis (different prefixes) see nothing of each other', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const app1a = await node(redis.url(), 'a', { prefix: 'app1', heartbeatMs: 200, ttlMs: 600 });
  const app1b = await node(redis.url(), 'b', { prefix: 'app1', heartbeatMs: 200, ttlMs: 600 });
  const app2a = await node(redis.url(), 'a', { prefix: 'app2', heartbeatMs: 200, ttlMs: 600 });
  for (const p of [app1b, app2a]) {
    p.send('sub room:lobby');
    await p.waitFor(/^sub room:lobby$/);
  }
  await redis.subscribers('app1:bus:room:lobby', 1);
  await redis.subscribers('app2:bus:room:lobby', 1);
  app1a.send('pub room:lobby hello-app1');
  await app1b.waitFor(/^msg room:lobby a 1 0 hello-app1$/);
  await sleep(600);
  assert.deepEqual(app2a.out.all(/^msg /), []);
  // Node registries are separate too: app2's "a" never hears of app1's nodes, even one with
  // the same id.
  await app1a.waitFor(/^node up b$/);
  assert.deepEqual(app2a.out.all(/^node /), []);
  const keys = (await redis.command('KEYS', '*')).sort();
  assert.ok(keys.every((k) => k.startsWith('app1:') || k.startsWith('app2:')), keys.join(','));
});

test('Redis killed and restarted mid-traffic: refused while down, re-subscribed after, gaps counted', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const a = await node(redis.url(), 'a', { replyTimeoutMs: 1000, keepaliveMs: 300 });
  const b = await node(redis.url(), 'b', { replyTimeoutMs: 1000, keepaliveMs: 300 });
  b.send('sub room:live');
  await b.waitFor(/^sub room:live$/);
  await redis.subscribers('wsrelay:bus:room:live', 1);
  for (let i = 1; i <= 20; i++) a.send(`pub room:live before${i}`);
  await b.waitFor(/^msg room:live a 20 0 before20$/);

  await redis.kill('SIGKILL');
  await a.waitFor(/^link down (closed|unreachable|timeout) /);
  await b.waitFor(/^link down (closed|unreachable|timeout) /);
  a.send('pub room:live during');
  await a.waitFor(/^pub refused$/);

  await redis.restart();  // same port, empty: no subscriptions, no keys
  await a.waitFor(/^link up$/, 10000);
  await b.waitFor(/^link up$/, 10000);
  await redis.subscribers('wsrelay:bus:room:live', 1);
  a.send('pub room:live after1');
  // b re-subscribed by itself; the refused message did not use up a sequence number, so no
  // gap is claimed for it.
  await b.waitFor(/^msg room:live a 21 0 after1$/);
  const sb = await b.stats();
  assert.ok(sb.connects >= 2 && sb.disconnects >= 1, JSON.stringify(sb));
  const sa = await a.stats();
  assert.equal(sa.refused, 1);
  // The node registry put itself back into the empty Redis.
  await sleep(3500);
  const nodes = (await redis.command('SMEMBERS', 'wsrelay:nodes')).sort();
  assert.deepEqual(nodes, ['a', 'b']);
});

test('gaps in a publisher\'s sequence are reported, a new epoch is not a gap, garbage is counted', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const b = await node(redis.url(), 'b');
  b.send('sub room:g');
  await b.waitFor(/^sub room:g$/);
  await redis.subscribers('wsrelay:bus:room:g', 1);
  // A publisher written by hand (independent of the code under test): seq 1, 2, then 6.
  const publish = (text) => redis.command('PUBLISH', 'wsrelay:bus:room:g', text);
  await publish('wsr1 x 77 1\none');
  await publish('wsr1 x 77 2\ntwo');
  await publish('wsr1 x 77 6\nsix');
  await b.waitFor(/^msg room:g x 6 3 six$/);
  // Restarted under the same id: a new epoch starts again at 1, and that is no gap.
  await publish('wsr1 x 78 1\nreborn');
  await b.waitFor(/^msg room:g x 1 0 reborn$/);
  // Not an envelope: dropped and counted, the node carries on.
  await publish('hello from some other program');
  await publish('wsr1 bad id 1 1\nx');
  await publish('wsr1 x 78 2\nafter-garbage');
  await b.waitFor(/^msg room:g x 2 0 after-garbage$/);
  const s = await b.stats();
  assert.equal(s.missed, 3);
  assert.deepEqual(b.out.all(/^msg /), ['msg room:g x 1 0 one', 'msg room:g x 2 0 two', 'msg room:g x 6 3 six',
    'msg room:g x 1 0 reborn', 'msg room:g x 2 0 after-garbage']);
});

test('after an unsubscribe the channel\'s history is forgotten: re-subscribing claims no gap', async () => {
  const redis = await Redis.start();
  cleanup.push(() => redis.stop());
  const a = await node(redis.url(), 'a');
  const b = await node(redis.url(), 'b');
  // c stays subscribed throughout: when it has a message, Redis has published it.
  const c = await node(redis.url(), 'c');
  c.send('sub room:g');
  await c.waitFor(/^sub room:g$/);
  b.send('sub room:g');
  await b.waitFor(/^sub room:g$/);
  await redis.subscribers('wsrelay:bus:room:g', 2);
  a.send('pub room:g one');
  await b.waitFor(/^msg room:g a 1 0 one$/);
  b.send('unsub room:g');
  await b.waitFor(/^unsub room:g$/);
  await redis.subscribers('wsrelay:bus:room:g', 1);
  a.send('pub room:g two');
  a.send('pub room:g three');
  await c.waitFor(/^msg room:g a 3 0 three$/);
  b.send('sub room:g');
  await b.waitFor(/^sub room:g$/);
  await redis.subscribers('wsrelay:bus:room:g', 2);
  a.send('pub room:g four');
  await b.waitFor(/^msg room:g a 4 0 four$/);
  assert.deepEqual(b.out.all(/^msg /), ['msg room:g a 1 0 one', 'msg room:g a 4 0 four']);
});
