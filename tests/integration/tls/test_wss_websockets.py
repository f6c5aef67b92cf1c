"""wss:// with Python clients (issue 6): Debian's python3-websockets (10.4, asyncio API) with an
SSLContext that trusts only the test root (made at test time by make_certs.sh), against
`wsrelay echo` and `wsrelay serve` started with ssl_enabled; and a raw ssl socket that checks
the TLS close itself (close_notify before the TCP FIN, after both a client- and a
server-initiated closing handshake). Run with /usr/bin/python3.
"""

import asyncio
import json
import os
import random
import socket
import ssl
import struct
import unittest

import websockets

from tls_pki import TestPki
from wsproto import scaled
from wsrelay_server import WsrelayServer


def text_of(n):
    unit = "wss-µ@ßöäü-κόσμε-€-𝄞|".encode()
    data = unit * (n // len(unit))
    return (data + b"*" * (n - len(data))).decode()


class _TlsServerCase(unittest.IsolatedAsyncioTestCase):
    MODE_ARGS = ["echo"]

    @classmethod
    def setUpClass(cls):
        cls.pki = TestPki()
        cls.server = WsrelayServer(args=cls.MODE_ARGS + cls.pki.server_args()).start()
        cls.url = "wss://127.0.0.1:%d/" % cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__()
        cls.pki.remove()

    async def asyncSetUp(self):
        asyncio.get_running_loop().slow_callback_duration = 60  # 16 MiB payloads take a while

    def connect(self, url=None, context=None):
        return websockets.connect(url or self.url, ssl=context or self.pki.client_context(), max_size=None,
                                  ping_interval=None, open_timeout=scaled(10), close_timeout=scaled(10))

    async def recv(self, ws, timeout=10):
        return await asyncio.wait_for(ws.recv(), scaled(timeout))


class EchoOverWss(_TlsServerCase):
    async def test_the_peer_certificate_and_protocol(self):
        async with self.connect() as ws:
            cert = ws.transport.get_extra_info("peercert")
            self.assertEqual(cert["serialNumber"], "2001")
            self.assertIn((("commonName", "wsrelay test server"),), cert["subject"])
            self.assertEqual(ws.transport.get_extra_info("ssl_object").version(), "TLSv1.3")
        # Host-name check against the subjectAltName DNS entry.
        async with self.connect("wss://localhost:%d/" % self.server.port) as ws:
            await ws.send("by name")
            self.assertEqual(await self.recv(ws), "by name")

    async def test_tls_1_2_client(self):
        context = self.pki.client_context(maximum_version=ssl.TLSVersion.TLSv1_2)
        async with self.connect(context=context) as ws:
            self.assertEqual(ws.transport.get_extra_info("ssl_object").version(), "TLSv1.2")
            await ws.send("over 1.2")
            self.assertEqual(await self.recv(ws), "over 1.2")

    async def test_text_and_binary_of_every_length_class(self):
        async with self.connect() as ws:
            for n in [0, 125, 126, 65535, 65536, 1 << 20]:
                await ws.send(text_of(n))
                self.assertEqual(await self.recv(ws), text_of(n), "text %d" % n)
                data = random.Random(n).randbytes(n)
                await ws.send(data)
                self.assertEqual(await self.recv(ws), data, "binary %d" % n)

    async def test_16_mib_binary_in_fragments(self):
        whole = random.Random(16).randbytes(16 << 20)

        async def pieces():
            for i in range(0, len(whole), 65536):
                yield whole[i:i + 65536]

        async with self.connect() as ws:
            await ws.send(pieces())
            got = await self.recv(ws, 120)
            self.assertEqual(len(got), len(whole))
            self.assertTrue(got == whole, "16 MiB echo differs")

    async def test_fragmented_text_from_a_list(self):
        async with self.connect() as ws:
            await ws.send(["Hello ", "κόσμε", " €𝄞", "!" * 70000])
            self.assertEqual(await self.recv(ws), "Hello κόσμε €𝄞" + "!" * 70000)

    async def test_ten_clients_at_once(self):
        async def one(i):
            async with self.connect() as ws:
                for j in range(20):
                    data = os.urandom((i * 20 + j) * 311 % 30000)
                    await ws.send(data)
                    self.assertEqual(await self.recv(ws), data)
        await asyncio.gather(*(one(i) for i in range(10)))

    async def test_close_code_and_reason_are_echoed(self):
        async with self.connect() as ws:
            await asyncio.wait_for(ws.close(4000, "bye over tls"), scaled(10))
            self.assertEqual(ws.close_code, 4000)
            self.assertEqual(ws.close_reason, "bye over tls")


class ServeOverWss(_TlsServerCase):
    MODE_ARGS = ["serve"]

    async def next_event(self, ws, name):
        while True:
            event = json.loads(await self.recv(ws))
            if event.get("event") == name:
                return event

    async def test_room_message_and_broadcast(self):
        async with self.connect() as a, self.connect() as b:
            a_id = (await self.next_event(a, "welcome"))["client_id"]
            await self.next_event(b, "welcome")
            for ws in (a, b):
                await ws.send(json.dumps({"event": "join_room", "room": "py-tls", "id": "j"}))
                self.assertEqual((await self.next_event(ws, "ack"))["id"], "j")
            await a.send(json.dumps({"event": "room_message", "room": "py-tls", "message": "over wss", "id": "m"}))
            got = await self.next_event(b, "room_message")
            self.assertEqual((got["room"], got["message"], got["from"]), ("py-tls", "over wss", a_id))
            await a.send(json.dumps({"event": "broadcast", "message": {"big": "y" * 50000}}))
            self.assertEqual((await self.next_event(b, "broadcast"))["message"], {"big": "y" * 50000})


# ---- the TLS close, on a raw socket -----------------------------------------------------------

def _masked(opcode, payload):
    key = os.urandom(4)
    header = bytes([0x80 | opcode])
    header += bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0xFE]) + struct.pack("!H", len(payload))
    return header + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def _read_until_close(sock):
    """Reads frames until a Close arrives; returns its code. Fails on EOF before it."""
    buf = b""
    while True:
        while len(buf) >= 2:
            length, pos = buf[1] & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    break
                length, pos = struct.unpack("!H", buf[2:4])[0], 4
            if len(buf) < pos + length:
                break
            opcode, payload, buf = buf[0] & 0x0F, buf[pos:pos + length], buf[pos + length:]
            if opcode == 8:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("EOF before a Close frame")
        buf += chunk


class TlsClose(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = TestPki()
        cls.server = WsrelayServer(args=["echo", "--timeout", "1"] + cls.pki.server_args()).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__()
        cls.pki.remove()

    def open(self):
        context = self.pki.client_context()
        # Python ignores a missing close_notify by default; this test is about exactly that.
        context.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
        raw = socket.create_connection(self.server.addr, timeout=scaled(10))
        sock = context.wrap_socket(raw, server_hostname="127.0.0.1", suppress_ragged_eofs=False)
        sock.sendall(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(1)
            self.assertTrue(chunk, "EOF during the upgrade")
            head += chunk
        self.assertTrue(head.startswith(b"HTTP/1.1 101 "), head)
        return sock

    def expect_close_notify(self, sock):
        # recv() returns b"" only for close_notify; a bare TCP FIN raises SSLError here.
        try:
            self.assertEqual(sock.recv(65536), b"", "nothing after the Close frame")
        except ssl.SSLError as error:  # UNEXPECTED_EOF_WHILE_READING
            self.fail("TCP closed without close_notify: %s" % error)

    def test_client_initiated_close_ends_with_close_notify(self):
        with self.open() as sock:
            sock.sendall(_masked(1, b"hello"))
            sock.sendall(_masked(8, struct.pack("!H", 1000) + b"done"))
            self.assertEqual(_read_until_close(sock), 1000)
            self.expect_close_notify(sock)

    def test_server_initiated_close_ends_with_close_notify(self):
        with self.open() as sock:
            # --timeout 1: the server closes the idle connection with 1001 and we answer.
            self.assertEqual(_read_until_close(sock), 1001)
            sock.sendall(_masked(8, struct.pack("!H", 1001)))
            self.expect_close_notify(sock)


if __name__ == "__main__":
    unittest.main()
