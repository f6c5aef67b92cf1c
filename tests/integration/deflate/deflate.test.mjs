// permessage-deflate (RFC 7692) against the real binary with Node's `ws` (npm): every
// combination of ws's perMessageDeflate options against the shared and dedicated servers,
// compression visible in /stats, a broadcast compressed once for many recipients, small
// messages left uncompressed, and `compression = off`.
//
// `ws` is a strict peer: it fails the connection on an RSV1 it did not negotiate, on DEFLATE
// data it cannot inflate, and on a response parameter it did not offer, so each echo is also
// a check of the server's negotiation and compressor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { withServer, timeoutScale } from '../interop/server.mjs';
import { RelayClient } from '../app/relay_client.mjs';

const WAIT = 20000 * timeoutScale;

function jsonOf(n, seed = 1) {
  // Realistic JSON events: repetitive keys, varying values.
  let out = '[';
  let i = 0;
  while (out.length < n) {
    out += `{"event":"message","room":"general","id":${seed * 1000 + i},"text":"hello ${i % 13} µ€"},`;
    i++;
  }
  return out.slice(0, n - 1) + ']';
}

function randomOf(n) {
  const out = Buffer.alloc(n);
  let x = 0x9e3779b9 ^ n;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  return out;
}

async function stats(port) {
  const res = await fetch(`http://127.0.0.1:${port}/stats`);
  assert.equal(res.status, 200);
  return (await res.json()).compression;
}

function open(url, perMessageDeflate) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate, maxPayload: 64 << 20 });
    const inbox = [];
    const waiters = [];
    ws.on('message', (data, isBinary) => {
      const w = waiters.shift();
      if (w) w({ data, isBinary }); else inbox.push({ data, isBinary });
    });
    ws.next = () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error('no message in time')), WAIT);
      waiters.push((m) => { clearTimeout(timer); res(m); });
    }));
    // The raw response header (ws.extensions only lists extension names).
    ws.once('upgrade', (res) => { ws.negotiated = res.headers['sec-websocket-extensions'] || ''; });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closeOf(ws) {
  return new Promise((resolve) => {
    ws.once('close', (code) => resolve(code));
    ws.close(1000);
  });
}

// Echo a mix of sizes several times (so context takeover, when kept, is exercised).
async function echoMix(ws) {
  const messages = [
    jsonOf(20), jsonOf(1024), jsonOf(16384, 2), jsonOf(300000, 3), jsonOf(1024), jsonOf(16384, 2),
  ];
  for (const m of messages) {
    ws.send(m);
    const got = await ws.next();
    assert.equal(got.isBinary, false);
    assert.equal(String(got.data), m);
  }
  const bin = randomOf(70000);
  ws.send(bin);
  const got = await ws.next();
  assert.equal(got.isBinary, true);
  assert.ok(Buffer.compare(got.data, bin) === 0);
}

const COMBOS = [];
// clientNoContextTakeover: undefined is ws's default ("I keep my context unless asked not
// to"); an explicit false makes ws refuse a server that asks (tested separately below).
for (const serverNoContextTakeover of [false, true]) {
  for (const clientNoContextTakeover of [undefined, true]) {
    for (const serverMaxWindowBits of [undefined, 10]) {
      for (const clientMaxWindowBits of [undefined, true, 11]) {
        COMBOS.push({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits });
      }
    }
  }
}

for (const mode of ['shared', 'dedicated']) {
  test(`${mode}: every perMessageDeflate option combination negotiates and echoes`, async () => {
    await withServer(async (server) => {
      for (const combo of COMBOS) {
        const options = { threshold: 0, ...combo };
        for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
        const ws = await open(server.url, options);
        const ext = ws.negotiated;
        const label = `${JSON.stringify(combo)} -> ${ext}`;
        assert.match(ext, /^permessage-deflate/, label);
        if (mode === 'shared') {
          // Shared mode never keeps a window on either side.
          assert.match(ext, /server_no_context_takeover/, label);
          assert.match(ext, /client_no_context_takeover/, label);
        } else {
          assert.equal(/server_no_context_takeover/.test(ext), combo.serverNoContextTakeover, label);
          assert.equal(/client_no_context_takeover/.test(ext), combo.clientNoContextTakeover === true, label);
        }
        if (combo.serverMaxWindowBits) assert.match(ext, /server_max_window_bits=10/, label);
        if (combo.clientMaxWindowBits === 11) assert.match(ext, /client_max_window_bits=11/, label);
        if (combo.clientMaxWindowBits === true) assert.doesNotMatch(ext, /client_max_window_bits=/, label);
        await echoMix(ws);
        assert.equal(await closeOf(ws), 1000, label);
      }
      const s = await stats(server.port);
      assert.equal(s.connections_total, COMBOS.length);
      assert.ok(s.messages.in >= COMBOS.length * 6, JSON.stringify(s));
      // Compressed on both sides, and the JSON really shrank.
      assert.ok(s.wire_bytes.in * 3 < s.bytes.in, JSON.stringify(s));
      assert.ok(s.wire_bytes.out * 3 < s.bytes.out, JSON.stringify(s));
    }, ['echo', '--compression', mode]);
  });
}

test('small messages go out uncompressed, large ones compressed (compression_threshold)', async () => {
  await withServer(async (server) => {
    const ws = await open(server.url, { threshold: 0 });
    ws.send('x'.repeat(999));
    assert.equal(String((await ws.next()).data), 'x'.repeat(999));
    let s = await stats(server.port);
    assert.equal(s.messages.in, 1);
    assert.equal(s.messages.out, 0);  // under the threshold of 1000
    ws.send('y'.repeat(1000));
    assert.equal(String((await ws.next()).data), 'y'.repeat(1000));
    s = await stats(server.port);
    assert.equal(s.messages.out, 1);
    assert.ok(s.wire_bytes.out < 50);
    await closeOf(ws);
  }, ['echo', '--compression-threshold', '1000']);
});

test('compression = off: the offer is declined and messages still flow', async () => {
  await withServer(async (server) => {
    const ws = await open(server.url, true);
    assert.equal(ws.negotiated, '');
    ws.send(jsonOf(5000));
    assert.equal(String((await ws.next()).data), jsonOf(5000));
    await closeOf(ws);
    const s = await stats(server.port);
    assert.equal(s.connections_total, 0);
    assert.equal(s.zlib_bytes, 0);
  }, ['echo', '--compression', 'off']);
});

test('a broadcast to many compressed clients is compressed once; plain clients get the plain frame', async () => {
  await withServer(async (server) => {
    const url = server.url;
    const compressed = [];
    for (let i = 0; i < 20; i++) compressed.push(await RelayClient.connect(url));
    // Clients that offer nothing get the plain frame of the same broadcast.
    const plainClients = [];
    for (let i = 0; i < 5; i++) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const got = [];
      ws.on('message', (d) => got.push(JSON.parse(String(d))));
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      plainClients.push({ ws, got });
    }
    assert.equal(compressed[0].ws.extensions, 'permessage-deflate');
    const before = await stats(server.port);
    const text = jsonOf(8000, 9);
    await compressed[0].request('broadcast', { message: text });
    for (const other of compressed.slice(1)) {
      const event = await other.nextEvent('broadcast');
      assert.equal(event.message, text);
    }
    const deadline = Date.now() + WAIT;
    while (plainClients.some((c) => !c.got.some((e) => e.event === 'broadcast')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of plainClients) assert.equal(c.got.find((e) => e.event === 'broadcast').message, text);
    const after = await stats(server.port);
    // 19 compressed deliveries of the broadcast, one compressor run for all of them (the
    // sender's small ack is under the threshold).
    assert.equal(after.messages.out - before.messages.out, 19);
    assert.equal(after.compressions - before.compressions, 1);
    for (const c of [...compressed]) c.ws.close();
    for (const c of plainClients) c.ws.close();
  }, ['serve']);
});

test('shared mode asks every client for client_no_context_takeover; a client that insists on its context refuses', async () => {
  // RFC 7692 §7.1.1.2 lets the server add the parameter; ws with an explicit
  // clientNoContextTakeover: false treats it as unacceptable and fails the connection itself.
  // Dedicated mode accepts such a client.
  await withServer(async (server) => {
    await assert.rejects(open(server.url, { clientNoContextTakeover: false }), /Invalid Sec-WebSocket-Extensions header/);
  }, ['echo']);
  await withServer(async (server) => {
    const ws = await open(server.url, { clientNoContextTakeover: false, threshold: 0 });
    assert.equal(ws.negotiated, 'permessage-deflate');
    await echoMix(ws);
    await closeOf(ws);
  }, ['echo', '--compression', 'dedicated']);
});
