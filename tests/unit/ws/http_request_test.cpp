// HTTP request-head parser: fields, limits, every malformation we reject, and the same
// answer for every prefix of the input (the parser is re-run as bytes arrive).
#include "ws/http_request.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay::ws;

namespace {

constexpr size_t kLimit = 8192;

const std::string kChrome =
    "GET /chat?room=lobby&token=abc HTTP/1.1\r\n"
    "Host: example.com:8080\r\n"
    "Connection: Upgrade\r\n"
    "Pragma: no-cache\r\n"
    "Upgrade: websocket\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "\r\n";

HttpParseResult parse(std::string_view input, HttpRequest& request, size_t limit = kLimit) {
  return parse_request(input, request, limit);
}

HttpParseStatus status_of(std::string_view input, size_t limit = kLimit) {
  HttpRequest request;
  return parse_request(input, request, limit).status;
}

// A one-line summary of a parse, to compare results across prefixes.
std::string describe(std::string_view input, size_t limit) {
  HttpRequest r;
  const HttpParseResult result = parse_request(input, r, limit);
  std::string out = std::to_string(static_cast<int>(result.status));
  if (result.status != HttpParseStatus::kComplete) return out;
  out += " consumed=" + std::to_string(result.consumed) + " " + std::string(r.method) + " " +
         std::string(r.target) + " 1." + std::to_string(r.minor_version);
  for (size_t i = 0; i < r.header_count; ++i) {
    out += " [" + std::string(r.headers[i].name) + "=" + std::string(r.headers[i].value) + "]";
  }
  return out;
}

// Re-parsing each prefix must behave like a parser fed the input in pieces: every prefix is
// kIncomplete until the first one that decides, and from there on every longer input gives
// exactly the same decision (same fields, same consumed count). Returns the final decision.
std::string check_every_prefix(std::string_view input, size_t limit = kLimit) {
  const std::string whole = describe(input, limit);
  const std::string incomplete = std::to_string(static_cast<int>(HttpParseStatus::kIncomplete));
  bool decided = false;
  for (size_t n = 0; n <= input.size(); ++n) {
    const std::string now = describe(input.substr(0, n), limit);
    CAPTURE(n);
    if (decided) {
      REQUIRE(now == whole);
    } else if (now != incomplete) {
      REQUIRE(now == whole);
      decided = true;
    }
  }
  return whole;
}

}  // namespace

TEST_CASE("a browser handshake parses into views of the buffer") {
  const std::string input = kChrome + "\x81\x85 trailing frame bytes";
  HttpRequest r;
  const HttpParseResult result = parse(input, r);
  REQUIRE(result.status == HttpParseStatus::kComplete);
  CHECK(result.consumed == kChrome.size());
  CHECK(r.method == "GET");
  CHECK(r.target == "/chat?room=lobby&token=abc");
  CHECK(r.path() == "/chat");
  CHECK(r.query() == "room=lobby&token=abc");
  CHECK(r.minor_version == 1);
  REQUIRE(r.header_count == 9);
  CHECK(r.headers[0].name == "Host");
  CHECK(r.headers[0].value == "example.com:8080");
  CHECK(r.header("HOST") == "example.com:8080");
  CHECK(r.header("sec-websocket-key") == "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(r.header("user-agent") == "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0");
  CHECK(r.header("Sec-WebSocket-Extensions") == "permessage-deflate; client_max_window_bits");
  // Views point into the caller's buffer.
  CHECK(r.method.data() == input.data());
  CHECK(r.header("host").data() >= input.data());
  CHECK(r.header("host").data() < input.data() + input.size());
  check_every_prefix(input);
}

TEST_CASE("header lookups") {
  const std::string input =
      "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Blank:   \t \r\nCookie: a=1\r\ncookie: "
      "b=2\r\n\r\n";
  HttpRequest r;
  REQUIRE(parse(input, r).status == HttpParseStatus::kComplete);
  CHECK(r.has_header("x-empty"));
  CHECK(r.header("x-empty").empty());
  CHECK(r.header("x-empty").data() != nullptr);
  CHECK(r.header("x-blank").empty());
  CHECK(r.header("x-blank").data() != nullptr);
  CHECK_FALSE(r.has_header("x-missing"));
  CHECK(r.header("x-missing").data() == nullptr);
  CHECK(r.header("Cookie") == "a=1");  // the first one
  CHECK(r.header_count_of("COOKIE") == 2);
  CHECK(r.header_count_of("host") == 1);
  CHECK(r.header_count_of("absent") == 0);
  CHECK(r.path() == "/");
  CHECK(r.query().empty());
}

TEST_CASE("path and query") {
  HttpRequest r;
  r.target = "/a/b?";
  CHECK(r.path() == "/a/b");
  CHECK(r.query().empty());
  r.target = "/?x=1?y";
  CHECK(r.path() == "/");
  CHECK(r.query() == "x=1?y");
  r.target = "*";
  CHECK(r.path() == "*");
}

TEST_CASE("header values are trimmed of spaces and tabs, inner spaces kept") {
  HttpRequest r;
  REQUIRE(parse("GET / HTTP/1.1\r\nA: \t  one two \t\r\nB:x\r\n\r\n", r).status ==
          HttpParseStatus::kComplete);
  CHECK(r.header("a") == "one two");
  CHECK(r.header("b") == "x");
}

TEST_CASE("bare LF line endings and leading empty lines are tolerated") {
  const std::string input = "\r\n\nGET /x HTTP/1.0\nHost: h\r\nA: b\n\n";
  HttpRequest r;
  const HttpParseResult result = parse(input, r);
  REQUIRE(result.status == HttpParseStatus::kComplete);
  CHECK(result.consumed == input.size());
  CHECK(r.minor_version == 0);
  CHECK(r.target == "/x");
  CHECK(r.header("host") == "h");
  CHECK(r.header("a") == "b");
  check_every_prefix(input);
}

TEST_CASE("obs-text (bytes >= 0x80) is allowed in header values") {
  HttpRequest r;
  REQUIRE(parse("GET / HTTP/1.1\r\nX-Name: J\xC3\xBCrgen\r\n\r\n", r).status ==
          HttpParseStatus::kComplete);
  CHECK(r.header("x-name") == "J\xC3\xBCrgen");
}

TEST_CASE("malformed heads are 400, at the first byte that shows it") {
  const char* const cases[] = {
      " GET / HTTP/1.1\r\n\r\n",            // empty method
      "G(T / HTTP/1.1\r\n\r\n",             // '(' is not a token character
      "GET  / HTTP/1.1\r\n\r\n",            // two spaces: empty target
      "GET / HTTP/1.1 \r\n\r\n",            // trailing space
      "GET /\x01 HTTP/1.1\r\n\r\n",         // control character in the target
      "GET /caf\xC3\xA9 HTTP/1.1\r\n\r\n",  // raw non-ASCII target
      "GET / HTTP/2.0\r\n\r\n",             // only HTTP/1.x
      "GET / HTTP/1.x\r\n\r\n",
      "GET / http/1.1\r\n\r\n",  // HTTP-name is case-sensitive
      "GET / HTTP/1.11\r\n\r\n",
      "GET / HTTP/1.1\r\r\n\r\n",  // CR not followed by LF
      "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n\rx",
      "GET / HTTP/1.1\r\nHost\r\n\r\n",      // no colon
      "GET / HTTP/1.1\r\n: value\r\n\r\n",   // empty name
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",  // space before the colon (RFC 9112 §5.1)
      "GET / HTTP/1.1\r\nHo st: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHo\"st: a\r\n\r\n",
      "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",  // obsolete line folding
      "GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n",
      "GET / HTTP/1.1\r\n Host: a\r\n\r\n",  // whitespace before the first field
      "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",  // control characters in a value
      "GET / HTTP/1.1\r\nA: b\x7F\r\n\r\n",
      "GET / HTTP/1.1\r\nA: \x1B[31m\r\n\r\n",
  };
  for (const char* text : cases) {
    CAPTURE(text);
    CHECK(check_every_prefix(text) ==
          std::to_string(static_cast<int>(HttpParseStatus::kBadRequest)));
  }
  // A NUL anywhere in the head.
  for (const std::string& text : {std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 27),
                                  std::string("GE\0T / HTTP/1.1\r\n\r\n", 19)}) {
    CHECK(status_of(text) == HttpParseStatus::kBadRequest);
  }
}

TEST_CASE("every proper prefix of a valid head is incomplete") {
  for (size_t n = 0; n < kChrome.size(); ++n) {
    CAPTURE(n);
    REQUIRE(status_of(std::string_view(kChrome).substr(0, n)) == HttpParseStatus::kIncomplete);
  }
  CHECK(status_of(kChrome) == HttpParseStatus::kComplete);
}

TEST_CASE("max_head_bytes: a head ending exactly at the limit is accepted, one byte more is not") {
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  HttpRequest r;
  auto exact = parse(head, r, head.size());
  CHECK(exact.status == HttpParseStatus::kComplete);
  CHECK(exact.consumed == head.size());
  CHECK(status_of(head, head.size() - 1) == HttpParseStatus::kTooLarge);
  // Extra bytes after a head that fits do not matter.
  CHECK(status_of(head + "garbage", head.size()) == HttpParseStatus::kComplete);
  // Without a blank line, reaching the limit is enough: no need to wait for the end.
  const std::string endless = "GET / HTTP/1.1\r\nX-Long: " + std::string(200, 'a');
  CHECK(status_of(endless.substr(0, 99), 100) == HttpParseStatus::kIncomplete);
  CHECK(status_of(endless.substr(0, 100), 100) == HttpParseStatus::kTooLarge);
  CHECK(status_of(endless, 100) == HttpParseStatus::kTooLarge);
  // An error inside the limit is still reported as 400 once the limit is passed.
  CHECK(status_of("GET / HTTP/1.1\r\nA: \x01" + std::string(200, 'a'), 100) ==
        HttpParseStatus::kBadRequest);
  // But a bad byte beyond the limit is never looked at.
  CHECK(status_of(endless + "\x01", 100) == HttpParseStatus::kTooLarge);
  check_every_prefix(endless, 100);
}

TEST_CASE("kMaxHttpHeaders fields are accepted; one more is too large even before the end") {
  std::string head = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i < kMaxHttpHeaders; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  const std::string complete = head + "\r\n";  // the request's views point into it
  HttpRequest r;
  REQUIRE(parse(complete, r).status == HttpParseStatus::kComplete);
  CHECK(r.header_count == kMaxHttpHeaders);
  CHECK(r.header("x-63") == "v");
  CHECK(status_of(head) == HttpParseStatus::kIncomplete);
  CHECK(status_of(head + "X") == HttpParseStatus::kTooLarge);
  CHECK(status_of(head + "X-64: v\r\n\r\n") == HttpParseStatus::kTooLarge);
  check_every_prefix(head + "X-64: v\r\n\r\n");
}

TEST_CASE("equals_ignore_case") {
  CHECK(equals_ignore_case("Upgrade", "uPGRADE"));
  CHECK(equals_ignore_case("", ""));
  CHECK_FALSE(equals_ignore_case("upgrade", "upgrades"));
  CHECK_FALSE(equals_ignore_case("a", "b"));
  // Only ASCII letters fold: '@' (0x40) and '`' (0x60) differ by 0x20 but are not letters.
  CHECK_FALSE(equals_ignore_case("@", "`"));
  CHECK_FALSE(equals_ignore_case("[", "{"));
}

TEST_CASE("header_has_token") {
  CHECK(header_has_token("Upgrade", "upgrade"));
  CHECK(header_has_token("keep-alive, Upgrade", "upgrade"));
  CHECK(header_has_token("keep-alive,Upgrade", "UPGRADE"));
  CHECK(header_has_token(" upgrade \t, close", "upgrade"));
  CHECK(header_has_token(",,upgrade,,", "upgrade"));
  CHECK_FALSE(header_has_token("upgraded", "upgrade"));
  CHECK_FALSE(header_has_token("keep-alive upgrade", "upgrade"));
  CHECK_FALSE(header_has_token("", "upgrade"));
  CHECK_FALSE(header_has_token("a,,b", ""));
}

TEST_CASE("has_token looks through every repeated list header") {
  HttpRequest r;
  REQUIRE(
      parse("GET / HTTP/1.1\r\nConnection: keep-alive\r\nconnection: Upgrade\r\n\r\n", r).status ==
      HttpParseStatus::kComplete);
  CHECK(r.has_token("Connection", "upgrade"));
  CHECK(r.has_token("connection", "keep-alive"));
  CHECK_FALSE(r.has_token("connection", "close"));
  CHECK_FALSE(r.has_token("upgrade", "websocket"));
}
