// Laravel Echo (with pusher-js, as a Laravel app's resources/js/bootstrap.js sets it up) against
// the real binary, the backend side played by the `pusher` SDK the way Laravel's broadcaster
// uses pusher-php-server. The authorizer signs what Laravel's /broadcasting/auth would.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP_KEY, channelAuth, Pusher, rest, startPusherServer } from './pusher_helpers.mjs';
import { timeoutScale } from '../interop/server.mjs';

// The ES module build (the package is "type": "module", so its CommonJS file cannot be required).
import Echo from 'laravel-echo';

let server;
const echos = [];
before(async () => { server = await startPusherServer(); });
after(async () => {
  for (const e of echos) e.disconnect();
  if (server) await server.stop();
});

function echo(user = null) {
  const e = new Echo({
    broadcaster: 'pusher', key: APP_KEY, cluster: 'mt1', wsHost: '127.0.0.1', wsPort: server.port, forceTLS: false,
    enabledTransports: ['ws'], disableStats: true, Pusher,
    authorizer: (channel) => ({
      authorize: (socketId, callback) => callback(null, channelAuth(socketId, channel.name,
        channel.name.startsWith('presence-') ? user : null)),
    }),
  });
  echos.push(e);
  return e;
}

function eventually(register, what, ms = 4000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms * timeoutScale);
    register((value) => { clearTimeout(timer); resolve(value); });
  });
}

test('channel().listen() with Echo\'s App\\Events namespace receives broadcast(new OrderShipped)', async () => {
  const e = echo();
  const channel = e.channel('orders');
  await eventually((done) => channel.subscribed(done), 'subscribed');
  const got = eventually((done) => channel.listen('OrderShipped', done), 'OrderShipped');
  const r = await rest(server).trigger('orders', 'App\\Events\\OrderShipped', { order: { id: 7 } });
  assert.equal(r.status, 200);
  assert.deepEqual(await got, { order: { id: 7 } });
  // A leading dot opts out of the namespace.
  const raw = eventually((done) => channel.listen('.custom.name', done), '.custom.name');
  await rest(server).trigger('orders', 'custom.name', { ok: true });
  assert.deepEqual(await raw, { ok: true });
});

test('private() subscribes with the signed auth and receives events', async () => {
  const e = echo();
  const channel = e.private('user.5');
  await eventually((done) => channel.subscribed(done), 'private subscribed');
  const got = eventually((done) => channel.listen('.Notify', done), 'Notify');
  await rest(server).trigger('private-user.5', 'Notify', { n: 1 });
  assert.deepEqual(await got, { n: 1 });
});

test('join().here().joining().leaving() and whisper / listenForWhisper', async () => {
  const ann = echo({ user_id: 1, user_info: { name: 'Ann' } });
  const here = await eventually((done) => ann.join('chat.1').here(done), 'here');
  assert.deepEqual(here, [{ name: 'Ann' }]);
  const joining = eventually((done) => ann.join('chat.1').joining(done), 'joining');
  const bob = echo({ user_id: 2, user_info: { name: 'Bob' } });
  const bobHere = await eventually((done) => bob.join('chat.1').here(done), 'bob here');
  assert.deepEqual(bobHere.map((u) => u.name).sort(), ['Ann', 'Bob']);
  assert.deepEqual(await joining, { name: 'Bob' });

  const whispered = eventually((done) => ann.join('chat.1').listenForWhisper('typing', done), 'whisper');
  bob.join('chat.1').whisper('typing', { name: 'Bob' });
  assert.deepEqual(await whispered, { name: 'Bob' });

  const leaving = eventually((done) => ann.join('chat.1').leaving(done), 'leaving');
  bob.leave('chat.1');
  assert.deepEqual(await leaving, { name: 'Bob' });
});
