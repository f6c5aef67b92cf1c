#!/usr/bin/env bash
# Runs every fuzz harness for a bounded time on a copy of its seed corpus and fails if any
# finds a crash, a sanitizer report or a broken property. `make fuzz-smoke` runs it (after
# `make fuzz` has built build/fuzz/*_fuzz).
#
# Environment:
#   FUZZ_SECONDS   seconds per harness (default 60)
#   FUZZ_RSS_MB    libFuzzer -rss_limit_mb (default 2048)
#   FUZZ_ONLY      run only harnesses whose name contains this text (e.g. frame)
#   FUZZ_JOBS      unused on purpose: harnesses run one at a time (the machine has 2 shared cores)
# Findings are saved to build/fuzz/findings/<surface>/ (crash-*, leak-*, timeout-*, oom-*), with
# the command that reproduces them. The closing line is `N passed, N failed` (one per harness),
# like the other test entry points, so .ci/run can count it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
RSS_MB="${FUZZ_RSS_MB:-2048}"
ONLY="${FUZZ_ONLY:-}"

shopt -s nullglob
binaries=(build/fuzz/*_fuzz)
if [ ${#binaries[@]} -eq 0 ]; then
  bash fuzz/build.sh || exit 1
  binaries=(build/fuzz/*_fuzz)
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/wsrelay-fuzz.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
rows=()
for binary in "${binaries[@]}"; do
  name="$(basename "$binary")"
  surface="${name%_fuzz}"
  [ -n "$ONLY" ] && [[ "$surface" != *"$ONLY"* ]] && continue
  corpus="$WORK/$surface"
  mkdir -p "$corpus" "build/fuzz/findings/$surface"
  [ -d "fuzz/corpus/$surface" ] && cp -r "fuzz/corpus/$surface/." "$corpus/"
  args=(-max_total_time="$SECONDS_EACH" -rss_limit_mb="$RSS_MB" -timeout=30 -max_len=8192
        -print_final_stats=1 -artifact_prefix="build/fuzz/findings/$surface/")
  [ -f "fuzz/$surface.dict" ] && args+=(-dict="fuzz/$surface.dict")
  echo "== $surface: $binary ${args[*]} <corpus copy>"
  log="$WORK/$surface.log"
  start=$(date +%s)
  "$binary" "${args[@]}" "$corpus" >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))
  runs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)"
  rate="$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -n 1)"
  cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)"
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    result=ok
  else
    failed=$((failed + 1))
    result=FAILED
    echo "   $surface FAILED (exit $status). The report:"
    grep -E 'property violated|ERROR: |runtime error|SUMMARY|Test unit written|^    #[0-9]+ ' "$log" | head -n 40 | sed 's/^/   | /'
    artifact="$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)"
    if [ -n "$artifact" ] && [ -f "$artifact" ]; then
      echo "   reproduce: $binary $artifact"
      # CI's clone (and its build/) is thrown away after the run: the log must carry the input.
      if [ "$(wc -c <"$artifact")" -le 16384 ]; then
        echo "   the input, base64 (recover with: base64 -di >input, pasting these lines):"
        base64 -w 76 "$artifact" | sed 's/^/   /'
      fi
    fi
  fi
  rows+=("$(printf '%-12s %-7s %6ss %10s runs %8s exec/s  cov %s' "$surface" "$result" "$elapsed" "${runs:-?}" "${rate:-?}" "${cov:-?}")")
done

echo
echo "fuzz smoke summary (${SECONDS_EACH}s per harness):"
for row in "${rows[@]}"; do echo "  $row"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
