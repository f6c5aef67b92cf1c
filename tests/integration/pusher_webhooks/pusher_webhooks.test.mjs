// Pusher webhooks from the real binary (issue 13), driven by pusher-js in Node: subscribe and
// unsubscribe give channel_occupied / channel_vacated (delayed, cancelled by a quick return);
// presence gives member_added on a user's first connection and member_removed after its last;
// client events on a private channel give client_event; a 500 is retried; /stats and /metrics
// count deliveries. The receiver validates every POST with the `pusher` SDK.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { startServer, timeoutScale } from '../interop/server.mjs';
import { APP, startReceiver, WAIT_MS } from '../webhooks/webhook_helpers.mjs';

const require = createRequire(import.meta.url);
const PusherClient = require('pusher-js');
const PusherServer = require('pusher');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const signer = new PusherServer({ ...APP, useTLS: false, host: '127.0.0.1' });

async function pusherServer(receiver, extra = []) {
  return startServer(['serve', '--pusher-app-id', APP.appId, '--pusher-app-key', APP.key,
    '--pusher-app-secret', APP.secret, '--pusher-webhook-url', receiver.url,
    '--pusher-webhook-batch-ms', '50', '--pusher-webhook-delay', '1', '--pusher-webhook-events', 'all', ...extra]);
}

// A pusher-js client; private/presence channels are authorized locally with the server SDK
// (what Laravel's /broadcasting/auth answers).
function connect(server, user = null) {
  const client = new PusherClient(APP.key, {
    wsHost: '127.0.0.1', wsPort: server.port, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1',
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        const data = channelName.startsWith('presence-')
          ? signer.authorizeChannel(socketId, channelName, { user_id: user, user_info: { name: user } })
          : signer.authorizeChannel(socketId, channelName);
        callback(null, data);
      },
    },
  });
  return new Promise((resolve, reject) => {
    client.connection.bind('connected', () => resolve(client));
    client.connection.bind('error', (e) => reject(new Error(JSON.stringify(e))));
  });
}

function subscribed(client, name) {
  const channel = client.subscribe(name);
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', () => resolve(channel));
    channel.bind('pusher:subscription_error', (e) => reject(new Error(JSON.stringify(e))));
  });
}

async function eventsNamed(receiver, predicate, count) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = receiver.events().filter(predicate);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`webhook events so far: ${JSON.stringify(receiver.events())}`);
    await sleep(50);
  }
}

describe('pusher webhooks from wsrelay', () => {
  let receiver;
  let server;
  before(async () => {
    receiver = await startReceiver();
    server = await pusherServer(receiver);
  });
  after(async () => {
    if (server) await server.stop();
    if (receiver) await receiver.close();
  });

  it('subscribe and unsubscribe: channel_occupied, then channel_vacated after the delay', async () => {
    const client = await connect(server);
    await subscribed(client, 'orders');
    const [occupied] = await eventsNamed(receiver, (e) => e.channel === 'orders', 1);
    assert.deepEqual(occupied, { name: 'channel_occupied', channel: 'orders' });
    const left = Date.now();
    client.unsubscribe('orders');
    await eventsNamed(receiver, (e) => e.channel === 'orders' && e.name === 'channel_vacated', 1);
    const request = receiver.requests.find((r) => r.json.events.some((e) => e.name === 'channel_vacated'));
    assert.ok(request.at - left >= 900, 'vacated waits the delay');
    assert.ok(receiver.requests.every((r) => r.valid), 'every POST is signed with the app secret');
    client.disconnect();
  });

  it('a reload within the delay sends nothing for the channel', async () => {
    const first = await connect(server);
    await subscribed(first, 'reloaded');
    await eventsNamed(receiver, (e) => e.channel === 'reloaded', 1);
    first.disconnect();
    const second = await connect(server);
    await subscribed(second, 'reloaded');
    await sleep(2000 * timeoutScale);
    assert.deepEqual(receiver.events().filter((e) => e.channel === 'reloaded').map((e) => e.name), ['channel_occupied']);
    second.disconnect();
  });

  it('presence: member_added on the first tab, member_removed after the last', async () => {
    const tab1 = await connect(server, 'u-1');
    await subscribed(tab1, 'presence-room');
    const tab2 = await connect(server, 'u-1');
    await subscribed(tab2, 'presence-room');
    const added = await eventsNamed(receiver, (e) => e.channel === 'presence-room' && e.name === 'member_added', 1);
    assert.deepEqual(added, [{ name: 'member_added', channel: 'presence-room', user_id: 'u-1' }]);
    tab1.disconnect();
    await sleep(1500 * timeoutScale);
    assert.equal(receiver.events().filter((e) => e.name === 'member_removed').length, 0, 'one tab is still there');
    tab2.disconnect();
    const removed = await eventsNamed(receiver, (e) => e.channel === 'presence-room' && e.name === 'member_removed', 1);
    assert.deepEqual(removed, [{ name: 'member_removed', channel: 'presence-room', user_id: 'u-1' }]);
  });

  it('client events on a private channel become client_event webhooks', async () => {
    const a = await connect(server);
    const b = await connect(server);
    const channelA = await subscribed(a, 'private-chat');
    await subscribed(b, 'private-chat');
    channelA.trigger('client-typing', { typing: true });
    const [event] = await eventsNamed(receiver, (e) => e.name === 'client_event', 1);
    assert.equal(event.channel, 'private-chat');
    assert.equal(event.event, 'client-typing');
    assert.deepEqual(JSON.parse(event.data), { typing: true });
    assert.equal(event.socket_id, a.connection.socket_id);
    assert.equal(event.user_id, undefined);
    a.disconnect();
    b.disconnect();
  });

  it('/stats and /metrics count the deliveries', async () => {
    const stats = await (await fetch(`http://127.0.0.1:${server.port}/stats`)).json();
    assert.ok(stats.webhooks.events_delivered >= 1);
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(metrics, /^wsrelay_webhook_events_delivered_total [1-9]/m);
    assert.match(metrics, /^wsrelay_webhook_events_dropped_total\{reason="queue_full"\} 0$/m);
  });
});

describe('pusher webhooks: retried after a 500', () => {
  it('the receiver answers 500 first; the same signed POST comes again', async () => {
    const receiver = await startReceiver({ statuses: [500] });
    const server = await pusherServer(receiver);
    try {
      const client = await connect(server);
      await subscribed(client, 'retry');
      const requests = await receiver.waitFor(2);
      assert.deepEqual(requests.map((r) => r.status), [500, 200]);
      assert.equal(requests[1].body, requests[0].body);
      assert.ok(requests.every((r) => r.valid));
      client.disconnect();
    } finally {
      await server.stop();
      await receiver.close();
    }
  });
});
