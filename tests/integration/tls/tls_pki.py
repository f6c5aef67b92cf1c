"""Python side of the TLS suite's helpers (standard library only).

    pki = TestPki()                 # a throwaway CA + intermediate + server certificate made
                                    # with the `openssl` command (make_certs.sh) in a temp dir
    args = pki.server_args()        # wsrelay flags: ssl_enabled, cert, key, chain
    ctx = pki.client_context()      # an SSLContext that trusts only the test root
    pki.remove()

Server certificates name IP 127.0.0.1 and DNS localhost, so clients verify the chain and the
host name for real (check_hostname stays on).
"""

import os
import shutil
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "conformance"))


class TestPki:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="wsrelay-tls-"))
        subprocess.run(["bash", str(HERE / "make_certs.sh"), str(self.dir)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def file(self, name):
        return str(self.dir / name)

    def add_leaf(self, name, serial_hex, common_name):
        subprocess.run(["bash", str(HERE / "make_certs.sh"), str(self.dir), "leaf", name, serial_hex,
                        common_name], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def server_args(self, cert="server.pem", key="server.key", chain="inter.pem"):
        args = ["--ssl-enabled", "true", "--ssl-cert-path", self.file(cert), "--ssl-key-path", self.file(key)]
        if chain:
            args += ["--ssl-chain-path", self.file(chain)]
        return args

    def client_context(self, **versions):
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.file("ca.pem"))
        for name, value in versions.items():
            setattr(ctx, name, value)
        return ctx

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def scale():
    return float(os.environ.get("WSRELAY_TEST_TIMEOUT_SCALE", "1"))
