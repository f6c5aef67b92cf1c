// Start and stop a real wsrelay process from a Node test (node:test).
//
//   const server = await startServer(['echo']);   // free loopback port, waits until it listens
//   ... new WebSocket(server.url) ...
//   await server.stop();                          // SIGTERM, then SIGKILL after 10 s
//
// or `await withServer(async (server) => {...})`, which stops it even when the test throws.
// The binary is $WSRELAY_BIN, else <repo>/$BUILD/wsrelay (BUILD defaults to "build").
// Every server still running when the process exits is killed, so a failing test never leaves
// one behind. Other integration suites may import this file.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function binaryPath() {
  if (process.env.WSRELAY_BIN) return path.resolve(process.env.WSRELAY_BIN);
  return path.join(repoRoot, process.env.BUILD || 'build', 'wsrelay');
}

// Multiplies every wait, so slow builds (sanitizers) get more time.
export const timeoutScale = Number(process.env.WSRELAY_TEST_TIMEOUT_SCALE || 1);

const live = new Set();
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

export async function startServer(args = ['echo'], { readyMs = 10000 } = {}) {
  const port = await freePort();
  const proc = spawn(binaryPath(), [...args, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    proc.once('exit', (code, signal) => { exited = { code, signal }; live.delete(proc); resolve(exited); });
    proc.once('error', (error) => { exited = { error: String(error) }; live.delete(proc); resolve(exited); });
  });
  const deadline = Date.now() + readyMs * timeoutScale;
  for (;;) {
    if (exited) throw new Error(`wsrelay ${args.join(' ')} exited before listening: ${JSON.stringify(exited)}\n${log}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`wsrelay did not listen on port ${port} within ${readyMs} ms\n${log}`);
    }
    await sleep(50);
  }
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    proc,
    log: () => log,
    alive: () => exited === null,
    // SIGTERM and wait; returns { code, signal }.
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10000 * timeoutScale);
        await exitPromise;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

export async function withServer(fn, args = ['echo']) {
  const server = await startServer(args);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}
