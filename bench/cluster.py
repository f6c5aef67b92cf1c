#!/usr/bin/env python3
"""Cluster bus benchmark: wsrelay's bus (tools/cluster_probe nodes) through a real redis-server,
beside redis-benchmark's PUBLISH rate on the same machine in the same run (the engine's limit).

    python3 bench/cluster.py            # N=100000 messages of 64 bytes per scenario
    N=20000 python3 bench/cluster.py    # quicker

Scenarios (each prints messages/s at the receivers and, where timed, p50/p99 latency from
publish on node A to receipt on node B, in microseconds):
  redis-benchmark   PUBLISH, 1 and 4 connections, pipeline 64, to a channel with one subscriber
  bus 1->1          A publishes N to one channel, B subscribed
  bus 1->1 +10k     the same while B is also subscribed to 10,000 other channels
                    (per-room channels on a node with 10,000 rooms)
  fan-out per-room  A publishes N to one room channel; B, C, D subscribed: N PUBLISH, 3N deliveries
  fan-out per-node  A publishes the same N to each node's own channel: 3N PUBLISH, 3N deliveries
  idle latency      200 single messages 5 ms apart
The machine is shared and noisy: compare ratios within one run, not figures across runs.
docs/cluster.md ("Channels: measured") records a run and the decision taken from it.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
PROBE = os.path.join(ROOT, BUILD, "cluster_probe")
N = int(os.environ.get("N", "100000"))
SIZE = 64


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Probe:
    def __init__(self, url, node_id):
        self.proc = subprocess.Popen([PROBE, "--redis-url", url, "--node-id", node_id], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.wait(r"^link up$")

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait(self, pattern):
        regex = re.compile(pattern)
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("probe exited")
            m = regex.match(line.rstrip("\n"))
            if m:
                return m

    def stats(self):
        self.send("stats")
        m = self.wait(r"^stats (.*)$")
        return dict(kv.split("=", 1) for kv in m.group(1).split(" "))

    def received(self):
        return int(self.stats()["burst_received"])

    def latency(self):
        self.send("latency")  # also resets the burst counter
        m = self.wait(r"^latency (\d+) (\d+) (\d+)$")
        return int(m.group(1)), int(m.group(2)), int(m.group(3))

    def close(self):
        self.send("quit")
        self.proc.wait(timeout=10)


def wait_received(receivers, expected, started):
    while True:
        if all(r.received() >= expected for r in receivers):
            return time.monotonic() - started
        if time.monotonic() - started > 120:
            raise RuntimeError("receivers did not get every message in 120 s")
        time.sleep(0.02)


def main():
    tmp = tempfile.mkdtemp(prefix="wsrelay-bench-redis-")
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", tmp, "--client-output-buffer-limit",
                              "pubsub 0 0 0"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    url = f"redis://127.0.0.1:{port}"
    results = []
    try:
        a, b, c, d = (Probe(url, n) for n in ("A", "B", "C", "D"))
        b.send("sub ch")
        b.wait(r"^sub ch$")
        time.sleep(0.3)

        for conns in (1, 4):
            out = subprocess.run(["redis-benchmark", "-p", str(port), "-q", "-c", str(conns), "-P", "64", "-n",
                                  str(N), "PUBLISH", "wsrelay:bus:ch", "x" * SIZE], capture_output=True,
                                 text=True).stdout
            rps = float(re.findall(r"([\d.]+) requests per second", out)[-1])
            results.append((f"redis-benchmark PUBLISH, {conns} conn x pipeline 64 (1 subscriber)", rps, None))
        b.latency()

        def burst(name, publisher, command, receivers, expected):
            for r in receivers:
                r.latency()
            started = time.monotonic()
            publisher.send(command)
            publisher.wait(r"^burst ")
            elapsed = wait_received(receivers, expected, started)
            lat = receivers[0].latency()
            results.append((name, expected * len(receivers) / elapsed, lat))

        burst("bus 1->1", a, f"burst ch {N} {SIZE}", [b], N)
        b.send("subn room 10000")
        b.wait(r"^subn ")
        time.sleep(1.0)
        burst("bus 1->1, receiver in 10,000 other channels", a, f"burst ch {N} {SIZE}", [b], N)

        for p in (c, d):
            p.send("sub ch")
            p.wait(r"^sub ch$")
        time.sleep(0.3)
        burst("fan-out per-room channel (1 PUBLISH -> 3 nodes)", a, f"burst ch {N} {SIZE}", [b, c, d], N)
        for p in (b, c, d):
            p.send("unsub ch")
        b.send("sub node0")
        c.send("sub node1")
        d.send("sub node2")
        time.sleep(0.3)
        burst("fan-out per-node channels (3 PUBLISH -> 3 nodes)", a, f"burstn node 3 {3 * N} {SIZE}", [b, c, d], N)

        b.send("sub idle")
        time.sleep(0.3)
        b.latency()
        for _ in range(200):
            a.send(f"burst idle 1 {SIZE}")
            time.sleep(0.005)
        time.sleep(0.3)
        lat = b.latency()
        results.append(("idle latency (200 messages 5 ms apart)", None, lat))
        for p in (a, b, c, d):
            p.close()
    finally:
        redis.terminate()
        redis.wait()

    print(f"cluster bus, {N} messages of {SIZE} B per scenario, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'scenario':56} {'msg/s':>12} {'p50 us':>9} {'p99 us':>9}")
    for name, rate, lat in results:
        r = f"{rate:12.0f}" if rate else f"{'':12}"
        l = f"{lat[1]:9d} {lat[2]:9d}" if lat else ""
        print(f"{name:56} {r} {l}")


if __name__ == "__main__":
    sys.exit(main())
