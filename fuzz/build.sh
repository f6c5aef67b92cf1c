#!/usr/bin/env bash
# Builds every libFuzzer harness (fuzz/*_fuzz.cpp) with clang++ -fsanitize=fuzzer,address,undefined
# into build/fuzz/<surface>_fuzz. `make fuzz` runs it.
#
#   bash fuzz/build.sh            the fuzzers (ASan + UBSan; UBSan findings abort)
#   bash fuzz/build.sh coverage   the same harnesses with llvm source coverage instead of
#                                 sanitizers, into build/fuzz/cov/ (used by fuzz/coverage.sh)
#
# The library sources are compiled directly with clang (see fuzz/fuzz.mk), never taken from the
# gcc-built build/libwsrelay.a. Missing tools (clang, the libFuzzer runtime in
# libclang-rt-14-dev, llvm-14 for coverage) and libraries (libssl-dev, rapidjson-dev) are
# installed with apt-get when running as root; otherwise the script says what to install.
# Environment: JOBS (parallel compiles, default 2), CXX (default clang++), FUZZ_CXXFLAGS (extra
# flags, e.g. a -D knob that skips an open known bug during a campaign; see docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MODE="${1:-fuzz}"
case "$MODE" in
  fuzz|coverage) ;;
  *) echo "usage: bash fuzz/build.sh [coverage]" >&2; exit 2 ;;
esac
CXX="${CXX:-clang++}"
# The Makefile's default CXX is g++: a fuzz build needs clang whatever the caller's CXX says.
case "$CXX" in *clang*) ;; *) CXX=clang++ ;; esac

missing=()
want() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || missing+=("$1"); }
command -v "$CXX" >/dev/null 2>&1 || want clang
# libFuzzer and the sanitizer runtimes for clang 14 (Debian 12 ships them separately).
fuzzer_lib="$("$CXX" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)"
[ -f "$fuzzer_lib" ] || want libclang-rt-14-dev
want libssl-dev
want rapidjson-dev
[ "$MODE" = coverage ] && { command -v llvm-profdata-14 >/dev/null 2>&1 || want llvm-14; }

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "fuzz: installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq "${missing[@]}" </dev/null; }
  else
    echo "fuzz: missing Debian packages: ${missing[*]}" >&2
    echo "run:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

make --no-print-directory -f fuzz/fuzz.mk -j"${JOBS:-2}" MODE="$MODE" CXX="$CXX"
if [ "$MODE" = coverage ]; then
  echo "fuzz: coverage harnesses in build/fuzz/cov/"
else
  echo "fuzz: harnesses in build/fuzz/: $(cd build/fuzz && ls -- *_fuzz 2>/dev/null | tr '\n' ' ')"
fi
