#include "config/network_values.hpp"

#include <arpa/inet.h>

#include <array>
#include <initializer_list>

#include "cluster/redis_url.hpp"
#include "config/text.hpp"
#include "config/values.hpp"

namespace wsrelay::config {

using text::equals_ignoring_case;
using text::has_control_character;
using text::is_alnum;
using text::parse_decimal;

namespace {

// host[:port] of a URL or an origin: a DNS name, an IPv4 literal or a bracketed IPv6 literal.
bool check_authority(std::string_view authority, bool port_required, std::string& problem) {
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      problem = "has an unclosed '[' in its host";
      return false;
    }
    host = authority.substr(1, close - 1);
    int family = 0;
    if (!is_ip_literal(host, &family) || family != 6) {
      problem = "has " + quote(host) + " in brackets, which is not an IPv6 address";
      return false;
    }
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        problem = "has text after the IPv6 address";
        return false;
      }
      has_port = true;
      port = rest.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) {
      problem = "has no host";
      return false;
    }
    for (char c : host) {
      if (!is_alnum(c) && c != '.' && c != '-') {
        problem = "has " + quote(host) +
                  " as host (allowed: a DNS name, an IPv4 address or "
                  "[IPv6 address])";
        return false;
      }
    }
  }
  uint64_t port_number = 0;
  if (has_port && (!parse_decimal(port, 65535, port_number) || port_number == 0)) {
    problem = "has " + quote(port) + " as port (allowed: 1..65535)";
    return false;
  }
  if (port_required && !has_port) {
    problem = "has no port";
    return false;
  }
  return true;
}

// scheme://rest with one of `schemes` (matched case-insensitively); `rest` gets what follows.
bool split_scheme(std::string_view text, std::initializer_list<std::string_view> schemes,
                  std::string_view& rest) {
  const size_t separator = text.find("://");
  if (separator == std::string_view::npos) return false;
  for (std::string_view scheme : schemes) {
    if (equals_ignoring_case(text.substr(0, separator), scheme)) {
      rest = text.substr(separator + 3);
      return true;
    }
  }
  return false;
}

bool check_origin(std::string_view item, std::string& problem) {
  // "null" is what sandboxed frames and file:// pages send; allowing it must be explicit.
  if (item == "null") return true;
  std::string_view rest;
  if (!split_scheme(item, {"http", "https"}, rest)) {
    problem = quote(item) +
              " is not an origin (allowed: *, null, or scheme://host[:port] with scheme "
              "http or https, where host may start with *. for any subdomain)";
    return false;
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    problem = quote(item) +
              " has a path; an origin is scheme://host[:port] with no path and no "
              "trailing slash (browsers send it that way)";
    return false;
  }
  // "https://*.example.com" allows every subdomain (docs/security.md).
  if (rest.starts_with("*.")) rest.remove_prefix(2);
  std::string authority_problem;
  if (!check_authority(rest, false, authority_problem)) {
    problem = quote(item) + " " + authority_problem;
    return false;
  }
  return true;
}

}  // namespace

bool parse_origin_list(std::string_view text, Value& out, std::string& problem) {
  std::vector<std::string> items = split_list(text);
  if (items.empty()) {
    problem =
        "is empty (allowed: * or a comma-separated list of origins such as "
        "https://app.example.com)";
    return false;
  }
  for (const std::string& item : items) {
    if (item == "*") {
      if (items.size() > 1) {
        problem = "mixes * with other origins; * already allows every origin, list it alone";
        return false;
      }
      continue;
    }
    if (!check_origin(item, problem)) return false;
  }
  out = std::move(items);
  return true;
}

bool parse_cidr_list(std::string_view text, Value& out, std::string& problem) {
  std::vector<std::string> items = split_list(text);
  for (const std::string& item : items) {
    if (!check_cidr(item, problem)) return false;
  }
  out = std::move(items);
  return true;
}

bool parse_http_url(std::string_view raw, Value& out, std::string& problem) {
  std::string_view text = trim(raw);
  std::string_view rest;
  if (!split_scheme(text, {"http", "https"}, rest)) {
    problem = quote(text) + " is not an http:// or https:// URL";
    return false;
  }
  if (has_control_character(text) || text.find(' ') != std::string_view::npos) {
    problem = quote(text) + " contains spaces or control characters";
    return false;
  }
  std::string authority_problem;
  if (!check_authority(rest.substr(0, rest.find('/')), false, authority_problem)) {
    problem = quote(text) + " " + authority_problem;
    return false;
  }
  out = std::string(text);
  return true;
}

bool parse_redis_url(std::string_view raw, Value& out, std::string& problem) {
  std::string_view text = trim(raw);
  cluster::RedisEndpoint endpoint;
  std::string url_problem;
  if (!text.empty() && !cluster::parse_redis_url(text, endpoint, url_problem)) {
    // The value may hold a password: quote it masked.
    problem = quote(cluster::redact_redis_url(text)) + " " + url_problem;
    return false;
  }
  out = std::string(text);
  return true;
}

bool is_ip_literal(std::string_view text, int* family) {
  // inet_pton reads a C string: a NUL inside the value would cut it short and let
  // "127.0.0.1\0junk" pass as 127.0.0.1 (found by the config fuzzer).
  if (text.empty() || text.size() > INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos) return false;
  const std::string copy(text);  // inet_pton wants a terminated string
  std::array<unsigned char, 16> bytes;
  if (::inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) {
    if (family != nullptr) *family = 4;
    return true;
  }
  if (::inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) {
    if (family != nullptr) *family = 6;
    return true;
  }
  return false;
}

bool check_cidr(std::string_view text, std::string& problem, bool* host_bits_set) {
  const size_t slash = text.find('/');
  const std::string address(text.substr(0, slash));
  std::array<unsigned char, 16> bytes{};
  int bits = 0;
  // A NUL would truncate what inet_pton sees, so it never counts as an address.
  const bool terminated = address.find('\0') == std::string::npos;
  if (terminated && ::inet_pton(AF_INET, address.c_str(), bytes.data()) == 1) {
    bits = 32;
  } else if (terminated && ::inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1) {
    bits = 128;
  } else {
    problem = quote(text) +
              " is not a network (allowed: an IPv4 or IPv6 address, optionally "
              "/prefix, e.g. 10.0.0.0/8 or 2001:db8::/32)";
    return false;
  }
  uint64_t prefix = static_cast<uint64_t>(bits);
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.size() > 3 || !parse_decimal(digits, static_cast<uint64_t>(bits), prefix)) {
      problem = quote(text) + " has a bad prefix length (allowed: 0.." + std::to_string(bits) +
                " for IPv" + (bits == 32 ? "4" : "6") + ")";
      return false;
    }
  }
  if (host_bits_set != nullptr) {
    bool set = false;
    for (int bit = static_cast<int>(prefix); bit < bits; ++bit) {
      set |= (bytes[static_cast<size_t>(bit / 8)] >> (7 - bit % 8)) & 1;
    }
    *host_bits_set = set;
  }
  return true;
}

}  // namespace wsrelay::config
