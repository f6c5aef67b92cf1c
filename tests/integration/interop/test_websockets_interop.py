"""Interoperability: the real `wsrelay echo` driven by Python `websockets` (Debian's
python3-websockets 10.4, asyncio API). Run with /usr/bin/python3.

Each test starts its own server on a free port (tests/conformance/wsrelay_server.py) and kills
it in cleanup, also when the test fails. websockets is a strict client: a malformed frame,
bad UTF-8 or an invalid close code from the server fails the connection, so every echo is
also a check of the server's framing.
"""

import asyncio
import random
import sys
import unittest
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "conformance"))
from wsproto import scaled  # noqa: E402
from wsrelay_server import WsrelayServer  # noqa: E402

SIZES = [0, 125, 126, 65535, 65536, 16 << 20]
CLOSE_CODES = [1000, 1001, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999]


def text_of(n):
    unit = "Hello-µ@ßöäü-κόσμε-€-𝄞|".encode()
    data = unit * (n // len(unit))
    return (data + b"*" * (n - len(data))).decode()


def binary_of(n):
    return random.Random(n).randbytes(n)


class EchoInterop(unittest.IsolatedAsyncioTestCase):
    def setUp(self):
        self.server = WsrelayServer(args=["echo"]).start()
        self.addCleanup(self.server.__exit__)
        self.url = "ws://%s:%d/" % self.server.addr

    async def asyncSetUp(self):
        # The test loop runs in debug mode; its "slow callback" notes (16 MiB payloads take a
        # while to build) are noise here.
        asyncio.get_running_loop().slow_callback_duration = 60

    def connect(self):
        # ping_interval=None: no keepalive pings of our own interleaved with the checks.
        return websockets.connect(self.url, max_size=None, ping_interval=None,
                                  open_timeout=scaled(10), close_timeout=scaled(10))

    async def recv(self, ws, timeout=10):
        return await asyncio.wait_for(ws.recv(), scaled(timeout))

    async def close_with(self, ws, code, reason):
        await asyncio.wait_for(ws.close(code, reason), scaled(15))
        self.assertEqual(ws.close_code, code, "echoed close code")
        if ws.close_reason:
            self.assertEqual(ws.close_reason, reason, "echoed close reason")

    async def echo(self, payload):
        async with self.connect() as ws:
            await ws.send(payload)
            got = await self.recv(ws, 60)
            self.assertEqual(type(got), type(payload), "message type")
            self.assertEqual(len(got), len(payload), "message length")
            self.assertTrue(got == payload, "message content differs")
            await self.close_with(ws, 1000, "done")

    async def test_fragmented_text_from_a_list(self):
        async with self.connect() as ws:
            await ws.send(["Hello ", "κόσμε", " €𝄞", "!"])
            self.assertEqual(await self.recv(ws), "Hello κόσμε €𝄞!")
            await self.close_with(ws, 1000, "done")

    async def test_fragmented_binary_from_an_async_iterator(self):
        whole = binary_of(65536)

        async def pieces():
            for i in range(0, len(whole), 1000):
                yield whole[i:i + 1000]
                await asyncio.sleep(0)

        async with self.connect() as ws:
            await ws.send(pieces())
            self.assertTrue(await self.recv(ws) == whole, "reassembled message differs")
            await self.close_with(ws, 1000, "done")

    async def test_ping_gets_matching_pong(self):
        async with self.connect() as ws:
            for payload in (b"", b"hello", binary_of(125)):
                waiter = await ws.ping(payload)
                await asyncio.wait_for(waiter, scaled(10))
            await self.close_with(ws, 1000, "done")

    async def test_messages_back_to_back_in_order(self):
        async with self.connect() as ws:
            for i in range(200):
                await ws.send("message %d" % i)
            for i in range(200):
                self.assertEqual(await self.recv(ws), "message %d" % i)
            await self.close_with(ws, 1000, "done")


def _add_generated_tests():
    # Generated tests must be coroutine functions (not lambdas returning coroutines), or
    # IsolatedAsyncioTestCase would call them without awaiting and they could never fail.
    for n in SIZES:
        async def text_test(self, n=n):
            await self.echo(text_of(n))

        async def binary_test(self, n=n):
            await self.echo(binary_of(n))
        setattr(EchoInterop, "test_text_%d_bytes_echoed" % n, text_test)
        setattr(EchoInterop, "test_binary_%d_bytes_echoed" % n, binary_test)
    for code in CLOSE_CODES:
        async def close_test(self, code=code):
            async with self.connect() as ws:
                await self.close_with(ws, code, "closing with %d" % code)
        setattr(EchoInterop, "test_close_code_%d_echoed" % code, close_test)


_add_generated_tests()

if __name__ == "__main__":
    unittest.main()
