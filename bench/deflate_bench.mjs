// permessage-deflate benchmark: what compression costs the server, per mode, as same-run
// ratios against compression off (docs/benchmarks.md, "Compression").
//
//   node bench/deflate_bench.mjs [--quick]        (BUILD=build by default; 127.0.0.1 only)
//
// For each mode (off, shared, dedicated) it starts `wsrelay echo` / `wsrelay serve` on a free
// loopback port and measures:
//   echo       server CPU per echoed message (utime+stime from /proc/PID/stat), for 20 B,
//              1 KiB and 16 KiB JSON, with 20 pipelined clients (Node `ws`, compression on
//              with threshold 0, so the client compresses everything it sends);
//   broadcast  server CPU per delivery, one sender broadcasting to 200 subscribers;
//   idle       resident memory per connection after every client sent one 1 KiB message
//              and went quiet (RSS delta / clients), and the zlib bytes /stats reports.
// The client (Node) is slower than the server: the figure is the server's CPU, not msgs/s.
// Medians of 3 runs. The machine is shared: compare ratios from the same run, not absolutes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from '../tests/integration/node_modules/ws/wrapper.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.WSRELAY_BIN || path.join(repo, process.env.BUILD || 'build', 'wsrelay');
const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 3;
const TICK = 100;  // USER_HZ: /proc/PID/stat counts in 1/100 s

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function start(args) {
  const port = await freePort();
  const proc = spawn(bin, [...args, '--host', '127.0.0.1', '--port', String(port), '--rate-limit', '0',
                           '--ping-interval', '0'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return { port, proc, url: `ws://127.0.0.1:${port}/` };
    await sleep(25);
  }
  proc.kill('SIGKILL');
  throw new Error('server did not start');
}

function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

function rssKiB(pid) {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]);
}

function jsonOf(n) {
  let out = '[';
  for (let i = 0; out.length < n; i++) out += `{"event":"message","room":"general","id":${i},"text":"hi ${i % 7}"},`;
  return out.slice(0, n - 1) + ']';
}

function connect(url, deflate) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: deflate ? { threshold: 0 } : false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function echoCpu(server, size, deflate) {
  const clients = await Promise.all(Array.from({ length: 20 }, () => connect(server.url, deflate)));
  const msg = jsonOf(size);
  const perClient = quick ? 200 : Math.max(200, Math.min(3000, Math.floor(40e6 / size / 20)));
  const t0 = cpuSeconds(server.proc.pid);
  await Promise.all(clients.map((ws) => new Promise((resolve) => {
    let got = 0;
    let sent = 0;
    const pump = () => { while (sent < perClient && sent - got < 16) { ws.send(msg); sent++; } };
    ws.on('message', () => { if (++got === perClient) resolve(); else pump(); });
    pump();
  })));
  const cpu = cpuSeconds(server.proc.pid) - t0;
  for (const ws of clients) ws.terminate();
  return (cpu * 1e6) / (perClient * clients.length);
}

async function broadcastCpu(server, size, deflate) {
  const subs = await Promise.all(Array.from({ length: 200 }, () => connect(server.url, deflate)));
  const sender = await connect(server.url, deflate);
  const count = quick ? 50 : 1000;
  let delivered = 0;
  const done = new Promise((resolve) => {
    for (const ws of subs) ws.on('message', (d) => { if (String(d).includes('"broadcast"') && ++delivered === count * subs.length) resolve(); });
  });
  await sleep(300);
  const text = jsonOf(size);
  const t0 = cpuSeconds(server.proc.pid);
  for (let i = 0; i < count; i++) {
    sender.send(JSON.stringify({ event: 'broadcast', message: text }));
    if (i % 10 === 9) await sleep(5);
  }
  await done;
  const cpu = cpuSeconds(server.proc.pid) - t0;
  for (const ws of [...subs, sender]) ws.terminate();
  return (cpu * 1e6) / (count * subs.length);
}

async function idleMemory(server, deflate) {
  await sleep(200);
  const before = rssKiB(server.proc.pid);
  const n = quick ? 200 : 1000;
  const clients = [];
  for (let i = 0; i < n; i++) clients.push(await connect(server.url, deflate));
  const msg = jsonOf(1024);
  await Promise.all(clients.map((ws) => new Promise((r) => { ws.once('message', r); ws.send(msg); })));
  await sleep(500);
  const perConn = ((rssKiB(server.proc.pid) - before) * 1024) / n;
  const stats = await (await fetch(`http://127.0.0.1:${server.port}/stats`)).json();
  for (const ws of clients) ws.terminate();
  return { perConn, zlib: stats.compression.zlib_bytes };
}

const MODES = ['off', 'shared', 'dedicated'];
const SIZES = [20, 1024, 16384];
const results = {};
for (const mode of MODES) {
  const deflate = mode !== 'off';
  results[mode] = { echo: {}, broadcast: {} };
  for (const size of SIZES) {
    const echo = [];
    const bcast = [];
    for (let r = 0; r < RUNS; r++) {
      let s = await start(['echo', '--compression', mode, '--compression-threshold', '0']);
      echo.push(await echoCpu(s, size, deflate));
      s.proc.kill('SIGKILL');
      s = await start(['serve', '--compression', mode, '--compression-threshold', '0', '--max-clients', '5000']);
      bcast.push(await broadcastCpu(s, size, deflate));
      s.proc.kill('SIGKILL');
    }
    results[mode].echo[size] = median(echo);
    results[mode].broadcast[size] = median(bcast);
    console.error(`${mode} ${size} B: echo ${median(echo).toFixed(2)} us/msg, broadcast ${median(bcast).toFixed(2)} us/delivery`);
  }
  const s = await start(['serve', '--compression', mode, '--max-clients', '5000']);
  results[mode].idle = await idleMemory(s, deflate);
  s.proc.kill('SIGKILL');
}

const fmt = (x) => x.toFixed(2);
console.log(`# permessage-deflate: server CPU per message (us), median of ${RUNS}; ratio vs off in ()`);
console.log('| scenario | size | off | shared | dedicated |');
console.log('|---|---|---|---|---|');
for (const kind of ['echo', 'broadcast']) {
  for (const size of SIZES) {
    const off = results.off[kind][size];
    const cell = (m) => `${fmt(results[m][kind][size])} (${fmt(results[m][kind][size] / off)}x)`;
    console.log(`| ${kind} | ${size} B | ${fmt(off)} | ${cell('shared')} | ${cell('dedicated')} |`);
  }
}
console.log('');
console.log('| idle, after one 1 KiB message | off | shared | dedicated |');
console.log('|---|---|---|---|');
console.log(`| RSS per connection (bytes) | ${MODES.map((m) => Math.round(results[m].idle.perConn)).join(' | ')} |`);
console.log(`| zlib bytes held (whole server) | ${MODES.map((m) => results[m].idle.zlib).join(' | ')} |`);
process.exit(0);
