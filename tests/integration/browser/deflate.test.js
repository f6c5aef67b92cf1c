// permessage-deflate in a real browser: headless Chromium offers it by default
// ("permessage-deflate; client_max_window_bits"), so every browser client of wsrelay serve
// compresses. The page's own WebSocket reports what was negotiated; /stats shows that both
// directions really were compressed and that the JSON protocol round trip survived it.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { RelayServer, freePort, launchBrowser } = require('./harness');

let relay;
let browser;

before(async () => {
  relay = new RelayServer(await freePort());
  await relay.start();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (relay) await relay.stop();
});

async function compressionStats() {
  const res = await fetch(`http://127.0.0.1:${relay.port}/stats`);
  return (await res.json()).compression;
}

test('Chromium negotiates permessage-deflate and large JSON events travel compressed both ways', async () => {
  const page = await browser.context.newPage();
  // A page of the relay's own origin (about:blank would send Origin: null).
  await page.goto(`http://127.0.0.1:${relay.port}/health`);
  const before = await compressionStats();
  const result = await page.evaluate(async (url) => {
    const ws = new WebSocket(url);
    const inbox = [];
    let wake = null;
    ws.onmessage = (e) => { inbox.push(JSON.parse(e.data)); if (wake) wake(); };
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const next = async (pred) => {
      for (let tries = 0; tries < 100; tries++) {
        const i = inbox.findIndex(pred);
        if (i >= 0) return inbox.splice(i, 1)[0];
        await new Promise((r) => { wake = r; setTimeout(r, 100); });
      }
      throw new Error('no matching event; got ' + JSON.stringify(inbox).slice(0, 300));
    };
    await next((m) => m.event === 'welcome');
    const big = Array.from({ length: 400 }, (_, i) => ({ id: i, name: 'row ' + (i % 17), price: i * 1.5 }));
    ws.send(JSON.stringify({ event: 'message', message: big }));
    const echo = await next((m) => m.event === 'echo');
    ws.close(1000);
    return { extensions: ws.extensions, same: JSON.stringify(echo.original_message) === JSON.stringify(big) };
  }, `ws://127.0.0.1:${relay.port}/`);
  await page.close();
  assert.equal(result.extensions, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover');
  assert.equal(result.same, true);
  const after = await compressionStats();
  assert.ok(after.connections_total > before.connections_total);
  assert.ok(after.messages.in > before.messages.in, 'Chromium sent compressed');
  assert.ok(after.messages.out > before.messages.out, 'the server answered compressed');
  const wireOut = after.wire_bytes.out - before.wire_bytes.out;
  const plainOut = after.bytes.out - before.bytes.out;
  assert.ok(wireOut * 3 < plainOut, `${wireOut} vs ${plainOut}`);
});
