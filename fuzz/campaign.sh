#!/usr/bin/env bash
# A longer fuzzing campaign for one harness, on a corpus that persists between runs.
#
#   bash fuzz/campaign.sh SURFACE [SECONDS]     e.g.  bash fuzz/campaign.sh frame 3600
#
# The corpus lives in build/fuzz/campaign/<surface>/ (seeded from fuzz/corpus/<surface>/ the
# first time) and grows with every run; findings go to build/fuzz/findings/<surface>/. Each run
# appends one line to build/fuzz/campaign/history.tsv: date, surface, wall and CPU seconds,
# executions, exec/s, coverage (libFuzzer's cov and ft), corpus size and the result, which is
# where docs/fuzzing.md's table comes from. Run harnesses one at a time on a shared machine;
# on a machine of your own, FUZZ_JOBS=N runs N libFuzzer workers.
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_JOBS (default 1), FUZZ_MAX_LEN (default 8192).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

surface="${1:?usage: bash fuzz/campaign.sh SURFACE [SECONDS]}"
seconds="${2:-600}"
binary="build/fuzz/${surface}_fuzz"
[ -x "$binary" ] || bash fuzz/build.sh || exit 1
[ -x "$binary" ] || { echo "no harness $binary" >&2; exit 2; }

corpus="build/fuzz/campaign/$surface"
findings="build/fuzz/findings/$surface"
mkdir -p "$corpus" "$findings"
[ -d "fuzz/corpus/$surface" ] && cp -n "fuzz/corpus/$surface/"* "$corpus/" 2>/dev/null

args=(-max_total_time="$seconds" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -timeout=30
      -max_len="${FUZZ_MAX_LEN:-8192}" -print_final_stats=1 -artifact_prefix="$findings/")
[ -f "fuzz/$surface.dict" ] && args+=(-dict="fuzz/$surface.dict")
jobs="${FUZZ_JOBS:-1}"
[ "$jobs" -gt 1 ] && args+=(-jobs="$jobs" -workers="$jobs")

log="build/fuzz/campaign/$surface.log"
echo "campaign: $binary ${args[*]} $corpus  (log: $log)"
start=$(date +%s)
"$binary" "${args[@]}" "$corpus" >"$log" 2>&1
status=$?
wall=$(( $(date +%s) - start ))
# CPU time of the finished child processes, from this shell's own accounting (clock ticks).
ticks="$(awk '{print $16 + $17}' /proc/$$/stat)"
cpu="$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", t / hz }')"
runs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)"
rate="$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -n 1)"
cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)"
files="$(find "$corpus" -type f | wc -l)"
result=ok
[ "$status" -ne 0 ] && result="FAILED (exit $status)"
mkdir -p build/fuzz/campaign
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$surface" "$wall" "$cpu" \
  "${runs:-?}" "${rate:-?}" "${cov:-?}" "$files" "$result" >>build/fuzz/campaign/history.tsv
echo "campaign: $surface $result: ${wall}s wall, ${cpu}s CPU, ${runs:-?} runs, ${rate:-?} exec/s, ${cov:-?}, $files corpus files"
if [ "$status" -ne 0 ]; then
  grep -E 'property violated|ERROR: |runtime error|SUMMARY|Test unit written' "$log" | head -n 20
  exit 1
fi
