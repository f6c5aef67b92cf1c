"""Start and stop a real wsrelay process for a test (standard library only).

    with WsrelayServer(binary, ["echo"]) as server:
        addr = server.addr            # ("127.0.0.1", port)

The server listens on a free loopback port chosen here, and its output goes to a log file
that `log_tail()` returns for failure messages. A server still running when the test ends,
fails or the interpreter exits is killed (atexit), so no test leaves a process behind.
Also used by tests/integration/interop/ (Python websockets suite).
"""

import atexit
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from wsproto import scaled

REPO = Path(__file__).resolve().parents[2]
_LIVE = set()


def default_binary():
    """$WSRELAY_BIN, else $BUILD/wsrelay, else build/wsrelay, relative to the repo root."""
    if os.environ.get("WSRELAY_BIN"):
        return str(Path(os.environ["WSRELAY_BIN"]).resolve())
    return str(REPO / os.environ.get("BUILD", "build") / "wsrelay")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@atexit.register
def _kill_leftovers():
    for server in list(_LIVE):
        server.kill()


class WsrelayServer:
    def __init__(self, binary=None, args=("echo",), host="127.0.0.1"):
        self.binary = binary or default_binary()
        self.args = list(args)
        self.host = host
        self.port = None
        self.proc = None
        self.log = tempfile.NamedTemporaryFile(prefix="wsrelay-", suffix=".log", delete=False)

    @property
    def addr(self):
        return (self.host, self.port)

    def start(self, ready_timeout=10.0):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("server binary %s does not exist (build it first)" % self.binary)
        # A port that was free a moment ago can be taken in between; try a few.
        for _ in range(5):
            self.port = free_port()
            cmd = [self.binary] + self.args + ["--host", self.host, "--port", str(self.port)]
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                         stderr=subprocess.STDOUT, cwd=str(REPO))
            _LIVE.add(self)
            if self._wait_ready(ready_timeout):
                return self
            if self.proc.poll() is None:
                break
            _LIVE.discard(self)
        self.kill()
        raise RuntimeError("server %s did not start listening on %d:\n%s"
                           % (" ".join(cmd), self.port, self.log_tail()))

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(self.addr, timeout=0.5).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout=15.0):
        """SIGTERM and wait; returns the exit status (negative: killed by that signal)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(scaled(timeout))
            except subprocess.TimeoutExpired:
                self.kill()
        _LIVE.discard(self)
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        _LIVE.discard(self)

    def log_tail(self, lines=30):
        try:
            with open(self.log.name, "rb") as f:
                data = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(data[-lines:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        try:
            os.unlink(self.log.name)
        except OSError:
            pass
        return False
