// allow_ips / deny_ips: CIDR parsing edge cases (/0, /32, /128, bad masks, host bits, junk),
// IPv4-mapped IPv6 on both sides, the allow-then-deny decision, and sockaddr input.
#include "server/ip_filter.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace wsrelay::server;

namespace {

IpAddress ip(std::string_view text) {
  const std::optional<IpAddress> address = IpAddress::parse(text);
  REQUIRE_MESSAGE(address.has_value(), text);
  return *address;
}

CidrBlock cidr(std::string_view text) {
  std::string error;
  const std::optional<CidrBlock> block = parse_cidr(text, &error);
  REQUIRE_MESSAGE(block.has_value(), error);
  return *block;
}

std::string cidr_error(std::string_view text) {
  std::string error;
  CHECK_FALSE(parse_cidr(text, &error).has_value());
  return error;
}

IpFilter filter(std::string_view allow, std::string_view deny) {
  IpFilter f;
  std::string error;
  REQUIRE_MESSAGE(f.configure(allow, deny, error), error);
  return f;
}

sockaddr_in v4_sockaddr(const char* text) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(1234);
  REQUIRE(inet_pton(AF_INET, text, &address.sin_addr) == 1);
  return address;
}

sockaddr_in6 v6_sockaddr(const char* text) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(1234);
  REQUIRE(inet_pton(AF_INET6, text, &address.sin6_addr) == 1);
  return address;
}

template <typename T>
bool admits(const IpFilter& f, const T& address, socklen_t length = sizeof(T)) {
  return f.allows(reinterpret_cast<const sockaddr*>(&address), length);
}

}  // namespace

TEST_CASE("ip: parsing addresses") {
  CHECK(ip("192.0.2.1").family == IpAddress::Family::kV4);
  CHECK(ip("192.0.2.1").bytes[0] == 192);
  CHECK(ip("192.0.2.1").bytes[3] == 1);
  CHECK(ip("2001:db8::1").family == IpAddress::Family::kV6);
  CHECK(ip("2001:db8::1").bytes[15] == 1);
  // IPv4-mapped IPv6 is IPv4.
  CHECK(ip("::ffff:192.0.2.1") == ip("192.0.2.1"));
  CHECK(ip("::FFFF:c000:0201") == ip("192.0.2.1"));
  // ... but the deprecated IPv4-compatible form (::a.b.c.d) and NAT64 are not.
  CHECK(ip("::192.0.2.1").family == IpAddress::Family::kV6);
  CHECK(ip("64:ff9b::192.0.2.1").family == IpAddress::Family::kV6);
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4",
                          "0x1.2.3.4", "[::1]", "fe80::1%eth0", ":::1", "1::2::3", "localhost",
                          "2001:db8::1/64", "12345::"}) {
    CAPTURE(bad);
    CHECK_FALSE(IpAddress::parse(bad).has_value());
  }
  CHECK_FALSE(IpAddress::parse(std::string(100, '1')).has_value());
}

TEST_CASE("cidr: bare addresses are single hosts") {
  CHECK(cidr("127.0.0.1").prefix_length == 32);
  CHECK(cidr("::1").prefix_length == 128);
  CHECK(cidr("127.0.0.1").contains(ip("127.0.0.1")));
  CHECK_FALSE(cidr("127.0.0.1").contains(ip("127.0.0.2")));
  CHECK(cidr("::1").contains(ip("::1")));
  CHECK_FALSE(cidr("::1").contains(ip("::2")));
}

TEST_CASE("cidr: /0, /32 and /128") {
  const CidrBlock all_v4 = cidr("0.0.0.0/0");
  CHECK(all_v4.contains(ip("0.0.0.0")));
  CHECK(all_v4.contains(ip("255.255.255.255")));
  CHECK(all_v4.contains(ip("::ffff:8.8.8.8")));
  CHECK_FALSE(all_v4.contains(ip("2001:db8::1")));

  const CidrBlock all_v6 = cidr("::/0");
  CHECK(all_v6.contains(ip("2001:db8::1")));
  CHECK(all_v6.contains(ip("::")));
  CHECK(all_v6.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  CHECK_FALSE(all_v6.contains(ip("8.8.8.8")));
  CHECK_FALSE(all_v6.contains(ip("::ffff:8.8.8.8")));  // that is IPv4

  CHECK(cidr("10.1.2.3/32").contains(ip("10.1.2.3")));
  CHECK_FALSE(cidr("10.1.2.3/32").contains(ip("10.1.2.2")));
  CHECK(cidr("2001:db8::7/128").contains(ip("2001:db8::7")));
  CHECK_FALSE(cidr("2001:db8::7/128").contains(ip("2001:db8::6")));
}

TEST_CASE("cidr: prefixes on and off byte boundaries") {
  const CidrBlock eight = cidr("10.0.0.0/8");
  CHECK(eight.contains(ip("10.0.0.0")));
  CHECK(eight.contains(ip("10.255.255.255")));
  CHECK_FALSE(eight.contains(ip("11.0.0.0")));
  CHECK_FALSE(eight.contains(ip("9.255.255.255")));

  const CidrBlock twelve = cidr("172.16.0.0/12");
  CHECK(twelve.contains(ip("172.16.0.1")));
  CHECK(twelve.contains(ip("172.31.255.255")));
  CHECK_FALSE(twelve.contains(ip("172.32.0.0")));
  CHECK_FALSE(twelve.contains(ip("172.15.255.255")));

  const CidrBlock odd = cidr("192.168.1.128/25");
  CHECK(odd.contains(ip("192.168.1.128")));
  CHECK(odd.contains(ip("192.168.1.255")));
  CHECK_FALSE(odd.contains(ip("192.168.1.127")));

  const CidrBlock one = cidr("128.0.0.0/1");
  CHECK(one.contains(ip("200.1.1.1")));
  CHECK_FALSE(one.contains(ip("127.255.255.255")));

  const CidrBlock v6 = cidr("2001:db8::/32");
  CHECK(v6.contains(ip("2001:db8::1")));
  CHECK(v6.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
  CHECK_FALSE(v6.contains(ip("2001:db9::")));
  CHECK_FALSE(v6.contains(ip("10.0.0.1")));

  const CidrBlock v6_odd = cidr("2001:db8:8000::/33");
  CHECK(v6_odd.contains(ip("2001:db8:8000::1")));
  CHECK(v6_odd.contains(ip("2001:db8:ffff::")));
  CHECK_FALSE(v6_odd.contains(ip("2001:db8:7fff::")));

  const CidrBlock v6_127 = cidr("fe80::/127");
  CHECK(v6_127.contains(ip("fe80::1")));
  CHECK_FALSE(v6_127.contains(ip("fe80::2")));
}

TEST_CASE("cidr: every prefix length agrees with a bit-by-bit reference") {
  // For each length, the block built from an all-ones address masked to that length must
  // contain exactly the addresses that agree with it on the first `length` bits.
  const IpAddress ones = ip("255.255.255.255");
  for (int length = 0; length <= 32; ++length) {
    CAPTURE(length);
    uint32_t network = length == 0 ? 0 : ~0u << (32 - length);
    char text[32];
    std::snprintf(text, sizeof text, "%u.%u.%u.%u/%d", network >> 24, network >> 16 & 255,
                  network >> 8 & 255, network & 255, length);
    const CidrBlock block = cidr(text);
    CHECK(block.contains(ones));
    for (int bit = 0; bit < 32; ++bit) {
      IpAddress probe = ones;
      probe.bytes[static_cast<size_t>(bit / 8)] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      CHECK(block.contains(probe) == (bit >= length));
    }
  }
}

TEST_CASE("cidr: IPv4-mapped IPv6 rules are IPv4 rules") {
  const CidrBlock mapped = cidr("::ffff:10.0.0.0/104");
  CHECK(mapped.network.family == IpAddress::Family::kV4);
  CHECK(mapped.prefix_length == 8);
  CHECK(mapped.contains(ip("10.9.8.7")));
  CHECK(mapped.contains(ip("::ffff:10.9.8.7")));
  CHECK_FALSE(mapped.contains(ip("11.0.0.0")));
  CHECK(to_string(mapped) == "10.0.0.0/8");

  CHECK(cidr("::ffff:0:0/96").prefix_length == 0);
  CHECK(cidr("::ffff:0:0/96").contains(ip("1.2.3.4")));
  CHECK(cidr("::ffff:1.2.3.4").network == ip("1.2.3.4"));
  CHECK(cidr("::ffff:1.2.3.4").prefix_length == 32);
  // A block wider than ::ffff:0:0/96 stays IPv6 and does not catch IPv4 peers.
  CHECK(cidr("::/80").network.family == IpAddress::Family::kV6);
  CHECK_FALSE(cidr("::/80").contains(ip("1.2.3.4")));
}

TEST_CASE("cidr: invalid prefix lengths") {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/0008",
                          "10.0.0.0/8/8", "10.0.0.0/ 8", "10.0.0.0/8a", "10.0.0.0/1000",
                          "::/129", "::/0128", "::/", "::/abc", "10.0.0.0/033"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_cidr(bad).has_value());
  }
  CHECK(cidr_error("10.0.0.0/33") == "invalid address block '10.0.0.0/33': the prefix length is over 32");
  CHECK(cidr_error("::/129") == "invalid address block '::/129': the prefix length is over 128");
  CHECK(cidr_error("10.0.0.0/x") == "invalid address block '10.0.0.0/x': the prefix length is not a number");
  CHECK(parse_cidr("0.0.0.0/0").has_value());
  CHECK(cidr("10.0.0.0/08").prefix_length == 8);  // plain decimal, as config/ accepts it
  CHECK(cidr("::/064").prefix_length == 64);
}

TEST_CASE("cidr: bits below the prefix are cleared, and reported") {
  // config/checks.cpp warns that such an entry "matches the whole network"; this makes it so.
  bool host_bits = false;
  std::optional<CidrBlock> block = parse_cidr("10.0.0.1/8", nullptr, &host_bits);
  REQUIRE(block.has_value());
  CHECK(host_bits);
  CHECK(to_string(*block) == "10.0.0.0/8");
  CHECK(block->contains(ip("10.200.0.1")));

  block = parse_cidr("192.168.1.200/25", nullptr, &host_bits);
  REQUIRE(block.has_value());
  CHECK(host_bits);
  CHECK(to_string(*block) == "192.168.1.128/25");
  CHECK(block->contains(ip("192.168.1.129")));
  CHECK_FALSE(block->contains(ip("192.168.1.127")));

  block = parse_cidr("2001:db8::1/32", nullptr, &host_bits);
  REQUIRE(block.has_value());
  CHECK(host_bits);
  CHECK(to_string(*block) == "2001:db8::/32");

  block = parse_cidr("1.2.3.4/0", nullptr, &host_bits);
  REQUIRE(block.has_value());
  CHECK(host_bits);
  CHECK(block->contains(ip("200.0.0.1")));

  block = parse_cidr("::ffff:10.1.2.3/104", nullptr, &host_bits);
  REQUIRE(block.has_value());
  CHECK(host_bits);
  CHECK(to_string(*block) == "10.0.0.0/8");

  for (const char* exact : {"10.0.0.0/8", "10.0.0.1", "10.0.0.1/32", "::1", "0.0.0.0/0"}) {
    CAPTURE(exact);
    host_bits = true;
    REQUIRE(parse_cidr(exact, nullptr, &host_bits).has_value());
    CHECK_FALSE(host_bits);
  }
}

TEST_CASE("cidr: addresses that are not addresses") {
  for (const char* bad : {"", "/8", "10.0.0/8", "10.0.0.256", "[::1]", "[::1]/128", "fe80::1%lo",
                          "example.com", "10.0.0.0\\8", "*"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_cidr(bad).has_value());
  }
  CHECK(cidr_error("10.0.0") == "invalid address block '10.0.0': not an IPv4 address");
  CHECK(cidr_error("1::2::3/64") == "invalid address block '1::2::3/64': not an IPv6 address");
}

TEST_CASE("cidr: canonical text") {
  CHECK(to_string(cidr("10.0.0.0/8")) == "10.0.0.0/8");
  CHECK(to_string(cidr("2001:DB8:0:0::/32")) == "2001:db8::/32");
  CHECK(to_string(cidr("127.0.0.1")) == "127.0.0.1/32");
}

TEST_CASE("cidr list: commas and whitespace separate, empty means none") {
  std::vector<CidrBlock> blocks;
  std::string error;
  REQUIRE(parse_cidr_list("10.0.0.0/8, 2001:db8::/32,127.0.0.1\n\t::1 ,,", blocks, error));
  REQUIRE(blocks.size() == 4);
  CHECK(to_string(blocks[1]) == "2001:db8::/32");
  CHECK(to_string(blocks[3]) == "::1/128");
  REQUIRE(parse_cidr_list("  , ", blocks, error));
  CHECK(blocks.empty());

  blocks = {cidr("1.1.1.1")};
  CHECK_FALSE(parse_cidr_list("10.0.0.0/8, 10.0.0.1/88", blocks, error));
  CHECK(error.find("'10.0.0.1/88'") != std::string::npos);
  CHECK(blocks.size() == 1);  // untouched on failure
}

TEST_CASE("cidr list: entries already split, as config::Settings holds them") {
  std::vector<CidrBlock> blocks;
  std::string error;
  const std::vector<std::string> entries = {"10.0.0.0/8", "::1"};
  REQUIRE(parse_cidr_list(entries, blocks, error));
  REQUIRE(blocks.size() == 2);
  CHECK(to_string(blocks[1]) == "::1/128");
  const std::vector<std::string> bad = {"10.0.0.0/8", "10.0.0.0/8 ::1"};
  CHECK_FALSE(parse_cidr_list(bad, blocks, error));
  CHECK(blocks.size() == 2);

  IpFilter f;
  const std::vector<std::string> none;
  const std::vector<std::string> deny = {"10.0.0.7"};
  REQUIRE(f.configure(entries, deny, error));
  CHECK(f.allows(ip("10.0.0.6")));
  CHECK_FALSE(f.allows(ip("10.0.0.7")));
  CHECK_FALSE(f.configure(none, bad, error));
  CHECK(error.rfind("deny_ips: invalid address block '10.0.0.0/8 ::1'", 0) == 0);
  CHECK_FALSE(f.allows(ip("10.0.0.7")));  // unchanged
}

TEST_CASE("filter: no rules admits everyone") {
  const IpFilter f = filter("", "");
  CHECK(f.empty());
  CHECK(f.allows(ip("203.0.113.9")));
  CHECK(f.allows(ip("2001:db8::9")));
}

TEST_CASE("filter: allow list only") {
  const IpFilter f = filter("10.0.0.0/8, 2001:db8::/32", "");
  CHECK(f.allows(ip("10.1.1.1")));
  CHECK(f.allows(ip("2001:db8::5")));
  CHECK_FALSE(f.allows(ip("11.1.1.1")));
  CHECK_FALSE(f.allows(ip("2001:db9::5")));
}

TEST_CASE("filter: deny list only") {
  const IpFilter f = filter("", "203.0.113.0/24 2001:db8:bad::/48");
  CHECK(f.allows(ip("198.51.100.1")));
  CHECK_FALSE(f.allows(ip("203.0.113.77")));
  CHECK_FALSE(f.allows(ip("::ffff:203.0.113.77")));
  CHECK_FALSE(f.allows(ip("2001:db8:bad::1")));
  CHECK(f.allows(ip("2001:db8:bad1::1")));
}

TEST_CASE("filter: deny wins over allow") {
  const IpFilter f = filter("10.0.0.0/8", "10.0.0.66");
  CHECK(f.allows(ip("10.0.0.65")));
  CHECK_FALSE(f.allows(ip("10.0.0.66")));
  CHECK_FALSE(f.allows(ip("192.0.2.1")));
}

TEST_CASE("filter: a bad list leaves the filter as it was and names the key") {
  IpFilter f = filter("10.0.0.0/8", "");
  std::string error;
  CHECK_FALSE(f.configure("10.0.0.0/8", "nonsense", error));
  CHECK(error == "deny_ips: invalid address block 'nonsense': not an IPv4 address");
  CHECK_FALSE(f.configure("10.0.0.0/40", "", error));
  CHECK(error.rfind("allow_ips: ", 0) == 0);
  CHECK(f.allows(ip("10.0.0.1")));
  CHECK_FALSE(f.allows(ip("11.0.0.1")));
  CHECK(f.allow_list().size() == 1);
  CHECK(f.deny_list().empty());
}

TEST_CASE("filter: accepted sockaddrs, including IPv4 seen through a dual-stack socket") {
  const IpFilter f = filter("127.0.0.0/8, ::1", "127.0.0.2");
  CHECK(admits(f, v4_sockaddr("127.0.0.1")));
  CHECK_FALSE(admits(f, v4_sockaddr("127.0.0.2")));
  CHECK_FALSE(admits(f, v4_sockaddr("192.0.2.1")));
  CHECK(admits(f, v6_sockaddr("::1")));
  CHECK(admits(f, v6_sockaddr("::ffff:127.0.0.1")));
  CHECK_FALSE(admits(f, v6_sockaddr("::ffff:127.0.0.2")));
  CHECK_FALSE(admits(f, v6_sockaddr("::2")));

  // The same through sockaddr_storage, as accept() fills it.
  sockaddr_storage storage{};
  const sockaddr_in6 mapped = v6_sockaddr("::ffff:127.0.0.9");
  std::memcpy(&storage, &mapped, sizeof mapped);
  CHECK(f.allows(reinterpret_cast<const sockaddr*>(&storage), sizeof mapped));
  CHECK(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage), sizeof mapped) ==
        ip("127.0.0.9"));
}

TEST_CASE("filter: unreadable peer addresses") {
  const IpFilter allow = filter("127.0.0.1", "");
  const IpFilter deny = filter("", "127.0.0.1");
  sockaddr_un unix_address{};
  unix_address.sun_family = AF_UNIX;
  CHECK_FALSE(admits(allow, unix_address));
  CHECK(admits(deny, unix_address));
  // Too short for its family.
  const sockaddr_in v4 = v4_sockaddr("127.0.0.1");
  CHECK_FALSE(admits(allow, v4, sizeof(sockaddr_in) - 1));
  CHECK_FALSE(IpAddress::from_sockaddr(nullptr, 0).has_value());
  CHECK_FALSE(allow.allows(nullptr, 0));
  CHECK(filter("", "").allows(nullptr, 0));
}
