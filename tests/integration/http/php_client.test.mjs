// docs/backend.md's PHP client (the CodeIgniter library class) is run as written against the
// real server: the code block is cut out of the document, so the documentation cannot drift
// from what works. Skipped when php or its curl extension is missing (Debian: php-cli php-curl).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, repoRoot } from '../interop/server.mjs';
import { RelayClient } from '../app/relay_client.mjs';
import { API_KEY } from './http_helpers.mjs';

function phpWithCurl() {
  try {
    return execFileSync('php', ['-m'], { encoding: 'utf8' }).split('\n').some((m) => m.trim() === 'curl');
  } catch {
    return false;
  }
}

// The ```php block that follows the line naming `file` in docs/backend.md.
function phpBlockFor(file) {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'backend.md'), 'utf8');
  const at = doc.indexOf(`\`${file}\`:`);
  assert.ok(at >= 0, `docs/backend.md has no block for ${file}`);
  const start = doc.indexOf('```php\n', at) + '```php\n'.length;
  return doc.slice(start, doc.indexOf('\n```', start));
}

const available = phpWithCurl();
let server;
let dir;
const clients = [];

before(async () => {
  if (!available) return;
  server = await startServer(['serve', '--api-key', API_KEY]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsrelay-php-'));
  fs.writeFileSync(path.join(dir, 'WsRelay.php'), phpBlockFor('app/Libraries/WsRelay.php'));
  fs.writeFileSync(path.join(dir, 'run.php'), `<?php
require __DIR__ . '/WsRelay.php';
use App\\Libraries\\WsRelay;
[$script, $url, $key, $clientId] = $argv;
$relay = new WsRelay($url, $key);
$out = [
    'signal' => $relay->signal('ReportIncome', ['month' => '2024-05']),
    'publish' => $relay->publish('php-room', 'from php'),
    'send' => $relay->send($clientId, ['text' => 'direct from php']),
    'room' => $relay->room('php-room'),
    'missing' => $relay->room('no-such-room'),
    'rooms' => array_column($relay->rooms(), 'members', 'name'),
    'broadcast' => $relay->broadcast('hello everyone'),
];
try {
    (new WsRelay($url, 'wrong-key'))->signal('x');
} catch (RuntimeException $e) {
    $out['wrong_key'] = [$e->getCode(), $e->getMessage()];
}
try {
    $relay->signal('');
} catch (RuntimeException $e) {
    $out['bad_name'] = [$e->getCode(), $e->getMessage()];
}
echo json_encode($out);
`);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the CodeIgniter WsRelay library from docs/backend.md works as written', { skip: !available && 'php with the curl extension is not installed' }, async () => {
  const page = await RelayClient.connect(server.url);
  clients.push(page);
  await page.request('listen', { name: 'ReportIncome' });
  await page.request('join_room', { room: 'php-room' });
  const stdout = await new Promise((resolve, reject) => {
    execFile('php', [path.join(dir, 'run.php'), `http://127.0.0.1:${server.port}/`, API_KEY, page.id],
      { encoding: 'utf8' }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
  });
  const out = JSON.parse(stdout);
  assert.equal(out.signal, 1);
  assert.equal(out.publish, 1);
  assert.equal(out.send, 1);
  assert.ok(out.broadcast >= 1);
  assert.deepEqual(out.room.clients, [page.id]);
  assert.equal(out.missing, null);
  assert.equal(out.rooms['php-room'], 1);
  assert.equal(out.wrong_key[0], 401);
  assert.match(out.wrong_key[1], /unauthorized/);
  assert.equal(out.bad_name[0], 400);
  assert.match(out.bad_name[1], /invalid_name/);

  assert.deepEqual((await page.nextEvent('signal')).data, { month: '2024-05' });
  assert.equal((await page.nextEvent('room_message')).message, 'from php');
  assert.deepEqual((await page.nextEvent('direct')).message, { text: 'direct from php' });
  assert.equal((await page.nextEvent('broadcast')).message, 'hello everyone');
});
