"""Conformance case 6: UTF-8 in text messages (RFC 6455 §8.1, RFC 3629).

Valid text must survive being split anywhere (between fragments, between TCP writes, even
inside a character); invalid text must fail the connection with 1007, and fail FAST: at the
first byte after which no valid continuation exists, without waiting for the rest of the frame
or of the message (Autobahn 6.4.*).
"""

import os
import time

from runner import case
from wsproto import (BINARY, OP_TEXT, PONG, TEXT, apply_mask, binary, close, cont, exchange,
                     frame_header, open_ws, ping, text)

VALID = [
    ("empty", b""),
    ("ASCII and Latin-1", "Hello-µ@ßöäüàá-UTF-8!!".encode()),
    ("Greek kosme", "κόσμε".encode()),
    ("U+0000", b"\x00"),
    ("U+007F, last 1-byte", b"\x7f"),
    ("U+0080, first 2-byte", b"\xc2\x80"),
    ("U+07FF, last 2-byte", b"\xdf\xbf"),
    ("U+0800, first 3-byte", b"\xe0\xa0\x80"),
    ("U+D7FF, before the surrogates", b"\xed\x9f\xbf"),
    ("U+E000, after the surrogates", b"\xee\x80\x80"),
    ("U+FFFD replacement char", b"\xef\xbf\xbd"),
    ("U+FFFE noncharacter (valid UTF-8)", b"\xef\xbf\xbe"),
    ("U+FFFF, last 3-byte", b"\xef\xbf\xbf"),
    ("U+10000, first 4-byte", b"\xf0\x90\x80\x80"),
    ("U+10FFFF, last code point", b"\xf4\x8f\xbf\xbf"),
    ("BOM then text", "\ufeffbom".encode()),
    ("mixed 1..4-byte", "a€𝄞µ中文😀z".encode()),
]

# (name, bytes, index of the first byte at which the sequence can no longer be valid, or
#  None when it is only invalid because the message ends there: truncated at the end)
INVALID = [
    ("lone continuation 0x80", b"\x80", 0),
    ("lone continuation 0xBF", b"\xbf", 0),
    ("continuations 0x80..0xBF", bytes(range(0x80, 0xC0)), 0),
    ("overlong 2-byte C0 AF", b"\xc0\xaf", 0),
    ("overlong 2-byte C1 BF", b"\xc1\xbf", 0),
    ("overlong 3-byte E0 80 AF", b"\xe0\x80\xaf", 1),
    ("overlong 3-byte E0 9F BF", b"\xe0\x9f\xbf", 1),
    ("overlong 4-byte F0 80 80 AF", b"\xf0\x80\x80\xaf", 1),
    ("overlong 4-byte F0 8F BF BF", b"\xf0\x8f\xbf\xbf", 1),
    ("surrogate U+D800 ED A0 80", b"\xed\xa0\x80", 1),
    ("surrogate U+DBFF ED AF BF", b"\xed\xaf\xbf", 1),
    ("surrogate U+DC00 ED B0 80", b"\xed\xb0\x80", 1),
    ("surrogate U+DFFF ED BF BF", b"\xed\xbf\xbf", 1),
    ("surrogate pair ED A0 80 ED B0 80", b"\xed\xa0\x80\xed\xb0\x80", 1),
    ("above U+10FFFF F4 90 80 80", b"\xf4\x90\x80\x80", 1),
    ("F5 lead byte", b"\xf5\x80\x80\x80", 0),
    ("F7 BF BF BF", b"\xf7\xbf\xbf\xbf", 0),
    ("5-byte form F8 88 80 80 80", b"\xf8\x88\x80\x80\x80", 0),
    ("6-byte form FC 84 80 80 80 80", b"\xfc\x84\x80\x80\x80\x80", 0),
    ("FE", b"\xfe", 0),
    ("FF", b"\xff", 0),
    ("2-byte lead then ASCII C3 41", b"\xc3\x41", 1),
    ("3-byte lead then ASCII E2 28 A1", b"\xe2\x28\xa1", 1),
    ("4-byte lead then ASCII F0 28 8C BC", b"\xf0\x28\x8c\xbc", 1),
    ("3-byte sequence missing its last byte, then ASCII", b"\xe2\x82\x41", 2),
    ("truncated 2-byte at end: kosm + CE", "κόσμ".encode() + b"\xce", None),
    ("truncated 3-byte at end: E2 82", b"\xe2\x82", None),
    ("truncated 4-byte at end: F0 9F 98", b"\xf0\x9f\x98", None),
]

PREFIX = "κόσμε".encode()  # valid text before the bad bytes, so the failure is mid-message


def _register():
    for i, (name, data) in enumerate(VALID, 1):
        case("6.1.%d" % i, "valid UTF-8 echoed: %s" % name)(
            lambda addr, data=data: exchange(addr, text(data) + close(1000), 1000,
                                             before=[TEXT(data)]))
    for i, (name, data, _) in enumerate(INVALID, 1):
        case("6.3.%d" % i, "invalid UTF-8 -> 1007 (after echoing the message before): %s" % name)(
            lambda addr, data=data: exchange(addr, text("ok") + text(PREFIX + data),
                                             1007, before=[TEXT("ok")]))
    for i, (name, data, bad_at) in enumerate(INVALID, 1):
        if bad_at is None:
            continue
        case("6.4.%d" % i, "fail fast inside a frame, rest never sent: %s" % name)(
            lambda addr, data=data, bad_at=bad_at: _fail_fast_in_frame(addr, data, bad_at))
        case("6.5.%d" % i, "fail fast in a first fragment, later ones never sent: %s" % name)(
            lambda addr, data=data: exchange(addr, text(PREFIX + data, fin=False), 1007))


def _fail_fast_in_frame(addr, data, bad_at):
    """Announce a long text frame but send only up to the first bad byte: the server has to
    notice before the frame is complete."""
    payload = PREFIX + data[:bad_at + 1]
    key = os.urandom(4)
    head = frame_header(OP_TEXT, len(payload) + 1000, mask_key=key)
    exchange(addr, head + apply_mask(payload, key), 1007)


_register()

SPLIT_TEXT = "Hello-µ@ßöäüàá-κόσμε-€-𝄞-\U0010ffff".encode()


@case("6.2.1", "valid text split into 2 fragments at every byte position")
def _(addr):
    with open_ws(addr) as c:
        for i in range(len(SPLIT_TEXT) + 1):
            c.send(text(SPLIT_TEXT[:i], fin=False) + cont(SPLIT_TEXT[i:]))
            c.expect(TEXT(SPLIT_TEXT), what="split at byte %d" % i)
        c.close_normally()


@case("6.2.2", "valid text split into 3 fragments at every pair of positions")
def _(addr):
    data = "κό€𝄞s".encode()
    with open_ws(addr) as c:
        for i in range(len(data) + 1):
            for j in range(i, len(data) + 1):
                c.send(text(data[:i], fin=False) + cont(data[i:j], fin=False) + cont(data[j:]))
                c.expect(TEXT(data), what="split at bytes %d and %d" % (i, j))
        c.close_normally()


@case("6.2.3", "valid text with every byte in its own fragment")
def _(addr):
    with open_ws(addr) as c:
        frames = [text(SPLIT_TEXT[:1], fin=False)]
        frames += [cont(SPLIT_TEXT[i:i + 1], fin=i == len(SPLIT_TEXT) - 1)
                   for i in range(1, len(SPLIT_TEXT))]
        c.send(b"".join(frames))
        c.expect(TEXT(SPLIT_TEXT))
        c.close_normally()


@case("6.2.4", "one valid text frame split across 2 TCP writes at every byte position")
def _(addr):
    with open_ws(addr) as c:
        for i in range(1, len(text(SPLIT_TEXT))):
            raw = text(SPLIT_TEXT)
            c.send(raw[:i])
            time.sleep(0.002)  # let the server read the first piece on its own
            c.send(raw[i:])
            c.expect(TEXT(SPLIT_TEXT), what="split at byte %d of the frame" % i)
        c.close_normally()


@case("6.2.5", "valid text written 1 byte at a time")
def _(addr):
    exchange(addr, text(SPLIT_TEXT) + close(1000), 1000, before=[TEXT(SPLIT_TEXT)], chop=1)


@case("6.6.1", "valid first fragment, invalid second fragment -> 1007")
def _(addr):
    exchange(addr, text(PREFIX, fin=False) + cont(b"\xed\xa0\x80"), 1007)


@case("6.6.2", "surrogate split across fragments (ED | A0 80) -> 1007")
def _(addr):
    exchange(addr, text(PREFIX + b"\xed", fin=False) + cont(b"\xa0\x80"), 1007)


@case("6.6.3", "code point above U+10FFFF split across fragments (F4 | 90 80 80) -> 1007")
def _(addr):
    exchange(addr, text(PREFIX + b"\xf4", fin=False) + cont(b"\x90\x80\x80"), 1007)


@case("6.6.4", "message ends inside a character split across fragments (E2 | 82) -> 1007")
def _(addr):
    exchange(addr, text(PREFIX + b"\xe2", fin=False) + cont(b"\x82"), 1007)


@case("6.6.5", "message ending with an empty fragment after a truncated character -> 1007")
def _(addr):
    exchange(addr, text(PREFIX + b"\xe2\x82", fin=False) + cont(b""), 1007)


@case("6.6.6", "invalid UTF-8 written 1 byte at a time -> 1007")
def _(addr):
    exchange(addr, text("ok") + text(PREFIX + b"\xf4\x90\x80\x80"), 1007,
             before=[TEXT("ok")], chop=1)


@case("6.6.7", "fail fast: Autobahn 6.4.3 shape, valid chunk then bad chunk of one frame")
def _(addr):
    good, bad = PREFIX, b"\xf4\x90\x80\x80"
    tail = "edited".encode()
    key = os.urandom(4)
    payload = apply_mask(good + bad + tail, key)
    head = frame_header(OP_TEXT, len(good + bad + tail), mask_key=key)
    with open_ws(addr) as c:
        c.send(head + payload[:len(good)])
        time.sleep(0.1)
        c.send(payload[len(good):len(good) + len(bad)])
        c.expect_close(1007, timeout=3)  # the tail is never sent


@case("6.7.1", "binary messages are not UTF-8 checked")
def _(addr):
    data = b"\xff\xfe\xed\xa0\x80\xc0\xaf"
    exchange(addr, binary(data) + close(1000), 1000, before=[BINARY(data)])


@case("6.7.2", "invalid UTF-8 in a ping payload is fine (only text and close reasons)")
def _(addr):
    exchange(addr, ping(b"\xff\xfe") + close(1000), 1000, before=[PONG(b"\xff\xfe")])
