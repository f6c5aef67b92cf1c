// Request paths: decoding, and every shape of path that could escape a folder on a file system.
#include "http/url.hpp"

#include "common/percent_decode.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay::http;
using wsrelay::common::percent_decode;

namespace {

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> segments;
  const PathProblem problem = split_path(path, segments);
  REQUIRE_MESSAGE(problem == PathProblem::kNone, "unexpected problem for ", std::string(path), ": ",
                  std::string(describe(problem)));
  return segments;
}

PathProblem problem_of(std::string_view path) {
  std::vector<std::string> segments;
  return split_path(path, segments);
}

}  // namespace

TEST_CASE("percent_decode: escapes in either case, '+' untouched, malformed escapes refused") {
  std::string out;
  CHECK(percent_decode("a%20b%2Fc%2fd+e", out));
  CHECK(out == "a b/c/d+e");
  for (std::string_view bad : {"%", "%2", "%zz", "abc%g0", "%0"}) {
    out.clear();
    CHECK_MESSAGE(!percent_decode(bad, out), std::string(bad));
  }
}

TEST_CASE("target_path: origin-form and absolute-form, query removed") {
  CHECK(target_path("/health?x=1") == "/health");
  CHECK(target_path("/") == "/");
  CHECK(target_path("http://example.com:8080/stats?a") == "/stats");
  CHECK(target_path("HTTPS://example.com/a/b") == "/a/b");
  CHECK(target_path("http://example.com") == "/");
  CHECK(target_path("*") == "");
  CHECK(target_path("health") == "");
  CHECK(target_path("") == "");
}

TEST_CASE("split_path: segments are split before decoding") {
  CHECK(split("/") == std::vector<std::string>{""});
  CHECK(split("/health") == std::vector<std::string>{"health"});
  CHECK(split("/api/rooms/") == std::vector<std::string>{"api", "rooms", ""});
  // An encoded slash stays inside its segment: a room called "a/b".
  CHECK(split("/api/rooms/a%2Fb") == std::vector<std::string>{"api", "rooms", "a/b"});
  CHECK(split("/wsrelay%2Ejs") == std::vector<std::string>{"wsrelay.js"});
  CHECK(split("/caf%C3%A9") == std::vector<std::string>{"caf\xC3\xA9"});
  // Dots that are not whole segments are ordinary characters.
  CHECK(split("/a..b/...") == std::vector<std::string>{"a..b", "..."});
}

TEST_CASE("split_path: traversal, NUL, backslash, bad escapes and non-UTF-8 are refused") {
  CHECK(problem_of("/..") == PathProblem::kDotSegment);
  CHECK(problem_of("/../etc/passwd") == PathProblem::kDotSegment);
  CHECK(problem_of("/a/../../etc/passwd") == PathProblem::kDotSegment);
  CHECK(problem_of("/./index.html") == PathProblem::kDotSegment);
  CHECK(problem_of("/a/.") == PathProblem::kDotSegment);
  CHECK(problem_of("/%2e%2e/etc/passwd") == PathProblem::kDotSegment);
  CHECK(problem_of("/%2E%2E/x") == PathProblem::kDotSegment);
  CHECK(problem_of("/.%2e/x") == PathProblem::kDotSegment);
  CHECK(problem_of("/%2e/x") == PathProblem::kDotSegment);
  CHECK(problem_of("/index.html%00.js") == PathProblem::kForbiddenByte);
  CHECK(problem_of(std::string_view("/a\0b", 4)) == PathProblem::kForbiddenByte);
  CHECK(problem_of("/..%5Cetc") == PathProblem::kForbiddenByte);
  CHECK(problem_of("/a\\b") == PathProblem::kForbiddenByte);
  CHECK(problem_of("/%zz") == PathProblem::kBadEscape);
  CHECK(problem_of("/a%2") == PathProblem::kBadEscape);
  CHECK(problem_of("/%C3%28") == PathProblem::kNotUtf8);
  CHECK(problem_of("/%FF") == PathProblem::kNotUtf8);
  CHECK(problem_of("relative") == PathProblem::kNotAPath);
  CHECK(problem_of("") == PathProblem::kNotAPath);
  // Double encoding decodes once: "%252e%252e" is the harmless literal name "%2e%2e".
  std::vector<std::string> segments;
  CHECK(split_path("/%252e%252e", segments) == PathProblem::kNone);
  CHECK(segments == std::vector<std::string>{"%2e%2e"});
}
