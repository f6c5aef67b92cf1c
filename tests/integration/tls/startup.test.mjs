// Start-up with bad TLS files (issue 6): a missing or unreadable certificate or key, a key that
// does not match the certificate, files that are not PEM, a missing chain file — each stops
// the server with exit status 2 and a message naming the file, before it listens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { binaryPath } from '../interop/server.mjs';
import { freePort, makePki, runCommand, WAIT_MS } from './tls_helpers.mjs';

let pki;
before(async () => {
  pki = await makePki();
  await pki.addLeaf('other', '3001', 'another server');
  fs.writeFileSync(pki.file('garbage.pem'), 'this is not a PEM file\n');
});
after(() => pki?.remove());

// Runs `wsrelay echo` with TLS files (names inside the PKI) on a free port and resolves with
// its exit status and output. `uid`: run as that user (root only; for unreadable files).
async function runWsrelay({ cert = 'server.pem', key = 'server.key', chain = null }, { uid } = {}) {
  const args = ['echo', '--host', '127.0.0.1', '--port', String(await freePort()), '--ssl-enabled', 'true',
    '--ssl-cert-path', pki.file(cert), '--ssl-key-path', pki.file(key)];
  if (chain) args.push('--ssl-chain-path', pki.file(chain));
  let file = binaryPath();
  let argv = args;
  if (uid !== undefined) {
    // A copy inside the PKI folder: the checkout itself may not be reachable for that user.
    const copy = pki.file('wsrelay-copy');
    if (!fs.existsSync(copy)) fs.copyFileSync(file, copy);
    fs.chmodSync(copy, 0o755);
    argv = [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', copy, ...args];
    file = 'setpriv';
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`still running:\n${output}`)); }, WAIT_MS);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

async function expectRefusal(files, mentions, options) {
  const { code, output } = await runWsrelay(files, options);
  assert.equal(code, 2, `exit status (output: ${output})`);
  for (const text of mentions) assert.ok(output.includes(text), `output names ${text}:\n${output}`);
  assert.ok(!/listening on/.test(output), 'it never listened');
  return output;
}

test('a missing certificate file: exit 2 naming it', async () => {
  await expectRefusal({ cert: 'missing.pem' }, [pki.file('missing.pem'), 'No such file']);
});

test('a missing key file: exit 2 naming it', async () => {
  await expectRefusal({ key: 'missing.key' }, [pki.file('missing.key'), 'No such file']);
});

test('a missing chain file: exit 2 naming it', async () => {
  await expectRefusal({ chain: 'missing-chain.pem' }, [pki.file('missing-chain.pem')]);
});

test('an unreadable key file: exit 2 naming it', async () => {
  const key = pki.file('locked.key');
  fs.copyFileSync(pki.file('server.key'), key);
  fs.chmodSync(key, 0o000);
  // root reads any file: run the server as nobody then, with everything else readable.
  const asRoot = process.getuid() === 0;
  if (asRoot) {
    fs.chmodSync(pki.dir, 0o755);
    for (const name of ['server.pem', 'inter.pem']) fs.chmodSync(pki.file(name), 0o644);
    // The harness itself must work as nobody (the temp folder's parents reachable): the
    // readable key starts the server's TLS, so only the locked one can explain an exit 2.
    const probe = pki.file('readable.key');
    fs.copyFileSync(pki.file('server.key'), probe);
    fs.chmodSync(probe, 0o644);
    const { code, output } = await runWsrelay({ key: 'readable.key', chain: 'missing-chain.pem' }, { uid: 65534 });
    assert.equal(code, 2, `as nobody with readable files: ${output}`);
    assert.match(output, /ssl_chain_path .*missing-chain\.pem: No such file/, 'it got as far as the chain file');
  }
  try {
    await expectRefusal({ key: 'locked.key' }, [key, 'Permission denied'], asRoot ? { uid: 65534 } : {});
  } finally {
    fs.rmSync(key, { force: true });
    fs.chmodSync(pki.dir, 0o700);
  }
});

test('a key that does not match the certificate: exit 2 naming both files', async () => {
  const output = await expectRefusal({ cert: 'server.pem', key: 'other.key' }, [pki.file('other.key'), pki.file('server.pem')]);
  assert.match(output, /does not match/);
});

test('a certificate file that is not PEM: exit 2 naming it', async () => {
  await expectRefusal({ cert: 'garbage.pem' }, [pki.file('garbage.pem'), 'no PEM certificate']);
});

test('a key file that is not PEM: exit 2 naming it', async () => {
  await expectRefusal({ key: 'garbage.pem' }, [pki.file('garbage.pem'), 'no PEM private key']);
});

test('a key file given where the certificate belongs (swapped paths): exit 2 naming it', async () => {
  await expectRefusal({ cert: 'server.key', key: 'server.pem' }, [pki.file('server.key')]);
});

test('a chain file holding no certificate: exit 2 naming it', async () => {
  await expectRefusal({ chain: 'garbage.pem' }, [pki.file('garbage.pem'), 'no PEM certificate']);
});

test('a key protected by a passphrase: exit 2 saying so, never a prompt', async () => {
  await runCommand('openssl', ['pkey', '-in', pki.file('server.key'), '-aes256', '-passout', 'pass:secret',
    '-out', pki.file('encrypted.key')]);
  await expectRefusal({ key: 'encrypted.key' }, [pki.file('encrypted.key'), 'encrypted']);
});

test('a directory where the key belongs: exit 2 naming it', async () => {
  await expectRefusal({ key: '.' }, [pki.file('.'), 'is a directory']);
});

test('the good files start fine (the harness itself is sound)', async () => {
  const child = spawn(binaryPath(), ['echo', '--host', '127.0.0.1', '--port', String(await freePort()), '--ssl-enabled', 'true',
    '--ssl-cert-path', pki.file('server.pem'), '--ssl-key-path', pki.file('server.key'),
    '--ssl-chain-path', pki.file('inter.pem')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  child.stdout.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + WAIT_MS;
  while (!/listening on wss:\/\//.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(output, /listening on wss:\/\//);
});
