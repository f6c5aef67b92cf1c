"""The client side of RFC 6455 over a raw TCP socket, for conformance tests.

Deliberately small and explicit: every byte the tests send is built here, so a test can send
anything, including what a well-behaved client never would (unmasked frames, RSV bits, reserved
opcodes, lying length fields, half frames). Everything the server sends back is checked as it
is decoded: a server frame must be unmasked (RFC 6455 §5.1), carry no RSV bits (§5.2, nothing is
negotiated), use a known opcode, and a control frame must be final and at most 125 bytes (§5.5).

Standard library only (runs on Debian's /usr/bin/python3).
"""

import base64
import hashlib
import os
import random
import socket
import struct
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
KNOWN_OPCODES = {OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG}
RSV1, RSV2, RSV3 = 0b100, 0b010, 0b001

# Every wait is multiplied by this, so a slow build (sanitizers) can be given more time.
TIMEOUT_SCALE = float(os.environ.get("WSRELAY_TEST_TIMEOUT_SCALE", "1"))


def scaled(seconds):
    return seconds * TIMEOUT_SCALE


class ProtocolViolation(AssertionError):
    """The server sent something RFC 6455 forbids."""


# ---- encoding ------------------------------------------------------------------------------

def apply_mask(data, key):
    """XOR data with the 4-byte key (§5.3). Whole-buffer big-integer XOR: fast for 16 MiB."""
    n = len(data)
    if n == 0:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")


def frame_header(opcode, length, *, fin=True, rsv=0, mask_key=None):
    """The header only: lets a test announce a payload and then send less (or none) of it."""
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF)
    mask_bit = 0x80 if mask_key is not None else 0
    if length < 126:
        head = bytes([b0, mask_bit | length])
    elif length <= 0xFFFF:
        head = bytes([b0, mask_bit | 126]) + struct.pack("!H", length)
    else:
        head = bytes([b0, mask_bit | 127]) + struct.pack("!Q", length)
    return head + (mask_key or b"")


def frame(opcode, payload=b"", *, fin=True, rsv=0, masked=True, mask_key=None, length=None):
    """One complete client frame. `length` overrides the announced payload length."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    if masked and mask_key is None:
        mask_key = os.urandom(4)
    if not masked:
        mask_key = None
    announced = len(payload) if length is None else length
    head = frame_header(opcode, announced, fin=fin, rsv=rsv, mask_key=mask_key)
    return head + (apply_mask(payload, mask_key) if mask_key else payload)


def text(payload, **kw):
    return frame(OP_TEXT, payload, **kw)


def binary(payload, **kw):
    return frame(OP_BINARY, payload, **kw)


def cont(payload=b"", **kw):
    return frame(OP_CONT, payload, **kw)


def ping(payload=b"", **kw):
    return frame(OP_PING, payload, **kw)


def pong(payload=b"", **kw):
    return frame(OP_PONG, payload, **kw)


def close_payload(code=None, reason=b""):
    if code is None:
        return b""
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    return struct.pack("!H", code) + reason


def close(code=None, reason=b"", **kw):
    return frame(OP_CLOSE, close_payload(code, reason), **kw)


def fragments(opcode, payload, size):
    """A message as frames of at most `size` payload bytes (at least one frame)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    pieces = [payload[i:i + size] for i in range(0, len(payload), size)] or [b""]
    out = []
    for i, piece in enumerate(pieces):
        out.append(frame(opcode if i == 0 else OP_CONT, piece, fin=i == len(pieces) - 1))
    return b"".join(out)


# ---- events the tests compare --------------------------------------------------------------
# Events are plain tuples so that expected and received compare with ==:
#   ("text", bytes) ("binary", bytes) ("ping", bytes) ("pong", bytes) ("close", code|None, reason)

def TEXT(payload):
    return ("text", payload.encode("utf-8") if isinstance(payload, str) else bytes(payload))


def BINARY(payload):
    return ("binary", bytes(payload))


def PONG(payload=b""):
    return ("pong", payload.encode("utf-8") if isinstance(payload, str) else bytes(payload))


def short(data, limit=48):
    if isinstance(data, (bytes, bytearray)) and len(data) > limit:
        return "%r...(%d bytes)" % (bytes(data[:limit]), len(data))
    return repr(data)


def describe(event):
    if event is None:
        return "nothing"
    if event[0] == "close":
        code = "no code" if event[1] is None else str(event[1])
        return "Close(%s, reason=%s)" % (code, short(event[2]))
    if event[0] == "eof":
        return "TCP close (no Close frame)"
    return "%s(%s)" % (event[0], short(event[1]))


# ---- the connection ------------------------------------------------------------------------

class Connection:
    """A TCP connection that speaks WebSocket bytes. recv_* raise AssertionError on timeout."""

    def __init__(self, sock, leftover=b""):
        self.sock = sock
        self.buf = bytearray(leftover)
        self.send_failed = False  # the server closed first; later writes are dropped
        self.eof = False
        self._msg_kind = None     # reassembly of a fragmented server message
        self._msg_parts = []
        self._msg_compressed = False
        # permessage-deflate (cases_deflate.py): an object with inflate(payload) once the
        # extension is negotiated; RSV1 is then legal on a message's first frame.
        self.deflate = None

    # -- sending
    def send(self, data):
        """Write bytes; a reset or broken pipe (server already gone) is remembered, not raised,
        because tests that provoke an error keep writing what they planned."""
        if self.send_failed:
            return False
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.send_failed = True
            return False

    def send_chopped(self, data, size=1, delay=0.0):
        for i in range(0, len(data), size):
            if not self.send(data[i:i + size]):
                return False
            if delay:
                time.sleep(delay)
        return True

    # -- receiving raw bytes
    def _fill(self, deadline):
        chunk = recv_by(self.sock, deadline, 1 << 20)
        if chunk is None:
            raise socket.timeout()
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _need(self, n, deadline):
        while len(self.buf) < n:
            if self.eof or not self._fill(deadline):
                return False
        return True

    def recv_frame(self, timeout=5.0):
        """The next frame as (fin, rsv, opcode, payload), or None at EOF (TCP closed)."""
        deadline = time.monotonic() + scaled(timeout)
        try:
            if not self._need(2, deadline):
                if self.buf:
                    raise ProtocolViolation("TCP closed inside a frame header: %s" % short(self.buf))
                return None
            b0, b1 = self.buf[0], self.buf[1]
            fin, rsv, opcode = bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0xF
            masked, length, pos = bool(b1 & 0x80), b1 & 0x7F, 2
            if length == 126:
                if not self._need(4, deadline):
                    raise ProtocolViolation("TCP closed inside a frame header")
                length, pos = struct.unpack("!H", self.buf[2:4])[0], 4
            elif length == 127:
                if not self._need(10, deadline):
                    raise ProtocolViolation("TCP closed inside a frame header")
                length, pos = struct.unpack("!Q", self.buf[2:10])[0], 10
            if masked:
                raise ProtocolViolation("server sent a masked frame (RFC 6455 §5.1)")
            allowed = 4 if self.deflate is not None else 0
            if rsv & ~allowed:
                raise ProtocolViolation("server frame has RSV bits %s with no extension" % bin(rsv))
            if rsv and (opcode >= 8 or opcode == OP_CONT):
                raise ProtocolViolation("server set RSV1 on a control or continuation frame (RFC 7692 §6.1)")
            if opcode not in KNOWN_OPCODES:
                raise ProtocolViolation("server frame has reserved opcode %d" % opcode)
            if opcode >= 8 and (not fin or length > 125):
                raise ProtocolViolation("server control frame fragmented or over 125 bytes")
            if not self._need(pos + length, deadline):
                raise ProtocolViolation("TCP closed inside a frame payload (%d of %d bytes)"
                                        % (len(self.buf) - pos, length))
        except socket.timeout:
            raise AssertionError("timed out after %.1fs waiting for a frame (have %s)"
                                 % (scaled(timeout), short(self.buf))) from None
        payload = bytes(self.buf[pos:pos + length])
        del self.buf[:pos + length]
        return fin, rsv, opcode, payload

    def recv_event(self, timeout=5.0):
        """The next message (reassembled) or control frame, as an event tuple; ("eof",) when
        TCP closed."""
        while True:
            f = self.recv_frame(timeout)
            if f is None:
                if self._msg_kind is not None:
                    raise ProtocolViolation("TCP closed in the middle of a fragmented message")
                return ("eof",)
            fin, rsv, opcode, payload = f
            if opcode == OP_CLOSE:
                return decode_close(payload)
            if opcode == OP_PING:
                return ("ping", payload)
            if opcode == OP_PONG:
                return ("pong", payload)
            if opcode == OP_CONT:
                if self._msg_kind is None:
                    raise ProtocolViolation("server sent a continuation with nothing to continue")
            else:
                if self._msg_kind is not None:
                    raise ProtocolViolation("server started a message inside another")
                self._msg_kind = "text" if opcode == OP_TEXT else "binary"
                self._msg_compressed = bool(rsv & 4)
            self._msg_parts.append(payload)
            if fin:
                kind, data = self._msg_kind, b"".join(self._msg_parts)
                self._msg_kind, self._msg_parts = None, []
                if self._msg_compressed:
                    data = self.deflate.inflate(data)
                if kind == "text":
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError:
                        raise ProtocolViolation("server sent a text message that is not UTF-8")
                return (kind, data)

    # -- expectations
    def expect(self, expected, timeout=5.0, what=""):
        got = self.recv_event(timeout)
        if got != expected:
            raise AssertionError("%sexpected %s, got %s" % (what and what + ": ",
                                                           describe(expected), describe(got)))
        return got

    def expect_events(self, events, timeout=5.0):
        for i, ev in enumerate(events):
            self.expect(ev, timeout, what="event %d of %d" % (i + 1, len(events)))

    def expect_eof(self, timeout=5.0):
        """The server must close TCP, sending nothing more."""
        deadline = time.monotonic() + scaled(timeout)
        try:
            while not self.eof:
                if self.buf:
                    raise ProtocolViolation("server sent bytes after its Close frame: %s"
                                            % short(self.buf))
                self._fill(deadline)
        except socket.timeout:
            raise AssertionError("server did not close the TCP connection within %.1fs"
                                 % scaled(timeout)) from None
        if self.buf:
            raise ProtocolViolation("server sent bytes after its Close frame: %s" % short(self.buf))

    def expect_close(self, codes, before=(), timeout=5.0, reply=True):
        """Expect the events in `before`, then a Close whose code is in `codes` (an int, None
        for an empty Close, or a collection of them), then TCP close. We answer the server's
        Close as §5.5.1 asks (unless it already answered ours); a server that closes TCP right
        after its Close frame is fine too."""
        if not isinstance(codes, (list, tuple, set, frozenset)):
            codes = (codes,)
        self.expect_events(before, timeout)
        got = self.recv_event(timeout)
        if got[0] != "close" or got[1] not in codes:
            raise AssertionError("expected Close %s, got %s"
                                 % ("/".join(str(c) for c in codes), describe(got)))
        if reply:
            self.send(close(got[1] if got[1] is not None else None))
        self.expect_eof(timeout)
        return got

    def close_normally(self, timeout=5.0):
        """Client-initiated close: send Close 1000, expect it echoed and TCP closed."""
        self.send(close(1000))
        return self.expect_close(1000, timeout=timeout, reply=False)

    def shutdown(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()
        return False


def decode_close(payload):
    if len(payload) == 0:
        return ("close", None, b"")
    if len(payload) == 1:
        raise ProtocolViolation("server sent a Close with a 1-byte payload")
    code = struct.unpack("!H", payload[:2])[0]
    reason = payload[2:]
    try:
        reason.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolViolation("server Close reason is not UTF-8: %s" % short(reason))
    return ("close", code, reason)


# ---- the opening handshake -----------------------------------------------------------------

SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ=="          # RFC 6455 §1.3
SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def accept_for(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def new_key():
    return base64.b64encode(os.urandom(16)).decode()


def upgrade_request(host, port, *, path="/", key=None, version="13", method="GET",
                    extra=(), omit=(), http="HTTP/1.1", eol="\r\n"):
    """A handshake request; `omit` names headers to leave out, `extra` adds (name, value)."""
    headers = [("Host", "%s:%d" % (host, port)), ("Upgrade", "websocket"),
               ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key or new_key()),
               ("Sec-WebSocket-Version", version)]
    headers = [(n, v) for n, v in headers if n not in omit and v is not None]
    headers += list(extra)
    lines = ["%s %s %s" % (method, path, http)] + ["%s: %s" % hv for hv in headers]
    return (eol.join(lines) + eol + eol).encode("latin-1")


class HttpResponse:
    def __init__(self, status, reason, headers, rest):
        self.status, self.reason, self.headers, self.rest = status, reason, headers, rest

    def header(self, name):
        return self.headers.get(name.lower())


def recv_by(sock, deadline, size=65536):
    """One recv that waits until `deadline` (time.monotonic()) at most: the bytes read, b"" when
    the peer closed or reset the connection, None when the deadline passed first."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            return sock.recv(size)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return b""


def read_http_response(sock, timeout=5.0):
    """Read a response head; returns HttpResponse with the bytes after the head in .rest."""
    deadline = time.monotonic() + scaled(timeout)
    buf = bytearray()
    while b"\r\n\r\n" not in buf:
        chunk = recv_by(sock, deadline)
        if chunk is None:
            raise AssertionError("no complete HTTP response within %.1fs (have %s)"
                                 % (scaled(timeout), short(buf)))
        if not chunk:
            raise AssertionError("connection closed before a complete HTTP response (have %s)"
                                 % short(buf))
        buf += chunk
    head, rest = bytes(buf).split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise AssertionError("malformed HTTP status line %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise AssertionError("malformed HTTP header line %r" % line)
        headers[name.strip().lower()] = value.strip()
    return HttpResponse(int(parts[1]), parts[2] if len(parts) > 2 else "", headers, rest)


def read_to_eof(sock, timeout=5.0, what="connection"):
    """Read until the peer closes TCP (FIN, or a reset); return the bytes read. Fails if the
    peer keeps the connection open longer than `timeout`."""
    deadline = time.monotonic() + scaled(timeout)
    data = bytearray()
    while True:
        chunk = recv_by(sock, deadline)
        if chunk is None:
            raise AssertionError("%s still open after %.1fs" % (what, scaled(timeout)))
        if not chunk:
            return bytes(data)
        data += chunk


def connect_tcp(addr, timeout=5.0):
    sock = socket.create_connection(addr, timeout=scaled(timeout))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def open_ws(addr, *, first_bytes=b"", timeout=5.0, **request_kw):
    """Connect and complete the opening handshake, checking the 101 response (§4.2.2)."""
    sock = connect_tcp(addr, timeout)
    key = request_kw.pop("key", None) or new_key()
    offered = any(n.lower() == "sec-websocket-extensions" for n, _ in request_kw.get("extra", ()))
    sock.sendall(upgrade_request(addr[0], addr[1], key=key, **request_kw) + first_bytes)
    resp = read_http_response(sock, timeout)
    check_switching(resp, key, offered_extensions=offered)
    conn = Connection(sock, resp.rest)
    conn.extensions = resp.header("sec-websocket-extensions")
    return conn


def check_switching(resp, key, offered_extensions=False):
    if resp.status != 101:
        raise AssertionError("handshake: expected status 101, got %d %s" % (resp.status, resp.reason))
    if (resp.header("upgrade") or "").lower() != "websocket":
        raise AssertionError("handshake: Upgrade header is %r" % resp.header("upgrade"))
    if "upgrade" not in [t.strip().lower() for t in (resp.header("connection") or "").split(",")]:
        raise AssertionError("handshake: Connection header is %r" % resp.header("connection"))
    if resp.header("sec-websocket-accept") != accept_for(key):
        raise AssertionError("handshake: Sec-WebSocket-Accept is %r, expected %r"
                             % (resp.header("sec-websocket-accept"), accept_for(key)))
    if resp.header("sec-websocket-extensions") is not None and not offered_extensions:
        raise AssertionError("handshake: server accepted an extension nobody offered: %r"
                             % resp.header("sec-websocket-extensions"))


# ---- conversations the cases share ---------------------------------------------------------

def text_of(n):
    """n bytes of valid UTF-8 that mixes 1-, 2-, 3- and 4-byte characters."""
    unit = "Hello-µ@ßöäü-κόσμε-€-𝄞|".encode("utf-8")
    data = unit * (n // len(unit))
    return data + b"*" * (n - len(data))


def binary_of(n, seed=1):
    return random.Random(seed + n).randbytes(n)


def expect_echoes(addr, messages, timeout=10, chop=None):
    """Send `messages` (list of (opcode, payload)) in one write (or chopped) and expect each
    echoed in order, then a normal close."""
    with open_ws(addr) as c:
        data = b"".join(frame(op, p) for op, p in messages)
        if chop:
            c.send_chopped(data, chop)
        else:
            c.send(data)
        for op, p in messages:
            c.expect(TEXT(p) if op == OP_TEXT else BINARY(p), timeout)
        c.close_normally()


def exchange(addr, data, code, before=(), chop=None):
    """Send `data` on a new connection (in one write, or chopped into `chop`-byte writes),
    expect the events in `before`, then a Close with `code`, then the server closing TCP."""
    with open_ws(addr) as c:
        c.send_chopped(data, chop) if chop else c.send(data)
        c.expect_close(code, before=before)
