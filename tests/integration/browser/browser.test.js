// End-to-end tests in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against the real `wsrelay serve` (WSRELAY_BIN, default build/wsrelay) on a free loopback port.
// The pages use web/wsrelay.js and web/index.html exactly as a user's browser would.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { SCALE, ARTIFACTS, RelayServer, freePort, webOrigin, startAppServer, launchBrowser } = require('./harness');
const { decodePng, imageStats } = require('./png');

let relay;   // RelayServer
let web;     // { origin, servedByRelay, close }
let browser; // { context, close }
let app;     // a second origin for "the PHP application's pages" (see appPage)

before(async () => {
  relay = new RelayServer(await freePort());
  await relay.start();
  web = await webOrigin(relay.port);
  if (!web.servedByRelay) {
    process.stderr.write(`browser tests: wsrelay does not serve /wsrelay.js yet; serving web/ from ${web.origin}\n`);
  }
  browser = await launchBrowser();
  app = await startAppServer();
});

after(async () => {
  if (browser) await browser.close();
  if (app) await app.close();
  if (web) await web.close();
  if (relay) await relay.stop();
});

const wsUrl = () => `ws://127.0.0.1:${relay.port}/`;

// The test page, as served (from wsrelay itself once it serves web/).
async function testPage() {
  const page = await browser.context.newPage();
  const url = web.servedByRelay ? `${web.origin}/` : `${web.origin}/index.html?url=${encodeURIComponent(wsUrl())}`;
  await page.goto(url);
  await page.locator('#status[data-status=open]').waitFor();
  await page.waitForFunction(() => document.getElementById('stat-client').textContent.length > 2);
  return page;
}

// A page of "the PHP application" on another origin that only includes <script src=/wsrelay.js>
// and uses the global helpers, as existing pages do; the script and the WebSocket come from the
// relay (the script from web/'s stand-in server until wsrelay serves it).
async function appPage(name, body) {
  const page = await browser.context.newPage();
  const url = `${app.origin}/${name}`;
  // When wsrelay serves the script, the default URL (the script's own origin) must just work.
  const dataUrl = web.servedByRelay ? '' : ` data-url="${wsUrl()}"`;
  const html = `<!doctype html><meta charset="utf-8"><title>${name}</title>
<script src="${web.origin}/wsrelay.js"${dataUrl}></script>
<script>
  WsRelay.configure({ initialDelay: 100, maxDelay: 500 });
  window.pageId = Math.random();
  window.acks = 0;
  window.inbound = [];
  WsRelay.shared().on('message', function (m) { window.inbound.push(m); if (m.event === 'ack') window.acks++; });
</script>
<body><table id="report"><tr><td>loading</td></tr></table>
<script>${body || ''}</script></body>`;
  app.setPage(`/${name}`, html);
  await page.goto(url);
  await page.waitForFunction(() => WsRelay.shared().status === 'open' && WsRelay.shared().clientId);
  return page;
}

// Clicks a tab of the test page and checks that only its panel is shown.
// Interactions bring the page to the front first: Chromium throttles animation frames of
// background pages, and Playwright's actionability checks wait on them (seconds per click).
async function openTab(page, label) {
  await page.bringToFront();
  await page.getByRole('tab', { name: label }).click();
  const visible = await page.locator('section.tab:not([hidden])').getAttribute('id');
  return visible;
}

async function submit(page, inputs, button) {
  await page.bringToFront();
  for (const [selector, value] of inputs) await page.fill(selector, value);
  await page.locator(button).click();
}

// For elements in a tab that is not the one shown: present in the page, if not visible.
const attached = { state: 'attached' };

const clientId = (page) => page.locator('#stat-client').textContent();

test('two pages exchange a broadcast', async () => {
  const a = await testPage();
  const b = await testPage();
  const [idA, idB] = [await clientId(a), await clientId(b)];
  assert.notEqual(idA, idB);

  await openTab(a, 'Broadcast');
  await openTab(b, 'Broadcast');
  await submit(a, [['#broadcast-input', 'hello from A']], '#broadcast-form button');
  const got = b.locator('#broadcast-feed li:not(.mine)', { hasText: 'hello from A' });
  await got.waitFor();
  assert.match(await got.textContent(), new RegExp(idA.slice(0, 8)), 'B sees who sent it');

  await submit(b, [['#broadcast-input', 'hello back from B']], '#broadcast-form button');
  await a.locator('#broadcast-feed li:not(.mine)', { hasText: 'hello back from B' }).waitFor();
  // Nobody gets their own broadcast back: each page's only copy is the one it shows as sent.
  // Proof by order (docs/protocol.md): a ping's ack comes after anything the server sent that
  // page earlier, and each page's ping is handled after its own broadcast.
  await Promise.all([a, b].map((p) => p.evaluate(() => window.relay.request('ping', {}))));
  assert.equal(await a.locator('#broadcast-feed li:not(.mine)', { hasText: 'hello from A' }).count(), 0);
  assert.equal(await b.locator('#broadcast-feed li:not(.mine)', { hasText: 'hello back from B' }).count(), 0);
  await Promise.all([a.close(), b.close()]);
});

test('room messages stay in their room across three pages', async () => {
  const pages = [await testPage(), await testPage(), await testPage()];
  const rooms = ['test-room', 'test-room', 'other-room'];
  for (let i = 0; i < 3; i++) {
    await openTab(pages[i], 'Room Chat');
    await submit(pages[i], [['#room-input', rooms[i]]], '#join-form button');
    await pages[i].locator(`#room-list .chip[data-room="${rooms[i]}"]`).waitFor();
  }
  const [one, two, three] = pages;
  await one.selectOption('#room-select', 'test-room');
  await submit(one, [['#room-message', 'for test-room only']], '#room-form button');
  await two.locator('#room-feed li:not(.mine)', { hasText: 'for test-room only' }).waitFor();

  // Proof of absence: page one's next message (a broadcast) reaches page three after anything
  // sent before it, since the server handles one connection's messages in order.
  await openTab(one, 'Broadcast');
  await submit(one, [['#broadcast-input', 'sync marker']], '#broadcast-form button');
  await three.locator('#broadcast-feed li', { hasText: 'sync marker' }).waitFor(attached);
  assert.equal(await three.locator('#room-feed', { hasText: 'for test-room only' }).count(), 0);
  const threeFrames = await three.locator('#log-body').textContent();
  assert.ok(!threeFrames.includes('for test-room only'), 'the room message never reached page three');
  await Promise.all(pages.map((p) => p.close()));
});

test("a signal sent from one page runs receiveSignal's callback on another", async () => {
  const report = await appPage('report', `
    window.refreshed = [];
    receiveSignal('ReportIncome', function (data) {
      window.refreshed.push(data);
      document.querySelector('#report td').textContent = 'total ' + data.total;
    });`);
  const reloading = await appPage('report-reloading', `receiveSignal('ReportIncome', function () { location.reload(); });`);
  const bystander = await appPage('bystander');
  // Both listeners' `listen` must be acknowledged before the signal is sent.
  await report.waitForFunction(() => window.acks >= 1);
  await reloading.waitForFunction(() => window.acks >= 1);
  const reloadingId = await reloading.evaluate(() => window.pageId);

  const sales = await appPage('sales');
  await sales.evaluate(() => sendSignal('ReportIncome', { total: 1234.5, currency: 'EUR' }));
  await report.waitForFunction(() => window.refreshed.length === 1);
  assert.deepEqual(await report.evaluate(() => window.refreshed), [{ total: 1234.5, currency: 'EUR' }]);
  assert.equal(await report.locator('#report td').textContent(), 'total 1234.5');
  const signal = await report.evaluate(() => window.inbound.find((m) => m.event === 'signal'));
  assert.equal(signal.name, 'ReportIncome');
  assert.equal(signal.from, await sales.evaluate(() => WsRelay.shared().clientId));

  // "The income report refreshes when any page saves a sale": the reload variant.
  await reloading.waitForFunction((old) => window.pageId !== old, reloadingId);

  // The bystander does not listen: it gets nothing (a later broadcast from the same sender
  // proves the signal would have arrived by then).
  await sales.evaluate(() => WsRelay.shared().broadcast('after the signal'));
  await bystander.waitForFunction(() => window.inbound.some((m) => m.event === 'broadcast'));
  assert.equal(await bystander.evaluate(() => window.inbound.filter((m) => m.event === 'signal').length), 0);
  await Promise.all([report, reloading, bystander, sales].map((p) => p.close()));
});

test('after a server restart the page reconnects by itself and gets the next signal', async () => {
  const report = await appPage('report-restart', `
    window.refreshed = [];
    window.statuses = [];
    WsRelay.shared().on('status', function (s) { window.statuses.push(s.status); });
    receiveSignal('ReportIncome', function (data) { window.refreshed.push(data); });`);
  await report.waitForFunction(() => window.acks >= 1);
  const pageId = await report.evaluate(() => window.pageId);
  const firstClient = await report.evaluate(() => WsRelay.shared().clientId);

  await relay.stop();
  await report.waitForFunction(() => window.statuses.includes('reconnecting'));
  await relay.start();
  // Back on a new connection, with the listener registered again (a second ack).
  await report.waitForFunction(() => WsRelay.shared().status === 'open' && window.acks >= 2, null, { timeout: 15000 * SCALE });
  assert.notEqual(await report.evaluate(() => WsRelay.shared().clientId), firstClient, 'a new connection');

  const sales = await appPage('sales-restart');
  await sales.evaluate(() => sendSignal('ReportIncome', { total: 99 }));
  await report.waitForFunction(() => window.refreshed.length === 1);
  assert.deepEqual(await report.evaluate(() => window.refreshed), [{ total: 99 }]);
  assert.equal(await report.evaluate(() => window.pageId), pageId, 'the page was not reloaded');
  // closed, reconnecting, then (after any failed attempts while the server was down) open.
  const statuses = await report.evaluate(() => window.statuses);
  const sinceDrop = statuses.slice(statuses.indexOf('closed'));
  assert.deepEqual(sinceDrop.slice(0, 3), ['closed', 'reconnecting', 'connecting'], statuses.join());
  assert.deepEqual(sinceDrop.slice(-2), ['connecting', 'open'], statuses.join());
  await Promise.all([report.close(), sales.close()]);
});

test('the ES module entry point works in the browser', async () => {
  // A page of another origin imports the module: browsers require CORS for that.
  const head = await fetch(`${web.origin}/wsrelay.mjs`, { headers: { origin: app.origin } });
  assert.equal(head.status, 200, 'GET /wsrelay.mjs');
  assert.match(head.headers.get('content-type') || '', /javascript/, 'a JavaScript content type');
  assert.ok(head.headers.get('access-control-allow-origin'),
    'GET /wsrelay.mjs needs Access-Control-Allow-Origin: pages of other origins import it as a module');
  const page = await browser.context.newPage();
  const url = `${app.origin}/module-page`;
  const html = `<!doctype html><meta charset="utf-8"><title>module</title>
<script type="module">
  import WsRelay, { sendSignal, receiveSignal } from '${web.origin}/wsrelay.mjs';
  const relay = new WsRelay('${wsUrl()}');
  relay.on('echo', (m) => { window.echoed = m.original_message; });
  relay.on('open', () => relay.send('message', { message: 'from a module' }));
  window.moduleOk = typeof sendSignal === 'function' && typeof receiveSignal === 'function' && WsRelay === window.WsRelay;
</script>`;
  app.setPage('/module-page', html);
  await page.goto(url);
  await page.waitForFunction(() => window.echoed === 'from a module');
  assert.equal(await page.evaluate(() => window.moduleOk), true);
  await page.close();
});

test('every tab of the test page works, and the screenshot is not blank', async () => {
  const page = await testPage();
  const peer = await testPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));

  // Simple Messages: the server echoes.
  assert.equal(await openTab(page, 'Simple Messages'), 'tab-messages');
  await submit(page, [['#echo-input', 'ping 1']], '#echo-form button');
  await page.locator('#echo-feed li:not(.mine)', { hasText: 'ping 1' }).waitFor();

  // Broadcast: the other page gets it.
  assert.equal(await openTab(page, 'Broadcast'), 'tab-broadcast');
  await submit(page, [['#broadcast-input', 'hi all']], '#broadcast-form button');
  await peer.locator('#broadcast-feed li', { hasText: 'hi all' }).waitFor(attached);

  // Room Chat: join two rooms (the list updates), talk in one, leave it (the list updates).
  assert.equal(await openTab(page, 'Room Chat'), 'tab-rooms');
  await openTab(peer, 'Room Chat');
  for (const room of ['support', 'sales']) {
    await submit(page, [['#room-input', room]], '#join-form button');
    await page.locator(`#room-list .chip[data-room="${room}"]`).waitFor();
  }
  await submit(peer, [['#room-input', 'support']], '#join-form button');
  const peerShort = (await clientId(peer)).slice(0, 8);
  // Presence: the page shows ids shortened ("0123abcd… joined").
  await page.locator('#room-feed li.notice', { hasText: new RegExp(`#support${peerShort}\\S* joined`) }).waitFor();
  await page.selectOption('#room-select', 'support');
  await submit(page, [['#room-message', 'need help']], '#room-form button');
  await peer.locator('#room-feed li:not(.mine)', { hasText: 'need help' }).waitFor();
  await page.bringToFront();
  await page.locator('#room-list .chip[data-room="support"] button').click();
  await page.locator('#room-list .chip[data-room="support"]').waitFor({ state: 'detached' });
  await peer.locator('#room-feed li.notice', { hasText: new RegExp(`#support${(await clientId(page)).slice(0, 8)}\\S* left`) }).waitFor();
  assert.equal(await page.locator('#room-list .chip[data-room="sales"]').count(), 1);
  assert.equal(await page.locator('#stat-rooms').textContent(), String(await page.locator('#room-list .chip').count()));

  // Signals: the peer listens, this page fires.
  assert.equal(await openTab(page, 'Signals'), 'tab-signals');
  await openTab(peer, 'Signals');
  await submit(peer, [['#listen-input', 'Ping']], '#listen-form button');
  await peer.locator('#signal-list .chip[data-signal="Ping"]').waitFor();
  // The server has registered the listener once its ack is in.
  await peer.locator('#log-body tr.in', { hasText: '"request":"listen"' }).waitFor(attached);
  await submit(page, [['#signal-name', 'Ping'], ['#signal-data', '{"n":1}']], '#signal-form button');
  await peer.locator('#signal-feed li:not(.mine)', { hasText: '{"n":1}' }).waitFor();

  // Logs: frames both ways, with times.
  assert.equal(await openTab(page, 'Logs'), 'tab-logs');
  const outRows = await page.locator('#log-body tr.out').count();
  const inRows = await page.locator('#log-body tr.in').count();
  assert.ok(outRows >= 5 && inRows >= 5, `logged ${outRows} out / ${inRows} in`);
  assert.match(await page.locator('#log-body tr.out td').first().textContent(), /^\d\d:\d\d:\d\d$/);
  assert.ok((await page.locator('#log-body').textContent()).includes('"event":"welcome"'));

  // Stats: counters match the log, and the uptime runs.
  assert.equal(await page.locator('#stat-status').textContent(), 'open');
  assert.equal(Number(await page.locator('#stat-sent').textContent()), outRows);
  assert.equal(Number(await page.locator('#stat-received').textContent()), inRows);
  await page.waitForFunction(() => /\d+h \d\dm \d\ds/.test(document.getElementById('stat-uptime').textContent));

  // Disconnect / Connect and the status indicator.
  await page.bringToFront();
  await page.locator('#disconnect').click();
  await page.locator('#status[data-status=closed]').waitFor();
  await page.locator('#connect').click();
  await page.locator('#status[data-status=open]').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#log-body tr.in').length > 0);

  // A screenshot of the page with content in it, kept as an artifact and checked for content.
  await openTab(page, 'Room Chat');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'test-page.png');
  await page.screenshot({ path: file, fullPage: true });
  const shot = decodePng(fs.readFileSync(file));
  const stats = imageStats(shot);
  assert.ok(shot.width >= 1000 && shot.height >= 600, `screenshot is ${shot.width}x${shot.height}`);
  assert.ok(stats.variance > 200 && stats.colours > 50, `screenshot looks blank: ${JSON.stringify(stats)}`);

  // The same check really tells a blank page apart.
  const blankPage = await browser.context.newPage();
  await blankPage.setContent('<body style="background:#fff"></body>');
  const blank = imageStats(decodePng(await blankPage.screenshot()));
  assert.ok(!(blank.variance > 200 && blank.colours > 50), `a blank page passed the check: ${JSON.stringify(blank)}`);
  await blankPage.close();

  assert.deepEqual(errors, [], 'no script errors on the page');
  await Promise.all([page.close(), peer.close()]);
});
