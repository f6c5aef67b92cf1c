// The client's HTTP/1.1 response parser: status line and fields, framing per RFC 9112 §6.3,
// keep-alive rules, the chunked decoder and the caps — every response also fed split at every
// byte (and one byte at a time), which must give the one-shot result.
#include "http/client/response_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http/client/request.hpp"

using namespace wsrelay::http::client;

namespace {

struct Parsed {
  HeadStatus head = HeadStatus::kIncomplete;
  BodyStatus body_status = BodyStatus::kNeedMore;
  int status = 0;
  std::string body;
  size_t used = 0;  // bytes of head + body
  bool reusable = false;
};

// Parses `wire` delivered in the pieces [0, cut) and [cut, end) (cut == npos: one piece), as
// the client does: the head re-parsed over the accumulated bytes, then the body fed.
Parsed parse_split(const std::string& wire, size_t cut, size_t max_body = 1 << 20, size_t max_head = 8192) {
  Parsed p;
  std::string received;
  ResponseHead head;
  BodyDecoder decoder;
  BodyFraming framing;
  bool in_body = false;
  std::vector<std::string> pieces;
  if (cut == std::string::npos || cut >= wire.size()) {
    pieces.push_back(wire);
  } else {
    pieces.push_back(wire.substr(0, cut));
    pieces.push_back(wire.substr(cut));
  }
  for (const std::string& piece : pieces) {
    std::string_view data = piece;
    if (!in_body) {
      received += piece;
      const HeadResult r = parse_response_head(received, head, max_head);
      p.head = r.status;
      if (r.status != HeadStatus::kComplete) {
        if (r.status == HeadStatus::kIncomplete) continue;
        return p;
      }
      p.status = head.status;
      framing = body_framing(head, false);
      p.reusable = reusable(head, framing);
      decoder.reset(framing, max_body);
      in_body = true;
      p.used = r.consumed;
      data = std::string_view(received).substr(r.consumed);
      // `received` is not touched again, so `data` stays valid for this iteration.
      const BodyResult b = decoder.feed(data, p.body);
      p.body_status = b.status;
      p.used += b.consumed;
      if (b.status != BodyStatus::kNeedMore) return p;
      continue;
    }
    const BodyResult b = decoder.feed(data, p.body);
    p.body_status = b.status;
    p.used += b.consumed;
    if (b.status != BodyStatus::kNeedMore) return p;
  }
  if (in_body && decoder.done()) p.body_status = BodyStatus::kDone;
  return p;
}

// Same verdict for every split, and byte by byte.
Parsed parse_all_splits(const std::string& wire, size_t max_body = 1 << 20) {
  const Parsed whole = parse_split(wire, std::string::npos, max_body);
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    const Parsed part = parse_split(wire, cut, max_body);
    INFO("cut at " << cut);
    REQUIRE(part.head == whole.head);
    REQUIRE(part.body_status == whole.body_status);
    REQUIRE(part.status == whole.status);
    if (whole.body_status != BodyStatus::kTooLarge) REQUIRE(part.body == whole.body);
    if (whole.body_status == BodyStatus::kDone) REQUIRE(part.used == whole.used);
  }
  // One byte at a time through the decoder.
  ResponseHead head;
  const HeadResult r = parse_response_head(wire, head, 8192);
  if (r.status == HeadStatus::kComplete) {
    BodyDecoder decoder(body_framing(head, false), max_body);
    std::string body;
    BodyStatus last = decoder.done() ? BodyStatus::kDone : BodyStatus::kNeedMore;
    for (size_t i = r.consumed; i < wire.size() && last == BodyStatus::kNeedMore; ++i) {
      const BodyResult b = decoder.feed(std::string_view(wire).substr(i, 1), body);
      last = b.status;
    }
    CHECK(last == whole.body_status);
    if (last != BodyStatus::kTooLarge) CHECK(body == whole.body);
  }
  return whole;
}

}  // namespace

TEST_CASE("response: Content-Length body, fields, keep-alive, bytes after the message") {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nX-Empty:\r\n\r\n{}NEXT";
  const Parsed p = parse_all_splits(wire);
  CHECK(p.head == HeadStatus::kComplete);
  CHECK(p.status == 200);
  CHECK(p.body_status == BodyStatus::kDone);
  CHECK(p.body == "{}");
  CHECK(p.used == wire.size() - 4);  // "NEXT" belongs to no body
  CHECK(p.reusable);

  ResponseHead head;
  REQUIRE(parse_response_head(wire, head, 8192).status == HeadStatus::kComplete);
  CHECK(head.header("content-type") == "application/json");
  CHECK(head.header("x-empty").data() != nullptr);
  CHECK(head.header("x-empty").empty());
  CHECK(head.header("Missing").data() == nullptr);
  CHECK(head.reason == "OK");
}

TEST_CASE("response: chunked body with extensions and trailers") {
  const std::string wire =
      "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n";
  const Parsed p = parse_all_splits(wire);
  CHECK(p.status == 500);
  CHECK(p.body_status == BodyStatus::kDone);
  CHECK(p.body == "helloabcdefghijklmnopqrstuvwxyz");
  CHECK(p.used == wire.size());
  CHECK(p.reusable);
}

TEST_CASE("response: bare LF line ends are accepted") {
  const Parsed p = parse_all_splits("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n");
  CHECK(p.body_status == BodyStatus::kDone);
  CHECK(p.body == "abc");
}

TEST_CASE("response: no body for 204, 304 and 1xx; until-close framing") {
  Parsed p = parse_all_splits("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n");
  CHECK(p.body_status == BodyStatus::kDone);
  CHECK(p.body.empty());
  p = parse_all_splits("HTTP/1.1 100 Continue\r\n\r\n");
  CHECK(p.status == 100);
  CHECK(p.body_status == BodyStatus::kDone);

  ResponseHead head;
  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\n\r\n", head, 100).status == HeadStatus::kComplete);
  const BodyFraming framing = body_framing(head, false);
  CHECK(framing.framing == Framing::kUntilClose);
  CHECK_FALSE(reusable(head, framing));
  BodyDecoder decoder(framing, 100);
  std::string body;
  CHECK(decoder.feed("abc", body).status == BodyStatus::kNeedMore);
  CHECK(decoder.finish_at_close());
  CHECK(body == "abc");
  CHECK(body_framing(head, true).framing == Framing::kNone);

  // A Content-Length body cut short by the close is not a proper end.
  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", head, 100).status ==
          HeadStatus::kComplete);
  BodyDecoder short_body(body_framing(head, false), 100);
  CHECK(short_body.feed("abc", body).status == BodyStatus::kNeedMore);
  CHECK_FALSE(short_body.finish_at_close());
}

TEST_CASE("response: connection reuse rules") {
  ResponseHead head;
  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", head, 100)
              .status == HeadStatus::kComplete);
  CHECK_FALSE(reusable(head, body_framing(head, false)));
  REQUIRE(parse_response_head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", head, 100).status ==
          HeadStatus::kComplete);
  CHECK(head.minor_version == 0);
  CHECK_FALSE(reusable(head, body_framing(head, false)));
  REQUIRE(parse_response_head("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", head, 100)
              .status == HeadStatus::kComplete);
  CHECK(reusable(head, body_framing(head, false)));
  // Both Transfer-Encoding and Content-Length: chunked wins, and the connection is not reused.
  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", head, 200)
              .status == HeadStatus::kComplete);
  CHECK(body_framing(head, false).framing == Framing::kChunked);
  CHECK_FALSE(reusable(head, body_framing(head, false)));
}

TEST_CASE("response: Content-Length rules") {
  ResponseHead head;
  const auto framing_of = [&](const std::string& fields) {
    const std::string wire = "HTTP/1.1 200 OK\r\n" + fields + "\r\n";
    REQUIRE(parse_response_head(wire, head, 1000).status == HeadStatus::kComplete);
    return body_framing(head, false);
  };
  CHECK(framing_of("Content-Length: 7\r\nContent-Length: 7\r\n").length == 7);
  CHECK(framing_of("Content-Length: 7, 7\r\n").framing == Framing::kContentLength);
  CHECK(framing_of("Content-Length: 7\r\nContent-Length: 8\r\n").framing == Framing::kInvalid);
  CHECK(framing_of("Content-Length: -1\r\n").framing == Framing::kInvalid);
  CHECK(framing_of("Content-Length: 0x10\r\n").framing == Framing::kInvalid);
  CHECK(framing_of("Content-Length: 99999999999999999999\r\n").framing == Framing::kInvalid);
  CHECK(framing_of("Content-Length:\r\n").framing == Framing::kInvalid);
}

TEST_CASE("response: malformed heads") {
  ResponseHead head;
  for (const char* wire : {
           "HTTP/2 200 OK\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/1.1 2000 OK\r\n\r\n",
           "HTTP/1.1 099 Low\r\n\r\n",
           "http/1.1 200 OK\r\n\r\n",
           "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
           "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
           "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n",
           "HTTP/1.1 200 OK\r\nA: x\x01y\r\n\r\n",
           "HTTP/1.1 200 O\x7FK\r\n\r\n",
       }) {
    INFO(wire);
    CHECK(parse_response_head(wire, head, 1000).status == HeadStatus::kMalformed);
  }
  CHECK(parse_response_head("HTTP/1.1 200", head, 1000).status == HeadStatus::kIncomplete);
  CHECK(parse_response_head("HTTP/1.1 200 \r\n\r\n", head, 1000).status == HeadStatus::kComplete);
  CHECK(parse_response_head("HTTP/1.1 200\r\n\r\n", head, 1000).status == HeadStatus::kComplete);
}

TEST_CASE("response: head and body caps") {
  ResponseHead head;
  const std::string big = "HTTP/1.1 200 OK\r\nX: " + std::string(200, 'a') + "\r\n\r\n";
  CHECK(parse_response_head(big, head, 100).status == HeadStatus::kTooLarge);
  CHECK(parse_response_head(big.substr(0, 99), head, 100).status == HeadStatus::kIncomplete);
  CHECK(parse_response_head(big.substr(0, 100), head, 100).status == HeadStatus::kTooLarge);
  CHECK(parse_response_head(big, head, big.size()).status == HeadStatus::kComplete);
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (size_t i = 0; i <= kMaxResponseHeaders; ++i) many += "H" + std::to_string(i) + ": v\r\n";
  CHECK(parse_response_head(many + "\r\n", head, 1 << 16).status == HeadStatus::kTooLarge);

  CHECK(parse_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", 10).body_status ==
        BodyStatus::kTooLarge);
  CHECK(parse_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhelloworld", 10).body_status ==
        BodyStatus::kDone);
  CHECK(parse_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n", 10)
            .body_status == BodyStatus::kTooLarge);
  CHECK(parse_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n").body_status ==
        BodyStatus::kTooLarge);
  CHECK(parse_all_splits("HTTP/1.1 200 OK\r\n\r\n0123456789A", 10).body_status == BodyStatus::kTooLarge);
}

TEST_CASE("response: malformed chunked framing") {
  for (const char* body : {"x\r\n", "\r\n", "3\r\nabcX\r\n", "3\r\nabc\rX", "3\rX", "3;ext\x01\r\n"}) {
    INFO(body);
    const std::string wire = std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + body;
    CHECK(parse_all_splits(wire).body_status == BodyStatus::kMalformed);
  }
}

TEST_CASE("client URL: schemes, ports, IPv6, paths and refusals") {
  ClientUrl url;
  std::string error;
  REQUIRE(parse_client_url("http://127.0.0.1:9000/hooks/pusher?x=1", url, error));
  CHECK_FALSE(url.tls);
  CHECK(url.host == "127.0.0.1");
  CHECK(url.host_is_ip);
  CHECK(url.port == 9000);
  CHECK(url.target == "/hooks/pusher?x=1");
  CHECK(url.host_header == "127.0.0.1:9000");
  REQUIRE(parse_client_url("https://hooks.example.com", url, error));
  CHECK(url.tls);
  CHECK(url.port == 443);
  CHECK(url.target == "/");
  CHECK_FALSE(url.host_is_ip);
  CHECK(url.host_header == "hooks.example.com");
  REQUIRE(parse_client_url("http://[::1]:8080?q#frag", url, error));
  CHECK(url.host == "::1");
  CHECK(url.target == "/?q");
  CHECK(url.host_header == "[::1]:8080");
  for (const char* bad : {"ftp://x/", "http://", "http://:80/", "http://u:p@host/", "http://host:0/",
                          "http://host:65536/", "http://host:x/", "http://ho st/", "http://[::1/", "http://host/a b",
                          "http://host:/"}) {
    INFO(bad);
    CHECK_FALSE(parse_client_url(bad, url, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("request writer: head, length, connection, no header injection") {
  ClientUrl url;
  std::string error;
  REQUIRE(parse_client_url("http://127.0.0.1:9000/hook", url, error));
  const RequestHeader headers[] = {{"Content-Type", "application/json"}, {"X-Bad", "a\r\nInjected: 1"}};
  CHECK(write_request("POST", url, headers, "{}", true) ==
        "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\nConnection: keep-alive\r\n\r\n{}");
  CHECK(write_request("POST", url, {}, "", false) ==
        "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  CHECK(write_request("GET", url, {}, "", false).find("Content-Length") == std::string::npos);
}
