// Address filtering at accept time: the `allow_ips` and `deny_ips` configuration lists.
//
// A list is IPv4 and IPv6 CIDR blocks separated by commas and/or whitespace, e.g.
// "10.0.0.0/8, 2001:db8::/32, 127.0.0.1" (a bare address is a /32 or /128 block).
// Decision: a peer is admitted when the allow list is empty or contains it, AND the deny list
// does not contain it (deny wins over allow, so "allow 10.0.0.0/8, deny 10.0.0.66" works).
//
// IPv4 and IPv6 are kept apart, with one bridge: an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is IPv4. A dual-stack listener sees IPv4 clients that
// way, and they must meet the IPv4 rules; likewise a rule written "::ffff:10.0.0.0/104" is the
// IPv4 rule 10.0.0.0/8. "0.0.0.0/0" means every IPv4 peer and "::/0" every IPv6 peer.
//
// Addresses are parsed strictly so that a typo fails at start-up rather than silently
// admitting everyone: four decimal octets without leading zeros, no brackets or zone ids, a
// prefix length of 1-3 digits within the family's width. Bits set below the prefix
// ("10.0.0.1/8") are cleared, so the block is the whole network (10.0.0.0/8); parse_cidr
// reports it so configuration can warn, as config/checks.cpp does. Pure code: inet_pton and
// inet_ntop convert text, nothing here touches a socket. Matching is a linear scan, fine for
// the handful of rules such lists hold.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::server {

struct IpAddress {
  enum class Family : uint8_t { kV4, kV6 };
  Family family = Family::kV4;
  std::array<uint8_t, 16> bytes{};  // network byte order; IPv4 uses bytes[0..3]

  // From an accepted peer's address; IPv4-mapped IPv6 becomes IPv4. Nothing for families
  // other than AF_INET/AF_INET6 or a length too short for the family.
  static std::optional<IpAddress> from_sockaddr(const sockaddr* address, socklen_t length);
  // From a literal ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1" -> IPv4).
  static std::optional<IpAddress> parse(std::string_view text);

  bool operator==(const IpAddress&) const = default;
};

struct CidrBlock {
  IpAddress network;           // with every bit below the prefix zero
  uint8_t prefix_length = 0;   // 0..32 for IPv4, 0..128 for IPv6

  bool contains(const IpAddress& address) const;
};

// One block: "10.0.0.0/8", "2001:db8::/32", "127.0.0.1". On failure returns nothing and, if
// `error` is given, says why in a sentence that quotes the entry. `host_bits_set`, if given,
// says whether bits below the prefix had to be cleared.
std::optional<CidrBlock> parse_cidr(std::string_view text, std::string* error = nullptr,
                                    bool* host_bits_set = nullptr);

// "10.0.0.0/8", "2001:db8::/32" (canonical text, for logs).
std::string to_string(const CidrBlock& block);

// A whole list; empty text gives an empty list. Fails at the first bad entry, leaving `out`
// unchanged. The span form takes entries already split (config::Settings::allow_ips).
bool parse_cidr_list(std::string_view text, std::vector<CidrBlock>& out, std::string& error);
bool parse_cidr_list(std::span<const std::string> entries, std::vector<CidrBlock>& out,
                     std::string& error);

class IpFilter {
 public:
  // Replace both lists from configuration text. On failure returns false, leaves the filter
  // unchanged and sets `error` (prefixed with "allow_ips: " or "deny_ips: ").
  bool configure(std::string_view allow_ips, std::string_view deny_ips, std::string& error);
  bool configure(std::span<const std::string> allow_ips, std::span<const std::string> deny_ips,
                 std::string& error);

  bool allows(const IpAddress& address) const;
  // For the accept path. A peer whose address cannot be read (not IPv4/IPv6) matches no rule:
  // admitted only when the allow list is empty.
  bool allows(const sockaddr* address, socklen_t length) const;

  // True when there are no rules at all, so the accept path can skip the check.
  bool empty() const { return allow_.empty() && deny_.empty(); }
  const std::vector<CidrBlock>& allow_list() const { return allow_; }
  const std::vector<CidrBlock>& deny_list() const { return deny_; }

 private:
  std::vector<CidrBlock> allow_;
  std::vector<CidrBlock> deny_;
};

}  // namespace wsrelay::server
