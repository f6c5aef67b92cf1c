"""Conformance case T: timers and backpressure (issue 2, "Heartbeats", "Write path").

Servers here run with short timers or a small output cap, so the rules can be seen
quickly (ping_interval 2 s, ping_timeout and handshake_timeout 1 s): the server pings idle clients and drops one that does not answer in time; a
connection that never finishes its handshake is closed; a client that does not read is
closed with 1008 after the frames already started are finished, never with a cut frame.
"""

import socket
import time

from runner import case
from wsproto import (TEXT, binary, connect_tcp, describe, open_ws, pong, read_to_eof, scaled,
                     text, upgrade_request)


def _expect_server_ping(c, within):
    got = c.recv_event(timeout=within)
    if got[0] != "ping":
        raise AssertionError("expected a ping from the server, got %s" % describe(got))
    return got[1]


@case("T.1", "idle client is pinged every ping_interval; answering keeps it open", server="timers",
      timeout=30)
def _(addr):
    with open_ws(addr) as c:
        for i in range(3):
            payload = _expect_server_ping(c, within=4)
            c.send(pong(payload))
        c.send(text("still open"))
        c.expect(TEXT("still open"))
        c.close_normally()


@case("T.2", "client that never answers pings is dropped after ping_timeout", server="timers",
      timeout=30)
def _(addr):
    with open_ws(addr) as c:
        _expect_server_ping(c, within=4)
        start = time.monotonic()
        # Nothing is answered. The server may send a Close first or just drop TCP.
        got = c.recv_event(timeout=6)
        if got[0] == "ping":  # a second ping before the first timed out is tolerated
            got = c.recv_event(timeout=6)
        if got[0] == "close":
            c.expect_eof(timeout=6)
        elif got[0] != "eof":
            raise AssertionError("expected the connection to be dropped, got %s" % describe(got))
        if time.monotonic() - start > scaled(5):
            raise AssertionError("dropped only after %.1fs with ping_timeout 1s"
                                 % (time.monotonic() - start))


@case("T.3", "TCP connection that never sends a request is closed after handshake_timeout",
      server="timers", timeout=30)
def _(addr):
    _expect_closed_silently(connect_tcp(addr), within=5)


@case("T.4", "half a handshake request is closed after handshake_timeout", server="timers",
      timeout=30)
def _(addr):
    sock = connect_tcp(addr)
    sock.sendall(upgrade_request(addr[0], addr[1])[:30])
    _expect_closed_silently(sock, within=5)


def _expect_closed_silently(sock, within):
    """The server closes TCP; it may say why in an HTTP response (e.g. 408) first."""
    try:
        read_to_eof(sock, within)
    finally:
        sock.close()


@case("T.5", "client that does not read is closed with 1008 after whole frames only",
      server="slow", timeout=60)
def _(addr):
    # The server's cap is 64 KiB of pending output. We do not read until we have sent 32 MiB
    # of 64 KiB messages: far more than the kernel buffers on both sides hold, so the echoes
    # pile up in the server.
    with open_ws(addr) as c:
        messages = [bytes([i % 251]) * 65536 for i in range(512)]
        # Send until the server stops taking input (it stops reading once it gave up on us);
        # a write that blocks for 2 s ends the sending, possibly in the middle of a frame.
        c.sock.settimeout(scaled(2))
        for m in messages:
            try:
                if not c.send(binary(m)):
                    break
            except socket.timeout:
                break
        received = 0
        while True:
            got = c.recv_event(timeout=20)
            if got[0] == "binary":
                if got[1] != messages[received]:
                    raise AssertionError("echo %d differs from what was sent" % received)
                received += 1
                continue
            if got[0] == "pong":
                continue
            if got != ("close", 1008, got[2]):
                raise AssertionError("expected Close 1008 after %d echoes, got %s"
                                     % (received, describe(got)))
            break
        if received >= len(messages):
            raise AssertionError("every message was echoed: the output cap never applied")
        c.send(pong())  # harmless; the server must ignore anything after its Close but ours
        c.expect_eof(timeout=10)



