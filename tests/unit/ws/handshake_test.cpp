// Opening handshake (RFC 6455 §4.2): the accept key and every reason to refuse an upgrade.
#include "ws/handshake.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wsrelay::ws;

namespace {

std::string accept_of(std::string_view key) {
  const auto accept = compute_accept_key(key);
  return std::string(accept.data(), accept.size());
}

const std::string kGoodHeaders =
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Version: 13\r\n";

// Parses `text` into `storage`-backed request; the request's views point into `storage`.
struct Parsed {
  std::string storage;
  HttpRequest request;
  explicit Parsed(std::string text) : storage(std::move(text)) {
    const HttpParseResult r = parse_request(storage, request, 8192);
    REQUIRE(r.status == HttpParseStatus::kComplete);
  }
};

UpgradeCheck check(std::string request_line, std::string headers) {
  Parsed parsed(request_line + "\r\n" + headers + "\r\n");
  UpgradeCheck result = check_upgrade(parsed.request);
  if (result.status == 0) {
    // The key is a view into the request buffer, which dies with `parsed`; check it here.
    CHECK(result.key == parsed.request.header("sec-websocket-key"));
    result.key = {};
  }
  return result;
}

std::string replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("accept key: the RFC 6455 §1.3 sample and others computed independently") {
  CHECK(accept_of("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  CHECK(accept_of("x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
  // Values from Python's hashlib/base64, covering the empty and the heap-copy paths.
  CHECK(accept_of("") == "Kfh9QIsMVZcl6xEPYxPHzW8SZ8w=");
  CHECK(accept_of(std::string(200, 'k')) == "HXr7Nbki1tHdEVpq+a7G7IV4VJU=");
}

TEST_CASE("accept_response is the exact 101 head") {
  CHECK(accept_response("dGhlIHNhbXBsZSBub25jZQ==") ==
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        "\r\n");
}

TEST_CASE("wants_websocket looks only at the Upgrade token list") {
  CHECK(wants_websocket(Parsed("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n").request));
  CHECK(wants_websocket(Parsed("GET / HTTP/1.1\r\nupgrade: h2c, WebSocket\r\n\r\n").request));
  CHECK(wants_websocket(Parsed("POST / HTTP/1.0\r\nUpgrade: websocket\r\n\r\n").request));
  CHECK_FALSE(wants_websocket(Parsed("GET / HTTP/1.1\r\nHost: a\r\n\r\n").request));
  CHECK_FALSE(wants_websocket(Parsed("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n").request));
  CHECK_FALSE(wants_websocket(Parsed("GET / HTTP/1.1\r\nConnection: websocket\r\n\r\n").request));
}

TEST_CASE("the RFC 6455 §1.2 request is accepted and yields its key") {
  Parsed parsed("GET /chat HTTP/1.1\r\n" + kGoodHeaders + "\r\n");
  const UpgradeCheck result = check_upgrade(parsed.request);
  CHECK(result.status == 0);
  CHECK(result.key == "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(result.key.data() >= parsed.storage.data());
  CHECK(result.key.data() < parsed.storage.data() + parsed.storage.size());
}

TEST_CASE("acceptable variants") {
  // Firefox sends a Connection list; case does not matter in tokens or header names.
  CHECK(check("GET / HTTP/1.1",
              replace(kGoodHeaders, "Connection: Upgrade", "Connection: keep-alive, Upgrade"))
            .status == 0);
  CHECK(check("GET / HTTP/1.1",
              replace(replace(kGoodHeaders, "Upgrade: websocket", "UPGRADE: WebSocket"),
                      "Connection: Upgrade", "connection: upgrade"))
            .status == 0);
  // Connection split over two header lines.
  CHECK(check("GET / HTTP/1.1", replace(kGoodHeaders, "Connection: Upgrade",
                                        "Connection: keep-alive\r\nConnection: Upgrade"))
            .status == 0);
  // Surrounding whitespace of the key is not part of the value.
  CHECK(check("GET / HTTP/1.1", replace(kGoodHeaders, "Key: dGhlIHNhbXBsZSBub25jZQ==",
                                        "Key: \t dGhlIHNhbXBsZSBub25jZQ== "))
            .status == 0);
  CHECK(check("GET / HTTP/1.2", kGoodHeaders).status == 0);
  // Every alphabet character class in a key: '+' and '/' and digits.
  CHECK(check("GET / HTTP/1.1",
              replace(kGoodHeaders, "dGhlIHNhbXBsZSBub25jZQ==", "+/09azAZ+/09azAZ+/09aw=="))
            .status == 0);
}

TEST_CASE("method other than GET: 405") {
  CHECK(check("POST / HTTP/1.1", kGoodHeaders).status == 405);
  CHECK(check("get / HTTP/1.1", kGoodHeaders).status == 405);
  // The method is checked first.
  CHECK(check("PUT / HTTP/1.0", "").status == 405);
}

TEST_CASE("HTTP/1.0 or a missing/repeated Host: 400") {
  CHECK(check("GET / HTTP/1.0", kGoodHeaders).status == 400);
  CHECK(check("GET / HTTP/1.1", replace(kGoodHeaders, "Host: server.example.com\r\n", "")).status ==
        400);
  CHECK(check("GET / HTTP/1.1", kGoodHeaders + "host: other.example.com\r\n").status == 400);
}

TEST_CASE("Upgrade and Connection must carry their tokens: 400") {
  CHECK(check("GET / HTTP/1.1", replace(kGoodHeaders, "Upgrade: websocket\r\n", "")).status == 400);
  CHECK(
      check("GET / HTTP/1.1", replace(kGoodHeaders, "Upgrade: websocket", "Upgrade: h2c")).status ==
      400);
  CHECK(check("GET / HTTP/1.1", replace(kGoodHeaders, "Upgrade: websocket", "Upgrade: web socket"))
            .status == 400);
  CHECK(check("GET / HTTP/1.1", replace(kGoodHeaders, "Connection: Upgrade\r\n", "")).status ==
        400);
  CHECK(check("GET / HTTP/1.1",
              replace(kGoodHeaders, "Connection: Upgrade", "Connection: keep-alive"))
            .status == 400);
}

TEST_CASE("Sec-WebSocket-Version other than exactly 13: 426") {
  for (std::string_view version : {"8", "12", "14", "13, 8", "013", "", "thirteen"}) {
    CAPTURE(version);
    const UpgradeCheck result = check(
        "GET / HTTP/1.1", replace(kGoodHeaders, "Version: 13", "Version: " + std::string(version)));
    CHECK(result.status == 426);
    CHECK_FALSE(result.reason.empty());
  }
  CHECK(
      check("GET / HTTP/1.1", replace(kGoodHeaders, "Sec-WebSocket-Version: 13\r\n", "")).status ==
      426);
  CHECK(check("GET / HTTP/1.1", kGoodHeaders + "Sec-WebSocket-Version: 13\r\n").status == 426);
  CHECK(check("GET / HTTP/1.1", kGoodHeaders + "Sec-WebSocket-Version: 8\r\n").status == 426);
}

TEST_CASE("Sec-WebSocket-Key must be one Base64 encoding of 16 bytes: 400") {
  const std::string_view bad_keys[] = {
      "",
      "dGhlIHNhbXBsZSBub25jZQ=",    // 23 characters
      "dGhlIHNhbXBsZSBub25jZQ===",  // 25
      "dGhlIHNhbXBsZSBub25jZQ",     // no padding
      "dGhlIHNhbXBsZSBub25jZQAA",   // 24 characters but 18 bytes
      "dGhlIHNhbXBsZSBub25j=Q==",   // padding in the middle
      "dGhlIHNhbXBsZSBub25jZ$==",   // not in the alphabet
      "dGhlIHNhbXBsZSBub25jZ-==",   // URL-safe alphabet is not Base64
      "dGhlIHNhbXBsZSBub25jZR==",   // non-zero bits after the 16th byte
      "dGhlIHNhbXBsZSBub25jZQ",
      "c2FtcGxl",  // Base64, but of 6 bytes
      "dGhl IHNhbXBsZSBub25jZQ==",
  };
  for (std::string_view key : bad_keys) {
    CAPTURE(key);
    CHECK(check("GET / HTTP/1.1",
                replace(kGoodHeaders, "Key: dGhlIHNhbXBsZSBub25jZQ==", "Key: " + std::string(key)))
              .status == 400);
  }
  CHECK(check("GET / HTTP/1.1",
              replace(kGoodHeaders, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""))
            .status == 400);
  // The same valid key twice is still two keys.
  CHECK(check("GET / HTTP/1.1", kGoodHeaders + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
            .status == 400);
}

TEST_CASE("a bad version is reported before a bad key (the 426 tells the client what to do)") {
  const std::string headers = replace(replace(kGoodHeaders, "Version: 13", "Version: 8"),
                                      "dGhlIHNhbXBsZSBub25jZQ==", "short");
  CHECK(check("GET / HTTP/1.1", headers).status == 426);
}
