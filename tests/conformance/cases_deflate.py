"""Conformance cases 12 and 13: permessage-deflate (RFC 7692), plus negotiation and the
bounded inflate.

Numbered after the Autobahn|Testsuite categories they mirror:
  12.x.y  many compressed messages of one payload kind (x) and size/fragmentation (y),
          echoed by the server compressed and inflated here with Python's zlib;
  13.x.y  the same with each negotiation offer Autobahn uses (client_no_context_takeover,
          client_max_window_bits 8/15, several offers), against the "dedicated" server that
          keeps contexts when allowed;
  12.9.x  negotiation answers (exact response header), RSV1 rules, invalid data, bombs.
Message counts are smaller than Autobahn's 1000 for the big sizes (the machine is shared);
every message is checked byte for byte.
"""

import random
import zlib

from runner import LIMITED_MAX_MESSAGE as LIMIT, case
from wsproto import (BINARY, OP_BINARY, OP_CONT, OP_TEXT, PONG, RSV1, TEXT, connect_tcp, frame,
                     new_key, open_ws, ping, read_http_response, upgrade_request)

TAIL = b"\x00\x00\xff\xff"


class Deflate:
    """The client side of permessage-deflate, with Python's zlib (an independent inflater)."""

    def __init__(self, client_takeover=True, server_takeover=True, client_bits=15):
        self.client_takeover, self.server_takeover = client_takeover, server_takeover
        self.client_bits = client_bits
        self._c = None
        self._d = None

    def compress(self, data):
        if self._c is None or not self.client_takeover:
            # zlib cannot write raw streams with an 8-bit window (it refuses -8), like every
            # zlib-based client: it uses 9, which a server inflating with >= 9 bits accepts.
            self._c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -max(9, self.client_bits))
        out = self._c.compress(data) + self._c.flush(zlib.Z_SYNC_FLUSH)
        assert out.endswith(TAIL)
        return out[:-4]  # RFC 7692 §7.2.1

    def inflate(self, payload):
        if self._d is None or not self.server_takeover:
            self._d = zlib.decompressobj(-15)
        return self._d.decompress(payload + TAIL)  # §7.2.2


def offer_ws(addr, offer):
    """Open a connection offering `offer`; when the server accepts, conn.deflate follows the
    parameters of its answer (RFC 7692 §7.1.1: the client must honour
    client_no_context_takeover when the server asks for it)."""
    extra = [("Sec-WebSocket-Extensions", offer)] if offer is not None else []
    conn = open_ws(addr, extra=extra)
    if conn.extensions is not None:
        params = parse_response(conn.extensions)
        conn.deflate = Deflate(client_takeover="client_no_context_takeover" not in params,
                               server_takeover="server_no_context_takeover" not in params,
                               client_bits=int(params.get("client_max_window_bits", 15)))
    return conn


def response_extensions(addr, offers):
    """The Sec-WebSocket-Extensions header of the 101 (None when absent)."""
    sock = connect_tcp(addr)
    try:
        key = new_key()
        sock.sendall(upgrade_request(addr[0], addr[1], key=key,
                                     extra=[("Sec-WebSocket-Extensions", o) for o in offers]))
        resp = read_http_response(sock)
        assert resp.status == 101, resp.status
        return resp.header("sec-websocket-extensions")
    finally:
        sock.close()


def parse_response(value):
    params = {}
    parts = [p.strip() for p in value.split(";")]
    assert parts[0] == "permessage-deflate", value
    for p in parts[1:]:
        name, _, v = p.partition("=")
        params[name] = v or True
    return params


# Payload kinds (12.1-12.5 use a JSON file, a bitmap, German text, HTML, a PDF).
def _payloads():
    rnd = random.Random(7692)
    words = ["Faust", "Gretchen", "Mephistopheles", "und", "der", "die", "Habe", "nun", "ach",
             "Philosophie", "Juristerei", "Medizin", "Théologie", "ö", "ü", "ß"]
    json_text = ",".join('{"id":%d,"name":"%s","tags":["a","b"],"v":%f}'
                         % (i, rnd.choice(words), rnd.random()) for i in range(20000))
    german = " ".join(rnd.choice(words) for _ in range(60000))
    html = "".join('<div class="row"><a href="/p/%d">%s</a></div>\n' % (i, rnd.choice(words))
                   for i in range(8000))
    bitmap = bytes((x * y // 7) & 0xFF if (x // 16 + y // 16) % 2 else 0
                   for y in range(512) for x in range(512))
    noisy = bytes(rnd.getrandbits(8) if i % 5 else i & 0xFF for i in range(300000))
    return [(OP_TEXT, json_text.encode()), (OP_BINARY, bitmap), (OP_TEXT, german.encode()),
            (OP_TEXT, html.encode()), (OP_BINARY, noisy)]


PAYLOADS = _payloads()
SIZES = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072]
FRAGMENTED = [(8192, 256), (16384, 256), (32768, 256), (65536, 256), (131072, 256), (65536, 4096),
              (131072, 4096), (131072, 65536)]


def _count(size):
    return 1000 if size <= 256 else 100 if size <= 4096 else 20


def _slice(data, size, i, kind):
    start = (i * 97) % max(1, len(data) - size)
    piece = data[start:start + size]
    if kind == OP_TEXT:
        # A window of UTF-8 text may cut a character at either end: trim to whole ones.
        piece = piece.decode("utf-8", "ignore").encode("utf-8")
    return piece


def run_messages(addr, kind, data, size, count, frag=None, offer="permessage-deflate",
                 deflate=None):
    with offer_ws(addr, offer) as c:
        assert c.deflate is not None, "server declined %r" % offer
        if deflate is not None:
            # The caller's expectations must match what the server answered.
            assert (deflate.client_takeover, deflate.server_takeover) == \
                (c.deflate.client_takeover, c.deflate.server_takeover), c.extensions
            c.deflate = deflate
        sent = []
        out = bytearray()
        for i in range(count):
            msg = _slice(data, size, i, kind)
            packed = c.deflate.compress(msg)
            if frag is None:
                out += frame(kind, packed, rsv=RSV1)
            else:
                pieces = [packed[j:j + frag] for j in range(0, len(packed), frag)] or [b""]
                for j, p in enumerate(pieces):
                    out += frame(kind if j == 0 else OP_CONT, p, fin=j == len(pieces) - 1,
                                 rsv=RSV1 if j == 0 else 0)
            sent.append(msg)
            if len(out) > 256 * 1024:
                # Send in batches and read their echoes, so neither side's buffers fill up.
                c.send(bytes(out))
                out.clear()
                while sent:
                    c.expect((TEXT if kind == OP_TEXT else BINARY)(sent.pop(0)), 30)
        c.send(bytes(out))
        for msg in sent:
            c.expect((TEXT if kind == OP_TEXT else BINARY)(msg), 30)
        c.close_normally()


def _register_12():
    for x, (kind, data) in enumerate(PAYLOADS, 1):
        y = 0
        for size in SIZES:
            y += 1
            case("12.%d.%d" % (x, y), "%d compressed %s messages of %d bytes are echoed"
                 % (_count(size), "text" if kind == OP_TEXT else "binary", size), timeout=240)(
                lambda addr, kind=kind, data=data, size=size:
                    run_messages(addr, kind, data, size, _count(size)))
        for size, frag in FRAGMENTED:
            y += 1
            case("12.%d.%d" % (x, y), "%d compressed messages of %d bytes in %d-byte fragments"
                 % (_count(size), size, frag), timeout=240)(
                lambda addr, kind=kind, data=data, size=size, frag=frag:
                    run_messages(addr, kind, data, size, _count(size), frag))


# 13.x: Autobahn's offers as (client_no_context_takeover, client_max_window_bits); 0 = omit.
OFFERS_13 = [
    [(False, 0)], [(True, 0)], [(False, 8)], [(False, 15)], [(True, 8)], [(True, 15)],
    [(True, 8), (True, 0), (False, 0)],
]


def _offer_text(offers):
    texts = []
    for no_takeover, bits in offers:
        t = "permessage-deflate"
        if no_takeover:
            t += "; client_no_context_takeover"
        if bits:
            t += "; client_max_window_bits=%d" % bits
        texts.append(t)
    return ", ".join(texts)


def run_13(addr, offers, size, count):
    header = response_extensions(addr, [_offer_text(offers)])
    params = parse_response(header)
    # The server answers the first offer (all are acceptable) and echoes its window size.
    no_takeover, bits = offers[0]
    assert ("client_no_context_takeover" in params) == no_takeover, header
    if bits and bits < 15:
        assert params.get("client_max_window_bits") == str(bits), header
    deflate = Deflate(client_takeover=not no_takeover,
                      server_takeover="server_no_context_takeover" not in params,
                      client_bits=bits or 15)
    kind, data = PAYLOADS[0]
    run_messages(addr, kind, data, size, count, offer=_offer_text(offers), deflate=deflate)


def _register_13():
    for x, offers in enumerate(OFFERS_13, 1):
        for y, size in enumerate(SIZES, 1):
            case("13.%d.%d" % (x, y), "offer %s: %d messages of %d bytes"
                 % (_offer_text(offers), _count(size), size), server="dedicated", timeout=240)(
                lambda addr, offers=offers, size=size: run_13(addr, offers, size, _count(size)))


_register_12()
_register_13()


# ---- 12.9 negotiation answers, RSV1 rules, invalid data, bombs ------------------------------

@case("12.9.1", "shared mode answers with both no_context_takeover flags")
def _(addr):
    assert response_extensions(addr, ["permessage-deflate; client_max_window_bits"]) == \
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"


@case("12.9.2", "no offer, an unknown extension, or only bad offers: no extension, still 101")
def _(addr):
    assert response_extensions(addr, []) is None
    assert response_extensions(addr, ["x-webkit-deflate-frame"]) is None
    assert response_extensions(addr, ["permessage-deflate; server_max_window_bits=16"]) is None
    assert response_extensions(addr, ["permessage-deflate; foo=1"]) is None
    assert response_extensions(addr, ["permessage-deflate;;"]) is None


@case("12.9.3", "the first acceptable offer of several headers wins")
def _(addr):
    assert response_extensions(addr, ["permessage-deflate; bogus",
                                      "permessage-deflate; server_max_window_bits=10"]) == \
        ("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
         "server_max_window_bits=10")


@case("12.9.4", "dedicated mode keeps contexts unless the client declines them", server="dedicated")
def _(addr):
    assert response_extensions(addr, ["permessage-deflate"]) == "permessage-deflate"
    assert response_extensions(addr, ["permessage-deflate; server_no_context_takeover"]) == \
        "permessage-deflate; server_no_context_takeover"


@case("12.9.5", "off: never negotiated", server="nodeflate")
def _(addr):
    assert response_extensions(addr, ["permessage-deflate"]) is None


@case("12.9.6", "RSV1 on a continuation frame -> 1002")
def _(addr):
    with offer_ws(addr, "permessage-deflate") as c:
        d = c.deflate
        packed = d.compress(b"hello hello")
        c.send(frame(OP_TEXT, packed[:3], fin=False, rsv=RSV1) + frame(OP_CONT, packed[3:], rsv=RSV1))
        c.expect_close(1002)


@case("12.9.7", "RSV1 on a Ping -> 1002")
def _(addr):
    with offer_ws(addr, "permessage-deflate") as c:
        c.send(ping(b"x", rsv=RSV1))
        c.expect_close(1002)


@case("12.9.8", "RSV1 without negotiation -> 1002")
def _(addr):
    with offer_ws(addr, None) as c:
        c.send(frame(OP_TEXT, Deflate().compress(b"hello"), rsv=RSV1))
        c.expect_close(1002)


@case("12.9.9", "invalid DEFLATE data -> 1007; a Ping between fragments is answered")
def _(addr):
    with offer_ws(addr, "permessage-deflate") as c:
        packed = c.deflate.compress(b"abc" * 100)
        c.send(frame(OP_TEXT, packed[:4], fin=False, rsv=RSV1) + ping(b"p") + frame(OP_CONT, packed[4:]))
        c.expect(PONG(b"p"))
        c.expect(TEXT(b"abc" * 100))
        c.send(frame(OP_BINARY, b"\xff\xff\xff\xff", rsv=RSV1))
        c.expect_close(1007)


@case("12.9.10", "compressed text that inflates to invalid UTF-8 -> 1007")
def _(addr):
    with offer_ws(addr, "permessage-deflate") as c:
        c.send(frame(OP_TEXT, c.deflate.compress(b"ok \xce\xba\xe1 bad"), rsv=RSV1))
        c.expect_close(1007)


@case("12.9.11", "a bomb in small frames (1 GiB of zeros) -> 1009 at the limit", server="limited",
      timeout=120)
def _(addr):
    d = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = d.compress(b"\0" * (1 << 20))  # 1 MiB -> about 1 KiB each
    with offer_ws(addr, "permessage-deflate") as c:
        c.send(frame(OP_BINARY, chunk, fin=False, rsv=RSV1))
        # The rest of the 1 GiB message, fragment by fragment, until the server gives up.
        for _ in range(1023):
            if not c.send(frame(OP_CONT, d.compress(b"\0" * (1 << 20)), fin=False)):
                break
        c.expect_close(1009)


@case("12.9.12", "messages of exactly the limit after inflating pass; one more byte -> 1009",
      server="limited")
def _(addr):
    with offer_ws(addr, "permessage-deflate") as c:
        c.send(frame(OP_BINARY, c.deflate.compress(b"a" * LIMIT), rsv=RSV1))
        c.expect(BINARY(b"a" * LIMIT))
        c.send(frame(OP_BINARY, c.deflate.compress(b"a" * (LIMIT + 1)), rsv=RSV1))
        c.expect_close(1009)


@case("12.9.13", "small echoes are sent uncompressed, large ones compressed")
def _(addr):
    with offer_ws(addr, "permessage-deflate") as c:
        c.send(frame(OP_TEXT, c.deflate.compress(b"tiny"), rsv=RSV1) +
               frame(OP_TEXT, b"x" * 5000))
        f = c.recv_frame()
        assert f[1] == 0 and f[3] == b"tiny", f
        f = c.recv_frame()
        assert f[1] == 4 and len(f[3]) < 200, (f[1], len(f[3]))
        assert c.deflate.inflate(f[3]) == b"x" * 5000
        c.close_normally()
