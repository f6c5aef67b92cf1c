// pusher-js's browser build (dist/web/pusher.js) in headless Chromium against the real binary:
// a page of "the Laravel app" on its own origin connects to /app/{key}, subscribes to a public
// and a presence channel (signatures from the test, as /broadcasting/auth would give them) and
// receives what the `pusher` SDK triggers, plus a whisper from a Node pusher-js client.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import {
  APP_KEY, channelAuth, connected, pusherClient, rest, startPusherServer, subscribed,
} from './pusher_helpers.mjs';

const require = createRequire(import.meta.url);
const { launchBrowser, startAppServer } = require('../browser/harness.js');
const PUSHER_JS = fs.readFileSync(require.resolve('pusher-js/dist/web/pusher.js'), 'utf8');

let server;
let browser;
let app;
const others = [];

before(async () => {
  server = await startPusherServer();
  browser = await launchBrowser();
  app = await startAppServer();
});
after(async () => {
  for (const c of others) c.disconnect();
  if (browser) await browser.close();
  if (app) await app.close();
  if (server) await server.stop();
});

test('pusher-js in Chromium: public trigger, presence here/joining, and a whisper from Node', async () => {
  // The page asks the test for channel auth through an exposed function, as it would ask
  // Laravel's /broadcasting/auth over HTTP.
  const page = await browser.context.newPage();
  await page.exposeFunction('authorizeChannel', (socketId, channel) =>
    channelAuth(socketId, channel, channel.startsWith('presence-') ? { user_id: 'browser', user_info: { name: 'Chromium' } } : null));
  app.setPage('/pusher.html', `<!doctype html><meta charset="utf-8"><title>pusher</title>
<script>${PUSHER_JS}</script>
<script>
  window.events = [];
  const pusher = new Pusher(${JSON.stringify(APP_KEY)}, {
    wsHost: '127.0.0.1', wsPort: ${server.port}, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1',
    disableStats: true,
    authorizer: (channel) => ({ authorize: (socketId, cb) => window.authorizeChannel(socketId, channel.name)
      .then((auth) => cb(null, auth), (e) => cb(e, null)) }),
  });
  pusher.connection.bind('connected', () => window.events.push({ type: 'connected', id: pusher.connection.socket_id }));
  const orders = pusher.subscribe('orders');
  orders.bind('pusher:subscription_succeeded', () => window.events.push({ type: 'subscribed', channel: 'orders' }));
  orders.bind('OrderShipped', (data) => window.events.push({ type: 'OrderShipped', data }));
  const team = pusher.subscribe('presence-browser');
  team.bind('pusher:subscription_succeeded', (m) => window.events.push({ type: 'here', count: m.count }));
  team.bind('pusher:member_added', (m) => window.events.push({ type: 'joining', id: m.id, info: m.info }));
  team.bind('client-wave', (data, meta) => window.events.push({ type: 'whisper', data, user: meta.user_id }));
</script>`);
  await page.goto(`${app.origin}/pusher.html`);
  const waitFor = (type) => page.waitForFunction((t) => window.events.find((e) => e.type === t), type);
  await waitFor('connected');
  await waitFor('subscribed');
  await waitFor('here');
  const events = () => page.evaluate(() => window.events);
  assert.match((await events()).find((e) => e.type === 'connected').id, /^\d+\.\d+$/);
  assert.equal((await events()).find((e) => e.type === 'here').count, 1);

  await rest(server).trigger('orders', 'OrderShipped', { id: 3 });
  await waitFor('OrderShipped');
  assert.deepEqual((await events()).find((e) => e.type === 'OrderShipped').data, { id: 3 });

  const node = pusherClient(server, { user: { user_id: 'node', user_info: { name: 'Node' } } });
  others.push(node);
  await connected(node);
  const channel = node.subscribe('presence-browser');
  await subscribed(channel);
  await waitFor('joining');
  assert.deepEqual((await events()).find((e) => e.type === 'joining'), { type: 'joining', id: 'node', info: { name: 'Node' } });
  channel.trigger('client-wave', { hi: 1 });
  await waitFor('whisper');
  assert.deepEqual((await events()).find((e) => e.type === 'whisper'), { type: 'whisper', data: { hi: 1 }, user: 'node' });
  await page.close();
});
