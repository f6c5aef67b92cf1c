// Helpers for the HTTP integration suite: curl as the HTTP client (what operators and PHP's curl
// extension use), raw sockets for pipelining, `wsrelay publish` as a child process, and a strict
// check of the Prometheus text format.
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { after, before } from 'node:test';
import { binaryPath, startServer, timeoutScale } from '../interop/server.mjs';
import { RelayClient } from '../app/relay_client.mjs';

// One `wsrelay serve ...args` for a test file: started before its tests, stopped after them
// together with every client connect() opened. `server` and `base` (its http:// origin) are
// set once the server is up.
export function serveForSuite(args) {
  const clients = [];
  const suite = {
    server: null,
    base: null,
    async connect() {
      const client = await RelayClient.connect(suite.server.url);
      clients.push(client);
      return client;
    },
  };
  before(async () => {
    suite.server = await startServer(args);
    suite.base = `http://127.0.0.1:${suite.server.port}`;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    if (suite.server) await suite.server.stop();
  });
  return suite;
}

// A long, distinctive key, so "the key is not in the log" means something.
export const API_KEY = 'itest-key-5f1c9a2e7b3d4c6a8e0f1b2d3c4a5e6f';

// Runs curl with `args` (plus -s -S -i --path-as-is: status line and headers before the body,
// dot-segments sent as written) and resolves { status, headers (lowercased names), body }.
export function curl(url, args = []) {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-S', '-i', '--path-as-is', '--max-time', String(10 * timeoutScale), ...args, url],
      { encoding: 'buffer', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`curl ${args.join(' ')} ${url} failed: ${error.message} ${stderr}`));
          return;
        }
        resolve(parseResponse(stdout.toString('latin1')));
      });
  });
}

// One response from text that starts with a status line. (curl -i prints only the final
// response, so no 100-continue handling is needed here.)
export function parseResponse(text) {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`no response head in ${JSON.stringify(text.slice(0, 200))}`);
  const lines = text.slice(0, headEnd).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status, statusLine: lines[0], headers, body: Buffer.from(text.slice(headEnd + 4), 'latin1').toString('utf8') };
}

export const jsonOf = (response) => JSON.parse(response.body);

// Curl arguments for an authorized JSON POST.
export function postJson(body, key = API_KEY) {
  return ['-X', 'POST', '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/json',
    '--data-binary', typeof body === 'string' ? body : JSON.stringify(body)];
}

// Sends `bytes` on one connection and resolves the bytes received until the server closes it
// or `until(received)` is true.
export function rawExchange(port, chunks, { until = () => false, gapMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: received.toString('latin1'), closed });
    };
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no complete answer within the time limit; got ${JSON.stringify(received.toString('latin1'))}`));
    }, 10000 * timeoutScale);
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      if (until(received.toString('latin1'))) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (error) => { if (!done) { done = true; clearTimeout(timer); reject(error); } });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

// Splits back-to-back HTTP/1.1 responses (every one of ours has Content-Length). `methods`
// lists the request methods in order: a response to HEAD has no body whatever its
// Content-Length says (RFC 9110 §9.3.2). Returns { responses, rest }: rest is an incomplete tail.
export function splitResponses(text, methods = []) {
  const responses = [];
  let rest = text;
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    const head = rest.slice(0, headEnd);
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const length = match ? Number(match[1]) : 0;
    const bodyIsAbsent = /^HTTP\/1\.1 (304|204)/.test(head) || methods[responses.length] === 'HEAD';
    const total = headEnd + 4 + (bodyIsAbsent ? 0 : length);
    if (rest.length < total) break;
    responses.push(parseResponse(rest.slice(0, total)));
    rest = rest.slice(total);
  }
  return { responses, rest };
}

// Runs `wsrelay publish ...args` and resolves { code, stdout, stderr }.
export function publish(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binaryPath(), ['publish', ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000 * timeoutScale);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// Checks the Prometheus text exposition format 0.0.4 strictly and returns
// Map(family -> { type, help, samples: [{ labels, value }] }); throws with the line at fault.
export function parsePrometheus(text) {
  const families = new Map();
  const closed = new Set();
  let current = null;
  const enter = (name, lineNo) => {
    if (name === current) return;
    if (current) closed.add(current);
    if (closed.has(name)) throw new Error(`line ${lineNo}: family ${name} is not contiguous`);
    current = name;
    if (!families.has(name)) families.set(name, { type: null, help: null, samples: [] });
  };
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleRe = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)( -?\\d+)?$`);
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    let m;
    if ((m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line))) {
      enter(m[2], lineNo);
      const family = families.get(m[2]);
      if (family.samples.length) throw new Error(`line ${lineNo}: ${m[1]} after samples`);
      if (m[1] === 'HELP') {
        if (family.help !== null) throw new Error(`line ${lineNo}: second HELP`);
        if (/\\[^\\n]/.test(m[3].replace(/\\\\/g, ''))) throw new Error(`line ${lineNo}: bad escape in HELP`);
        family.help = m[3];
      } else {
        if (family.type !== null) throw new Error(`line ${lineNo}: second TYPE`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) throw new Error(`line ${lineNo}: type ${m[3]}`);
        family.type = m[3];
      }
      return;
    }
    if (line.startsWith('#') || line === '') throw new Error(`line ${lineNo}: unexpected ${JSON.stringify(line)}`);
    if (!(m = sampleRe.exec(line))) throw new Error(`line ${lineNo}: not a sample: ${line}`);
    const [, name, , labelText, valueText] = m;
    enter(name, lineNo);
    const family = families.get(name);
    if (!family.type) throw new Error(`line ${lineNo}: sample before TYPE`);
    const labels = {};
    if (labelText !== undefined) {
      const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/y;
      let at = 0;
      while (at < labelText.length) {
        labelRe.lastIndex = at;
        const lm = labelRe.exec(labelText);
        if (!lm) throw new Error(`line ${lineNo}: bad labels {${labelText}}`);
        labels[lm[1]] = lm[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
        at = labelRe.lastIndex;
      }
    }
    if (!/^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN|[+-]Inf)$/.test(valueText)) throw new Error(`line ${lineNo}: value ${valueText}`);
    const value = Number(valueText.replace('Inf', 'Infinity'));
    if (family.type === 'counter' && !(value >= 0)) throw new Error(`line ${lineNo}: negative counter`);
    const key = JSON.stringify(Object.entries(labels).sort());
    if (family.samples.some((s) => JSON.stringify(Object.entries(s.labels).sort()) === key)) {
      throw new Error(`line ${lineNo}: duplicate series`);
    }
    family.samples.push({ labels, value });
  });
  for (const [name, family] of families) {
    if (family.help === null) throw new Error(`family ${name} has no HELP`);
    if (family.type === null) throw new Error(`family ${name} has no TYPE`);
  }
  return families;
}

export function sampleValue(families, name, labels = {}) {
  const family = families.get(name);
  if (!family) return undefined;
  const key = JSON.stringify(Object.entries(labels).sort());
  return family.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === key)?.value;
}
