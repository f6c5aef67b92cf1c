// CIDR parsing and matching for allow_ips / deny_ips; see ip_filter.hpp.
#include "server/ip_filter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "common/list_items.hpp"

namespace wsrelay::server {

namespace {

// RFC 4291 §2.5.5.2: ::ffff:0:0/96 holds IPv4 addresses.
constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

bool is_v4_mapped(const std::array<uint8_t, 16>& bytes) {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin());
}

IpAddress v4_from(const uint8_t* four_bytes) {
  IpAddress address;
  address.family = IpAddress::Family::kV4;
  std::memcpy(address.bytes.data(), four_bytes, 4);
  return address;
}

IpAddress v6_from(const uint8_t* sixteen_bytes) {
  IpAddress address;
  address.family = IpAddress::Family::kV6;
  std::memcpy(address.bytes.data(), sixteen_bytes, 16);
  return address;
}

int bit_width(IpAddress::Family family) { return family == IpAddress::Family::kV4 ? 32 : 128; }

// Mask of the bits of byte `index` that lie inside a prefix of `prefix_length` bits.
uint8_t prefix_mask(int index, int prefix_length) {
  const int bits = std::clamp(prefix_length - index * 8, 0, 8);
  return static_cast<uint8_t>(0xFF00 >> bits);
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// The text of an address (inet_ntop), for error hints and logs.
std::string address_text(const IpAddress& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  const int family = address.family == IpAddress::Family::kV4 ? AF_INET : AF_INET6;
  if (inet_ntop(family, address.bytes.data(), buffer, sizeof buffer) == nullptr) return "?";
  return buffer;
}

}  // namespace

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* address, socklen_t length) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof v4);  // copy: the caller's buffer may be a plain sockaddr
    return v4_from(reinterpret_cast<const uint8_t*>(&v4.sin_addr));
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof v6);
    IpAddress result = v6_from(v6.sin6_addr.s6_addr);
    if (is_v4_mapped(result.bytes)) return v4_from(result.bytes.data() + 12);
    return result;
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text is 45 characters.
  char buffer[INET6_ADDRSTRLEN];
  // A NUL inside would cut the text short for inet_pton ("127.0.0.1\0junk").
  if (text.empty() || text.size() >= sizeof buffer || text.find('\0') != std::string_view::npos) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  uint8_t bytes[16];
  if (text.find(':') == std::string_view::npos) {
    // glibc's inet_pton(AF_INET) accepts exactly four decimal octets without leading zeros
    // (unlike inet_aton, which would read "010" as octal and "10.1" as 10.0.0.1).
    if (inet_pton(AF_INET, buffer, bytes) != 1) return std::nullopt;
    return v4_from(bytes);
  }
  if (inet_pton(AF_INET6, buffer, bytes) != 1) return std::nullopt;
  IpAddress result = v6_from(bytes);
  if (is_v4_mapped(result.bytes)) return v4_from(bytes + 12);
  return result;
}

bool CidrBlock::contains(const IpAddress& address) const {
  if (address.family != network.family) return false;
  const int full_bytes = prefix_length / 8;
  if (std::memcmp(address.bytes.data(), network.bytes.data(), static_cast<size_t>(full_bytes)) != 0) {
    return false;
  }
  if (prefix_length % 8 == 0) return true;
  const uint8_t mask = prefix_mask(full_bytes, prefix_length);
  return (address.bytes[static_cast<size_t>(full_bytes)] & mask) ==
         network.bytes[static_cast<size_t>(full_bytes)];
}

std::optional<CidrBlock> parse_cidr(std::string_view text, std::string* error,
                                    bool* host_bits_set) {
  const auto fail = [&](std::string why) -> std::optional<CidrBlock> {
    if (error != nullptr) *error = "invalid address block " + quoted(text) + ": " + why;
    return std::nullopt;
  };
  const size_t slash = text.find('/');
  const std::string_view address_part = text.substr(0, slash);
  const bool is_v6 = address_part.find(':') != std::string_view::npos;

  CidrBlock block;
  char buffer[INET6_ADDRSTRLEN];
  uint8_t bytes[16] = {};
  if (address_part.empty() || address_part.size() >= sizeof buffer ||
      address_part.find('\0') != std::string_view::npos) {
    return fail("not an address");
  }
  std::memcpy(buffer, address_part.data(), address_part.size());
  buffer[address_part.size()] = '\0';
  if (inet_pton(is_v6 ? AF_INET6 : AF_INET, buffer, bytes) != 1) {
    return fail(is_v6 ? "not an IPv6 address" : "not an IPv4 address");
  }
  block.network = is_v6 ? v6_from(bytes) : v4_from(bytes);
  const int width = bit_width(block.network.family);

  int prefix = width;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    // 1-3 decimal digits, no sign or spaces.
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail("the prefix length is not a number");
    }
    prefix = 0;
    for (const char c : digits) prefix = prefix * 10 + (c - '0');
    if (prefix > width) {
      return fail("the prefix length is over " + std::to_string(width));
    }
  }
  block.prefix_length = static_cast<uint8_t>(prefix);

  // Clear the bits below the prefix: "10.0.0.1/8" means the network 10.0.0.0/8 (the caller
  // learns it happened, to warn that the entry names a host inside a network).
  IpAddress masked = block.network;
  for (int i = 0; i < width / 8; ++i) {
    masked.bytes[static_cast<size_t>(i)] &= prefix_mask(i, prefix);
  }
  if (host_bits_set != nullptr) *host_bits_set = masked != block.network;
  block.network = masked;

  // An IPv6 block inside ::ffff:0:0/96 is an IPv4 block (see the header).
  if (is_v6 && prefix >= 96 && is_v4_mapped(block.network.bytes)) {
    block.network = v4_from(block.network.bytes.data() + 12);
    block.prefix_length = static_cast<uint8_t>(prefix - 96);
  }
  return block;
}

std::string to_string(const CidrBlock& block) {
  return address_text(block.network) + "/" + std::to_string(block.prefix_length);
}

bool parse_cidr_list(std::span<const std::string> entries, std::vector<CidrBlock>& out,
                     std::string& error) {
  std::vector<CidrBlock> blocks;
  blocks.reserve(entries.size());
  for (const std::string& entry : entries) {
    std::optional<CidrBlock> block = parse_cidr(entry, &error);
    if (!block) return false;
    blocks.push_back(*block);
  }
  out = std::move(blocks);
  return true;
}

bool parse_cidr_list(std::string_view text, std::vector<CidrBlock>& out, std::string& error) {
  return parse_cidr_list(common::split_list_items(text), out, error);
}

namespace {

// Both lists or neither: a filter is never left half-configured.
template <typename List>
bool configure_lists(const List& allow_ips, const List& deny_ips, std::vector<CidrBlock>& allow_out,
                     std::vector<CidrBlock>& deny_out, std::string& error) {
  std::vector<CidrBlock> allow;
  std::vector<CidrBlock> deny;
  if (!parse_cidr_list(allow_ips, allow, error)) {
    error = "allow_ips: " + error;
    return false;
  }
  if (!parse_cidr_list(deny_ips, deny, error)) {
    error = "deny_ips: " + error;
    return false;
  }
  allow_out = std::move(allow);
  deny_out = std::move(deny);
  return true;
}

}  // namespace

bool IpFilter::configure(std::string_view allow_ips, std::string_view deny_ips,
                         std::string& error) {
  return configure_lists(allow_ips, deny_ips, allow_, deny_, error);
}

bool IpFilter::configure(std::span<const std::string> allow_ips,
                         std::span<const std::string> deny_ips, std::string& error) {
  return configure_lists(allow_ips, deny_ips, allow_, deny_, error);
}

bool IpFilter::allows(const IpAddress& address) const {
  const auto matches = [&address](const CidrBlock& block) { return block.contains(address); };
  if (!allow_.empty() && std::none_of(allow_.begin(), allow_.end(), matches)) return false;
  return std::none_of(deny_.begin(), deny_.end(), matches);
}

bool IpFilter::allows(const sockaddr* address, socklen_t length) const {
  if (empty()) return true;
  const std::optional<IpAddress> parsed = IpAddress::from_sockaddr(address, length);
  if (!parsed) return allow_.empty();
  return allows(*parsed);
}

}  // namespace wsrelay::server
