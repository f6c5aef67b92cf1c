"""The RFC 6455 conformance cases (tests/conformance), run again through TLS.

Every case that uses one of the suite's shared servers (echo, limited, timers, slow) runs
against the same server started with ssl_enabled, its raw sockets wrapped in TLS that trusts
only the test root. The cases send bytes chopped one at a time, huge frames, a client that
stops reading, half-open handshakes: with TLS underneath each of those becomes many tiny
records, partial records, WANT_READ/WANT_WRITE at every step and close_notify at the end. A
case's expect_eof() also checks the server's TLS close: Python's ssl raises on an EOF that no
close_notify announced, so a server that just drops TCP after the closing handshake fails.

Cases that start servers of their own (server=None) are left to the plain suite.
"""

import socket
import ssl
import unittest

from tls_pki import TestPki

import runner
import wsproto
import cases_framing, cases_utf8, cases_close, cases_limits, cases_http, cases_shutdown  # noqa: F401
import cases_timers  # noqa: F401

CATEGORIES = [("1", "framing"), ("2", "ping/pong"), ("3", "reserved bits"), ("4", "opcodes"),
              ("5", "fragmentation"), ("6", "UTF-8"), ("7", "closing"), ("9", "limits"),
              ("10", "misc"), ("H", "HTTP handshake"), ("T", "timers and backpressure")]


class TlsRunner(runner.Runner):
    """runner.Runner whose servers all speak TLS."""

    def __init__(self, pki):
        super().__init__(runner.WsrelayServer(args=["echo"]).binary)
        self.pki = pki

    def server_addr(self, name):
        server = self.servers.get(name)
        if server is None or not server.alive():
            server = runner.WsrelayServer(self.binary, runner.SERVERS[name] + self.pki.server_args())
            server.start()
            self.servers[name] = server
        return server.addr


class ConformanceOverTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = TestPki()
        context = cls.pki.client_context()
        # Python sets OP_IGNORE_UNEXPECTED_EOF by default, which hides a missing close_notify.
        context.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
        plain_create_connection = socket.create_connection

        def create_tls_connection(addr, *args, **kwargs):
            sock = plain_create_connection(addr, *args, **kwargs)
            # suppress_ragged_eofs=False: TCP closed without close_notify raises SSLEOFError.
            return context.wrap_socket(sock, server_hostname=addr[0], suppress_ragged_eofs=False)

        # Every way the cases open a connection: wsproto.connect_tcp (also behind open_ws) and
        # socket.create_connection in the case modules (both through the socket module).
        cls.saved = socket.create_connection
        socket.create_connection = create_tls_connection
        cls.runner = TlsRunner(cls.pki)

    @classmethod
    def tearDownClass(cls):
        socket.create_connection = cls.saved
        for server in cls.runner.servers.values():
            server.kill()
        cls.pki.remove()

    def run_category(self, prefix):
        cases = [c for c in runner.CASES if c.cid.split(".")[0] == prefix and c.server is not None]
        self.assertTrue(cases, "no cases in category %s" % prefix)
        self.runner.passed, self.runner.failed = [], []
        import signal
        signal.signal(signal.SIGALRM, runner._on_alarm)
        for c in sorted(cases, key=runner._sort_key):
            self.runner.run_one(c)
        failed = [c.name for c in self.runner.failed]
        self.assertEqual(failed, [], "%d of %d cases failed over TLS" % (len(failed), len(cases)))


def _make_test(prefix, title):
    def test(self):
        self.run_category(prefix)
    test.__name__ = "test_%s_%s" % (prefix, title.replace(" ", "_").replace("/", "_"))
    test.__doc__ = "conformance %s (%s) over TLS" % (prefix, title)
    return test


for _prefix, _title in CATEGORIES:
    _t = _make_test(_prefix, _title)
    setattr(ConformanceOverTls, _t.__name__, _t)


if __name__ == "__main__":
    unittest.main()
