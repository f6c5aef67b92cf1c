"""Conformance case 7: the closing handshake (RFC 6455 §5.5.1, §7).

The server echoes a valid Close code, answers an invalid one (or a 1-byte payload) with 1002
and a reason that is not UTF-8 with 1007, ignores everything after the peer's Close, and then
closes the TCP connection itself (§7.1.1: the server closes TCP first).
"""

import time

from runner import case
from wsproto import (PONG, TEXT, close, close_payload, cont, exchange, frame, open_ws, ping,
                     text, OP_CLOSE)

VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
               3000, 3999, 4000, 4999]
INVALID_CODES = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]


@case("7.1.1", "text then Close -> echo, Close echoed, TCP closed")
def _(addr):
    exchange(addr, text("Hello World!") + close(1000), 1000, before=[TEXT("Hello World!")])


@case("7.1.2", "Close then Close -> a single Close back")
def _(addr):
    exchange(addr, close(1000) + close(1000), 1000)


@case("7.1.3", "Close then ping -> no pong")
def _(addr):
    exchange(addr, close(1000) + ping(b"after close"), 1000)


@case("7.1.4", "Close then text -> no echo")
def _(addr):
    exchange(addr, close(1000) + text("after close"), 1000)


@case("7.1.5", "text fragment, Close, continuation -> Close only")
def _(addr):
    exchange(addr, text("frag", fin=False) + close(1000) + cont("ment"), 1000)


@case("7.1.6", "Close, then garbage that is not even a frame -> ignored")
def _(addr):
    exchange(addr, close(1000) + b"\xff\xff\xff\xff this is not websocket", 1000)


@case("7.1.7", "Close sent later, after a pause -> echoed")
def _(addr):
    with open_ws(addr) as c:
        c.send(text("first"))
        c.expect(TEXT("first"))
        time.sleep(0.3)
        c.close_normally()


@case("7.1.8", "after echoing Close the server closes TCP without waiting for us")
def _(addr):
    # We never close our side: the server must (§7.1.1), promptly.
    with open_ws(addr) as c:
        c.send(close(1000))
        c.expect_close(1000, reply=False, timeout=3)


@case("7.3.1", "Close without payload -> Close without payload (or 1000)")
def _(addr):
    exchange(addr, close(), (None, 1000))


@case("7.3.2", "Close with a 1-byte payload -> 1002")
def _(addr):
    exchange(addr, frame(OP_CLOSE, b"\x03"), 1002)


@case("7.3.3", "Close 1000 without reason -> 1000")
def _(addr):
    exchange(addr, close(1000), 1000)


@case("7.3.4", "Close 1000 with a reason -> 1000")
def _(addr):
    exchange(addr, close(1000, "Hello World!"), 1000)


@case("7.3.5", "Close 1000 with a 123-byte reason (125-byte payload) -> 1000")
def _(addr):
    exchange(addr, close(1000, "*" * 123), 1000)


@case("7.3.6", "Close with a 124-byte reason (126-byte payload) -> 1002")
def _(addr):
    exchange(addr, close(1000, "*" * 124), 1002)


@case("7.3.7", "Close with a multi-byte UTF-8 reason -> echoed code")
def _(addr):
    exchange(addr, close(1000, "κόσμε €𝄞"), 1000)


@case("7.5.1", "Close reason that is not UTF-8 -> 1007")
def _(addr):
    exchange(addr, frame(OP_CLOSE, close_payload(1000, "κόσμε".encode() + b"\xed\xa0\x80")), 1007)


@case("7.5.2", "Close reason ending in a truncated character -> 1007")
def _(addr):
    exchange(addr, frame(OP_CLOSE, close_payload(1000, b"ok\xe2\x82")), 1007)


@case("7.5.3", "Close reason with an overlong encoding -> 1007")
def _(addr):
    exchange(addr, frame(OP_CLOSE, close_payload(1000, b"\xc0\xaf")), 1007)


def _register():
    for code in VALID_CODES:
        case("7.7.%d" % code, "valid close code %d is echoed" % code)(
            lambda addr, code=code: exchange(addr, close(code, "reason %d" % code), code))
    for code in INVALID_CODES:
        case("7.9.%d" % code, "invalid close code %d -> 1002" % code)(
            lambda addr, code=code: exchange(addr, close(code, "invalid"), 1002))


_register()


@case("7.10.1", "ping, then Close: pong comes before the Close")
def _(addr):
    exchange(addr, ping(b"before close") + close(1000), 1000, before=[PONG("before close")])


@case("7.10.2", "a client that vanishes mid-frame does not disturb the next client")
def _(addr):
    with open_ws(addr) as c:
        c.send(text("x" * 1000)[:500])
    with open_ws(addr) as c:
        c.send(text("still alive"))
        c.expect(TEXT("still alive"))
        c.close_normally()


@case("7.10.3", "a client that closes TCP without a Close frame does not disturb others")
def _(addr):
    with open_ws(addr) as first, open_ws(addr) as second:
        first.send(text("one"))
        first.expect(TEXT("one"))
        first.shutdown()
        second.send(text("two"))
        second.expect(TEXT("two"))
        second.close_normally()
