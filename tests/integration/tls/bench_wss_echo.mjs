// Benchmark (not a test): wss:// echo against ws:// echo of the same wsrelay binary, same
// load generator, same run. Prints a Markdown table for docs/benchmarks.md ("TLS").
//
//   node tests/integration/tls/bench_wss_echo.mjs [--seconds 3] [--runs 3] [--conns 50]
//        [--inflight 8] [--sizes 20,1024,16384,65536] [--idle 1000]
//
// The load generator is wss_echo_load.cpp (beside this file), compiled here against
// $BUILD/libwsrelay.a (run `make` first): one epoll loop in C++ speaking ws:// or wss:// with
// OpenSSL, so that it costs the client about what it costs the server. For each run, payload
// size and transport (order alternating between runs), a fresh `wsrelay echo` (plain, or with
// ssl_enabled and a throwaway P-256 certificate from make_certs.sh) runs pinned to CPU 0 and
// the generator pinned to CPU 1, both at nice -20 when allowed; `conns` connections keep
// `inflight` binary messages each in flight for a 0.5 s warm-up and `seconds` of measurement.
// Figures per cell are medians over the runs:
//   msg/s          echoes received per second (all connections)
//   server us/msg  the server's user+system CPU (/proc/PID/stat) per echoed message
//   server/client %  each side's CPU use over the interval: near 100% says who set msg/s
//   others %       busy time of CPUs 0 and 1 (/proc/stat) used by neither: other processes
// The ratios wss/ws of msg/s and of server CPU per message are the figures to read.
// Then `--idle N` upgraded connections (Node `ws` clients) are opened and left idle, and the
// server's VmRSS growth per connection is reported for ws and wss (median of the runs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { binaryPath, repoRoot } from '../interop/server.mjs';
import { freePort, makePki, runCommand } from './tls_helpers.mjs';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}
const SECONDS = Number(option('seconds', 3));
const RUNS = Number(option('runs', 3));
const CONNS = Number(option('conns', 50));
const INFLIGHT = Number(option('inflight', 8));
const SIZES = option('sizes', '20,1024,16384,65536').split(',').filter((s) => s !== '').map(Number);  // --sizes '' measures idle memory only
const IDLE = Number(option('idle', 1000));

async function startServer(tls, pki) {
  const port = await freePort();
  const args = [...NICE, 'taskset', '-c', '0', binaryPath(), 'echo', '--host', '127.0.0.1', '--port', String(port), '--max-clients', '0'];
  if (tls) {
    args.push('--ssl-enabled', 'true', '--ssl-cert-path', pki.file('fullchain.pem'), '--ssl-key-path', pki.file('server.key'));
  }
  const proc = spawn(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 10000;
  while (!/listening on/.test(log)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`server did not start:\n${log}`);
    await sleep(20);
  }
  return { proc, port, pid: proc.pid };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const GENERATOR = path.join(repoRoot, process.env.BUILD || 'build', 'wss_echo_load');
// nice -20 for both sides when we may (root): other work on the machine then waits.
const NICE = process.getuid() === 0 ? ['nice', '-n', '-20'] : [];

async function buildGenerator() {
  const library = path.join(path.dirname(binaryPath()), 'libwsrelay.a');
  const result = await runCommand('g++', ['-std=c++20', '-O2', '-D_GNU_SOURCE', `-I${path.join(repoRoot, 'src')}`,
    path.join(here, 'wss_echo_load.cpp'), library, '-lssl', '-lcrypto', '-o', GENERATOR], { timeout: 120000 });
  if (result.code !== 0) throw new Error(`cannot build the generator (run make first):\n${result.stderr}`);
}

async function measure(tls, size, pki) {
  const server = await startServer(tls, pki);
  const args = [...NICE, 'taskset', '-c', '1', GENERATOR, '--port', String(server.port), '--conns', String(CONNS),
    '--inflight', String(INFLIGHT), '--size', String(size), '--seconds', String(SECONDS), '--pid', String(server.pid)];
  if (tls) args.push('--tls');
  const result = await runCommand(args[0], args.slice(1), { timeout: (SECONDS + 30) * 1000 });
  server.proc.kill('SIGTERM');
  await new Promise((resolve) => server.proc.once('exit', resolve));
  if (result.code !== 0) throw new Error(`generator failed: ${result.stderr}`);
  const r = JSON.parse(result.stdout);
  return {
    rate: r.messages / r.seconds,
    serverUs: (r.server_cpu * 1e6) / r.messages,
    serverPct: (r.server_cpu / r.seconds) * 100,
    clientPct: (r.client_cpu / r.seconds) * 100,
    othersPct: Math.max(0, ((r.cores_busy - r.server_cpu - r.client_cpu) / r.seconds) * 100),
  };
}

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

// Server memory per idle upgraded connection, in KiB.
async function idleMemory(tls, pki) {
  const server = await startServer(tls, pki);
  const url = `${tls ? 'wss' : 'ws'}://127.0.0.1:${server.port}/`;
  // Warm up allocators and the first TLS session so the baseline is not the empty process.
  const warm = await openClients(url, tls, pki, 50);
  await sleep(300);
  const before = rssKiB(server.pid);
  const clients = [];
  for (let i = 0; i < IDLE; i += 50) clients.push(...await openClients(url, tls, pki, Math.min(50, IDLE - i)));
  await sleep(1000);
  const after = rssKiB(server.pid);
  for (const ws of [...warm, ...clients]) ws.terminate();
  server.proc.kill('SIGTERM');
  await new Promise((resolve) => server.proc.once('exit', resolve));
  return (after - before) / IDLE;
}

function openClients(url, tls, pki, n) {
  return Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca: tls ? pki.ca : undefined, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const pki = await makePki();
try {
  await buildGenerator();
  const results = {};  // size -> { ws: [], wss: [] }
  for (let run = 0; run < RUNS; ++run) {
    for (const size of SIZES) {
      results[size] ??= { ws: [], wss: [] };
      const order = run % 2 === 0 ? [false, true] : [true, false];
      for (const tls of order) {
        const r = await measure(tls, size, pki);
        results[size][tls ? 'wss' : 'ws'].push(r);
        process.stderr.write(`run ${run + 1} ${tls ? 'wss' : 'ws '} ${size} B: ${fmt(r.rate)} msg/s, server ${fmt(r.serverUs, 2)} us/msg at ${fmt(r.serverPct)}% CPU, client ${fmt(r.clientPct)}%, others ${fmt(r.othersPct)}%\n`);
      }
    }
  }
  console.log(`${CONNS} connections x ${INFLIGHT} in flight, binary echo, ${SECONDS} s per cell, median of ${RUNS} runs, ` +
    `generator wss_echo_load; ${os.cpus()[0].model}; ${binaryPath()}\n`);
  console.log('| payload | ws msg/s | wss msg/s | wss/ws msg/s | ws server us/msg | wss server us/msg | wss/ws server CPU | server CPU ws / wss | client CPU ws / wss | others ws / wss |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const size of SIZES) {
    const ws = results[size].ws;
    const wss = results[size].wss;
    const [rw, rs] = [median(ws.map((r) => r.rate)), median(wss.map((r) => r.rate))];
    const [cw, cs] = [median(ws.map((r) => r.serverUs)), median(wss.map((r) => r.serverUs))];
    const [gw, gs] = [median(ws.map((r) => r.clientPct)), median(wss.map((r) => r.clientPct))];
    const [pw, ps] = [median(ws.map((r) => r.serverPct)), median(wss.map((r) => r.serverPct))];
    const [ow, os_] = [median(ws.map((r) => r.othersPct)), median(wss.map((r) => r.othersPct))];
    console.log(`| ${fmt(size)} B | ${fmt(rw)} | ${fmt(rs)} | ${fmt(rs / rw, 2)}x | ${fmt(cw, 2)} | ${fmt(cs, 2)} | ` +
      `${fmt(cs / cw, 2)}x | ${fmt(pw)}% / ${fmt(ps)}% | ${fmt(gw)}% / ${fmt(gs)}% | ${fmt(ow)}% / ${fmt(os_)}% |`);
  }
  if (IDLE > 0) {
    const memory = { ws: [], wss: [] };
    for (let run = 0; run < RUNS; ++run) {
      for (const tls of run % 2 === 0 ? [false, true] : [true, false]) {
        const kib = await idleMemory(tls, pki);
        memory[tls ? 'wss' : 'ws'].push(kib);
        process.stderr.write(`run ${run + 1} ${tls ? 'wss' : 'ws '} idle: ${fmt(kib, 2)} KiB per connection\n`);
      }
    }
    const [mw, ms] = [median(memory.ws), median(memory.wss)];
    console.log(`\nIdle memory, ${fmt(IDLE)} upgraded connections: ws ${fmt(mw, 2)} KiB, wss ${fmt(ms, 2)} KiB per connection (server VmRSS growth; wss/ws ${fmt(ms / mw, 1)}x).`);
  }
} finally {
  pki.remove();
}
