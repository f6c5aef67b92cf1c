// The command line as a new user meets it: --help that never cuts a sentence, a suggestion for
// a mistyped command, check-config's TLS file checks (errors first, the table on request), TLS
// paths without ssl_enabled, and bind failures that say what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makePki } from '../tls/tls_helpers.mjs';
import { binaryPath, run, tempDir } from './config_helpers.mjs';
import { spawnSync } from 'node:child_process';

test('--help wraps at 100 columns and keeps every sentence of every key', () => {
  const { status, stdout } = run(['--help']);
  assert.equal(status, 0);
  for (const line of stdout.split('\n')) assert.ok(line.length <= 100, `too wide: ${line}`);
  const joined = stdout.split('\n').map((l) => l.trim()).join(' ').replace(/ +/g, ' ');
  assert.match(joined, /--host ADDRESS Address to listen on\. 0\.0\.0\.0 or :: listens on every interface; localhost means 127\.0\.0\.1; other host names are not resolved\. \[127\.0\.0\.1\]/);
  assert.match(joined, /Must be less than ping_interval when both are above 0\. \[10\]/);
  assert.match(joined, /--log-path PATH Where logs go\. Empty = stderr\. A folder/);
  assert.match(joined, /--env-file PATH The application's \.env file/);
});

test('a mistyped command suggests the closest one', () => {
  for (const [typed, meant] of [['serv', 'serve'], ['chek-config', 'check-config'], ['check', 'check-config'], ['pubilsh', 'publish'], ['ecoh', 'echo']]) {
    const { status, stderr } = run([typed]);
    assert.equal(status, 2);
    assert.equal(stderr, `wsrelay: unknown command '${typed}': did you mean ${meant}? (try --help)\n`);
  }
  const far = run(['frobnicate']);
  assert.equal(far.status, 2);
  assert.equal(far.stderr, "wsrelay: unknown command 'frobnicate' (try --help)\n");
});

test('ssl_cert_path and ssl_key_path without ssl_enabled: an error that says what to add', () => {
  const { status, stdout, stderr } = run(['serve', '--ssl-cert-path', '/c.pem', '--ssl-key-path', '/k.pem']);
  assert.equal(status, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /flag --ssl-cert-path: ssl_cert_path: is set but ssl_enabled is not: add ssl_enabled = true \(WEBSOCKET_SSL_ENABLED=true, --ssl-enabled\)/);
  // Explicitly off: a warning, and the server would run plain.
  const off = run(['check-config', '--ssl-cert-path', '/c.pem', '--ssl-enabled', 'false']);
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stderr, /warning: flag --ssl-cert-path: ssl_cert_path: is set but ssl_enabled is false \(flag --ssl-enabled\)/);
});

test('check-config loads the certificate and key: missing, not PEM, mismatched -> exit 2, errors first', async (t) => {
  const pki = await makePki();
  t.after(() => pki.remove());
  await pki.addLeaf('other', '2002', 'other');
  const tls = (cert, key, extra = []) => run(['check-config', '--ssl-enabled', '--ssl-cert-path', cert, '--ssl-key-path', key, ...extra]);

  const good = tls(pki.file('fullchain.pem'), pki.file('server.key'));
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /^ssl_enabled +?= true +# flag --ssl-enabled$/m);
  assert.match(good.stdout, /\nTLS: certificate and key load: CN=wsrelay test server, serial 2001, expires /);

  const dir = tempDir(t);
  const garbage = path.join(dir, 'garbage.pem');
  fs.writeFileSync(garbage, 'this is not a certificate\n');
  for (const [cert, key, why] of [
    [path.join(dir, 'missing.pem'), pki.file('server.key'), /missing\.pem: No such file or directory/],
    [pki.file('server.pem'), path.join(dir, 'missing.key'), /missing\.key: No such file or directory/],
    [garbage, pki.file('server.key'), /garbage\.pem/],
    [pki.file('server.pem'), pki.file('other.key'), /does not match/],
  ]) {
    const bad = tls(cert, key);
    assert.equal(bad.status, 2, `${cert} ${key}: ${bad.stderr}`);
    assert.equal(bad.stdout, '', 'no table while there are errors');
    const lines = bad.stderr.trim().split('\n');
    assert.match(lines[0], /^wsrelay: TLS: /);
    assert.match(lines[0], why);
    assert.match(lines.at(-1), /1 error\(s\); the table is not shown \(add --table to see it\)/);
    // On request, the errors come first (stderr) and the table follows (stdout).
    const table = tls(cert, key, ['--table']);
    assert.equal(table.status, 2);
    assert.match(table.stderr, why);
    assert.match(table.stdout, /^wsrelay configuration \(mode: serve\)/);
    assert.match(table.stdout, /^ssl_cert_path +?= /m);
  }
});

function listener() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

test('a port in use: the error says another process listens and how to choose another', async (t) => {
  const busy = await listener();
  t.after(() => busy.close());
  const { port } = busy.address();
  const { status, stderr } = run(['serve', '--port', String(port)]);
  assert.equal(status, 1);
  assert.match(stderr, new RegExp(`Address already in use; another process listens on ${port}: choose another with --port or WEBSOCKET_PORT`));
});

test('a privileged port without privilege: the error says so', () => {
  // As root the bind would succeed, so the binary runs as nobody (setpriv, util-linux).
  const asRoot = process.getuid() === 0;
  const command = asRoot ? 'setpriv' : binaryPath();
  const args = [...(asRoot ? ['--reuid=65534', '--regid=65534', '--clear-groups', binaryPath()] : []), 'serve', '--port', '80'];
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20000 });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /bind 127\.0\.0\.1:80: Permission denied; ports below 1024 need privilege: use --port 1024 or above/);
});

test('a host that is not an address of this machine: the error says which to use', () => {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never local, so bind fails before anything listens.
  const { status, stderr } = run(['serve', '--host', '192.0.2.1']);
  assert.equal(status, 1);
  assert.match(stderr, /bind 192\.0\.2\.1:8080: Cannot assign requested address; 192\.0\.2\.1 is not an address of this machine: use --host 127\.0\.0\.1/);
});
