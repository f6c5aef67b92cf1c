// The embeddable API, through its example: build/examples/dice_server adds a `roll_dice` event
// and a `connection` hook on top of the built-in protocol. Driven by Node's `ws`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot, timeoutScale } from '../interop/server.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

const binary = path.join(repoRoot, process.env.BUILD || 'build', 'examples', 'dice_server');

async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function startDice() {
  const port = await freePort();
  const proc = spawn(binary, [`port=${port}`, 'host=127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 10000 * timeoutScale;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`dice_server did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, proc, log: () => log };
}

// A client that collects every event, with a helper to wait for the next one matching `pred`.
function connect(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  const events = [];
  const waiters = [];
  ws.on('message', (data) => {
    const event = JSON.parse(data.toString());
    const i = waiters.findIndex((w) => w.pred(event));
    if (i >= 0) waiters.splice(i, 1)[0].resolve(event);
    else events.push(event);
  });
  const next = (pred, what) => {
    const i = events.findIndex(pred);
    if (i >= 0) return Promise.resolve(events.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 5000 * timeoutScale);
      waiters.push({ pred, resolve: (e) => { clearTimeout(timer); resolve(e); } });
    });
  };
  return { ws, next, opened: new Promise((r) => ws.once('open', r)) };
}

test('custom event, connection hook and built-in events work together', async () => {
  const server = await startDice();
  try {
    const a = connect(server.port);
    const b = connect(server.port);
    await Promise.all([a.opened, b.opened]);
    const welcome = await a.next((e) => e.event === 'welcome', 'welcome');
    const ready = await a.next((e) => e.event === 'dice_ready', 'dice_ready');
    assert.equal(ready.client_id, welcome.client_id, 'the connection hook sees the same client id');

    a.ws.send(JSON.stringify({ event: 'roll_dice', sides: 20, id: 7 }));
    const ack = await a.next((e) => e.event === 'ack' && e.id === 7, 'ack for roll_dice');
    assert.equal(ack.id, 7);
    for (const c of [a, b]) {
      const dice = await c.next((e) => e.event === 'dice', 'dice result');
      assert.equal(dice.client_id, welcome.client_id);
      assert.equal(dice.sides, 20);
      assert.ok(Number.isInteger(dice.value) && dice.value >= 1 && dice.value <= 20, `value ${dice.value}`);
    }

    a.ws.send(JSON.stringify({ event: 'roll_dice', sides: 1, id: 8 }));
    const refused = await a.next((e) => e.event === 'error' && e.id === 8, 'error for sides=1');
    assert.equal(refused.code, 'invalid_field');

    // Built-in events are untouched by the embedding.
    a.ws.send(JSON.stringify({ event: 'message', message: 'still here' }));
    const echo = await a.next((e) => e.event === 'echo', 'echo');
    assert.equal(echo.original_message, 'still here');

    a.ws.close();
    b.ws.close();
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
  }
});

test('invalid settings are refused at start with the key named', async () => {
  const proc = spawn(binary, ['port=notaport'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((r) => proc.once('exit', r));
  assert.equal(code, 2);
  assert.match(err, /port/);
});
