#!/usr/bin/python3
"""wsrelay's own RFC 6455 conformance suite: raw bytes over TCP against `wsrelay echo`.

It mirrors the Autobahn|Testsuite categories 1-10 (framing, ping/pong, reserved bits, opcodes,
fragmentation, UTF-8, closing, limits, misc) plus the HTTP handshake and graceful shutdown,
and asserts exact close codes and that the server closes TCP afterwards.

    /usr/bin/python3 tests/conformance/conformance.py            # starts build/wsrelay itself
    ... --binary build/asan/wsrelay                             # another build
    ... -k 6.4 -v                                               # only cases whose id/title match
    ... --connect 127.0.0.1:9001 [--connect-limited HOST:PORT]   # a server you started

Servers started here listen on free loopback ports and are killed at exit. The last line of
output is `N passed, N failed` (", N skipped" when --connect skips cases); exit status 1 when
anything failed. WSRELAY_TEST_TIMEOUT_SCALE multiplies every timeout (e.g. 3 under ASan).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runner  # noqa: E402
import cases_framing, cases_utf8, cases_close, cases_limits, cases_http, cases_shutdown  # noqa: E402,F401
import cases_timers  # noqa: E402,F401
import cases_deflate  # noqa: E402,F401
from wsrelay_server import default_binary  # noqa: E402

CATEGORIES = [
    ("1", "framing"), ("2", "ping/pong"), ("3", "reserved bits"), ("4", "opcodes"),
    ("5", "fragmentation"), ("6", "UTF-8"), ("7", "closing"), ("9", "limits and big messages"),
    ("10", "misc"), ("H", "HTTP handshake"), ("S", "shutdown"),
    ("T", "timers and backpressure"), ("12", "permessage-deflate"), ("13", "deflate parameters"),
]


def parse_addr(text):
    host, _, port = text.rpartition(":")
    return (host or "127.0.0.1", int(port))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=default_binary(), help="wsrelay binary (default: %(default)s)")
    ap.add_argument("--connect", type=parse_addr, help="use a running echo server (16 MiB limit)")
    ap.add_argument("--connect-limited", type=parse_addr,
                    help="use a running echo server with --max-message-size %d" % runner.LIMITED_MAX_MESSAGE)
    ap.add_argument("-k", action="append", default=[], help="run cases whose id or title contains this")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args()

    cases = [c for c in runner.CASES
             if not args.k or any(k.lower() in c.name.lower() for k in args.k)]
    if args.list:
        for c in sorted(cases, key=runner._sort_key):
            print(c.name)
        return 0

    external = {}
    if args.connect:
        external["echo"] = args.connect
    if args.connect_limited:
        external["limited"] = args.connect_limited
    run = runner.Runner(args.binary, external, args.verbose)
    print("conformance: %d cases against %s" % (
        len(cases), args.connect and "%s:%d" % args.connect or args.binary))
    sys.stdout.flush()
    run.run(cases)

    for prefix, title in CATEGORIES:
        def mine(lst):
            return [c for c in lst if c.cid.split(".")[0] == prefix]
        ok, bad = len(mine(run.passed)), len(mine(run.failed))
        if ok + bad:
            print("  [%-2s %-24s] %4d ok %4d failing" % (prefix, title, ok, bad))
    line = "%d passed, %d failed" % (len(run.passed), len(run.failed))
    if run.skipped:
        line += ", %d skipped" % len(run.skipped)
    print(line)
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
