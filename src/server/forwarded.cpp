// The client address behind trusted proxies. See forwarded.hpp.
#include "server/forwarded.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace wsrelay::server {

namespace {

bool is_trusted(const IpAddress& address, std::span<const CidrBlock> trusted) {
  return std::any_of(trusted.begin(), trusted.end(),
                     [&](const CidrBlock& b) { return b.contains(address); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<IpAddress> parse_hop(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  return IpAddress::parse(text);
}

}  // namespace

std::optional<IpAddress> forwarded_client(const ws::HttpRequest& request,
                                          std::span<const CidrBlock> trusted) {
  // RFC 9110 §5.3: several X-Forwarded-For lines are one list, in order. Walk the lines from
  // the last, and each line's entries from the right.
  std::optional<IpAddress> last_trusted;
  bool any_list = false;
  for (size_t h = request.header_count; h-- > 0;) {
    const ws::HttpHeader& header = request.headers[h];
    if (!ws::equals_ignore_case(header.name, "X-Forwarded-For")) continue;
    any_list = true;
    std::string_view list = header.value;
    for (;;) {
      const size_t comma = list.rfind(',');
      const std::string_view entry =
          comma == std::string_view::npos ? list : list.substr(comma + 1);
      const std::optional<IpAddress> hop = parse_hop(entry);
      if (!hop) return last_trusted;  // not an address: believe nothing left of it
      if (!is_trusted(*hop, trusted)) return hop;
      last_trusted = hop;
      if (comma == std::string_view::npos) break;
      list = list.substr(0, comma);
    }
  }
  if (any_list) return last_trusted;  // every hop a trusted proxy: the leftmost is the client
  if (request.header_count_of("X-Real-IP") != 1) return std::nullopt;
  return parse_hop(request.header("X-Real-IP"));
}

std::string to_string(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  const int family = address.family == IpAddress::Family::kV4 ? AF_INET : AF_INET6;
  if (inet_ntop(family, address.bytes.data(), text, sizeof text) == nullptr) return "?";
  return text;
}

}  // namespace wsrelay::server
