// Helpers for the diagnostics suite (issue 17, "logs a person can debug with"): a wsrelay whose
// log the test reads line by line, raw HTTP exchanges, and a wait for a log line to appear.
// Everything listens and connects on 127.0.0.1 only; every server is stopped by the test.
import net from 'node:net';
import { startServer, timeoutScale } from '../interop/server.mjs';

export const WAIT_MS = 5000 * timeoutScale;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs fn(server) against `wsrelay <args>`, stopping the server even when fn throws; a failure
// carries the end of the server's log, which is what these tests are about.
export async function withServer(args, fn) {
  const server = await startServer(args);
  try {
    return await fn(server);
  } catch (error) {
    error.message += `\n--- server log ---\n${server.log().slice(-4000)}`;
    throw error;
  } finally {
    await server.stop();
  }
}

// The log lines (without timestamp) at `level` or any level when omitted.
export function logLines(server, level) {
  return server.log().split('\n').filter((line) => line.length > 0)
    .map((line) => line.replace(/^\S+Z /, ''))
    .filter((line) => level === undefined || line.startsWith(level));
}

// Waits until a log line matches `pattern`; resolves with that line.
export async function waitForLine(server, pattern, what = String(pattern)) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = logLines(server).find((line) => pattern.test(line));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no log line ${what} within ${WAIT_MS} ms`);
    await sleep(20);
  }
}

// Sends `text` on a fresh TCP connection and collects everything until the server closes.
// Resolves { data: Buffer, text, status, headers, body, error }.
export function exchange(port, text, { host = '127.0.0.1', waitMs = WAIT_MS } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let data = Buffer.alloc(0);
    let error = null;
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (d) => { data = Buffer.concat([data, d]); });
    socket.on('error', (e) => { error = e.code || String(e); });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = data.toString('latin1');
      const head = raw.split('\r\n\r\n')[0];
      const lines = head.split('\r\n');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(lines[0] || '');
      const headers = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const at = raw.indexOf('\r\n\r\n');
      resolve({
        data, text: raw, error, headers,
        status: match ? Number(match[1]) : null,
        body: at >= 0 ? raw.slice(at + 4) : '',
      });
    });
    socket.on('connect', () => socket.write(text));
  });
}
