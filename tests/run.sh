#!/usr/bin/env bash
# wsrelay's single test entry point: `make test` and `make test-asan` call it.
#
# It runs, in order: the doctest unit tests ($BUILD/unit_tests), the conformance suite
# (tests/conformance), then every integration suite it finds under tests/integration/, and
# closes with ONE line `N passed, N failed` summed over all suites. Exit status 1 if anything
# failed. Each suite's own output is shown indented under a "== suite ==" heading.
#
# How an integration suite is discovered (tests/integration/<name>/, one folder per topic):
#   * <name>/run.sh exists      -> that script IS the suite (bash, working directory = repo
#                                  root); its LAST line must be `N passed, N failed`. Nothing
#                                  else in the folder is run automatically.
#   * otherwise, both of:
#       *.test.mjs / *.test.js / *.test.cjs -> one `node --test` run, suite "<name>/node"
#       test_*.py                          -> one unittest run with Debian's /usr/bin/python3,
#                                              suite "<name>/python"
#   * folders named node_modules or starting with "_" are skipped (helpers, fixtures).
# A suite that crashes, times out, prints no count, or exits non-zero while reporting no
# failure counts as (at least) one failure: a broken suite can never pass silently.
#
# Every suite gets this environment:
#   BUILD        build directory (default: build)
#   WSRELAY_BIN  absolute path of the wsrelay binary ($BUILD/wsrelay)
#   WSRELAY_REPO absolute path of the repository
#   WSRELAY_TEST_TIMEOUT_SCALE  multiplier for waits (3 for sanitizer builds unless set)
# Helpers that start a server on a free port and always kill it: tests/integration/interop/
# server.mjs (Node) and tests/conformance/wsrelay_server.py (Python).
#
# Options (environment): ONLY=<text> runs only suites whose name contains <text>;
# SUITE_TIMEOUT=<seconds> caps each suite (default 1500).
#
# Test dependencies are installed when missing: npm packages of tests/integration/package.json
# (`npm ci`, falling back to `npm install`, preferring the local cache), and, when running as
# root, Debian's python3-websockets / nodejs / npm.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
export BUILD="${BUILD:-build}"
case "$BUILD" in
  /*) export WSRELAY_BIN="$BUILD/wsrelay" ;;
  *) export WSRELAY_BIN="$REPO/$BUILD/wsrelay" ;;
esac
export WSRELAY_REPO="$REPO"
case "$BUILD" in
  *asan*|*san*) export WSRELAY_TEST_TIMEOUT_SCALE="${WSRELAY_TEST_TIMEOUT_SCALE:-3}" ;;
  *) export WSRELAY_TEST_TIMEOUT_SCALE="${WSRELAY_TEST_TIMEOUT_SCALE:-1}" ;;
esac
ONLY="${ONLY:-}"
SUITE_TIMEOUT="${SUITE_TIMEOUT:-1500}"
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/wsrelay-tests.XXXXXX")"
trap 'rm -rf "$LOGDIR"' EXIT

TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=()

say() { printf '%s\n' "$*"; }

# ---- dependencies --------------------------------------------------------------------------

apt_install() {
  # apt-get install, refreshing the package lists once if they are missing or stale.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 && return 0
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

ensure_system_deps() {
  local missing=()
  "$PYTHON" -c 'import websockets' 2>/dev/null || missing+=(python3-websockets)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "tests: installing missing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}" || say "tests: WARNING: could not install ${missing[*]}"
  else
    say "tests: WARNING: missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
  fi
}

# True when every dependency named in tests/integration/package.json is in node_modules.
node_deps_present() {
  node -e '
    const fs = require("fs"), path = require("path");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const names = Object.keys({...pkg.dependencies, ...pkg.devDependencies});
    process.exit(names.every((n) => fs.existsSync(path.join("node_modules", n, "package.json"))) ? 0 : 1);
  ' 2>/dev/null
}

ensure_node_deps() {
  local dir="$REPO/tests/integration"
  [ -f "$dir/package.json" ] || return 0
  command -v npm >/dev/null 2>&1 || return 0
  (cd "$dir" && node_deps_present) && return 0
  say "tests: installing npm packages for tests/integration"
  (
    cd "$dir" || exit 1
    flags=(--no-audit --no-fund --prefer-offline --loglevel=error)
    if [ -f package-lock.json ]; then
      npm ci "${flags[@]}" || npm install "${flags[@]}"
    else
      npm install "${flags[@]}"
    fi
  ) 2>&1 | sed -u 's/^/    /' || true
  (cd "$dir" && node_deps_present) || say "tests: WARNING: npm packages still missing (offline?)"
}

# ---- running one suite ---------------------------------------------------------------------

# record NAME PASSED FAILED [NOTE]  (the summary lines avoid the "N passed, N failed" shape,
# so the closing line stays the only one of its kind)
record() {
  TOTAL_PASSED=$((TOTAL_PASSED + $2))
  TOTAL_FAILED=$((TOTAL_FAILED + $3))
  SUMMARY+=("$(printf '  %-24s %5d ok %5d not ok%s' "$1" "$2" "$3" "${4:-}")")
}

# run_suite NAME PARSER COMMAND...   (PARSER: last_line | doctest | tap:<file the TAP goes to>)
run_suite() {
  local name="$1" parser="$2"
  shift 2
  if [ -n "$ONLY" ] && [[ "$name" != *"$ONLY"* ]]; then
    return 0
  fi
  local log="$LOGDIR/$(printf '%s' "$name" | tr '/ ' '__').log"
  say ""
  say "== $name =="
  local start=$SECONDS
  timeout --kill-after=10 "$SUITE_TIMEOUT" "$@" </dev/null 2>&1 | tee "$log" | sed -u 's/^/    /'
  local status=${PIPESTATUS[0]}
  local counts passed failed note=""
  case "$parser" in
    tap:*) counts="$(parse_tap "${parser#tap:}")" ;;
    *) counts="$(parse_"$parser" "$log")" ;;
  esac
  if [ -z "$counts" ]; then
    passed=0 failed=1 note=" (no test count in its output; exit status $status)"
  else
    read -r passed failed <<<"$counts"
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
      failed=1 note=" (exit status $status)"
    fi
  fi
  [ "$status" -eq 124 ] && note=" (timed out after ${SUITE_TIMEOUT}s)"
  record "$name" "$passed" "$failed" "  $((SECONDS - start))s$note"
}

# Each parser prints "PASSED FAILED" or nothing.
parse_last_line() {
  tail -n 1 "$1" | sed -nE 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*$/\2 \3/p'
}

parse_doctest() {
  # [doctest] test cases: 12 | 12 passed | 0 failed | 0 skipped
  grep -E '^\[doctest\] test cases:' "$1" | tail -n 1 |
    sed -nE 's/.*\|[[:space:]]*([0-9]+) passed[[:space:]]*\|[[:space:]]*([0-9]+) failed.*/\1 \2/p'
}

parse_tap() {
  # node --test --test-reporter=tap ends with "# pass N", "# fail N", "# cancelled N".
  local pass fail cancelled
  pass="$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$1" | tail -n 1)"
  fail="$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$1" | tail -n 1)"
  cancelled="$(sed -nE 's/^# cancelled ([0-9]+)$/\1/p' "$1" | tail -n 1)"
  [ -n "$pass" ] && [ -n "$fail" ] && echo "$pass $((fail + ${cancelled:-0}))"
}

# Runs the unittest tests of the test_*.py files in one folder and ends with
# "N passed, N failed" (a test with several failing subtests counts once). Written to a file
# so that `timeout` can run it.
cat >"$LOGDIR/unittest_runner.py" <<'EOF'
import sys, unittest
folder = sys.argv[1]
sys.path.insert(0, folder)
suite = unittest.defaultTestLoader.discover(folder, pattern="test_*.py", top_level_dir=folder)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
bad = {id(t) for t, _ in result.failures + result.errors}
bad |= {id(t) for t in result.unexpectedSuccesses}
ran = result.testsRun - len(result.skipped)
print("%d passed, %d failed" % (ran - len(bad), len(bad)))
sys.exit(0 if not bad and ran > 0 else 1)
EOF

node_test_files() {
  find "$1" -maxdepth 1 -type f \( -name '*.test.mjs' -o -name '*.test.js' -o -name '*.test.cjs' \) | sort
}

# ---- the suites ----------------------------------------------------------------------------

say "wsrelay tests: BUILD=$BUILD binary=$WSRELAY_BIN"
ensure_system_deps
ensure_node_deps

if [ -x "$BUILD/unit_tests" ]; then
  run_suite unit doctest "$BUILD/unit_tests"
elif [ -z "$ONLY" ] || [[ unit == *"$ONLY"* ]]; then
  say "== unit =="
  say "    $BUILD/unit_tests is missing (run: make $BUILD/unit_tests)"
  record unit 0 1 " (binary missing)"
fi

run_suite conformance last_line "$PYTHON" tests/conformance/conformance.py --binary "$WSRELAY_BIN"

for dir in tests/integration/*/; do
  dir="${dir%/}"
  base="$(basename "$dir")"
  case "$base" in node_modules|_*) continue ;; esac
  if [ -f "$dir/run.sh" ]; then
    run_suite "$base" last_line bash "$dir/run.sh"
    continue
  fi
  mapfile -t node_files < <(node_test_files "$dir")
  if [ ${#node_files[@]} -gt 0 ]; then
    # Readable spec output on screen, TAP to a file for the counts.
    tap="$LOGDIR/$base.tap"
    run_suite "$base/node" "tap:$tap" node --test \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$tap" "${node_files[@]}"
  fi
  if compgen -G "$dir/test_*.py" >/dev/null; then
    run_suite "$base/python" last_line "$PYTHON" "$LOGDIR/unittest_runner.py" "$dir"
  fi
done

say ""
say "== summary =="
for line in "${SUMMARY[@]}"; do say "$line"; done
if [ "$TOTAL_PASSED" -eq 0 ] && [ "$TOTAL_FAILED" -eq 0 ]; then
  TOTAL_FAILED=1  # ran nothing at all: that is a failure, not a pass
  say "  no suite ran"
fi
if [ "$TOTAL_FAILED" -gt 0 ]; then
  say "  (one suite again: ONLY=<name> BUILD=$BUILD bash tests/run.sh;"
  say "   one conformance case: $PYTHON tests/conformance/conformance.py --binary $WSRELAY_BIN -k <id> -v)"
fi
say "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
