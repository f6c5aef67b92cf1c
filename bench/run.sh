#!/usr/bin/env bash
# Side-by-side benchmarks: `wsrelay echo` against peer servers we wrote on Boost.Beast,
# websocketpp and Node `ws` (bench/peers/), all driven by our own load generator (wsbench).
# What `make bench` runs. Method and results: docs/benchmarks.md (this script rewrites the
# results section between its markers).
#
#   bench/run.sh                 full run, about 10 minutes (12 on a busy machine)
#   QUICK=1 bench/run.sh         fewer scenarios, 1-second runs: about 2 minutes
#   SOAK=1 bench/run.sh          adds a 5-minute churn soak of wsrelay (RSS must not grow)
#
# Environment: BUILD (build dir, default build), RUNS (runs per server and scenario, >= 3),
# SERVERS (subset of "wsrelay beast wspp node-ws"), SCENARIOS (subset of the ids below),
# DOC (file to update, default docs/benchmarks.md; DOC= to skip), MERGE (an earlier
# results-*.jsonl whose other scenarios join this run's tables), SERVER_CPU / BENCH_CPU (the
# cores to pin to, default 0 and 1), BENCH_PRIORITY=0 to run at normal priority.
#
# Each measurement starts a fresh server pinned to SERVER_CPU, runs wsbench pinned to
# BENCH_CPU with --pid so that it reads the server's CPU time and memory from /proc, and stops
# the server. The order of servers rotates from run to run so that slow drift of the machine
# does not favour one of them; the summary takes the median of the runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Priority. On a shared machine (other builds and tests on the same two cores) a server at
# normal priority gets a fraction of its core and every figure is noise. With autogroup
# scheduling, nice only ranks processes within one session, so run in a session of our own
# and give that session's group the highest weight (root or CAP_SYS_NICE); every process
# here blocks in epoll when idle, so nothing is starved for longer than a run.
if [ "${BENCH_PRIORITY:-1}" = 1 ] && [ -z "${WSRELAY_BENCH_SESSION:-}" ] && command -v setsid >/dev/null; then
  export WSRELAY_BENCH_SESSION=1
  exec setsid --wait bash "$0" "$@"
fi
PRIORITY=""
if [ "${BENCH_PRIORITY:-1}" = 1 ]; then
  { echo -20 >/proc/self/autogroup; } 2>/dev/null || true
  if nice -n -20 true 2>/dev/null; then PRIORITY="nice -n -20"; fi
fi

BUILD=${BUILD:-build}
QUICK=${QUICK:-0}
RUNS=${RUNS:-3}
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
DOC=${DOC-docs/benchmarks.md}
ALL_SERVERS="wsrelay beast wspp node-ws"
SERVERS=${SERVERS:-$ALL_SERVERS}
PEER_OUT="$PWD/$BUILD/bench"
WSBENCH="$BUILD/wsbench"
WSRELAY="$BUILD/wsrelay"

if [ "$RUNS" -lt 3 ]; then echo "bench: RUNS must be at least 3 (medians)" >&2; exit 2; fi
if [ "$(nproc)" -lt 2 ]; then echo "bench: needs two cores (server and generator pinned apart)" >&2; exit 2; fi

# ---- build ----------------------------------------------------------------------------------
if [ ! -x "$WSRELAY" ] || [ ! -x "$WSBENCH" ]; then
  make --no-print-directory BUILD="$BUILD" "$WSRELAY" "$WSBENCH"
fi
make --no-print-directory -C bench/peers OUT="$PEER_OUT"

# The servers inherit the highest open-file limit we may set (connections are files).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)

# ---- scenarios --------------------------------------------------------------------------------
# id | server mode (echo/broadcast) | wsbench arguments | what it shows
if [ "$QUICK" = 1 ]; then
  TIMING="--duration 1 --warmup 0.5"
  DEFAULT_SCENARIOS="echo-100-20 echo-1000-1k bcast-1000 connect-10k"
else
  TIMING="--duration 3 --warmup 1"
  DEFAULT_SCENARIOS="echo-100-20 echo-100-1k echo-1000-20 echo-1000-1k bcast-1000 bcast-10000 connect-10k connect-max serve-room-1000 serve-connect-10k serve-connect-10k-batched"
fi
# 100,000 connections held by one process (the issue's target) need 100,000 descriptors in the
# server and in wsbench: the scenario joins the defaults only where the hard limit allows it
# (the results' target table says when it could not run).
[ "$QUICK" != 1 ] && [ "$FD_LIMIT" -ge 100100 ] && DEFAULT_SCENARIOS="$DEFAULT_SCENARIOS connect-100k"
# SOAK=1 adds five minutes of connection churn against wsrelay alone (the no-growth check).
[ "${SOAK:-0}" = 1 ] && DEFAULT_SCENARIOS="$DEFAULT_SCENARIOS soak-300"
SCENARIOS=${SCENARIOS:-$DEFAULT_SCENARIOS}
# Idle memory "at 50,000 connections" needs 50,000 descriptors in the server; where the hard
# limit is lower (and we may not raise it), measure as many as it allows and say so.
MAX_CONNS=50000
if [ "$FD_LIMIT" -lt $((MAX_CONNS + 100)) ]; then MAX_CONNS=$(( (FD_LIMIT - 100) / 1000 * 1000 )); fi

scenario_args() {
  case "$1" in
    echo-100-20)   echo "echo --conns 100 --inflight 1 --size 20 $TIMING" ;;
    echo-100-1k)   echo "echo --conns 100 --inflight 1 --size 1024 $TIMING" ;;
    echo-1000-20)  echo "echo --conns 1000 --inflight 1 --size 20 $TIMING" ;;
    echo-1000-1k)  echo "echo --conns 1000 --inflight 1 --size 1024 $TIMING" ;;
    bcast-1000)    echo "broadcast --subscribers 1000 --inflight 32 --size 20 $TIMING" ;;
    bcast-10000)   echo "broadcast --subscribers 10000 --inflight 32 --size 20 $TIMING" ;;
    serve-room-1000)   echo "broadcast --protocol json --subscribers 1000 --inflight 32 --size 20 $TIMING" ;;
    serve-connect-10k) echo "connect --conns 10000 --concurrency 100 --hold 1" ;;
    serve-connect-10k-batched) echo "connect --conns 10000 --concurrency 100 --hold 1" ;;
    soak-300)      echo "soak --conns 50 --messages 5 --duration 300 --warmup 10" ;;
    connect-10k)   echo "connect --conns 10000 --concurrency 100 --hold 1" ;;
    connect-max)   echo "connect --conns $MAX_CONNS --concurrency 100 --hold 1" ;;
    connect-100k)  echo "connect --conns 100000 --concurrency 200 --hold 2 --timeout 300" ;;
    *) echo "bench: unknown scenario $1" >&2; return 1 ;;
  esac
}
scenario_server_flags() {
  # serve-connect-10k: every connection joins the default room, so it is also "10,000 clients
  # joining one room as fast as they can", with the default notices (each); -batched is the
  # same with room_notices = batched.
  case "$1" in bcast-*) echo "--broadcast" ;; *-batched) echo "--room-notices batched" ;; *) echo "" ;; esac
}
# serve-* scenarios measure wsrelay's own JSON room protocol (no peer speaks it); the soak is a
# check of wsrelay, not a comparison.
scenario_servers() {
  # Every echo scenario also measures the floor server, so that each echo figure has its
  # same-run ratio to the kernel's price for the traffic (whatever SERVERS says).
  case "$1" in
    serve-*) echo "wsrelay-serve" ;;
    soak-* | connect-100k) echo "wsrelay" ;;
    echo-*) echo "$SERVERS floor" ;;
    *) echo "$SERVERS" ;;
  esac
}

# ---- helpers --------------------------------------------------------------------------------
# shellcheck source=bench/servers.sh
. bench/servers.sh
SERVER_LAUNCH="$PRIORITY taskset -c $SERVER_CPU"

# Server ports stay below the kernel's ephemeral range (32768-60999 here), where client
# sockets of this and other programs would make a listen() fail; a port in use anyway
# (another program's server) costs one more try on the next port.
next_port() { port=$((port + 1)); [ "$port" -ge 32000 ] && port=20000; return 0; }
start_on_free_port() {  # name flags log
  local try
  for try in 1 2 3; do
    next_port
    start_server "$1" "$port" "$2" "$3" && return 0
    echo "   ($1 did not start on port $port, try $try)" >&2
  done
  return 1
}
trap stop_server EXIT
trap 'exit 130' INT TERM  # through the EXIT trap: the server never outlives us

# One measurement: a fresh server, one wsbench run, one line in $RESULTS. wsbench reports the
# share of the server's core that other processes took; above 10% the measurement is taken
# once more (once only, and the second result stands whatever it says), while the retry
# budget lasts (a quarter of the measurements), so a busy machine cannot double the run time.
measure() {  # scenario run server wsbench-args server-flags
  local scenario=$1 run=$2 server=$3 args=$4 flags=$5 attempt output json human log bench_cmd other
  for attempt in 1 2; do
    log="$LOGS/$scenario-$run-$server-$attempt.log"
    if ! start_on_free_port "$server" "$flags" "$log"; then
      printf '{"scenario":"%s","run":%d,"server":"%s","result":null,"error":"server did not start"}\n' \
        "$scenario" "$run" "$server" >>"$RESULTS"
      return 0
    fi
    bench_cmd="$WSBENCH $args --port $port --pid $SERVER_PID --label $server"
    # shellcheck disable=SC2086  # word splitting of the arguments is intended
    output=$($PRIORITY taskset -c "$BENCH_CPU" $bench_cmd 2>"$log.wsbench") || true
    stop_server
    json=$(printf '%s\n' "$output" | grep '^{' | head -1 || true)
    human=$(printf '%s\n' "$output" | grep -v '^{' | head -1 || true)
    echo "  [$scenario run $run] $human" >&2
    grep -h 'WARNING' "$log.wsbench" | sed 's/^/      /' >&2 || true
    other=$(printf '%s' "$json" | sed -n 's/.*"core_other_pct":\([0-9]*\).*/\1/p')
    if [ "$attempt" = 1 ] && [ -n "$other" ] && [ "$other" -gt 10 ] && [ "$RETRIES_LEFT" -gt 0 ]; then
      RETRIES_LEFT=$((RETRIES_LEFT - 1))
      echo "      (other processes took ${other}% of the server's core: measuring again)" >&2
      continue
    fi
    break
  done
  if [ -n "$json" ]; then
    printf '{"scenario":"%s","run":%d,"server":"%s","commit":"%s","server_cmd":"%s","bench_cmd":"%s","result":%s}\n' \
      "$scenario" "$run" "$server" "$COMMIT" "$(server_command "$server" PORT "$flags" | sed "s|$PWD/||; s/ *$//")" \
      "$WSBENCH $args --port PORT --pid PID --label SERVER" "$json" >>"$RESULTS"
  else
    # shellcheck disable=SC1003  # the quote and backslash are characters to delete
    printf '{"scenario":"%s","run":%d,"server":"%s","result":null,"error":"%s"}\n' \
      "$scenario" "$run" "$server" "$(tr -d '"\\' <"$log.wsbench" | head -c 300 | tr '\n' ' ')" >>"$RESULTS"
  fi
}

# ---- run ------------------------------------------------------------------------------------
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
# The wsrelay measured: its commit, marked when src/ differs from it.
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain --untracked-files=no src 2>/dev/null)" ] && COMMIT="$COMMIT+changes"
RESULTS="$PEER_OUT/results-$STAMP.jsonl"
LOGS="$PEER_OUT/logs-$STAMP"
mkdir -p "$LOGS"
: >"$RESULTS"
port=$((20000 + RANDOM % 12000))
started=$(date +%s)
measurements=0
for scenario in $SCENARIOS; do
  read -r -a list <<<"$(scenario_servers "$scenario")"
  measurements=$((measurements + ${#list[@]} * RUNS))
done
RETRIES_LEFT=$((measurements / 4))

echo "bench: $([ "$QUICK" = 1 ] && echo quick || echo full) run, $RUNS runs of [$SERVERS] per scenario${PRIORITY:+, at $PRIORITY}; results in $RESULTS" >&2
for scenario in $SCENARIOS; do
  args=$(scenario_args "$scenario")
  flags=$(scenario_server_flags "$scenario")
  read -r -a server_list <<<"$(scenario_servers "$scenario")"
  count=${#server_list[@]}
  runs=$RUNS
  [[ $scenario == soak-* ]] && runs=1  # five minutes, once
  for run in $(seq 1 "$runs"); do
    for i in $(seq 0 $((count - 1))); do
      # Rotate the order each run: run 1 starts with the first server, run 2 with the second...
      server=${server_list[$(( (i + run - 1) % count ))]}
      measure "$scenario" "$run" "$server" "$args" "$flags"
    done
  done
done
elapsed=$(( $(date +%s) - started ))
echo "bench: measured in ${elapsed}s" >&2

# MERGE=<earlier results.jsonl> keeps that file's scenarios that this run did not measure.
python3 bench/summarize.py ${MERGE:+--results "$MERGE"} --results "$RESULTS" --doc "$DOC" --quick "$QUICK" --fd-limit "$FD_LIMIT" \
  --server-cpu "$SERVER_CPU" --bench-cpu "$BENCH_CPU" --elapsed "$elapsed" --priority "${PRIORITY:-normal}"
