#!/usr/bin/env bash
# End-to-end check of the benchmark tooling (about 30 seconds): every wsbench mode against
# wsrelay and every peer, each of which must finish with exit status 0 and "errors":0 in its
# JSON line; and the guard rails: wsbench refuses a target outside 127.0.0.0/8, a --pid that
# does not exist, and reports failure when nothing listens. Prints 'N passed, N failed'.
#
#   bench/check.sh            (BUILD=build by default; SERVERS to test a subset)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD=${BUILD:-build}
SERVERS=${SERVERS:-wsrelay beast wspp node-ws}
PEER_OUT=${PEER_OUT:-$PWD/$BUILD/bench}
WSBENCH=${WSBENCH:-$BUILD/wsbench}  # e.g. a sanitizer build of wsbench alone
passed=0
failed=0

if [ ! -x "$WSBENCH" ] || [ ! -x "$BUILD/wsrelay" ]; then
  make --no-print-directory BUILD="$BUILD" "$BUILD/wsrelay" "$WSBENCH" || exit 1
fi
make --no-print-directory -C bench/peers OUT="$PEER_OUT" >/dev/null || exit 1

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'; }

WSRELAY="$BUILD/wsrelay"
# shellcheck source=bench/servers.sh
. bench/servers.sh

trap stop_server EXIT

# Runs wsbench and checks its exit status and JSON line.
expect_clean() {  # name wsbench-args...
  local name=$1 output status
  shift
  output=$("$WSBENCH" "$@" 2>&1)
  status=$?
  if [ "$status" = 0 ] && printf '%s\n' "$output" | grep -q '^{.*"errors":0[,}]'; then
    ok "$name"
  else
    fail "$name (exit $status)" "$output"
  fi
}

# Below the ephemeral port range (32768-60999), where client sockets would collide.
port=$((10000 + RANDOM % 9000))
for server in $SERVERS; do
  port=$((port + 1))
  if ! start_server "$server" "$port" "" "${TMPDIR:-/tmp}/wsbench-check-$server.log"; then fail "$server starts"; stop_server; continue; fi
  common=(--port "$port" --pid "$SERVER_PID" --label "$server" --timeout 20)
  expect_clean "$server: echo text" echo "${common[@]}" --conns 20 --inflight 2 --size 20 --duration 0.5 --warmup 0.2
  expect_clean "$server: echo binary 64 KiB" echo "${common[@]}" --conns 4 --inflight 2 --size 65536 --binary --duration 0.5 --warmup 0.2
  expect_clean "$server: echo 8 B (no timestamp)" echo "${common[@]}" --conns 2 --size 8 --duration 0.3 --warmup 0
  expect_clean "$server: connect" connect "${common[@]}" --conns 500 --hold 0.2
  expect_clean "$server: soak" soak "${common[@]}" --conns 10 --messages 3 --duration 1 --warmup 0.2
  stop_server
  port=$((port + 1))
  if ! start_server "$server" "$port" "--broadcast" "${TMPDIR:-/tmp}/wsbench-check-$server.log"; then fail "$server --broadcast starts"; stop_server; continue; fi
  expect_clean "$server: broadcast" broadcast --port "$port" --pid "$SERVER_PID" --label "$server" --timeout 20 \
    --subscribers 50 --inflight 4 --duration 0.5 --warmup 0.2
  expect_clean "$server: broadcast at a rate" broadcast --port "$port" --label "$server" --timeout 20 \
    --subscribers 20 --rate 500 --duration 0.5 --warmup 0.2
  stop_server
done

# The floor server (bench/floor/floor_echo.c) speaks only what the echo scenarios need: its
# echoes must be right (wsbench checks every one), large frames cut across reads included.
if start_server floor "$((port + 1))" "" "${TMPDIR:-/tmp}/wsbench-check-floor.log"; then
  common=(--port "$((port + 1))" --pid "$SERVER_PID" --label floor --timeout 20)
  expect_clean "floor: echo text" echo "${common[@]}" --conns 20 --inflight 2 --size 20 --duration 0.5 --warmup 0.2
  expect_clean "floor: echo binary 64 KiB" echo "${common[@]}" --conns 4 --inflight 2 --size 65536 --binary --duration 0.5 --warmup 0.2
  expect_clean "floor: connect" connect "${common[@]}" --conns 500 --hold 0.2
  expect_clean "floor: soak (closing handshakes)" soak "${common[@]}" --conns 10 --messages 3 --duration 1 --warmup 0.2
else
  fail "floor starts"
fi
stop_server
port=$((port + 2))

case " $SERVERS " in *" wsrelay "*)
  port=$((port + 1))
  if start_server wsrelay-serve "$port" "" "${TMPDIR:-/tmp}/wsbench-check-serve.log"; then
    expect_clean "wsrelay serve: broadcast --protocol json" broadcast --protocol json --port "$port" \
      --pid "$SERVER_PID" --subscribers 50 --inflight 4 --duration 0.5 --warmup 0.2 --timeout 20
  else
    fail "wsrelay serve starts"
  fi
  stop_server
esac

# Guard rails.
if "$WSBENCH" echo --host 10.0.0.1 --port 9 >/dev/null 2>&1; then fail "refuses a target outside 127.0.0.0/8"
else ok "refuses a target outside 127.0.0.0/8"; fi
if "$WSBENCH" echo --port 9 --pid 999999999 >/dev/null 2>&1; then fail "refuses a --pid that does not exist"
else ok "refuses a --pid that does not exist"; fi
port=$((port + 1))
if output=$("$WSBENCH" connect --port "$port" --conns 5 --timeout 5 2>&1); then
  fail "reports connections refused when nothing listens" "$output"
elif printf '%s\n' "$output" | grep -q 'only 0 of 5'; then ok "reports connections refused when nothing listens"
else fail "reports connections refused when nothing listens" "$output"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
