// trusted_proxies: which address the forwarding headers name (server/forwarded.hpp) — the
// rightmost untrusted X-Forwarded-For hop, several header lines as one list, X-Real-IP only
// without X-Forwarded-For, garbage ending the walk, brackets and IPv6, and formatting.
#include "server/forwarded.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay;
using namespace wsrelay::server;

namespace {

std::vector<CidrBlock> trusted(std::string_view text) {
  std::vector<CidrBlock> blocks;
  std::string error;
  REQUIRE_MESSAGE(parse_cidr_list(text, blocks, error), error);
  return blocks;
}

// The client the headers name ("" when none), for a request with these header lines.
std::string client_of(const std::string& header_lines,
                      std::string_view proxies = "127.0.0.1, 10.0.0.0/8") {
  const std::string text = "GET /ws HTTP/1.1\r\nHost: x\r\n" + header_lines + "\r\n";
  ws::HttpRequest request;
  const ws::HttpParseResult parsed = ws::parse_request(text, request, 8192);
  REQUIRE(parsed.status == ws::HttpParseStatus::kComplete);
  const std::vector<CidrBlock> blocks = trusted(proxies);
  const std::optional<IpAddress> client = forwarded_client(request, blocks);
  return client ? to_string(*client) : "";
}

}  // namespace

TEST_CASE("forwarded: the rightmost hop that is not a trusted proxy is the client") {
  CHECK(client_of("X-Forwarded-For: 203.0.113.7\r\n") == "203.0.113.7");
  CHECK(client_of("X-Forwarded-For: 203.0.113.7, 10.1.2.3\r\n") == "203.0.113.7");
  // What the client wrote itself lies to the left of the hop our proxy appended.
  CHECK(client_of("X-Forwarded-For: 1.1.1.1, 198.51.100.9, 10.0.0.2\r\n") == "198.51.100.9");
  CHECK(client_of("x-forwarded-for:   198.51.100.9  ,10.0.0.2\r\n") == "198.51.100.9");
  // Every hop trusted: the leftmost.
  CHECK(client_of("X-Forwarded-For: 10.0.0.5, 10.0.0.2\r\n") == "10.0.0.5");
}

TEST_CASE("forwarded: several X-Forwarded-For lines are one list, in order") {
  CHECK(client_of("X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 10.0.0.2\r\n") ==
        "203.0.113.7");
  CHECK(client_of("X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 198.51.100.1, 10.0.0.2\r\n") ==
        "198.51.100.1");
}

TEST_CASE("forwarded: an entry that is not an address ends the walk") {
  CHECK(client_of("X-Forwarded-For: garbage\r\n").empty());
  CHECK(client_of("X-Forwarded-For: 203.0.113.7, \r\n").empty());  // empty last entry
  // Garbage left of trusted hops: the last trusted hop read is the client.
  CHECK(client_of("X-Forwarded-For: 203.0.113.7, unknown, 10.0.0.2\r\n") == "10.0.0.2");
  // A port is not part of an X-Forwarded-For entry.
  CHECK(client_of("X-Forwarded-For: 203.0.113.7:5000\r\n").empty());
}

TEST_CASE("forwarded: IPv6, brackets, IPv4-mapped") {
  CHECK(client_of("X-Forwarded-For: 2001:db8::1\r\n") == "2001:db8::1");
  CHECK(client_of("X-Forwarded-For: [2001:db8::1]\r\n") == "2001:db8::1");
  CHECK(client_of("X-Forwarded-For: ::ffff:203.0.113.7\r\n") == "203.0.113.7");
  CHECK(client_of("X-Forwarded-For: 2001:db8::1, ::1\r\n", "::1") == "2001:db8::1");
}

TEST_CASE("forwarded: X-Real-IP only without X-Forwarded-For, and only once") {
  CHECK(client_of("X-Real-IP: 203.0.113.8\r\n") == "203.0.113.8");
  CHECK(client_of("X-Real-IP: 203.0.113.8\r\nX-Forwarded-For: 198.51.100.2\r\n") == "198.51.100.2");
  CHECK(client_of("X-Real-IP: 203.0.113.8\r\nX-Real-IP: 203.0.113.9\r\n").empty());
  CHECK(client_of("X-Real-IP: nonsense\r\n").empty());
  CHECK(client_of("").empty());
}
