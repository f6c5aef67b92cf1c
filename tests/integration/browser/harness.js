// Set-up for the real-browser tests: installs what is missing (Debian's chromium, the npm
// playwright-core), starts and stops `wsrelay serve` on a free loopback port, serves web/ when
// the server does not (yet) serve it itself, and launches headless Chromium with a fresh profile.
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '../../..');
const INTEGRATION = path.resolve(__dirname, '..');
const WEB = path.join(REPO, 'web');
const ARTIFACTS = path.join(REPO, 'tests', 'artifacts');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const WSRELAY_BIN = path.resolve(REPO, process.env.WSRELAY_BIN || 'build/wsrelay');
// Waits stretch for slow builds (tests/run.sh sets 3 for sanitizer builds).
const SCALE = Number(process.env.WSRELAY_TEST_TIMEOUT_SCALE) || 1;
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

// Debian's chromium: installed with apt-get when missing and we are root (CI, fresh machines).
function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (!isRoot()) throw new Error(`${CHROMIUM} is missing: run  sudo apt-get install -y chromium`);
  process.stderr.write('browser tests: installing Debian package chromium...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  } catch (err) {
    process.stderr.write(`apt-get update failed (${err.message}); trying the install anyway\n`);
  }
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium installed but ${CHROMIUM} is still missing`);
}

// playwright-core from npm (tests/integration/package.json): `npm install` there when missing.
function loadPlaywright() {
  const resolve = () => require.resolve('playwright-core', { paths: [INTEGRATION] });
  try {
    return require(resolve());
  } catch (err) {
    process.stderr.write('browser tests: installing npm dependencies in tests/integration...\n');
    const lock = fs.existsSync(path.join(INTEGRATION, 'package-lock.json'));
    execFileSync('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: INTEGRATION, stdio: 'inherit' });
    return require(resolve());
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

// One `wsrelay serve` process on 127.0.0.1:port; start() again after stop() restarts it on the
// same port (the reconnect test).
class RelayServer {
  // `args`: extra command-line options for `wsrelay serve` (e.g. auth settings).
  constructor(port, args = []) {
    this.port = port;
    this.args = args;
    this.proc = null;
    this.output = [];
  }

  async start() {
    if (!fs.existsSync(WSRELAY_BIN)) {
      throw new Error(`${WSRELAY_BIN} not found: build it with 'make' (or set WSRELAY_BIN)`);
    }
    const proc = spawn(WSRELAY_BIN, ['serve', '--host', '127.0.0.1', '--port', String(this.port), ...this.args], {
      cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    let exited = null;
    proc.once('exit', (code, signal) => { exited = { code, signal }; });
    const keep = (chunk) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    const deadline = Date.now() + 10000 * SCALE;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`wsrelay exited at start (${JSON.stringify(exited)}):\n${this.log()}`);
      if (await canConnect(this.port)) return;
      await sleep(50);
    }
    throw new Error(`wsrelay did not listen on port ${this.port} within ${10 * SCALE} s:\n${this.log()}`);
  }

  async stop() {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 12000); // past shutdown_timeout
    await exited;
    clearTimeout(timer);
  }

  log() {
    return this.output.slice(-40).join('\n');
  }
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] || '', body }));
    });
    req.on('error', () => resolve({ status: 0, type: '', body: '' }));
    req.setTimeout(3000, () => req.destroy());
  });
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml' };

// Serves web/ read-only on a free loopback port: used only while wsrelay itself does not serve
// the web files, so the client can still be tested against the real WebSocket server.
function startStaticServer() {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(WEB, rel === '/' ? 'index.html' : rel);
    if (!file.startsWith(WEB + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    // CORS as wsrelay must send it: pages of other origins import /wsrelay.mjs as a module.
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream',
      'cache-control': 'no-store', 'access-control-allow-origin': '*' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

// Pages of "another application" (the PHP site that includes /wsrelay.js) on their own
// loopback origin. A real local server rather than Playwright's router: Chromium's Local
// Network Access rules refuse loopback subresources to pages without a loopback address.
function startAppServer() {
  const pages = new Map();
  const server = http.createServer((req, res) => {
    const html = pages.get(new URL(req.url, 'http://x').pathname);
    if (html === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${server.address().port}`,
      setPage: (pathname, html) => pages.set(pathname, html),
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}

// Where the pages and /wsrelay.js come from: wsrelay itself when it serves them (the real
// deployment), else a local static server. `servedByRelay` tells the tests which.
async function webOrigin(relayPort) {
  const relayOrigin = `http://127.0.0.1:${relayPort}`;
  const js = await get(`${relayOrigin}/wsrelay.js`);
  if (js.status === 200 && /javascript/.test(js.type) && js.body.includes('WsRelay')) {
    return { origin: relayOrigin, servedByRelay: true, close: async () => {} };
  }
  const { server, origin } = await startStaticServer();
  return { origin, servedByRelay: false, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function launchBrowser() {
  ensureChromium();
  const { chromium } = loadPlaywright();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wsrelay-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1200, height: 800 },
  });
  context.setDefaultTimeout(10000 * SCALE);
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

module.exports = { SCALE, ARTIFACTS, RelayServer, freePort, webOrigin, startAppServer, launchBrowser, sleep };
