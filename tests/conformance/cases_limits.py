"""Conformance cases 9 and 10: message size limits, big and many messages, chopping, misc.

The "limited" server runs `wsrelay echo --max-message-size 65536`; the plain echo server has
the 16 MiB limit. A message over the limit is answered with 1009 (RFC 6455 §7.4.1), as soon
as a frame header announces it, without waiting for the payload.
"""

import os
import socket

from runner import LIMITED_MAX_MESSAGE as LIMIT, case
from wsproto import (BINARY, OP_BINARY, OP_TEXT, PONG, TEXT, accept_for, apply_mask, binary,
                     binary_of, close, cont, exchange, expect_echoes, fragments, frame_header,
                     new_key, open_ws, ping, read_http_response, text, text_of,
                     upgrade_request, Connection, connect_tcp)

ECHO_LIMIT = 16 << 20


# ---- 9.1 reduced limit ---------------------------------------------------------------------

@case("9.1.1", "message of exactly the limit is echoed", server="limited")
def _(addr):
    expect_echoes(addr, [(OP_BINARY, binary_of(LIMIT)), (OP_TEXT, text_of(LIMIT))])


@case("9.1.2", "message of exactly the limit in fragments is echoed", server="limited")
def _(addr):
    data = text_of(LIMIT)
    exchange(addr, fragments(OP_TEXT, data, 1000) + close(1000), 1000, before=[TEXT(data)])


@case("9.1.3", "single frame one byte over the limit -> 1009", server="limited")
def _(addr):
    exchange(addr, binary(binary_of(LIMIT + 1)), 1009)


@case("9.1.4", "header announcing more than the limit -> 1009 before any payload",
      server="limited")
def _(addr):
    exchange(addr, frame_header(OP_BINARY, LIMIT + 1, mask_key=os.urandom(4)), 1009)


@case("9.1.5", "fragments that add up to more than the limit -> 1009", server="limited")
def _(addr):
    half = LIMIT // 2 + 1
    exchange(addr, binary(binary_of(half), fin=False) + cont(binary_of(half)), 1009)


@case("9.1.6", "many small fragments that add up to more than the limit -> 1009",
      server="limited")
def _(addr):
    exchange(addr, fragments(OP_TEXT, text_of(LIMIT + 100), 4096), 1009)


@case("9.1.7", "messages before the oversized one are echoed first", server="limited")
def _(addr):
    exchange(addr, text("small") + binary(binary_of(LIMIT + 1)), 1009, before=[TEXT("small")])


@case("9.1.8", "control frames inside a message at the limit do not count", server="limited")
def _(addr):
    data = binary_of(LIMIT)
    half = LIMIT // 2
    exchange(addr, binary(data[:half], fin=False) + ping(b"x" * 125) + cont(data[half:]) +
             close(1000), 1000, before=[PONG(b"x" * 125), BINARY(data)])


@case("9.1.9", "16 MiB + 1 on the default echo server -> 1009 from the header alone")
def _(addr):
    key = os.urandom(4)
    head = frame_header(OP_BINARY, ECHO_LIMIT + 1, mask_key=key)
    exchange(addr, head + apply_mask(b"\x00" * 4096, key), 1009)


@case("9.1.10", "16 MiB exactly, in 64 KiB fragments, is echoed", timeout=120)
def _(addr):
    data = binary_of(ECHO_LIMIT)
    exchange(addr, fragments(OP_BINARY, data, 65536) + close(1000), 1000, before=[BINARY(data)])


# ---- 9.2-9.4 big messages in many shapes ---------------------------------------------------

def _register():
    size = 4 << 20
    for i, frag in enumerate([64, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20], 1):
        case("9.2.%d" % i, "4 MiB text in fragments of %d bytes is echoed" % frag, timeout=120)(
            lambda addr, frag=frag: exchange(addr, fragments(OP_TEXT, text_of(size), frag) +
                                             close(1000), 1000, before=[TEXT(text_of(size))]))
        case("9.3.%d" % i, "4 MiB binary written in %d-byte chops is echoed" % frag, timeout=120)(
            lambda addr, frag=frag: expect_echoes(addr, [(OP_BINARY, binary_of(size))],
                                                  chop=frag, timeout=60))


_register()


@case("9.4.1", "1000 small text messages pipelined -> 1000 echoes in order", timeout=60)
def _(addr):
    msgs = [("message %d" % i).encode() for i in range(1000)]
    exchange(addr, b"".join(text(m) for m in msgs) + close(1000), 1000,
             before=[TEXT(m) for m in msgs])


@case("9.4.2", "1000 round trips of a 16-byte binary message", timeout=60)
def _(addr):
    with open_ws(addr) as c:
        for i in range(1000):
            data = i.to_bytes(16, "big")
            c.send(binary(data))
            c.expect(BINARY(data))
        c.close_normally()


# ---- 10. miscellaneous ---------------------------------------------------------------------

@case("10.1.1", "65536-byte text in 1300-byte fragments is echoed")
def _(addr):
    data = text_of(65536)
    exchange(addr, fragments(OP_TEXT, data, 1300) + close(1000), 1000, before=[TEXT(data)])


@case("10.2.1", "the whole conversation, handshake included, written 1 byte at a time")
def _(addr):
    key = new_key()
    sock = connect_tcp(addr)
    conversation = (upgrade_request(addr[0], addr[1], key=key) + text("Hello κόσμε") +
                    binary(b"\x00\xff") + ping(b"ping!") + text("frag", fin=False) +
                    ping(b"inside") + cont("ment") + close(1000, "bye"))
    for i in range(len(conversation)):
        sock.sendall(conversation[i:i + 1])
    resp = read_http_response(sock)
    if resp.status != 101 or resp.header("sec-websocket-accept") != accept_for(key):
        raise AssertionError("handshake: %d %s" % (resp.status, resp.header("sec-websocket-accept")))
    with Connection(sock, resp.rest) as c:
        c.expect_close(1000, before=[TEXT("Hello κόσμε"), BINARY(b"\x00\xff"), PONG("ping!"),
                                     PONG("inside"), TEXT("fragment")], reply=False)


@case("10.2.2", "handshake and first frames in a single write are all answered")
def _(addr):
    first = text("sent with the handshake") + ping(b"p") + binary(b"\x01")
    with open_ws(addr, first_bytes=first) as c:
        c.expect_events([TEXT("sent with the handshake"), PONG("p"), BINARY(b"\x01")])
        c.close_normally()


@case("10.2.3", "handshake followed by a protocol error in the same write -> 1002")
def _(addr):
    with open_ws(addr, first_bytes=text("ok") + cont("orphan")) as c:
        c.expect_close(1002, before=[TEXT("ok")])


@case("10.3.1", "50 concurrent connections each get their own echoes")
def _(addr):
    conns = [open_ws(addr) for _ in range(50)]
    try:
        for i, c in enumerate(conns):
            c.send(text("client %d" % i))
        for i, c in enumerate(conns):
            c.expect(TEXT("client %d" % i))
        for c in conns:
            c.close_normally()
    finally:
        for c in conns:
            c.shutdown()


@case("10.3.2", "a slow-writing client does not block a fast one")
def _(addr):
    with open_ws(addr) as slow, open_ws(addr) as fast:
        raw = text("slow message")
        slow.send(raw[:3])  # half a frame header, then silence
        for i in range(20):
            fast.send(text("fast %d" % i))
            fast.expect(TEXT("fast %d" % i), timeout=2)
        slow.send(raw[3:])
        slow.expect(TEXT("slow message"))
        slow.close_normally()
        fast.close_normally()


@case("10.3.3", "a client that connects and never speaks does not block others")
def _(addr):
    idle = socket.create_connection(addr)
    try:
        with open_ws(addr) as c:
            c.send(text("hi"))
            c.expect(TEXT("hi"), timeout=2)
            c.close_normally()
    finally:
        idle.close()
