// What the logs of the real binary say (issue 17, "logs a person can debug with"): the debug
// activity lines promised in docs/configuration.md, payloads only with log_payloads, tokens
// never; redaction that masks credentials but not ordinary words, tested with dictionary-word
// secrets; the 1009 reason with the size and the setting (close frame, log and JSON error); and
// the refused Origin named in the log. Clients: Node `ws` (via the security suite's Client).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, mintToken, tryConnect } from '../security/security_helpers.mjs';
import { withServer, logLines, waitForLine, sleep } from './helpers.mjs';

const SECRET = 'diagnostics-suite-secret-0123456789abcdef';

async function welcomed(url, options) {
  const client = await Client.open(url, options);
  const welcome = await client.event('welcome');
  client.id = welcome.client_id;
  return client;
}

test('--debug logs joins, leaves, room messages, signals, direct messages, broadcasts and refusals, without payloads', async () => {
  await withServer(['serve', '--debug'], async (server) => {
    const ann = await welcomed(server.url);
    const bob = await welcomed(server.url);
    await ann.event('room_joined');
    await bob.event('room_joined');
    assert.equal((await bob.request('listen', { name: 'typing' })).event, 'ack');
    assert.equal((await ann.request('join_room', { room: 'support' })).event, 'ack');
    assert.equal((await bob.request('join_room', { room: 'support' })).event, 'ack');

    const secretText = 'the-payload-must-not-appear-7f3a';
    const published = await ann.request('room_message', { room: 'support', message: secretText });
    assert.equal(published.recipients, 1);
    const signalled = await ann.request('signal', { name: 'typing', data: { text: secretText } });
    assert.equal(signalled.recipients, 1);
    const direct = await ann.request('send', { to: bob.id, message: secretText });
    assert.equal(direct.recipients, 1);
    const everyone = await ann.request('broadcast', { message: secretText });
    assert.equal(everyone.recipients, 1);
    const refused = await ann.request('room_message', { room: 'nowhere', message: secretText });
    assert.equal(refused.code, 'not_in_room');
    assert.equal((await ann.request('leave_room', { room: 'support' })).event, 'ack');

    const who = (client) => new RegExp(`127\\.0\\.0\\.1:\\d+ client=${client.id.slice(0, 8)}\\b`);
    const a = who(ann).source;
    await waitForLine(server, new RegExp(`^DEBUG join ${a} room="support" members=1$`));
    await waitForLine(server, new RegExp(`^DEBUG room_message ${a} room="support" bytes=\\d+ delivered=1$`));
    await waitForLine(server, new RegExp(`^DEBUG signal ${a} name="typing" bytes=\\d+ delivered=1$`));
    await waitForLine(server, new RegExp(`^DEBUG direct ${a} to=${bob.id.slice(0, 8)} bytes=\\d+ delivered=1$`));
    await waitForLine(server, new RegExp(`^DEBUG broadcast ${a} bytes=\\d+ delivered=1$`));
    await waitForLine(server, new RegExp(`^DEBUG refused ${a} code=not_in_room: you are not in room "nowhere"$`));
    await waitForLine(server, new RegExp(`^DEBUG leave ${a} room="support" members=1$`));
    // The byte count is the request's own size.
    const line = logLines(server).find((l) => l.startsWith('DEBUG room_message'));
    const sent = JSON.stringify({ event: 'room_message', room: 'support', message: secretText });
    assert.ok(Number(/bytes=(\d+)/.exec(line)[1]) >= sent.length, line);

    bob.close();
    await waitForLine(server, new RegExp(`^DEBUG leave ${who(bob).source} room="general" members=1 \\(disconnected\\)$`));
    ann.close();
    await waitForLine(server, /^INFO  close .* by /);
    // No payload anywhere, and no full client id (it is the capability to address a client).
    const log = server.log();
    assert.ok(!log.includes(secretText), 'a payload reached the log without log_payloads');
    assert.ok(!log.includes(ann.id) && !log.includes(bob.id), 'a full client id reached the log');
  });
});

test('log_payloads adds the text to debug lines, still without tokens', async () => {
  const token = mintToken({ sub: 'ann' }, SECRET);
  await withServer(['serve', '--debug', '--log-payloads', '--auth-enabled', 'true', '--auth-secret', SECRET], async (server) => {
    const ann = await welcomed(`${server.url}?token=${token}`);
    const bob = await welcomed(`${server.url}?token=${mintToken({ sub: 'bob' }, SECRET)}`);
    await ann.event('room_joined');
    await bob.event('room_joined');
    const published = await ann.request('room_message', { room: 'general', message: 'hello, visible text' });
    assert.equal(published.recipients, 1);
    // A token pasted into a message is masked even with payloads on.
    await ann.request('room_message', { room: 'general', message: { token } });
    const line = await waitForLine(server, /^DEBUG room_message .* text=.*hello, visible text/);
    assert.match(line, /delivered=1 text=\{"event":"room_message"/);
    await waitForLine(server, /^DEBUG room_message .* text=.*"token":"\[redacted\]"/);
    // Neither the URL token nor the secret ever appears.
    await sleep(100);
    assert.ok(!server.log().includes(token), 'a token reached the log');
    assert.ok(!server.log().includes(SECRET), 'the secret reached the log');
    ann.close();
    bob.close();
  });
});

test('dictionary-word secrets (auth_secret=open, api_key=the) mask credentials but leave ordinary words', async () => {
  // The old redactor masked every "open" in every line: "[redacted] 127.0.0.1:... /" told the
  // reader the secret and hid the event. Only places where credentials are used are masked.
  await withServer(['serve', '--debug', '--auth-enabled', 'true', '--auth-secret', 'open', '--api-key', 'the',
    '--rooms', 'ws'], async (server) => {
    const token = mintToken({ sub: 'ann' }, 'open');
    const ann = await welcomed(`${server.url}?token=${token}`);
    await ann.event('room_joined');
    assert.equal((await ann.request('join_room', { room: 'ws' })).event, 'ack');
    const refused = await tryConnect(`${server.url}?token=open`);
    assert.equal(refused.status, 401);
    // A close reason made of the secrets' words comes out as sent.
    ann.ws.close(1000, 'open the ws');
    await waitForLine(server, /^INFO  close 127\.0\.0\.1:\d+ code=1000 reason="open the ws" by client$/);
    const lines = logLines(server);
    assert.ok(lines.some((l) => /^INFO  open 127\.0\.0\.1:\d+ \/$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^DEBUG join .* room="ws" members=1$/.test(l)), lines.join('\n'));
    assert.ok(!server.log().includes('[redacted] 127.0.0.1'), 'an ordinary word was masked as the secret');
    assert.ok(!server.log().includes(token), 'the token reached the log');
    assert.ok(!server.log().includes('token=open'), 'the URL token reached the log');
  });
});

test('1009: the close reason, the log and a JSON error say the size and the setting', async () => {
  await withServer(['serve', '--max-message-size', '1024'], async (server) => {
    // Uncompressed, so the frame header announces the size (the compressed case follows).
    const client = await welcomed(server.url, { perMessageDeflate: false });
    await client.event('room_joined');
    const message = JSON.stringify({ event: 'message', message: 'x'.repeat(2000) });
    client.send(message);
    const expected = `message of ${message.length} bytes exceeds max_message_size 1024`;
    const error = await client.next((m) => m.event === 'error', 'an error event');
    assert.equal(error.code, 'message_too_big');
    assert.equal(error.message, expected);
    const close = await client.closedWithin();
    assert.equal(close.code, 1009);
    assert.equal(close.reason, expected);
    assert.ok(Buffer.byteLength(close.reason) <= 123);
    await waitForLine(server, new RegExp(`^INFO  reject 127\\.0\\.0\\.1:\\d+ message_too_big: ${expected}$`));
    await waitForLine(server, new RegExp(`^INFO  close 127\\.0\\.0\\.1:\\d+ code=1009 reason="${expected}" by server$`));
  });
});

test('1009 for a compressed message says it inflates past the limit, in the reason and a JSON error', async () => {
  await withServer(['serve', '--max-message-size', '1024'], async (server) => {
    const client = await welcomed(server.url, { perMessageDeflate: { threshold: 0 } });
    await client.event('room_joined');
    // 2,000 repeated letters deflate to a few dozen bytes: only inflating shows the size.
    client.send(JSON.stringify({ event: 'message', message: 'x'.repeat(2000) }));
    const expected = 'message inflates to at least 1025 bytes, over max_message_size 1024';
    const error = await client.next((m) => m.event === 'error', 'an error event');
    assert.equal(error.code, 'message_too_big');
    assert.equal(error.message, expected);
    const close = await client.closedWithin();
    assert.equal(close.code, 1009);
    assert.equal(close.reason, expected);
    await waitForLine(server, new RegExp(`^INFO  reject 127\\.0\\.0\\.1:\\d+ message_too_big: ${expected}$`));
  });
});

test('1009 for a fragmented message says "at least" the bytes announced so far', async () => {
  await withServer(['echo', '--max-message-size', '1000'], async (server) => {
    const client = await Client.open(server.url);
    // Two fragments: 600 bytes, then 600 more. The second header passes the limit.
    client.ws.send('a'.repeat(600), { fin: false });
    client.ws.send('b'.repeat(600), { fin: true });
    const close = await client.closedWithin();
    assert.equal(close.code, 1009);
    assert.equal(close.reason, 'message of at least 1200 bytes exceeds max_message_size 1000');
  });
});

test('an Origin refusal logs the refused origin, bounded and without control characters', async () => {
  await withServer(['serve', '--cors-origins', 'https://app.example'], async (server) => {
    const refused = await tryConnect(server.url, { origin: 'https://evil.example' });
    assert.equal(refused.status, 403);
    await waitForLine(server,
      /^INFO  reject 127\.0\.0\.1:\d+ origin: origin not allowed: "https:\/\/evil\.example" is not in cors_origins$/);
    const long = `https://${'a'.repeat(300)}.example`;
    assert.equal((await tryConnect(server.url, { origin: long })).status, 403);
    const line = await waitForLine(server, /origin not allowed: "https:\/\/aaaa/);
    assert.ok(line.length < 260, `unbounded: ${line.length} bytes`);
    assert.match(line, /a\.\.\." is not in cors_origins$/);
    const allowed = await tryConnect(server.url, { origin: 'https://app.example' });
    assert.ok(allowed.open);
    allowed.ws.terminate();
  });
});

test('tokens refused in an auth event are logged with the reason (never the token); accepted ones at debug', async () => {
  await withServer(['serve', '--debug', '--auth-enabled', 'true', '--auth-secret', SECRET], async (server) => {
    const bad = mintToken({ sub: 'eve' }, 'not-the-secret-0123456789abcdef0123456');
    const eve = await welcomed(server.url);
    eve.send({ event: 'auth', token: bad });
    const closed = await eve.closedWithin();
    assert.equal(closed.code, 1008);
    assert.equal(closed.reason, 'Invalid authentication');
    await waitForLine(server,
      new RegExp(`^INFO  reject 127\\.0\\.0\\.1:\\d+ client=${eve.id.slice(0, 8)} unauthorized: invalid token \\(bad_signature`));
    const ann = await welcomed(server.url);
    ann.send({ event: 'auth', token: mintToken({ sub: 'ann' }, SECRET) });
    await ann.event('authenticated');
    await waitForLine(server, new RegExp(`^DEBUG authenticated 127\\.0\\.0\\.1:\\d+ client=${ann.id.slice(0, 8)} user="ann"$`));
    assert.ok(!server.log().includes(bad) && !server.log().includes(bad.split('.')[2]), 'the token reached the log');
    ann.close();
  });
});
