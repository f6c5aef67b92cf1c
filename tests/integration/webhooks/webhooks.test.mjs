// Pusher webhooks end to end (issue 13): the real webhook service — dispatcher, the reactor's
// timer wheel and the non-blocking HTTP client — in tools/webhook_driver, POSTing to a Node
// receiver that validates every request with the `pusher` SDK. Batching, Pusher's body format,
// X-Pusher-Key / X-Pusher-Signature, retries after 500 with backoff, giving up, 4xx refusals,
// delayed vacated/member_removed and their cancellation, the event filter, the queue bound,
// keep-alive, timeouts, refused connections and https with certificate verification.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { makePki } from '../tls/tls_helpers.mjs';
import { APP, hmacHex, startDriver, startReceiver, timeoutScale } from './webhook_helpers.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function closedPort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('webhooks: format, signature, batching', () => {
  it('events within the window arrive in one signed POST in Pusher format', async () => {
    const receiver = await startReceiver();
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '300']);
    try {
      const before = Date.now();
      driver.send('occupied', 'orders');
      driver.send('added', 'presence-room', 'user-42');
      driver.send('client', 'private-chat', 'client-typing', '{"text":"héllo \\"quoted\\" \u2603"}', '123.456');
      driver.send('client', 'presence-room', 'client-wave', 'plain text', '7.8', 'user-42');
      const [request] = await receiver.waitFor(1);
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/pusher/webhook');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['x-pusher-key'], APP.key);
      assert.equal(request.headers['x-pusher-signature'], hmacHex(APP.secret, request.body));
      assert.equal(request.valid, true, 'the pusher SDK accepts the signature');
      assert.ok(request.json.time_ms >= before - 1000 && request.json.time_ms <= Date.now() + 1000);
      assert.deepEqual(request.json.events, [
        { name: 'channel_occupied', channel: 'orders' },
        { name: 'member_added', channel: 'presence-room', user_id: 'user-42' },
        { name: 'client_event', channel: 'private-chat', event: 'client-typing',
          data: '{"text":"héllo \\"quoted\\" \u2603"}', socket_id: '123.456' },
        { name: 'client_event', channel: 'presence-room', event: 'client-wave', data: 'plain text',
          socket_id: '7.8', user_id: 'user-42' },
      ]);
      const { code, stats } = await driver.finish();
      assert.equal(code, 0);
      assert.equal(stats.webhooks.events_delivered, 4);
      assert.equal(stats.webhooks.batches_delivered, 1);
      assert.equal(receiver.requests.length, 1);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('a full batch leaves without waiting for the window; batches are bounded', async () => {
    const receiver = await startReceiver();
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '60000', '--max-batch', '3']);
    try {
      for (let i = 0; i < 7; i++) driver.send('occupied', `ch-${i}`);
      await receiver.waitFor(2);
      assert.deepEqual(receiver.requests.map((r) => r.json.events.length), [3, 3]);
      const { stats } = await driver.finish();  // the 7th leaves on drain
      assert.equal(receiver.requests.length, 3);
      assert.deepEqual(receiver.events().map((e) => e.channel), [0, 1, 2, 3, 4, 5, 6].map((i) => `ch-${i}`));
      assert.equal(stats.webhooks.events_delivered, 7);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('only the configured events are sent', async () => {
    const receiver = await startReceiver();
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--events', 'member_added,client_event']);
    try {
      driver.send('occupied', 'a');
      driver.send('added', 'presence-a', 'u1');
      driver.send('client', 'private-a', 'client-x', 'd', '1.2');
      driver.send('vacated', 'a');
      await driver.finish();
      assert.deepEqual(receiver.events().map((e) => e.name), ['member_added', 'client_event']);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });
});

describe('webhooks: delays and cancellation', () => {
  it('channel_vacated waits the delay; a re-occupation within it sends nothing', async () => {
    const receiver = await startReceiver();
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--delay-ms', String(1500 * timeoutScale)]);
    try {
      // A page reload: the last subscriber leaves and comes back at once.
      driver.send('vacated', 'reload');
      driver.send('removed', 'presence-reload', 'u1');
      await sleep(200);
      driver.send('occupied', 'reload');
      driver.send('added', 'presence-reload', 'u1');
      // A real departure.
      const left = Date.now();
      driver.send('vacated', 'gone');
      const [request] = await receiver.waitFor(1);
      assert.ok(request.at - left >= 1400 * timeoutScale, `sent after ${request.at - left} ms`);
      assert.deepEqual(request.json.events, [{ name: 'channel_vacated', channel: 'gone' }]);
      const stats = await driver.stats();
      assert.equal(stats.webhooks.flaps_suppressed, 2);
      await driver.finish();
      assert.equal(receiver.requests.length, 1, 'nothing about the reloaded channel or member');
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('member_removed is delayed and sent when the member does not come back', async () => {
    const receiver = await startReceiver();
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--delay-ms', '400']);
    try {
      driver.send('removed', 'presence-x', 'u7');
      const [request] = await receiver.waitFor(1);
      assert.deepEqual(request.json.events, [{ name: 'member_removed', channel: 'presence-x', user_id: 'u7' }]);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('end of input drains: delayed events are sent at once', async () => {
    const receiver = await startReceiver();
    const driver = await startDriver(['--url', receiver.url, '--delay-ms', '600000']);
    try {
      driver.send('vacated', 'a');
      const { stats } = await driver.finish();
      assert.deepEqual(receiver.events(), [{ name: 'channel_vacated', channel: 'a' }]);
      assert.equal(stats.webhooks.queued, 0);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });
});

describe('webhooks: retries and failures', () => {
  it('500 then 503 then 200: retried with backoff, the same signed body each time', async () => {
    const receiver = await startReceiver({ statuses: [500, 503] });
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--retry-ms', '200', '--retry-max-ms', '5000']);
    try {
      driver.send('occupied', 'retry-me');
      const requests = await receiver.waitFor(3);
      assert.deepEqual(requests.map((r) => r.status), [500, 503, 200]);
      for (const r of requests) {
        assert.equal(r.valid, true);
        assert.equal(r.body, requests[0].body);
      }
      // Backoff: 200 ms, then 400 ms (lower bounds only: the loop may be late, never early).
      assert.ok(requests[1].at - requests[0].at >= 190, `first retry after ${requests[1].at - requests[0].at} ms`);
      assert.ok(requests[2].at - requests[1].at >= 390, `second retry after ${requests[2].at - requests[1].at} ms`);
      const stats = await driver.stats();
      assert.equal(stats.webhooks.retries, 2);
      assert.equal(stats.webhooks.posts_failed, 2);
      assert.equal(stats.webhooks.events_delivered, 1);
      assert.match(driver.stderr, /webhook delivery failed, retrying in 200 ms: 1 event\(s\), attempt 1 of 5: HTTP 500/);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('gives up after max attempts, refuses to retry a 4xx, and counts both', async () => {
    const receiver = await startReceiver({ statuses: [500, 500, 400] });
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--retry-ms', '100', '--max-attempts', '2']);
    try {
      driver.send('occupied', 'a');
      await receiver.waitFor(2);
      driver.send('occupied', 'b');
      await receiver.waitFor(3);
      driver.send('occupied', 'c');
      await receiver.waitFor(4);
      const { stats } = await driver.finish();
      assert.deepEqual(receiver.requests.map((r) => r.json.events[0].channel), ['a', 'a', 'b', 'c']);
      assert.equal(stats.webhooks.dropped_failed, 1);
      assert.equal(stats.webhooks.dropped_rejected, 1);
      assert.equal(stats.webhooks.events_delivered, 1);
      assert.match(driver.stderr, /giving up on 1 event\(s\), attempt 2 of 2/);
      assert.match(driver.stderr, /refused by the receiver, dropped 1 event\(s\).*HTTP 400/);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('a refused connection is retried, then dropped and logged', async () => {
    const port = await closedPort();
    const driver = await startDriver(['--url', `http://127.0.0.1:${port}/hook`, '--batch-ms', '50', '--retry-ms', '100', '--max-attempts', '3']);
    try {
      driver.send('occupied', 'a');
      const { stats } = await driver.finish();
      assert.equal(stats.webhooks.posts_failed, 3);
      assert.equal(stats.webhooks.dropped_failed, 1);
      assert.match(driver.stderr, /Connection refused/);
    } finally {
      driver.kill();
    }
  });

  it('a receiver that does not answer in time is a timeout, retried', async () => {
    const receiver = await startReceiver({ delayMs: 1500 * timeoutScale });
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--timeout-ms', String(300 * timeoutScale),
      '--retry-ms', '100', '--max-attempts', '2']);
    try {
      driver.send('occupied', 'slow');
      const { stats } = await driver.finish();
      assert.equal(stats.webhooks.posts_failed, 2);
      assert.equal(stats.webhooks.dropped_failed, 1);
      assert.match(driver.stderr, /no complete response within/);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('the queue is bounded: what does not fit is dropped, counted and logged', async () => {
    const receiver = await startReceiver({ delayMs: 300 });
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--queue', '5', '--max-batch', '100']);
    try {
      for (let i = 0; i < 20; i++) driver.send('occupied', `q-${i}`);
      const { stats } = await driver.finish();
      assert.equal(stats.webhooks.dropped_queue_full, 15);
      assert.equal(stats.webhooks.events_delivered, 5);
      assert.deepEqual(receiver.events().map((e) => e.channel), ['q-0', 'q-1', 'q-2', 'q-3', 'q-4']);
      assert.match(driver.stderr, /webhook queue full \(5 events waiting\)/);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });
});

describe('webhooks: connections', () => {
  it('keep-alive reuses one connection; --no-keep-alive opens one per POST', async () => {
    for (const keepAlive of [true, false]) {
      const receiver = await startReceiver();
      const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50', ...(keepAlive ? [] : ['--no-keep-alive'])]);
      try {
        driver.send('occupied', 'one');
        await receiver.waitFor(1);
        driver.send('occupied', 'two');
        await receiver.waitFor(2);
        const stats = await driver.stats();
        const ports = new Set(receiver.requests.map((r) => r.socket));
        if (keepAlive) {
          assert.equal(ports.size, 1);
          assert.equal(stats.http.connections_opened, 1);
          assert.equal(stats.http.connections_reused, 1);
        } else {
          assert.equal(ports.size, 2);
          assert.equal(stats.http.connections_opened, 2);
        }
      } finally {
        driver.kill();
        await receiver.close();
      }
    }
  });

  it('a kept connection the receiver closed is replaced without losing a batch', async () => {
    // Node closes idle keep-alive connections after keepAliveTimeout (100 ms, in Node's 1 s steps).
    const receiver = await startReceiver({ keepAliveTimeout: 100 });
    const driver = await startDriver(['--url', receiver.url, '--batch-ms', '50']);
    try {
      driver.send('occupied', 'one');
      await receiver.waitFor(1);
      for (let i = 0; i < 100 && receiver.openConnections() > 0; i++) await sleep(50);
      assert.equal(receiver.openConnections(), 0, 'the receiver closed the idle connection');
      driver.send('occupied', 'two');
      await receiver.waitFor(2);
      const stats = await driver.stats();
      assert.equal(stats.webhooks.events_delivered, 2);
      assert.equal(stats.webhooks.posts_failed, 0, 'the closed connection cost no failed attempt');
      assert.equal(stats.http.connections_opened, 2);
      assert.notEqual(receiver.requests[0].socket, receiver.requests[1].socket);
    } finally {
      driver.kill();
      await receiver.close();
    }
  });

  it('https: verified against the given CA; refused (and logged) when the CA is not trusted', async () => {
    const pki = await makePki();
    const tls = { key: pki.file('server.key'), cert: pki.file('fullchain.pem') };
    const fs = await import('node:fs');
    const receiver = await startReceiver({ tls: { key: fs.readFileSync(tls.key), cert: fs.readFileSync(tls.cert) } });
    try {
      const good = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--ca-file', pki.file('ca.pem')]);
      try {
        good.send('occupied', 'secure');
        const [request] = await receiver.waitFor(1);
        assert.equal(request.valid, true);
        assert.deepEqual(request.json.events, [{ name: 'channel_occupied', channel: 'secure' }]);
        const { stats } = await good.finish();
        assert.equal(stats.webhooks.events_delivered, 1);
      } finally {
        good.kill();
      }
      const bad = await startDriver(['--url', receiver.url, '--batch-ms', '50', '--max-attempts', '1']);
      try {
        bad.send('occupied', 'untrusted');
        const { stats } = await bad.finish();
        assert.equal(stats.webhooks.dropped_failed, 1);
        assert.match(bad.stderr, /TLS: certificate verify failed/);
        assert.equal(receiver.requests.length, 1, 'nothing reached the receiver over an unverified connection');
      } finally {
        bad.kill();
      }
    } finally {
      await receiver.close();
      pki.remove();
    }
  });

  it('a bad URL or an unresolvable host is a configuration error (exit 2)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { driverPath } = await import('./webhook_helpers.mjs');
    for (const url of ['ftp://127.0.0.1/', 'http://user:pw@127.0.0.1/', 'http://no-such-host.invalid/hook']) {
      const r = spawnSync(driverPath(), ['--url', url, '--key', 'k', '--secret', 's'], { input: '', encoding: 'utf8' });
      assert.equal(r.status, 2, url);
      assert.match(r.stderr, /pusher_webhook_url/);
    }
  });
});
