"""Conformance case H: the opening handshake over HTTP/1.1 (RFC 6455 §4.1, §4.2).

Every rejection must be a complete HTTP response with the right status, after which the
server closes the connection (these cases read to EOF, so a server that keeps the socket open
fails on the timeout).
"""

import base64

from runner import case
from wsproto import (SAMPLE_ACCEPT, SAMPLE_KEY, TEXT, Connection, check_switching, connect_tcp,
                     open_ws, read_http_response, read_to_eof, text, upgrade_request)


def request(addr, raw, chunk=None):
    """Send a raw request and return the response, checking the server then closes TCP."""
    sock = connect_tcp(addr)
    try:
        try:
            if chunk:
                for i in range(0, len(raw), chunk):
                    sock.sendall(raw[i:i + chunk])
            else:
                sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before it has read everything
        resp = read_http_response(sock)
        _expect_eof_after_body(sock, resp)
        return resp
    finally:
        sock.close()


def _expect_eof_after_body(sock, resp):
    body = resp.rest + read_to_eof(sock, 5, "connection after a %d response" % resp.status)
    length = resp.header("content-length")
    if length is not None and int(length) != len(body):
        raise AssertionError("Content-Length %s but the body has %d bytes" % (length, len(body)))


def expect_status(addr, raw, status, chunk=None):
    resp = request(addr, raw, chunk)
    if resp.status != status:
        raise AssertionError("expected HTTP %d, got %d %s" % (status, resp.status, resp.reason))
    return resp


def upgrade(addr, **kw):
    return upgrade_request(addr[0], addr[1], **kw)


@case("H.1", "RFC 6455 sample key -> 101 with Sec-WebSocket-Accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
def _(addr):
    sock = connect_tcp(addr)
    sock.sendall(upgrade(addr, key=SAMPLE_KEY))
    resp = read_http_response(sock)
    if resp.header("sec-websocket-accept") != SAMPLE_ACCEPT:
        raise AssertionError("Sec-WebSocket-Accept is %r" % resp.header("sec-websocket-accept"))
    check_switching(resp, SAMPLE_KEY)
    with Connection(sock, resp.rest) as c:
        c.close_normally()


@case("H.2.1", "missing Sec-WebSocket-Key -> 400")
def _(addr):
    expect_status(addr, upgrade(addr, omit=("Sec-WebSocket-Key",)), 400)


@case("H.2.2", "Sec-WebSocket-Key that is not Base64 -> 400")
def _(addr):
    expect_status(addr, upgrade(addr, key="not base64 at all!!!!!!!"), 400)


@case("H.2.3", "Sec-WebSocket-Key of 15 bytes -> 400")
def _(addr):
    expect_status(addr, upgrade(addr, key=base64.b64encode(b"x" * 15).decode()), 400)


@case("H.2.4", "Sec-WebSocket-Key of 17 bytes -> 400")
def _(addr):
    expect_status(addr, upgrade(addr, key=base64.b64encode(b"x" * 17).decode()), 400)


@case("H.2.5", "two Sec-WebSocket-Key headers -> 400")
def _(addr):
    expect_status(addr, upgrade(addr, extra=[("Sec-WebSocket-Key", SAMPLE_KEY)]), 400)


@case("H.3.1", "Sec-WebSocket-Version: 8 -> 426 with Sec-WebSocket-Version: 13")
def _(addr):
    resp = expect_status(addr, upgrade(addr, version="8"), 426)
    if (resp.header("sec-websocket-version") or "").strip() != "13":
        raise AssertionError("426 response carries Sec-WebSocket-Version %r, expected '13'"
                             % resp.header("sec-websocket-version"))


@case("H.3.2", "missing Sec-WebSocket-Version -> 426 (with version 13) or 400")
def _(addr):
    resp = request(addr, upgrade(addr, omit=("Sec-WebSocket-Version",)))
    if resp.status == 426 and (resp.header("sec-websocket-version") or "").strip() == "13":
        return
    if resp.status != 400:
        raise AssertionError("expected 426 with Sec-WebSocket-Version: 13, or 400; got %d %s"
                             % (resp.status, resp.reason))


@case("H.4.1", "request head over the size cap -> 431")
def _(addr):
    raw = upgrade(addr, extra=[("X-Padding", "p" * 100000)])
    expect_status(addr, raw, 431)


@case("H.4.2", "request head over the cap with no end in sight, sent slowly -> 431")
def _(addr):
    raw = b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 40000
    expect_status(addr, raw, 431, chunk=4096)


@case("H.4.3", "more than 64 header fields -> 431")
def _(addr):
    raw = upgrade(addr, extra=[("X-H%d" % i, "v") for i in range(100)])
    expect_status(addr, raw, 431)


@case("H.5.1", "plain GET of a WebSocket path -> 426 (a missing file -> 404)")
def _(addr):
    # Every path that serves no HTTP endpoint is a WebSocket endpoint: without Upgrade, a GET
    # there is told to upgrade (RFC 9110 §15.5.22), not that nothing is there.
    expect_status(addr, b"GET /no/such/path HTTP/1.1\r\nHost: localhost\r\n\r\n", 426)
    expect_status(addr, b"GET /no/such/file.js HTTP/1.1\r\nHost: localhost\r\n\r\n", 404)


@case("H.5.2", "POST with upgrade headers -> 405")
def _(addr):
    expect_status(addr, upgrade(addr, method="POST"), 405)


@case("H.5.3", "missing Host -> 400")
def _(addr):
    expect_status(addr, upgrade(addr, omit=("Host",)), 400)


@case("H.5.4", "Connection header without the upgrade token -> 400")
def _(addr):
    raw = upgrade(addr, omit=("Connection",), extra=[("Connection", "keep-alive")])
    expect_status(addr, raw, 400)


@case("H.5.5", "garbage request line -> 400")
def _(addr):
    expect_status(addr, b"\x16\x03\x01 hello\r\n\r\n", 400)


@case("H.5.6", "header line without a colon -> 400")
def _(addr):
    expect_status(addr, upgrade(addr).replace(b"Upgrade: websocket", b"Upgrade websocket"), 400)


@case("H.5.7", "HTTP/1.0 upgrade request is refused (4xx/5xx)")
def _(addr):
    resp = request(addr, upgrade(addr, http="HTTP/1.0"))
    if resp.status < 400:
        raise AssertionError("expected a refusal, got %d %s" % (resp.status, resp.reason))


@case("H.6.1", "token lists and case: Connection: keep-alive, Upgrade / Upgrade: WebSocket -> 101")
def _(addr):
    raw = upgrade(addr, key=SAMPLE_KEY, omit=("Connection", "Upgrade"),
                  extra=[("connection", "keep-alive, Upgrade"), ("UPGRADE", "WebSocket")])
    sock = connect_tcp(addr)
    sock.sendall(raw)
    resp = read_http_response(sock)
    check_switching(resp, SAMPLE_KEY)
    with Connection(sock, resp.rest) as c:
        c.close_normally()


@case("H.6.2", "bare LF line endings are tolerated -> 101")
def _(addr):
    sock = connect_tcp(addr)
    sock.sendall(upgrade(addr, key=SAMPLE_KEY, eol="\n"))
    resp = read_http_response(sock)
    check_switching(resp, SAMPLE_KEY)
    with Connection(sock, resp.rest) as c:
        c.close_normally()


@case("H.6.3", "request with a path and query string is accepted")
def _(addr):
    with open_ws(addr, path="/chat?token=abc&x=1") as c:
        c.send(text("q"))
        c.expect(TEXT("q"))
        c.close_normally()


@case("H.6.4", "request written 1 byte at a time -> 101")
def _(addr):
    raw = upgrade(addr, key=SAMPLE_KEY)
    sock = connect_tcp(addr)
    for i in range(len(raw)):
        sock.sendall(raw[i:i + 1])
    resp = read_http_response(sock)
    check_switching(resp, SAMPLE_KEY)
    with Connection(sock, resp.rest) as c:
        c.close_normally()


@case("H.6.5", "first frame in the same write as the upgrade request is answered")
def _(addr):
    with open_ws(addr, first_bytes=text("early bird")) as c:
        c.expect(TEXT("early bird"))
        c.close_normally()


@case("H.6.6", "unknown extension offered -> 101 without accepting it")
def _(addr):
    # check_switching() fails if Sec-WebSocket-Extensions comes back.
    with open_ws(addr, extra=[("Sec-WebSocket-Extensions", "x-unknown-extension")]) as c:
        c.close_normally()
