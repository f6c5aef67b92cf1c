"""Conformance cases 1-5: framing, ping/pong, reserved bits, opcodes, fragmentation.

Numbered after the Autobahn|Testsuite categories they mirror. Protocol errors must be
answered with the exact close code RFC 6455 gives, and every valid message that came before
the error must still be echoed first (Autobahn's strict behaviour).
"""

import time

from runner import case
from wsproto import (BINARY, OP_BINARY, OP_CLOSE, OP_TEXT, PONG, RSV1, RSV2, RSV3, TEXT,
                     binary, binary_of, close, cont, exchange, expect_echoes, fragments, frame,
                     open_ws, ping, pong, text, text_of)

SIZES = [0, 125, 126, 127, 128, 65535, 65536]
BIG = [1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20]


# ---- 1. framing ----------------------------------------------------------------------------

def _register_sizes():
    for i, n in enumerate(SIZES, 1):
        case("1.1.%d" % i, "text message of %d bytes is echoed" % n)(
            lambda addr, n=n: expect_echoes(addr, [(OP_TEXT, text_of(n))]))
        case("1.2.%d" % i, "binary message of %d bytes is echoed" % n)(
            lambda addr, n=n: expect_echoes(addr, [(OP_BINARY, binary_of(n))]))
    for i, n in enumerate(BIG, 1):
        case("1.3.%d" % i, "text message of %d MiB is echoed" % (n >> 20), timeout=120)(
            lambda addr, n=n: expect_echoes(addr, [(OP_TEXT, text_of(n))], timeout=60))
        case("1.4.%d" % i, "binary message of %d MiB is echoed" % (n >> 20), timeout=120)(
            lambda addr, n=n: expect_echoes(addr, [(OP_BINARY, binary_of(n))], timeout=60))


_register_sizes()


@case("1.5.1", "text 65536 bytes written in 997-byte chops is echoed")
def _(addr):
    expect_echoes(addr, [(OP_TEXT, text_of(65536))], chop=997)


@case("1.5.2", "binary 65536 bytes written in 1-byte-then-large pieces is echoed")
def _(addr):
    data = binary_of(65536)
    with open_ws(addr) as c:
        raw = binary(data)
        for piece in (raw[:1], raw[1:2], raw[2:3], raw[3:7], raw[7:5000], raw[5000:]):
            c.send(piece)
        c.expect(BINARY(data))
        c.close_normally()


@case("1.6.1", "many messages in one write are all echoed in order")
def _(addr):
    msgs = [(OP_TEXT, text_of(n)) for n in (0, 1, 2, 125, 126, 127, 3000)]
    msgs += [(OP_BINARY, binary_of(n)) for n in (0, 1, 125, 126, 65535)]
    expect_echoes(addr, msgs)


@case("1.7.1", "64-bit length with its most significant bit set -> 1002")
def _(addr):
    exchange(addr, frame(OP_BINARY, b"abc", length=(1 << 63) + 3), 1002)


@case("1.7.2", "unmasked client frame -> 1002")
def _(addr):
    exchange(addr, text("unmasked", masked=False), 1002)


@case("1.7.3", "valid message, then an unmasked frame -> echo, then 1002")
def _(addr):
    exchange(addr, text("first") + text("unmasked", masked=False), 1002,
                   before=[TEXT("first")])


@case("1.7.4", "unmasked ping -> 1002 and no pong")
def _(addr):
    exchange(addr, ping(b"p", masked=False), 1002)


# ---- 2. ping / pong ------------------------------------------------------------------------

@case("2.1", "ping without payload -> empty pong")
def _(addr):
    exchange(addr, ping() + close(1000), 1000, before=[PONG()])


@case("2.2", "ping with text payload -> pong with the same payload")
def _(addr):
    exchange(addr, ping(b"Hello, world!") + close(1000), 1000, before=[PONG("Hello, world!")])


@case("2.3", "ping with binary payload -> pong with the same payload")
def _(addr):
    payload = bytes([0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF])
    exchange(addr, ping(payload) + close(1000), 1000, before=[PONG(payload)])


@case("2.4", "ping with 125-byte payload -> pong with the same payload")
def _(addr):
    payload = binary_of(125)
    exchange(addr, ping(payload) + close(1000), 1000, before=[PONG(payload)])


@case("2.5", "ping with 126-byte payload -> 1002 and no pong")
def _(addr):
    exchange(addr, ping(b"\xfe" * 126), 1002)


@case("2.6", "ping with 125-byte payload written 1 byte at a time -> pong")
def _(addr):
    payload = binary_of(125, seed=7)
    exchange(addr, ping(payload) + close(1000), 1000, before=[PONG(payload)], chop=1)


@case("2.7", "unsolicited empty pong is ignored")
def _(addr):
    exchange(addr, pong() + close(1000), 1000)


@case("2.8", "unsolicited pong with payload is ignored")
def _(addr):
    exchange(addr, pong(b"unsolicited pong payload") + close(1000), 1000)


@case("2.9", "unsolicited pong, then ping -> only the ping is answered")
def _(addr):
    exchange(addr, pong(b"unsolicited") + ping(b"solicited") + close(1000), 1000,
                   before=[PONG("solicited")])


@case("2.10", "10 pings in one write -> 10 pongs in order")
def _(addr):
    payloads = [("ping %d" % i).encode() for i in range(10)]
    exchange(addr, b"".join(ping(p) for p in payloads) + close(1000), 1000,
                   before=[PONG(p) for p in payloads])


@case("2.11", "10 pings written 1 byte at a time -> 10 pongs in order")
def _(addr):
    payloads = [("ping %d" % i).encode() for i in range(10)]
    exchange(addr, b"".join(ping(p) for p in payloads) + close(1000), 1000,
                   before=[PONG(p) for p in payloads], chop=1)


@case("2.12", "text, ping, binary -> echo, pong, echo in that order")
def _(addr):
    exchange(addr, text("one") + ping(b"two") + binary(b"three") + close(1000), 1000,
                   before=[TEXT("one"), PONG("two"), BINARY(b"three")])


# ---- 3. reserved bits ----------------------------------------------------------------------

@case("3.1", "text with RSV1 set -> 1002")
def _(addr):
    exchange(addr, text("Hello, world!", rsv=RSV1), 1002)


@case("3.2", "valid text, then text with RSV2 -> echo, then 1002")
def _(addr):
    exchange(addr, text("Hello, world!") + text("Hello, world!", rsv=RSV2), 1002,
                   before=[TEXT("Hello, world!")])


@case("3.3", "valid text, RSV3 text, valid text in one write -> echo, 1002, nothing else")
def _(addr):
    exchange(addr, text("one") + text("two", rsv=RSV3) + text("three"), 1002,
                   before=[TEXT("one")])


@case("3.4", "as 3.3 with RSV1+RSV2, written 1 byte at a time")
def _(addr):
    exchange(addr, text("one") + text("two", rsv=RSV1 | RSV2) + text("three"), 1002,
                   before=[TEXT("one")], chop=1)


@case("3.5", "binary with RSV1+RSV3 -> 1002")
def _(addr):
    exchange(addr, binary(b"\x00\xff\xfe", rsv=RSV1 | RSV3), 1002)


@case("3.6", "ping with RSV2+RSV3 -> 1002 and no pong")
def _(addr):
    exchange(addr, ping(b"ping", rsv=RSV2 | RSV3), 1002)


@case("3.7", "close with all RSV bits -> 1002 (not an echo of 1000)")
def _(addr):
    exchange(addr, close(1000, rsv=RSV1 | RSV2 | RSV3), 1002)


@case("3.8", "continuation frame with RSV1 -> 1002")
def _(addr):
    exchange(addr, text("frag", fin=False) + cont("ment", rsv=RSV1), 1002)


# ---- 4. opcodes ----------------------------------------------------------------------------

def _register_opcodes():
    for group, ops in (("4.1", range(3, 8)), ("4.2", range(11, 16))):
        for op in ops:
            case("%s.%d" % (group, op), "reserved opcode %d, empty -> 1002" % op)(
                lambda addr, op=op: exchange(addr, frame(op), 1002))
            case("%s.%d.1" % (group, op),
                 "valid text, reserved opcode %d with payload, valid text -> echo, 1002" % op)(
                lambda addr, op=op: exchange(
                    addr, text("before") + frame(op, b"reserved") + text("after"), 1002,
                    before=[TEXT("before")]))


_register_opcodes()


@case("4.3.1", "reserved opcode inside a fragmented message -> 1002")
def _(addr):
    exchange(addr, text("frag", fin=False) + frame(5, b"x") + cont("ment"), 1002)


# ---- 5. fragmentation ----------------------------------------------------------------------

@case("5.1", "fragmented ping -> 1002")
def _(addr):
    exchange(addr, ping(b"frag", fin=False) + cont(b"ment"), 1002)


@case("5.2", "fragmented pong -> 1002")
def _(addr):
    exchange(addr, pong(b"frag", fin=False) + cont(b"ment"), 1002)


@case("5.3", "text in 2 fragments -> one message")
def _(addr):
    exchange(addr, text("frag", fin=False) + cont("ment") + close(1000), 1000,
                   before=[TEXT("fragment")])


@case("5.4", "text in 2 fragments written 1 byte at a time -> one message")
def _(addr):
    exchange(addr, text("frag", fin=False) + cont("ment") + close(1000), 1000,
                   before=[TEXT("fragment")], chop=1)


@case("5.5", "binary in 3 fragments -> one message")
def _(addr):
    exchange(addr, binary(b"\x00\x01", fin=False) + cont(b"\x02", fin=False) +
                   cont(b"\x03\xff") + close(1000), 1000,
                   before=[BINARY(b"\x00\x01\x02\x03\xff")])


@case("5.6", "text fragment, ping, text fragment -> pong, then the message")
def _(addr):
    exchange(addr, text("frag", fin=False) + ping(b"in between") + cont("ment") +
                   close(1000), 1000, before=[PONG("in between"), TEXT("fragment")])


@case("5.7", "as 5.6, written 1 byte at a time")
def _(addr):
    exchange(addr, text("frag", fin=False) + ping(b"in between") + cont("ment") +
                   close(1000), 1000, before=[PONG("in between"), TEXT("fragment")], chop=1)


@case("5.8", "text fragment, unsolicited pong, text fragment -> the message only")
def _(addr):
    exchange(addr, text("frag", fin=False) + pong(b"unsolicited") + cont("ment") +
                   close(1000), 1000, before=[TEXT("fragment")])


@case("5.9", "continuation (FIN) with nothing to continue -> 1002")
def _(addr):
    exchange(addr, cont("orphan"), 1002)


@case("5.10", "continuation (not FIN) with nothing to continue -> 1002")
def _(addr):
    exchange(addr, cont("orphan", fin=False), 1002)


@case("5.11", "as 5.9, written 1 byte at a time")
def _(addr):
    exchange(addr, cont("orphan"), 1002, chop=1)


@case("5.12", "complete text, then a continuation -> echo, then 1002")
def _(addr):
    exchange(addr, text("complete") + cont("orphan"), 1002, before=[TEXT("complete")])


@case("5.13", "text (not FIN), then a new text frame -> 1002")
def _(addr):
    exchange(addr, text("frag", fin=False) + text("new message"), 1002)


@case("5.14", "text (not FIN), then a new binary frame (not FIN) -> 1002")
def _(addr):
    exchange(addr, text("frag", fin=False) + binary(b"new", fin=False) + cont("x"), 1002)


@case("5.15", "valid message, then continuation, text, continuation -> echo, then 1002")
def _(addr):
    # Autobahn 5.16/5.17: the first continuation is already the error.
    exchange(addr, text("ok") + cont("fragment1", fin=False) + text("fragment2", fin=False) +
                   cont("fragment3"), 1002, before=[TEXT("ok")])


@case("5.16", "text of 1-byte fragments -> one message")
def _(addr):
    data = "fragmented one byte at a time"
    exchange(addr, fragments(OP_TEXT, data, 1) + close(1000), 1000, before=[TEXT(data)])


@case("5.17", "empty fragments: empty text start, empty continuations -> empty message")
def _(addr):
    exchange(addr, text("", fin=False) + cont("", fin=False) + cont("") + close(1000), 1000,
                   before=[TEXT("")])


@case("5.18", "empty first and last fragments around data -> the data")
def _(addr):
    exchange(addr, binary(b"", fin=False) + cont(b"middle", fin=False) + cont(b"") +
                   close(1000), 1000, before=[BINARY(b"middle")])


@case("5.19", "fragmented close -> 1002")
def _(addr):
    exchange(addr, frame(OP_CLOSE, b"\x03\xe8", fin=False) + cont(b"bye"), 1002)


@case("5.20", "two fragmented messages back to back -> two messages")
def _(addr):
    exchange(addr, text("a", fin=False) + cont("b") + binary(b"c", fin=False) +
                   cont(b"d", fin=False) + cont(b"e") + close(1000), 1000,
                   before=[TEXT("ab"), BINARY(b"cde")])


@case("5.21", "text fragments with a ping after each, sent with pauses -> pongs, then message")
def _(addr):
    with open_ws(addr) as c:
        for i in range(5):
            c.send((text if i == 0 else cont)("f%d" % i, fin=i == 4) + ping(b"p%d" % i))
            time.sleep(0.1)
        # The last ping follows the final fragment, so its pong comes after the message.
        c.expect_events([PONG("p%d" % i) for i in range(4)] + [TEXT("f0f1f2f3f4"), PONG("p4")])
        c.close_normally()


@case("5.22", "binary in 10 fragments each followed by a ping, 1-byte writes")
def _(addr):
    data = b"".join((binary if i == 0 else cont)(bytes([i]) * 10, fin=i == 9) + ping(b"%d" % i)
                    for i in range(10))
    exchange(addr, data + close(1000), 1000, chop=1,
                   before=[PONG(b"%d" % i) for i in range(9)] +
                   [BINARY(b"".join(bytes([i]) * 10 for i in range(10))), PONG(b"9")])


@case("5.23", "pong and pings between the fragments of one message")
def _(addr):
    exchange(addr, text("a", fin=False) + pong(b"x") + ping(b"1") + cont("b", fin=False) +
                   ping(b"2") + cont("c") + close(1000), 1000,
                   before=[PONG("1"), PONG("2"), TEXT("abc")])

