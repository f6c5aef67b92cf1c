"""A tiny test runner for the conformance cases (standard library only).

A case is a function registered with @case(id, title, server=...). It receives the address
of a running server and raises AssertionError (or anything else) to fail. Each case gets its
own wall-clock limit (SIGALRM) on top of the socket timeouts, so a hang fails the case
instead of blocking the suite.

Servers are named: "echo" is `wsrelay echo` with its defaults; other names map to extra
command-line flags (SERVERS below). Cases that need one start it lazily, once. When a server
dies during a case, that case fails with the server's log, and the server is restarted for
the cases that follow, so one crash does not hide every later result.
"""

import signal
import sys
import time
import traceback

from wsproto import scaled
from wsrelay_server import WsrelayServer

# Reduced limit for the 1009 cases: small enough to test cheaply.
LIMITED_MAX_MESSAGE = 65536

SERVERS = {
    "echo": ["echo"],
    "limited": ["echo", "--max-message-size", str(LIMITED_MAX_MESSAGE)],
    # Short timers (seconds) for the heartbeat and handshake-timeout cases (ping_timeout must
    # be below ping_interval).
    "timers": ["echo", "--ping-interval", "2", "--ping-timeout", "1", "--handshake-timeout", "1"],
    # A small output cap for the slow-consumer case.
    "slow": ["echo", "--max-pending-output", "65536"],
    # permessage-deflate (cases_deflate.py): contexts kept where the client allows, and off.
    "dedicated": ["echo", "--compression", "dedicated"],
    "nodeflate": ["echo", "--compression", "off"],
}

CASES = []


class Case:
    def __init__(self, cid, title, fn, server, timeout):
        self.cid, self.title, self.fn, self.server, self.timeout = cid, title, fn, server, timeout

    @property
    def name(self):
        return "%s %s" % (self.cid, self.title)


def case(cid, title, server="echo", timeout=30):
    """Register a case. server=None: the case manages its own server(s) (gets the binary)."""
    def register(fn):
        CASES.append(Case(cid, title, fn, server, timeout))
        return fn
    return register


def _sort_key(c):
    head = c.cid.split(".")
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in head]


class _CaseTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _CaseTimeout()


class Runner:
    def __init__(self, binary, external=None, verbose=False):
        self.binary = binary
        self.external = external or {}  # server name -> (host, port) not started by us
        self.servers = {}
        self.verbose = verbose
        self.passed, self.failed, self.skipped = [], [], []

    def server_addr(self, name):
        if name in self.external:
            return self.external[name]
        server = self.servers.get(name)
        if server is None or not server.alive():
            server = WsrelayServer(self.binary, SERVERS[name])
            server.start()
            self.servers[name] = server
        return server.addr

    def run(self, cases):
        signal.signal(signal.SIGALRM, _on_alarm)
        for c in sorted(cases, key=_sort_key):
            self.run_one(c)
        for server in self.servers.values():
            server.kill()

    def run_one(self, c):
        if self.external and c.server is None:
            self.skipped.append(c)
            print("skip %s (needs to start its own server)" % c.name)
            return
        if self.external and c.server not in self.external:
            self.skipped.append(c)
            print("skip %s (no --connect-%s server given)" % (c.name, c.server))
            return
        start = time.monotonic()
        error = None
        try:
            arg = self.binary if c.server is None else self.server_addr(c.server)
            signal.alarm(max(1, int(scaled(c.timeout))))
            try:
                c.fn(arg)
            finally:
                signal.alarm(0)
        except _CaseTimeout:
            error = "case did not finish within %.0fs" % scaled(c.timeout)
        except AssertionError as e:
            error = str(e) or "assertion failed"
            if self.verbose:
                error += "\n" + traceback.format_exc()
        except Exception as e:  # a crash of the test itself counts as a failure too
            error = "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc())
        elapsed = time.monotonic() - start
        server = self.servers.get(c.server) if c.server else None
        if server is not None and not server.alive():
            error = (error or "") + "\nSERVER DIED (exit status %s); its log ends:\n%s" % (
                server.proc.returncode, server.log_tail())
        if error is None:
            self.passed.append(c)
            if self.verbose:
                print("ok   %s (%.2fs)" % (c.name, elapsed))
        else:
            self.failed.append(c)
            print("FAIL %s (%.2fs)\n     %s" % (c.name, elapsed, error.replace("\n", "\n     ")))
        sys.stdout.flush()
