# shellcheck shell=bash
# The servers the benchmarks compare and how to start and stop them; sourced by bench/run.sh
# and bench/check.sh. The caller sets WSRELAY (the wsrelay binary), PEER_OUT (where the peers
# were built) and, optionally, SERVER_LAUNCH (a prefix such as "nice -n -20 taskset -c 0").

server_command() {  # name port flags -> the command line that starts it
  local name=$1 port=$2 flags=$3
  case "$name" in
    # wsrelay's production defaults cap connections at 10,000 (503 beyond) and serve mode
    # rate-limits each client; the peers have neither, so both are lifted for the comparison.
    wsrelay) echo "$WSRELAY echo --host 127.0.0.1 --port $port --max-clients 0 $flags" ;;
    wsrelay-serve) echo "$WSRELAY serve --host 127.0.0.1 --port $port --max-clients 0 --rate-limit 0 $flags" ;;
    beast)   echo "$PEER_OUT/beast_echo --port $port $flags" ;;
    wspp)    echo "$PEER_OUT/wspp_echo --port $port $flags" ;;
    node-ws) echo "node bench/peers/node-ws/server.js --port $port $flags" ;;
    # The kernel's floor for echo (bench/floor/floor_echo.c): one recv and one send per read.
    floor)   echo "$PEER_OUT/floor_echo --port $port" ;;
    *) echo "bench: unknown server $name" >&2; return 1 ;;
  esac
}

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q LISTEN; }

SERVER_PID=""
start_server() {  # name port flags log -> SERVER_PID, once it listens
  local command
  command=$(server_command "$1" "$2" "$3") || return 1
  # shellcheck disable=SC2086  # word splitting of the command line is intended
  ${SERVER_LAUNCH:-} $command >"$4" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do  # up to 15 s: Node starts slowly on a loaded machine
    listening "$2" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: $1 did not start listening on port $2 (log: $4)" >&2
  stop_server
  return 1
}

stop_server() {  # SIGTERM, then SIGKILL after 3 s
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
