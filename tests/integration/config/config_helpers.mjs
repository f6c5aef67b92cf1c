// Helpers for the configuration suite: run the real binary with a chosen environment (never
// the test runner's own WEBSOCKET_* variables), either to completion (check-config, errors) or
// as a server on a port the configuration itself names.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryPath, repoRoot, timeoutScale } from '../interop/server.mjs';

export { binaryPath, repoRoot, timeoutScale };
export { freePort } from '../tls/tls_helpers.mjs';

export const fixtures = path.join(repoRoot, 'tests/integration/config/fixtures');

// The runner's environment without any WEBSOCKET_* (a developer's shell may set some), plus
// `extra`.
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('WEBSOCKET_')) env[name] = value;
  }
  return { ...env, ...extra };
}

export function tempDir(t, prefix = 'wsrelay-config-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Runs wsrelay to completion: { status, stdout, stderr }.
export function run(args, env = {}, { cwd = repoRoot } = {}) {
  const result = spawnSync(binaryPath(), args, {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 20000 * timeoutScale,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

// Starts wsrelay with exactly `args` and `env` and waits until 127.0.0.1:port accepts; the
// test's after() hook stops it.
export async function startOn(t, port, args, env = {}) {
  const proc = spawn(binaryPath(), args, { cwd: repoRoot, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  let exited = null;
  const exit = new Promise((resolve) => proc.once('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  t.after(async () => {
    if (!exited) { proc.kill('SIGTERM'); await exit; }
  });
  const deadline = Date.now() + 10000 * timeoutScale;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`wsrelay exited before listening: ${JSON.stringify(exited)}\n${log}`);
    if (Date.now() > deadline) throw new Error(`wsrelay did not listen on ${port}\n${log}`);
    await sleep(50);
  }
  return { proc, log: () => log, exited: () => exited, exit };
}
