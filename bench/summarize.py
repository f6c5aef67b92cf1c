#!/usr/bin/env python3
"""Turn bench/run.sh results (one JSON object per measurement) into tables.

Takes the median of every figure over the runs of each (scenario, server), prints the
tables, and rewrites the results section of docs/benchmarks.md between its markers, with the
machine, the date, the exact commands, the ratios wsrelay / each peer, and whether the
targets of the benchmark issue were met in this run.

    python3 bench/summarize.py --results build/bench/results-*.jsonl [--doc docs/benchmarks.md]
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

BEGIN = "<!-- bench:results:begin (written by bench/run.sh; edits here are overwritten) -->"
END = "<!-- bench:results:end -->"
SUBJECT = "wsrelay"
PEER_ORDER = ["beast", "wspp", "node-ws"]
# The floor server (bench/floor/floor_echo.c): not a peer but the kernel's price for echo;
# every echo figure of wsrelay is also given as a ratio to it, from the same run.
FLOOR = "floor"
# Goals of the performance issue against the floor, per echo scenario.
FLOOR_CORE_GOAL = 1.03  # wsrelay echo core us/msg <= 1.03x the floor's
FLOOR_RATE_GOAL = 0.97  # wsrelay echo msg/s >= 0.97x the floor's
SERVE_CORE_GOAL = 1.3   # wsrelay serve (JSON echo) core us/msg <= 1.3x the floor's
# Connection counts the per-connection memory is projected to (this sandbox cannot open them).
PROJECTED_CONNS = [100_000, 1_000_000]
PEER_NAMES = {
    "wsrelay": "wsrelay echo",
    "wsrelay-serve": "wsrelay serve",
    "beast": "Boost.Beast",
    "wspp": "websocketpp",
    "node-ws": "Node ws",
    "floor": "floor (C epoll)",
}
SCENARIO_TITLES = {
    "echo-100-20": "echo, 100 connections x 1 in flight, 20 B text",
    "echo-100-1k": "echo, 100 connections x 1 in flight, 1 KiB text",
    "echo-1000-20": "echo, 1,000 connections x 1 in flight, 20 B text",
    "echo-1000-1k": "echo, 1,000 connections x 1 in flight, 1 KiB text",
    "bcast-1000": "broadcast to 1,000 subscribers (raw fan-out, 32 messages in flight, 20 B)",
    "bcast-10000": "broadcast to 10,000 subscribers (raw fan-out, 32 messages in flight, 20 B)",
    "serve-room-1000": "wsrelay serve: one room of 1,000 members, JSON room_message (32 in flight)",
    "serve-connect-10k": "wsrelay serve: 10,000 connections joining one room (notices each), handshakes/s and idle memory",
    "serve-connect-10k-batched": "wsrelay serve: the same with room_notices = batched",
    "soak-300": "churn soak, 5 minutes: 50 slots connect, echo 5 messages, close, repeat",
    "connect-10k": "10,000 connections: handshakes/s, then idle memory",
    "connect-max": "idle memory at the largest connection count allowed here",
    "connect-100k": "100,000 connections held by one process (only where the open-file limit allows)",
}
# (key, column title, format, higher_is_better)
FIGURES = {
    "echo": [
        ("msgs_per_s", "msg/s", "{:,.0f}", True),
        ("server_user_us", "user us/msg", "{:.2f}", False),
        ("server_sys_us", "sys us/msg", "{:.2f}", False),
        ("core_us", "core us/msg", "{:.2f}", False),
        ("lat_p50_us", "p50 us", "{:,.0f}", False),
        ("lat_p99_us", "p99 us", "{:,.0f}", False),
    ],
    "broadcast": [
        ("deliveries_per_s", "deliveries/s", "{:,.0f}", True),
        ("server_user_us", "user us/delivery", "{:.3f}", False),
        ("server_sys_us", "sys us/delivery", "{:.3f}", False),
        ("core_us", "core us/delivery", "{:.3f}", False),
        ("lat_p50_us", "p50 us", "{:,.0f}", False),
        ("lat_p99_us", "p99 us", "{:,.0f}", False),
    ],
    "soak": [
        ("cycles_per_s", "connections/s", "{:,.0f}", True),
        ("rss_start_kib", "RSS start KiB", "{:,.0f}", False),
        ("rss_end_kib", "RSS end KiB", "{:,.0f}", False),
        ("rss_growth_pct", "RSS growth %", "{:+.2f}", False),
    ],
    "connect": [
        ("handshakes_per_s", "handshakes/s", "{:,.0f}", True),
        ("server_cpu_us", "server us/handshake", "{:.1f}", False),
        ("held", "connections held", "{:,.0f}", True),
        ("rss_per_conn_kib", "KiB/idle conn", "{:.3f}", False),
    ],
}
# The figures in the headline table, per kind.
HEADLINE = {
    "echo": ["msgs_per_s", "server_user_us", "core_us"],
    "broadcast": ["deliveries_per_s", "core_us"],
    "connect": ["handshakes_per_s", "rss_per_conn_kib"],
    "soak": ["rss_growth_pct"],
}
NOISY_OTHER_PCT = 10.0  # share of the server's core taken by other processes


def kind_of(scenario):
    if scenario.startswith("serve-room"):
        return "broadcast"
    if scenario.startswith("serve-connect"):
        return "connect"
    return scenario.split("-")[0].replace("bcast", "broadcast")


def figure_spec(kind, key):
    for spec in FIGURES[kind]:
        if spec[0] == key:
            return spec
    raise KeyError(key)


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def summarize(rows):
    """(scenario, server) -> {"median": {key: value}, "runs": n, "noisy": n, "errors": [...]}"""
    groups = {}
    for row in rows:
        group = groups.setdefault((row["scenario"], row["server"]),
                                  {"results": [], "errors": [], "server_cmd": None, "bench_cmd": None})
        if row.get("result") is None:
            group["errors"].append(row.get("error", "no result"))
            continue
        group["results"].append(row["result"])
        group["server_cmd"] = row.get("server_cmd")
        group["bench_cmd"] = row.get("bench_cmd")
    out = {}
    for key, group in groups.items():
        results = group["results"]
        median = {}
        for name in set().union(*[r.keys() for r in results]) if results else []:
            values = [r[name] for r in results if isinstance(r.get(name), (int, float)) and not isinstance(r.get(name), bool)]
            if values:
                median[name] = statistics.median(values)
        verdicts = [r.get("verdict", "?") for r in results]
        out[key] = {
            "median": median,
            "runs": len(results),
            "noisy": sum(1 for r in results if r.get("core_other_pct", 0) > NOISY_OTHER_PCT),
            "failed_runs": sum(1 for r in results if r.get("errors", 0)),
            "errors": group["errors"],
            "verdict": max(set(verdicts), key=verdicts.count) if verdicts else "-",
            "server_cmd": group["server_cmd"],
            "bench_cmd": group["bench_cmd"],
        }
    return out


def fmt(value, spec):
    if value is None:
        return "-"
    return spec.format(value)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def command_output(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_description():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    distro = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{os.cpu_count()} x {model}{memory}; Linux {platform.release()}; {distro}"


def versions():
    parts = []
    gxx = command_output(["g++", "--version"]).splitlines()
    if gxx:
        parts.append(gxx[0])
    node = command_output(["node", "--version"])
    if node:
        parts.append(f"Node {node}")
    try:
        with open("bench/peers/node-ws/node_modules/ws/package.json") as f:
            parts.append(f"ws {json.load(f)['version']}")
    except (OSError, ValueError, KeyError):
        pass
    try:
        with open("/usr/include/boost/version.hpp") as f:
            m = re.search(r'BOOST_LIB_VERSION "([^"]+)"', f.read())
            if m:
                parts.append(f"Boost {m.group(1).replace('_', '.')} (Beast)")
    except OSError:
        pass
    wspp = command_output(["dpkg-query", "-W", "-f=${Version}", "libwebsocketpp-dev"])
    if wspp:
        parts.append(f"websocketpp {wspp}")
    return "; ".join(parts)


def git_commit():
    commit = command_output(["git", "rev-parse", "--short", "HEAD"])
    dirty = command_output(["git", "status", "--porcelain", "--untracked-files=no", "src"])
    return commit + ("+changes" if dirty else "")


def servers_in(summary):
    present = {server for (_, server) in summary}
    order = [SUBJECT, "wsrelay-serve", FLOOR] + PEER_ORDER
    return [s for s in order if s in present] + sorted(present - set(order))


def scenarios_in(summary, rows):
    seen = []
    for row in rows:
        if row["scenario"] not in seen:
            seen.append(row["scenario"])
    return seen


def headline_table(summary, scenarios, servers):
    peers = [s for s in servers if s in PEER_ORDER]
    peers = ([FLOOR] if FLOOR in servers else []) + peers
    head = ["scenario", "figure"] + [PEER_NAMES.get(s, s) for s in servers] + [f"wsrelay / {PEER_NAMES.get(p, p)}" for p in peers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for scenario in scenarios:
        kind = kind_of(scenario)
        for key in HEADLINE[kind]:
            _, title, spec, higher = figure_spec(kind, key)
            values = {s: summary.get((scenario, s), {}).get("median", {}).get(key) for s in servers}
            cells = [scenario, f"{title} ({'higher' if higher else 'lower'} is better)"]
            cells += [fmt(values[s], spec) for s in servers]
            cells += [fmt_ratio(ratio(values.get(SUBJECT), values[p])) for p in peers]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def detail_table(summary, scenario, servers):
    kind = kind_of(scenario)
    specs = FIGURES[kind]
    head = ["server"] + [spec[1] for spec in specs] + ["server CPU", "wsbench CPU", "limit", "runs"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for server in servers:
        entry = summary.get((scenario, server))
        if entry is None:
            continue
        m = entry["median"]
        cells = [PEER_NAMES.get(server, server)]
        cells += [fmt(m.get(spec[0]), spec[2]) for spec in specs]
        cells.append(fmt(m.get("server_cpu_pct"), "{:.0f}%"))
        cells.append(fmt(m.get("wsbench_cpu_pct"), "{:.0f}%"))
        cells.append(entry["verdict"])
        runs = f"{entry['runs']}"
        notes = []
        if entry["noisy"]:
            notes.append(f"{entry['noisy']} noisy")
        if entry["failed_runs"]:
            notes.append(f"{entry['failed_runs']} with errors")
        if entry["errors"]:
            notes.append(f"{len(entry['errors'])} failed: {entry['errors'][0][:80]}")
        if notes:
            runs += " (" + "; ".join(notes) + ")"
        cells.append(runs)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets_table(summary, scenarios, fd_limit="?"):
    """The issue's targets that this run can check, each with its figures and a verdict."""
    def med(scenario, server, key):
        return summary.get((scenario, server), {}).get("median", {}).get(key)

    lines = ["| target | measured | met |", "|---|---|---|"]
    for scenario in [s for s in scenarios if s.startswith("echo-")]:
        ours_user = med(scenario, SUBJECT, "server_user_us")
        beast_user = med(scenario, "beast", "server_user_us")
        r = ratio(ours_user, beast_user)
        if r is not None:
            lines.append(f"| {scenario}: user CPU per message <= 0.48x Beast's | {r:.2f}x ({ours_user:.2f} vs {beast_user:.2f} us) | {'yes' if r <= 0.48 else 'NO'} |")
        peers_core = [(p, med(scenario, p, "core_us")) for p in PEER_ORDER if med(scenario, p, "core_us") is not None]
        ours_core = med(scenario, SUBJECT, "core_us")
        if peers_core and ours_core is not None:
            best, best_core = min(peers_core, key=lambda x: x[1])
            lines.append(f"| {scenario}: core time per message <= best peer's ({PEER_NAMES[best]}) | {ours_core:.2f} vs {best_core:.2f} us | {'yes' if ours_core <= best_core else 'NO'} |")
        peers_rate = [(p, med(scenario, p, "msgs_per_s")) for p in PEER_ORDER if med(scenario, p, "msgs_per_s") is not None]
        ours_rate = med(scenario, SUBJECT, "msgs_per_s")
        if peers_rate and ours_rate is not None:
            best, best_rate = max(peers_rate, key=lambda x: x[1])
            lines.append(f"| {scenario}: msg/s >= best peer's ({PEER_NAMES[best]}) | {ours_rate:,.0f} vs {best_rate:,.0f} | {'yes' if ours_rate >= best_rate else 'NO'} |")
    for scenario in [s for s in scenarios if s.startswith("echo-")]:
        floor_core, floor_rate = med(scenario, FLOOR, "core_us"), med(scenario, FLOOR, "msgs_per_s")
        r = ratio(med(scenario, SUBJECT, "core_us"), floor_core)
        if r is not None:
            lines.append(f"| {scenario}: core time per message <= {FLOOR_CORE_GOAL}x the floor's | {r:.3f}x "
                         f"({med(scenario, SUBJECT, 'core_us'):.2f} vs {floor_core:.2f} us) | {'yes' if r <= FLOOR_CORE_GOAL else 'NO'} |")
        r = ratio(med(scenario, SUBJECT, "msgs_per_s"), floor_rate)
        if r is not None:
            lines.append(f"| {scenario}: msg/s >= {FLOOR_RATE_GOAL}x the floor's | {r:.3f}x "
                         f"({med(scenario, SUBJECT, 'msgs_per_s'):,.0f} vs {floor_rate:,.0f}) | {'yes' if r >= FLOOR_RATE_GOAL else 'NO'} |")
        r = ratio(med(scenario, "wsrelay-serve", "core_us"), floor_core)
        if r is not None:
            lines.append(f"| {scenario}: `serve` (JSON echo) core time per message <= {SERVE_CORE_GOAL}x the floor's | {r:.3f}x "
                         f"({med(scenario, 'wsrelay-serve', 'core_us'):.2f} vs {floor_core:.2f} us) | {'yes' if r <= SERVE_CORE_GOAL else 'NO'} |")
    for scenario in [s for s in scenarios if s.startswith("bcast-")]:
        r = ratio(med(scenario, SUBJECT, "deliveries_per_s"), med(scenario, "beast", "deliveries_per_s"))
        if r is not None:
            lines.append(f"| {scenario}: deliveries/s >= 2.8x Beast's | {r:.2f}x | {'yes' if r >= 2.8 else 'NO'} |")
    for scenario in [s for s in scenarios if s.startswith("soak-")]:
        growth = med(scenario, SUBJECT, "rss_growth_pct")
        if growth is not None:
            lines.append(f"| {scenario}: RSS after the churn soak within 5% of its start | {growth:+.2f}% | {'yes' if abs(growth) <= 5 else 'NO'} |")
    for scenario in [s for s in scenarios if s.startswith("connect-")]:
        kib = med(scenario, SUBJECT, "rss_per_conn_kib")
        held = med(scenario, SUBJECT, "held")
        if kib is not None:
            lines.append(f"| {scenario}: <= 0.25 KiB user-space memory per idle connection | {kib:.3f} KiB at {held:,.0f} connections | {'yes' if kib <= 0.25 else 'NO'} |")
    # Projection: what the measured user-space memory per idle connection comes to at counts
    # this sandbox cannot open (kernel socket buffers, which are not in RSS, come on top).
    for scenario in [s for s in scenarios if s.startswith("connect-") or s.startswith("serve-connect")]:
        server = "wsrelay-serve" if scenario.startswith("serve-") else SUBJECT
        kib, before = med(scenario, server, "rss_per_conn_kib"), med(scenario, server, "rss_before_kib")
        if kib is None:
            continue
        parts = [f"{n:,}: {((before or 0) + kib * n) / 1024:,.0f} MiB" for n in PROJECTED_CONNS]
        lines.append(f"| {scenario}: projected RSS of `{PEER_NAMES[server]}` ({kib:.3f} KiB/conn + {(before or 0) / 1024:.1f} MiB at start) | "
                     + "; ".join(parts) + " | (projected) |")
    held_100k = med("connect-100k", SUBJECT, "held")
    if held_100k is not None:
        lines.append(f"| 100,000 concurrent connections held by one process | {held_100k:,.0f} held | {'yes' if held_100k >= 100000 else 'NO'} |")
    elif any(s.startswith("connect-") for s in scenarios):
        lines.append(f"| 100,000 concurrent connections held by one process | not measured: the open-file limit here is {fd_limit} (connect-100k needs 100,100) | not shown |")
    for scenario in [s for s in scenarios if s.startswith("serve-connect")]:
        kib = med(scenario, "wsrelay-serve", "rss_per_conn_kib")
        if kib is not None:
            lines.append(f"| {scenario}: state what an idle connection costs in `serve` mode | {kib:.3f} KiB | (stated) |")
        # Every connection joins the default room: the server CPU of the connect phase is
        # the cost of N clients joining one room (the notices included).
        us, held = med(scenario, "wsrelay-serve", "server_cpu_us"), med(scenario, "wsrelay-serve", "held")
        if us is not None and held:
            total = us * held / 1e6
            if scenario.endswith("-batched"):
                lines.append(f"| {scenario}: {held:,.0f} clients joining one room (notices batched) in under 2 s of server CPU "
                             f"| {total:.2f} s of server CPU | {'yes' if total < 2 else 'NO'} |")
            else:
                lines.append(f"| {scenario}: {held:,.0f} clients joining one room (notices each, for comparison) "
                             f"| {total:.2f} s of server CPU | (stated) |")
    return "\n".join(lines) if len(lines) > 2 else ""


def render(summary, rows, args):
    scenarios = scenarios_in(summary, rows)
    servers = servers_in(summary)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    runs = max((e["runs"] for e in summary.values()), default=0)
    out = []
    commits = sorted({row["commit"] for row in rows if row.get("commit")})
    if any(not row.get("commit") for row in rows):
        commits.append(git_commit() + " (at summary time)")
    out.append(f"Run of {now}: {'QUICK=1 (1-second runs, fewer scenarios)' if args.quick == '1' else 'full'}, "
               f"median of {runs} runs per cell, {args.elapsed} s of measuring; wsrelay at commit "
               f"{', '.join(commits)} ('+changes': src/ differed from that commit).")
    out.append("")
    out.append(f"- Machine: {machine_description()}. Server pinned to CPU {args.server_cpu}, wsbench to CPU {args.bench_cpu}; "
               f"both at priority: {args.priority} (in a session of their own, see Method).")
    out.append(f"- Software: {versions()}.")
    out.append(f"- Open-file limit for the servers: {args.fd_limit}.")
    if len(args.results) > 1:
        out.append("- Merged from " + ", ".join(f"`{os.path.basename(p)}`" for p in args.results) +
                   " (a scenario measured in a later file replaces the earlier one).")
    noisy = sum(e["noisy"] for e in summary.values())
    if noisy:
        out.append(f"- {noisy} measurements had more than {NOISY_OTHER_PCT:.0f}% of the server's core taken by other "
                   "processes (marked 'noisy' below): their CPU figures are less trustworthy.")
    out.append("")
    out.append("Ratios are wsrelay's figure divided by the peer's: above 1 is better for rates, below 1 is "
               "better for CPU time, latency and memory. 'core' is the server's user + system time plus the "
               "interrupt time of its core (the kernel's loopback delivery), per message.")
    out.append("")
    out.append(headline_table(summary, scenarios, servers))
    out.append("")
    targets = targets_table(summary, scenarios, args.fd_limit)
    if targets:
        out.append("Targets of the benchmark issue, checked against this run:")
        out.append("")
        out.append(targets)
        out.append("")
    for scenario in scenarios:
        out.append(f"#### {scenario}: {SCENARIO_TITLES.get(scenario, scenario)}")
        out.append("")
        out.append(detail_table(summary, scenario, servers))
        out.append("")
        commands = []
        for server in servers:
            entry = summary.get((scenario, server))
            if entry and entry["server_cmd"]:
                commands.append(f"taskset -c {args.server_cpu} {entry['server_cmd']}")
        bench_cmds = {summary[(scenario, s)]["bench_cmd"] for s in servers if (scenario, s) in summary and summary[(scenario, s)]["bench_cmd"]}
        if commands:
            out.append("```")
            out.extend(commands)
            for cmd in sorted(bench_cmds):
                out.append(f"taskset -c {args.bench_cpu} {cmd}   # SERVER: the server's name")
            out.append("```")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def update_doc(path, section):
    text = ""
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + "## Results\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, action="append",
                        help="results file; when given more than once, a scenario measured in a "
                             "later file replaces that scenario from the earlier ones")
    parser.add_argument("--doc", default="docs/benchmarks.md", help="file to update; empty to skip")
    parser.add_argument("--quick", default="0")
    parser.add_argument("--fd-limit", default="?")
    parser.add_argument("--server-cpu", default="0")
    parser.add_argument("--bench-cpu", default="1")
    parser.add_argument("--elapsed", default="?")
    parser.add_argument("--priority", default="normal")
    args = parser.parse_args()

    rows = []
    for path in args.results:
        later = load(path)
        replaced = {row["scenario"] for row in later}
        rows = [row for row in rows if row["scenario"] not in replaced] + later
    if not rows:
        print("bench: no results", file=sys.stderr)
        return 1
    summary = summarize(rows)
    section = render(summary, rows, args)
    print(section)
    if args.doc:
        update_doc(args.doc, section)
        print(f"bench: results written to {args.doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
