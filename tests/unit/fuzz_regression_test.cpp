// Replays fuzz inputs through the fuzzers' own property checks, so `make test` (and
// `make test-asan`) re-verifies everything the fuzzers ever found or started from:
//   fuzz/corpus/<surface>/*       the seed corpora (hand-made valid and edge inputs, and the
//                                 minimised campaign corpora, see docs/fuzzing.md)
//   tests/regression/<surface>/*  inputs that once broke a property or crashed (see
//                                 tests/regression/README.md); each must pass now
// The checks are the ones libFuzzer runs (fuzz/<surface>_check.hpp): same code, same verdict,
// just compiled with the project's compiler and flags instead of clang + libFuzzer.
//
// Files named known-bug-* are findings that are NOT fixed yet. Each has its own test case
// below, marked should_fail: it passes while the bug is there and fails once the bug is fixed,
// which is the signal to drop the should_fail decorator (and the known-bug- prefix).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../fuzz/config_check.hpp"
#include "../../fuzz/connection_check.hpp"
#include "../../fuzz/deflate_check.hpp"
#include "../../fuzz/frame_check.hpp"
#include "../../fuzz/http_check.hpp"
#include "../../fuzz/http_response_check.hpp"
#include "../../fuzz/json_check.hpp"
#include "../../fuzz/pusher_check.hpp"
#include "../../fuzz/pusher_rest_check.hpp"
#include "../../fuzz/utf8_check.hpp"

namespace {

namespace fs = std::filesystem;
using Check = std::string (*)(std::span<const uint8_t>);

// The repository root: where fuzz/corpus is, found from this file's path or the working
// directory (tests/run.sh runs the binary from the root).
fs::path repo_root() {
  const fs::path here = fs::path(__FILE__).parent_path();
  for (const fs::path& candidate : {here / ".." / "..", fs::current_path(),
                                    fs::current_path() / "..", fs::current_path() / ".." / ".."}) {
    if (fs::is_directory(candidate / "fuzz" / "corpus")) return candidate;
  }
  return {};
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_in(const fs::path& folder, bool known_bugs) {
  std::vector<fs::path> out;
  if (!fs::is_directory(folder)) return out;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    if ((name.rfind("known-bug-", 0) == 0) == known_bugs) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every input of a surface passes its property check; returns how many were replayed.
size_t replay(const std::string& surface, Check check) {
  const fs::path root = repo_root();
  REQUIRE_MESSAGE(!root.empty(), "cannot find fuzz/corpus from ", fs::current_path().string());
  size_t count = 0;
  for (const fs::path& folder :
       {root / "fuzz" / "corpus" / surface, root / "tests" / "regression" / surface}) {
    for (const fs::path& file : files_in(folder, false)) {
      const std::vector<uint8_t> input = read_bytes(file);
      INFO("input: ", file.string());
      CHECK(check(input) == "");
      ++count;
    }
  }
  return count;
}

std::string check_one(const std::string& surface, const std::string& name, Check check) {
  const fs::path file = repo_root() / "tests" / "regression" / surface / name;
  REQUIRE_MESSAGE(fs::is_regular_file(file), "missing ", file.string());
  return check(read_bytes(file));
}

}  // namespace

TEST_CASE("fuzz corpus and regressions: UTF-8 validator") {
  CHECK(replay("utf8", &wsrelay::fuzz::check_utf8) >= 10);
}

TEST_CASE("fuzz corpus and regressions: permessage-deflate, differential against zlib") {
  CHECK(replay("deflate", &wsrelay::fuzz::check_deflate) >= 10);
}

TEST_CASE("fuzz corpus and regressions: frame parser and message reader") {
  CHECK(replay("frame", &wsrelay::fuzz::check_frames) >= 10);
}

TEST_CASE("fuzz corpus and regressions: HTTP request parser and upgrade check") {
  CHECK(replay("http", &wsrelay::fuzz::check_http) >= 10);
}

TEST_CASE("fuzz corpus and regressions: HTTP client response parser") {
  CHECK(replay("http_response", &wsrelay::fuzz::check_http_response) >= 10);
}

TEST_CASE("fuzz corpus and regressions: JSON protocol and dispatcher") {
  CHECK(replay("json", &wsrelay::fuzz::check_json) >= 10);
}

TEST_CASE("fuzz corpus and regressions: Pusher front end") {
  CHECK(replay("pusher", &wsrelay::fuzz::check_pusher) >= 10);
}

TEST_CASE("fuzz corpus and regressions: Pusher REST signature") {
  CHECK(replay("pusher_rest", &wsrelay::fuzz::check_pusher_rest) >= 10);
}

TEST_CASE("fuzz corpus and regressions: connection state machine") {
  CHECK(replay("connection", &wsrelay::fuzz::check_connection) >= 10);
}

TEST_CASE("fuzz corpus and regressions: configuration loader") {
  CHECK(replay("config", &wsrelay::fuzz::check_config) >= 10);
}

// The property checks must be able to fail: a broken input for each reference comparison.
TEST_CASE("fuzz property checks reject what they should") {
  // A reader that would accept an unmasked client frame is caught: the check compares with the
  // reference, which fails it. Here the reference and the parser agree, so this passes...
  const std::vector<uint8_t> unmasked = {0x00, 0x00, 0x00, 0x81, 0x01, 'x'};
  CHECK(wsrelay::fuzz::check_frames(unmasked) == "");
  // ...and the reference really does report the error the parser must match.
  const auto frames =
      wsrelay::fuzz::reference_frames(std::span<const uint8_t>(unmasked).subspan(3), true, 0);
  CHECK(frames.error);
  CHECK(frames.reason == "client frames must be masked");
  // The naive UTF-8 reference fails at the first byte that cannot continue a character.
  const std::vector<uint8_t> overlong = {'a', 0xE0, 0x80, 0x80};
  CHECK(wsrelay::fuzz::naive_utf8(overlong).first_bad == 2);
  const std::vector<uint8_t> surrogate = {0xED, 0xA0, 0x80};
  CHECK(wsrelay::fuzz::naive_utf8(surrogate).first_bad == 1);
}

// ---- bugs found by fuzzing ----------------------------------------------------------------
// Each also sits in tests/regression/ (so the replay above covers it); the named cases say
// what was found. Open ones are should_fail (see the top of this file); none is open now.

// Fixed: MessageReader::append_message_data reserved the rest of the current frame as its
// header announced, so 24 bytes announcing a 1 000 000-byte frame made the reader hold 1 MB
// (ReaderLimits{max_message_size = UINT64_MAX} made the same path throw std::bad_alloc). It
// now grows only with bytes received.
TEST_CASE("regression: the message reader does not reserve what a frame header announces") {
  CHECK(check_one("frame", "eager-reserve-1m", &wsrelay::fuzz::check_frames) == "");
}

// Fixed in 886b842: config::is_ip_literal and config::check_cidr handed c_str() of the value to
// inet_pton, which stops at the first NUL byte: "::\0junk" was accepted as a host and
// "10.0.0.1\0junk" as an allow_ips entry, with the bytes after the NUL kept in the setting.
// server::parse_cidr had the same shape.
TEST_CASE("regression: an IP address with a NUL byte in it is refused") {
  CHECK(check_one("config", "nul-in-host", &wsrelay::fuzz::check_config) == "");
  CHECK(check_one("config", "nul-in-allow-ips", &wsrelay::fuzz::check_config) == "");
  CHECK(check_one("config", "nul-in-host-env", &wsrelay::fuzz::check_config) == "");
}
