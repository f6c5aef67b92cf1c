// The test page (web/index.html) in headless Chromium against the real `wsrelay serve`
// (issue 17): the token field and ?token=, a status that says "authenticating" / "auth failed:
// <reason>" instead of a green "open" that silently fails, the page's sendSignal on its own
// connection, the Logs tab newest first, the room feed filter, "Reconnects" counting successful
// reconnections only, and the favicon.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const { SCALE, RelayServer, freePort, launchBrowser, sleep } = require('./harness');

const SECRET = 'browser-suite-secret-0123456789abcdef0123';

function b64url(data) {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function mintToken(sub, secret = SECRET) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${b64url(JSON.stringify({ sub, iat: now, exp: now + 600 }))}`;
  return `${input}.${b64url(crypto.createHmac('sha256', secret).update(input).digest())}`;
}

function getJson(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

let browser;
let plain;   // wsrelay serve
let authed;  // wsrelay serve with auth_enabled

before(async () => {
  plain = new RelayServer(await freePort());
  authed = new RelayServer(await freePort(), ['--auth-enabled', 'true', '--auth-secret', SECRET, '--auth-timeout', '2']);
  await Promise.all([plain.start(), authed.start()]);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  await Promise.all([plain && plain.stop(), authed && authed.stop()]);
});

// Opens the test page served by `server`, recording every status the pill shows.
async function openPage(server, query = '') {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.shownStatuses = [];
    document.addEventListener('DOMContentLoaded', () => {
      const pill = document.getElementById('status');
      const record = () => window.shownStatuses.push(`${pill.dataset.status}|${document.getElementById('status-text').textContent}`);
      record();
      new MutationObserver(record).observe(pill, { attributes: true, subtree: true, childList: true, characterData: true });
    });
  });
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  await page.goto(`http://127.0.0.1:${server.port}/${query}`);
  return page;
}

const statusOf = async (page) => ({
  status: await page.locator('#status').getAttribute('data-status'),
  text: await page.locator('#status-text').textContent(),
});

test('?token= fills the token field; the status is "authenticating" until the server accepts it, then open', async () => {
  const token = mintToken('ann');
  const page = await openPage(authed, `?token=${encodeURIComponent(token)}`);
  assert.equal(await page.locator('#token').inputValue(), token);
  await page.locator('#status[data-status=open]').waitFor();
  await page.locator('#log-body tr.in', { hasText: '"event":"authenticated"' }).waitFor({ state: 'attached' });
  const shown = await page.evaluate(() => window.shownStatuses);
  // Green only after the server said `authenticated`; "authenticating" in between.
  const firstOpen = shown.findIndex((s) => s.startsWith('open|'));
  const authenticating = shown.findIndex((s) => s.startsWith('authenticating|'));
  assert.ok(authenticating >= 0 && authenticating < firstOpen, shown.join(' / '));
  assert.equal(await page.locator('#stat-status').textContent(), 'open');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a refused token shows "auth failed: Invalid authentication" and stops retrying', async () => {
  const page = await openPage(authed, `?token=${encodeURIComponent(mintToken('ann', 'another-secret-0123456789abcdef0123456'))}`);
  await page.locator('#status[data-status=auth_failed]').waitFor();
  assert.deepEqual(await statusOf(page), { status: 'auth_failed', text: 'auth failed: Invalid authentication' });
  const shown = await page.evaluate(() => window.shownStatuses);
  assert.ok(!shown.some((s) => s.startsWith('open|')), `never green: ${shown.join(' / ')}`);
  // No reconnect loop with the same token.
  await sleep(1500 * SCALE);
  assert.equal((await statusOf(page)).status, 'auth_failed');
  assert.equal(await page.locator('#stat-reconnects').textContent(), '0');
  // A good token in the field, Connect: authenticated.
  await page.fill('#token', mintToken('ann'));
  await page.locator('#connect').click();
  await page.locator('#status[data-status=open]').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('without a token on an auth server the page asks for one, then reports the timeout', async () => {
  const page = await openPage(authed);
  await page.locator('#status[data-status=authenticating]').waitFor();
  assert.equal((await statusOf(page)).text, 'authenticating (enter a token)');
  // auth_timeout is 2 s on this server.
  await page.locator('#status[data-status=auth_failed]').waitFor({ timeout: 10000 * SCALE });
  assert.equal((await statusOf(page)).text, 'auth failed: Authentication timeout');
  await page.close();
});

test("the page's sendSignal and receiveSignal use the page's own connection", async () => {
  const page = await openPage(plain);
  await page.locator('#status[data-status=open]').waitFor();
  await page.getByRole('tab', { name: 'Signals' }).click();
  await page.fill('#listen-input', 'Ping');
  await page.locator('#listen-form button').click();
  await page.locator('#log-body tr.in', { hasText: '"request":"listen"' }).waitFor({ state: 'attached' });
  // From the console (or a script on the page), as wsrelay.js's globals are used elsewhere.
  await page.evaluate(() => window.sendSignal('Ping', { n: 2 }));
  await page.locator('#signal-feed li:not(.mine)', { hasText: '{"n":2}' }).waitFor();
  const got = await page.evaluate(() => new Promise((resolve) => {
    const off = window.receiveSignal('Pong', (data) => { off(); resolve(data); });
    setTimeout(() => window.sendSignal('Pong', 'back'), 200);
  }));
  assert.equal(got, 'back');
  // One connection: the page's. wsrelay.js's shared connection was never opened.
  assert.equal(JSON.parse((await getJson(plain.port, '/stats')).body).clients, 1);
  assert.equal(await page.evaluate(() => WsRelay.shared === undefined || typeof WsRelay.shared), 'function');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the Logs tab shows the newest frame first', async () => {
  const page = await openPage(plain);
  await page.locator('#status[data-status=open]').waitFor();
  for (const text of ['first-message', 'second-message']) {
    await page.fill('#echo-input', text);
    await page.locator('#echo-form button').click();
    await page.locator('#echo-feed li:not(.mine)', { hasText: text }).waitFor();
  }
  const rows = await page.locator('#log-body tr').allTextContents();
  const first = rows.findIndex((r) => r.includes('first-message'));
  const second = rows.findIndex((r) => r.includes('second-message'));
  assert.ok(second >= 0 && first > second, `newest first: ${rows.slice(0, 6).join(' | ')}`);
  assert.ok(rows[rows.length - 1].includes('"event":"welcome"') || rows.some((r) => r.includes('welcome')));
  await page.close();
});

test('the room feed can be filtered per room', async () => {
  const page = await openPage(plain);
  const peer = await openPage(plain);
  await page.locator('#status[data-status=open]').waitFor();
  await peer.locator('#status[data-status=open]').waitFor();
  await page.getByRole('tab', { name: 'Room Chat' }).click();
  for (const room of ['support', 'sales']) {
    await page.fill('#room-input', room);
    await page.locator('#join-form button').click();
    await page.locator(`#room-list .chip[data-room="${room}"]`).waitFor();
  }
  // Another client talks in both rooms.
  await peer.evaluate(() => Promise.all([relay.joinRoom('support'), relay.joinRoom('sales')]));
  await peer.evaluate(() => { relay.roomMessage('support', 'need help'); relay.roomMessage('sales', 'want to buy'); });
  await page.locator('#room-feed li', { hasText: 'want to buy' }).waitFor();
  await page.locator('#room-feed li', { hasText: 'need help' }).waitFor();

  await page.selectOption('#room-filter', 'sales');
  assert.ok(await page.locator('#room-feed li', { hasText: 'want to buy' }).isVisible());
  assert.ok(await page.locator('#room-feed li', { hasText: 'need help' }).isHidden());
  // New messages obey the filter as they arrive.
  await peer.evaluate(() => relay.roomMessage('support', 'more help'));
  await page.locator('#room-feed li', { hasText: 'more help' }).waitFor({ state: 'attached' });
  assert.ok(await page.locator('#room-feed li', { hasText: 'more help' }).isHidden());
  const visibleRooms = await page.locator('#room-feed li:not([hidden])').evaluateAll((lis) => lis.map((li) => li.dataset.room));
  assert.ok(visibleRooms.length > 0 && visibleRooms.every((r) => r === 'sales'), visibleRooms.join());
  await page.selectOption('#room-filter', '');
  assert.ok(await page.locator('#room-feed li', { hasText: 'more help' }).isVisible());
  assert.deepEqual(page.errors, []);
  await Promise.all([page.close(), peer.close()]);
});

test('"Reconnects" counts reconnections that worked, not attempts', async () => {
  const server = new RelayServer(await freePort());
  await server.start();
  try {
    const page = await openPage(server);
    await page.locator('#status[data-status=open]').waitFor();
    assert.equal(await page.locator('#stat-reconnects').textContent(), '0');
    await server.stop();
    // Several failed attempts while the server is down (backoff starts at 0.5 s).
    await page.waitForFunction(() => window.relay.stats.reconnects >= 3, null, { timeout: 20000 * SCALE });
    assert.equal(await page.locator('#stat-reconnects').textContent(), '0');
    await server.start();
    await page.locator('#status[data-status=open]').waitFor({ timeout: 20000 * SCALE });
    await page.waitForFunction(() => document.getElementById('stat-reconnects').textContent === '1');
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    await server.stop();
  }
});

test('the page has a favicon, served from web/', async () => {
  const page = await openPage(plain);
  const href = await page.evaluate(() => document.querySelector('link[rel=icon]').href);
  assert.equal(href, `http://127.0.0.1:${plain.port}/favicon.svg`);
  const icon = await getJson(plain.port, '/favicon.svg');
  assert.equal(icon.status, 200);
  assert.equal(icon.headers['content-type'], 'image/svg+xml');
  assert.match(icon.body, /^<svg /);
  await page.close();
});
