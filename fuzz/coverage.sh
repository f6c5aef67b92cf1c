#!/usr/bin/env bash
# Line coverage of the parsers reached by the fuzz corpora (llvm source-based coverage).
#
#   bash fuzz/coverage.sh                  the checked-in corpora (fuzz/corpus/<surface>/)
#   bash fuzz/coverage.sh --campaign       plus the local campaign corpora (build/fuzz/campaign/)
#
# Builds the harnesses with -fprofile-instr-generate -fcoverage-mapping (no sanitizers) into
# build/fuzz/cov/, runs each once over its corpus (-runs=0: every input executed, nothing
# mutated, nothing written), merges the profiles with llvm-profdata-14 and prints llvm-cov-14's
# report for the parser sources. The HTML report goes to build/fuzz/cov/html/index.html.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

campaign=0
[ "${1:-}" = "--campaign" ] && campaign=1
bash fuzz/build.sh coverage >/dev/null

OUT=build/fuzz/cov
rm -rf "$OUT/profiles"
mkdir -p "$OUT/profiles"
objects=()
for binary in "$OUT"/*_fuzz; do
  surface="$(basename "$binary" _fuzz)"
  dirs=("fuzz/corpus/$surface")
  if [ -d "tests/regression/$surface" ]; then
    # Fixed regressions only: an open known-bug-* input aborts the run (and its profile).
    fixed="$OUT/profiles/regression-$surface"
    mkdir -p "$fixed"
    find "tests/regression/$surface" -type f ! -name 'known-bug-*' -exec cp {} "$fixed/" \;
    dirs+=("$fixed")
  fi
  [ "$campaign" = 1 ] && [ -d "build/fuzz/campaign/$surface" ] && dirs+=("build/fuzz/campaign/$surface")
  LLVM_PROFILE_FILE="$OUT/profiles/$surface.profraw" "$binary" -runs=0 -rss_limit_mb=4096 "${dirs[@]}" \
    >"$OUT/profiles/$surface.log" 2>&1 || echo "coverage: $surface exited non-zero (see $OUT/profiles/$surface.log)"
  echo "coverage: $surface: $(find "${dirs[@]}" -type f ! -name README.md | wc -l) inputs from ${dirs[*]}"
  objects+=(-object "$binary")
done
llvm-profdata-14 merge -sparse "$OUT"/profiles/*.profraw -o "$OUT/profiles/all.profdata"

# The parsers and state machines the harnesses target.
SOURCES=(src/ws/frame_parser.cpp src/ws/message_reader.cpp src/ws/frame.cpp src/ws/close_code.cpp
         src/ws/utf8.cpp src/ws/http_request.cpp src/ws/handshake.cpp
         src/server/connection.cpp src/server/connection_http.cpp src/server/connection_ws.cpp
         src/net/output_queue.cpp
         src/app/json_protocol.cpp src/app/json_protocol_security.cpp src/app/json_parser.cpp
         src/app/json_events.cpp src/app/dispatcher.cpp src/app/rooms.cpp src/app/signals.cpp
         src/app/names.cpp src/app/rate_limiter.cpp
         src/config/loader.cpp src/config/sources.cpp src/config/values.cpp
         src/config/network_values.cpp src/config/checks.cpp src/config/report.cpp)
present=()
for f in "${SOURCES[@]}"; do [ -f "$f" ] && present+=("$f"); done

first="${objects[1]}"
rest=("${objects[@]:2}")
llvm-cov-14 report "$first" "${rest[@]}" -instr-profile="$OUT/profiles/all.profdata" "${present[@]}"
llvm-cov-14 show "$first" "${rest[@]}" -instr-profile="$OUT/profiles/all.profdata" -format=html \
  -output-dir="$OUT/html" "${present[@]}" >/dev/null
echo "coverage: HTML report in $OUT/html/index.html"
