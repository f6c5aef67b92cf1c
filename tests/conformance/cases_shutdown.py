"""Conformance case S: graceful shutdown (issue 2, "The reactor").

On SIGTERM the server stops accepting, sends Close 1001 to every client, waits for their
Close (up to a deadline) and exits with status 0. Each case starts its own server.
"""

from runner import SERVERS, case
from wsproto import TEXT, close, open_ws, text
from wsrelay_server import WsrelayServer


@case("S.1", "SIGTERM: connected clients get Close 1001, server exits 0", server=None)
def _(binary):
    with WsrelayServer(binary, SERVERS["echo"]) as server:
        clients = [open_ws(server.addr) for _ in range(3)]
        try:
            for i, c in enumerate(clients):
                c.send(text("before shutdown %d" % i))
                c.expect(TEXT("before shutdown %d" % i))
            server.proc.terminate()
            for c in clients:
                got = c.recv_event(timeout=5)
                if got[:2] != ("close", 1001):
                    raise AssertionError("expected Close 1001 on shutdown, got %r" % (got,))
                c.send(close(1001))
                c.expect_eof()
        finally:
            for c in clients:
                c.shutdown()
        status = server.terminate()
        if status != 0:
            raise AssertionError("server exit status %s after SIGTERM, expected 0; log:\n%s"
                                 % (status, server.log_tail()))


@case("S.2", "SIGTERM with no clients: server exits 0 promptly", server=None)
def _(binary):
    with WsrelayServer(binary, SERVERS["echo"]) as server:
        status = server.terminate(timeout=5)
        if status != 0:
            raise AssertionError("server exit status %s after SIGTERM, expected 0; log:\n%s"
                                 % (status, server.log_tail()))


@case("S.3", "SIGTERM: a client that never answers the Close is dropped, server exits 0",
      server=None, timeout=60)
def _(binary):
    args = SERVERS["echo"] + ["--close-timeout", "1", "--shutdown-timeout", "3"]
    with WsrelayServer(binary, args) as server:
        with open_ws(server.addr) as c:
            c.send(text("x"))
            c.expect(TEXT("x"))
            server.proc.terminate()
            got = c.recv_event(timeout=5)
            if got[:2] != ("close", 1001):
                raise AssertionError("expected Close 1001 on shutdown, got %r" % (got,))
            # We never answer: the server must drop us after close_timeout (1 s), well within
            # its shutdown_timeout (3 s), and still exit 0.
            c.expect_eof(timeout=5)
        status = server.terminate(timeout=10)
        if status != 0:
            raise AssertionError("server exit status %s after SIGTERM, expected 0; log:\n%s"
                                 % (status, server.log_tail()))
