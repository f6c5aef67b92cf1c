// The application's .env read by the real binary: Laravel 11's and CodeIgniter 4's sample
// files (fixtures/) with WEBSOCKET_* lines added, aliases and other packages' names, the
// one-message report of unknown names, file:line in errors, and the real environment's rank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RelayClient } from '../app/relay_client.mjs';
import { fixtures, freePort, run, startOn, tempDir } from './config_helpers.mjs';

function envFile(t, fixture, port, append = '') {
  const dir = tempDir(t);
  const file = path.join(dir, '.env');
  fs.writeFileSync(file, fs.readFileSync(path.join(fixtures, fixture), 'utf8').replace('__PORT__', String(port)) + append);
  return file;
}

function lineOf(file, text) {
  return fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith(text)) + 1;
}

async function apiStatus(port, key) {
  const response = await fetch(`http://127.0.0.1:${port}/api/rooms`, { headers: { Authorization: `Bearer ${key}` } });
  await response.text();
  return response.status;
}

for (const [fixture, room, apiKey, warned] of [
  ['laravel.env', 'Laravel lobby', 'k3y#with$hash-and-${NOT_EXPANDED}', 'WEBSOCKET_ENABLED'],
  ['codeigniter.env', 'ci lobby', 'ci-key-0123456789abcdef', 'WEBSOCKET_ERROR_LOG'],
]) {
  test(`serve --env-file with ${fixture}: host=localhost, port, room, API key from the file`, async (t) => {
    const port = await freePort();
    const file = envFile(t, fixture, port);
    const server = await startOn(t, port, ['serve', '--env-file', file]);
    const client = await RelayClient.connect(`ws://127.0.0.1:${port}/`);
    t.after(() => client.ws.close());
    const joined = await client.next((m) => m.event === 'room_joined');
    assert.equal(joined.room, room);
    assert.equal(await apiStatus(port, apiKey), 200);
    assert.equal(await apiStatus(port, 'wrong'), 401);
    // Other packages' names: one warning line, no error; nothing about the app's own names.
    const warnings = server.log().split('\n').filter((l) => l.includes('other WebSocket packages'));
    assert.equal(warnings.length, 1, server.log());
    assert.match(warnings[0], new RegExp(`${warned} \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+\\)`));
    assert.doesNotMatch(server.log(), /APP_NAME|CI_ENVIRONMENT|app\.baseURL|unknown/);
  });
}

test('check-config names the .env line of each value, and the real environment wins', (t) => {
  // TLS off on purpose: the certificate path is kept (with a warning) and not opened.
  const file = envFile(t, 'laravel.env', 9123, 'WEBSOCKET_SSL_CERT=/srv/tls/cert.pem\nWEBSOCKET_SSL_ENABLED=false\n');
  const { status, stdout, stderr } = run(['check-config', '--env-file', file, '--table'], { WEBSOCKET_DEFAULT_ROOM: 'from-env' });
  assert.equal(status, 0, stderr);
  const row = (key) => stdout.split('\n').find((l) => l.startsWith(`${key} `)) || '';
  assert.match(row('port'), new RegExp(`= 9123 .*# ${file}:${lineOf(file, 'WEBSOCKET_PORT')} WEBSOCKET_PORT$`));
  assert.match(row('host'), /= 127\.0\.0\.1 .*WEBSOCKET_HOST$/);
  assert.match(row('default_room'), /= from-env .*# env WEBSOCKET_DEFAULT_ROOM$/);
  assert.match(row('ssl_cert_path'), new RegExp(`= /srv/tls/cert.pem .*# ${file}:${lineOf(file, 'WEBSOCKET_SSL_CERT')} WEBSOCKET_SSL_CERT \\(alias\\)$`));
  assert.match(row('api_key'), /= \(set, hidden\)/);
  assert.doesNotMatch(stdout, /k3y#with/);
  assert.match(row('env_file'), new RegExp(`= ${file} .*# flag --env-file$`));
});

test('WEBSOCKET_ENV_FILE names the file too; the alias in the real environment is shown as such', (t) => {
  const file = envFile(t, 'codeigniter.env', 9124);
  const { status, stdout, stderr } = run(['check-config', '--table'], { WEBSOCKET_ENV_FILE: file, WEBSOCKET_SSL_KEY: '/k.pem', WEBSOCKET_SSL: 'off' });
  assert.equal(status, 0, stderr);
  assert.match(stdout, /^port +?= 9124 /m);
  assert.match(stdout, /^ssl_key_path += \/k\.pem +# env WEBSOCKET_SSL_KEY \(alias\)$/m);
});

test('unknown names from the environment and the .env file: ONE error with a line to paste', (t) => {
  const file = envFile(t, 'laravel.env', 9125, 'WEBSOCKET_PROT=9000\nWEBSOCKET_FRONTEND_URL=wss://x\n');
  const first = run(['check-config', '--env-file', file], { WEBSOCKET_MAX_CLIENT: '5' });
  assert.equal(first.status, 2);
  // Other packages' names are one warning line; the unknown names are ONE error line.
  const lines = first.stderr.trim().split('\n').filter((l) => !l.startsWith('wsrelay: warning:') && !l.includes('check-config:'));
  assert.equal(lines.length, 1, first.stderr);
  assert.match(lines[0], /WEBSOCKET_MAX_CLIENT \(env; did you mean WEBSOCKET_MAX_CLIENTS\?\)/);
  assert.match(lines[0], new RegExp(`WEBSOCKET_PROT \\(${file}:${lineOf(file, 'WEBSOCKET_PROT')}; did you mean WEBSOCKET_PORT\\?\\)`));
  const paste = lines[0].match(/(WEBSOCKET_IGNORE_ENV=\S+)$/);
  assert.ok(paste, lines[0]);
  assert.equal(paste[1], 'WEBSOCKET_IGNORE_ENV=WEBSOCKET_MAX_CLIENT,WEBSOCKET_PROT,WEBSOCKET_FRONTEND_URL');
  // Pasting that line into the .env makes the configuration valid.
  fs.appendFileSync(file, `${paste[1]}\n`);
  const second = run(['check-config', '--env-file', file], { WEBSOCKET_MAX_CLIENT: '5' });
  assert.equal(second.status, 0, second.stderr);
});

test('errors in the .env name the file and the line; a missing file is an error', (t) => {
  const file = envFile(t, 'codeigniter.env', 9126, 'WEBSOCKET_MAX_CLIENTS = lots\nWEBSOCKET_RATE_LIMIT = "unclosed\n');
  const bad = run(['serve', '--env-file', file]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, new RegExp(`${file}:${lineOf(file, 'WEBSOCKET_MAX_CLIENTS')} WEBSOCKET_MAX_CLIENTS: max_clients: 'lots' is not a whole number`));
  assert.match(bad.stderr, new RegExp(`${file}:${lineOf(file, 'WEBSOCKET_RATE_LIMIT')}: WEBSOCKET_RATE_LIMIT: the double quote opened here is never closed`));
  const missing = run(['serve', '--env-file', '/nonexistent/.env']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /flag --env-file: env_file: cannot read env file \/nonexistent\/\.env: No such file or directory/);
});

test('host: localhost is the IPv4 loopback, other host names are refused', async (t) => {
  const port = await freePort();
  await startOn(t, port, ['serve', '--host', 'localhost', '--port', String(port)]);
  const refused = run(['serve', '--host', 'example.com']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /flag --host: 'example\.com' is not an IP address; host names are not resolved/);
});
